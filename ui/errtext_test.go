package ui

import (
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"jiezhen/data"
	"jiezhen/data/store"
)

// goError is what the store says when something below it fails: Go's
// words, never for the screen.
var goError = errors.New("sql: database is closed (/var/lib/jiezhen/kiosk.db)")

// brokenStore is the demo store whose reads and writes fail with goError
// once broken is set: what a screen shows then must come from the
// translation files.
type brokenStore struct {
	*store.Store
	broken *atomic.Bool
}

func (s brokenStore) fail() error {
	if s.broken.Load() {
		return goError
	}
	return nil
}

func (s brokenStore) ListNotices(ctx context.Context, f store.NoticeFilter, p store.Page) ([]store.NoticeRow, int, error) {
	if err := s.fail(); err != nil {
		return nil, 0, err
	}
	return s.Store.ListNotices(ctx, f, p)
}

func (s brokenStore) Notice(ctx context.Context, id string) (data.Notice, error) {
	if err := s.fail(); err != nil {
		return data.Notice{}, err
	}
	return s.Store.Notice(ctx, id)
}

func (s brokenStore) ListCatalog(ctx context.Context, f store.CatalogFilter, p store.Page) ([]store.CatalogRow, int, error) {
	if err := s.fail(); err != nil {
		return nil, 0, err
	}
	return s.Store.ListCatalog(ctx, f, p)
}

func (s brokenStore) CatalogEntry(ctx context.Context, id string) (data.CatalogEntry, error) {
	if err := s.fail(); err != nil {
		return data.CatalogEntry{}, err
	}
	return s.Store.CatalogEntry(ctx, id)
}

func (s brokenStore) ListServices(ctx context.Context, f store.ServiceFilter, p store.Page) ([]store.ServiceRow, int, error) {
	if err := s.fail(); err != nil {
		return nil, 0, err
	}
	return s.Store.ListServices(ctx, f, p)
}

func (s brokenStore) Service(ctx context.Context, id string) (data.ServiceItem, error) {
	if err := s.fail(); err != nil {
		return data.ServiceItem{}, err
	}
	return s.Store.Service(ctx, id)
}

func (s brokenStore) ListProviders(ctx context.Context, f store.ProviderFilter, p store.Page) ([]store.ProviderRow, int, error) {
	if err := s.fail(); err != nil {
		return nil, 0, err
	}
	return s.Store.ListProviders(ctx, f, p)
}

func (s brokenStore) ProviderCategories(ctx context.Context) ([]store.CategoryCount, error) {
	if err := s.fail(); err != nil {
		return nil, err
	}
	return s.Store.ProviderCategories(ctx)
}

func (s brokenStore) Provider(ctx context.Context, id string) (data.Provider, error) {
	if err := s.fail(); err != nil {
		return data.Provider{}, err
	}
	return s.Store.Provider(ctx, id)
}

func (s brokenStore) ListConsultations(ctx context.Context, f store.ConsultationFilter, p store.Page) ([]store.ConsultationRow, int, error) {
	if err := s.fail(); err != nil {
		return nil, 0, err
	}
	return s.Store.ListConsultations(ctx, f, p)
}

func (s brokenStore) Consultation(ctx context.Context, id string) (data.Consultation, error) {
	if err := s.fail(); err != nil {
		return data.Consultation{}, err
	}
	return s.Store.Consultation(ctx, id)
}

func (s brokenStore) Search(ctx context.Context, q store.Query) (store.Results, error) {
	if err := s.fail(); err != nil {
		return store.Results{}, err
	}
	return s.Store.Search(ctx, q)
}

func (s brokenStore) FileCase(ctx context.Context, c data.Case, kiosk int64, days int) (data.Case, error) {
	if err := s.fail(); err != nil {
		return c, err
	}
	return s.Store.FileCase(ctx, c, kiosk, days)
}

func (s brokenStore) FileOpinion(ctx context.Context, o data.Opinion) (data.Opinion, error) {
	if err := s.fail(); err != nil {
		return o, err
	}
	return s.Store.FileOpinion(ctx, o)
}

// translatedLine matches a line of a UI string in either language, its
// format verbs standing for anything.
func translatedLine() func(string) bool {
	verb := regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z]`)
	exact := map[string]bool{}
	var patterns []*regexp.Regexp
	for _, m := range strs {
		for _, v := range m {
			for _, line := range strings.Split(v, "\n") {
				line = strings.TrimSpace(line)
				if !verb.MatchString(line) {
					exact[line] = true
					continue
				}
				var re strings.Builder
				last := 0
				for _, loc := range verb.FindAllStringIndex(line, -1) {
					re.WriteString(regexp.QuoteMeta(line[last:loc[0]]) + ".*")
					last = loc[1]
				}
				re.WriteString(regexp.QuoteMeta(line[last:]))
				patterns = append(patterns, regexp.MustCompile("^"+re.String()+"$"))
			}
		}
	}
	return func(s string) bool {
		if exact[s] {
			return true
		}
		return slices.ContainsFunc(patterns, func(re *regexp.Regexp) bool { return re.MatchString(s) })
	}
}

// TestBrokenStoreShowsOnlyTranslations opens every screen that reads the
// store while every read fails: each shows its message from the
// translation files (with what the home screen showed before, the
// street's name and the clock), never the store's error.
func TestBrokenStoreShowsOnlyTranslations(t *testing.T) {
	known := translatedLine()
	readers := []string{"notices", "notice", "catalog", "catalog_entry", "services", "service",
		"providers", "provider_categories", "provider", "consultations", "consultation_closed", "consultation_open",
		"search", "search_kind", "apply_list"}
	for _, j := range journeys {
		if !slices.Contains(readers, j.name) {
			continue
		}
		t.Run(j.name, func(t *testing.T) {
			src := brokenStore{Store: openDemo(t), broken: new(atomic.Bool)}
			k, w, _ := newTestKioskOn(t, src, Options{})
			before := map[string]bool{}
			for _, line := range strings.Split(screenText(w), "\n") {
				before[strings.TrimSpace(line)] = true
			}
			src.broken.Store(true)
			j.open(t, k)
			shown := screenText(w)
			if strings.Contains(shown, "sql:") {
				t.Errorf("the screen shows the store's error:\n%s", shown)
			}
			if !strings.Contains(shown, k.L("error.load")) {
				t.Errorf("the screen does not say it could not read:\n%s", shown)
			}
			for _, line := range strings.Split(shown, "\n") {
				if line = strings.TrimSpace(line); line != "" && !before[line] && !known(line) {
					t.Errorf("the screen shows %q, which is not in the translation files", line)
				}
			}
		})
	}
}

// TestFilingFailureShowsOnlyTranslations: an appeal and an opinion the
// store cannot write say so in words.
func TestFilingFailureShowsOnlyTranslations(t *testing.T) {
	src := brokenStore{Store: openDemo(t), broken: new(atomic.Bool)}
	k, w, _ := newTestKioskOn(t, src, Options{})
	c := demoConsultation(t, "zj-2026-03")
	src.broken.Store(true)
	f := &opinionForm{step: 2, topic: "t3", text: "建议在楼道加装扶手。", anonymous: true}
	k.env.submitOpinion(k.cases, c, f)
	if strings.Contains(f.problem, "sql:") || f.problem != k.L("opinion.failed")+"\n"+k.L("error.unexpected") {
		t.Errorf("opinion problem %q", f.problem)
	}
	k.render()
	if shown := screenText(w); strings.Contains(shown, "sql:") {
		t.Errorf("the screen shows the store's error:\n%s", shown)
	}
}

// TestNoGoErrorTextInScreens reads the ui package's code: no screen turns
// an error into text itself (err.Error(), or an error formatted or joined
// into a string); errText words it from the translations and logs it.
func TestNoGoErrorTextInScreens(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.CallExpr:
				if sel, ok := x.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Error" && len(x.Args) == 0 {
					t.Errorf("%s: an error's own text (.Error()) would reach the screen; use errText", fset.Position(x.Pos()))
				}
				if sel, ok := x.Fun.(*ast.SelectorExpr); ok && isFormatter(sel) {
					for _, a := range x.Args {
						if isErrIdent(a) {
							t.Errorf("%s: an error formatted into text would reach the screen; use errText", fset.Position(a.Pos()))
						}
					}
				}
			case *ast.BinaryExpr:
				if x.Op == token.ADD && (isErrIdent(x.X) || isErrIdent(x.Y)) {
					t.Errorf("%s: an error joined into text would reach the screen; use errText", fset.Position(x.Pos()))
				}
			}
			return true
		})
	}
}

// isFormatter: fmt's Sprint family and the screens' Lf.
func isFormatter(sel *ast.SelectorExpr) bool {
	if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "fmt" {
		return strings.HasPrefix(sel.Sel.Name, "Sprint")
	}
	return sel.Sel.Name == "Lf"
}

// isErrIdent: a variable named err or ending in Err, which is how the
// package names its errors.
func isErrIdent(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	return ok && (id.Name == "err" || strings.HasSuffix(id.Name, "Err"))
}
