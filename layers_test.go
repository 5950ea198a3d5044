package jiezhen_test

// The layering rules of docs/ARCHITECTURE.md, checked on what `go list`
// says every package imports, and the import table of that file,
// generated from the same data: `go test . -run TestImportTable -update`
// writes it.

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "write the import table into docs/ARCHITECTURE.md")

const module = "jiezhen"

// pkgInfo is what `go list -json` says of a package.
type pkgInfo struct {
	ImportPath string
	Imports    []string
	Standard   bool
	Module     *struct{ Path string }
}

// imports returns, for every package of the module (without the module's
// prefix), the project packages and the outside modules it imports.
func imports(t *testing.T) (project, outside map[string][]string) {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-json=ImportPath,Imports,Standard,Module", "./...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.Bytes())
	}
	var all []pkgInfo
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p pkgInfo
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		all = append(all, p)
	}
	moduleOf := map[string]string{}
	for _, p := range all {
		if p.Module != nil {
			moduleOf[p.ImportPath] = p.Module.Path
		}
	}
	project, outside = map[string][]string{}, map[string][]string{}
	for _, p := range all {
		if p.Module == nil || p.Module.Path != module {
			continue
		}
		name := local(p.ImportPath)
		project[name] = []string{}
		for _, imp := range p.Imports {
			switch m := moduleOf[imp]; {
			case m == module:
				project[name] = append(project[name], local(imp))
			case m != "" && !slices.Contains(outside[name], m):
				outside[name] = append(outside[name], m)
			}
		}
		slices.Sort(outside[name])
	}
	return project, outside
}

func local(path string) string {
	if path == module {
		return "."
	}
	return strings.TrimPrefix(path, module+"/")
}

// under reports whether pkg is pattern, or below it when pattern ends in
// "/...".
func under(pkg, pattern string) bool {
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return pkg == base || strings.HasPrefix(pkg, base+"/")
	}
	return pkg == pattern
}

func underAny(pkg string, patterns []string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool { return under(pkg, p) })
}

// rule: the packages pkgs (but not except) import none of forbidden.
type rule struct {
	name      string
	pkgs      []string
	except    []string
	forbidden []string
}

// rules are the arrows of docs/ARCHITECTURE.md ("Packages").
var rules = []rule{
	{"the domain imports no store, sync, UI or program", []string{"data/..."}, []string{"data/store"},
		[]string{"data/store", "sync/...", "ui/...", "cmd/..."}},
	{"the kiosk store imports no sync, UI or program", []string{"data/store"}, nil,
		[]string{"sync/...", "ui/...", "cmd/..."}},
	{"the wire imports no store and no other sync package", []string{"sync/wire"}, nil,
		[]string{"data/store", "sync/client", "sync/server", "sync/bundle", "sync/outboxfile", "sync/open311", "ui/...", "cmd/..."}},
	{"the sync agent imports no UI or program", []string{"sync/client"}, nil, []string{"ui/...", "cmd/..."}},
	{"the district imports no kiosk store, kiosk agent, UI or program", []string{"sync/server", "sync/open311", "sync/bundle", "sync/outboxfile"}, nil,
		[]string{"data/store", "sync/client", "ui/...", "cmd/..."}},
	{"the kiosk window imports no sync package", []string{"ui/..."}, []string{"ui/web/...", "ui/admin/...", "ui/internal/webtest"},
		[]string{"sync/...", "cmd/..."}},
	{"the website and the back office import no kiosk store, kiosk window or program", []string{"ui/web/...", "ui/admin/...", "ui/internal/webtest"}, nil,
		[]string{"data/store", "sync/client", "ui", "ui/theme", "ui/keyboard", "ui/ime", "ui/speech", "cmd/..."}},
	{"nothing imports a program", []string{"..."}, []string{"cmd/..."}, []string{"cmd/..."}},
	{"only the kiosk imports the window", []string{"..."}, []string{"cmd/kiosk", "ui/..."},
		[]string{"ui", "ui/theme", "ui/keyboard", "ui/ime", "ui/speech"}},
}

// fyneAllowed are the only packages that may import Fyne.
var fyneAllowed = []string{"ui", "ui/theme", "ui/keyboard", "ui/speech", "cmd/kiosk"}

func TestLayering(t *testing.T) {
	project, outside := imports(t)
	for _, problem := range checkLayers(project, outside) {
		t.Error(problem)
	}
}

// checkLayers lists every import that breaks a rule.
func checkLayers(project, outside map[string][]string) []string {
	var problems []string
	for _, pkg := range sortedKeys(project) {
		for _, r := range rules {
			in := slices.ContainsFunc(r.pkgs, func(p string) bool { return p == "..." || under(pkg, p) })
			if !in || underAny(pkg, r.except) {
				continue
			}
			for _, imp := range project[pkg] {
				if underAny(imp, r.forbidden) {
					problems = append(problems, fmt.Sprintf("%s imports %s: %s (docs/ARCHITECTURE.md)", pkg, imp, r.name))
				}
			}
		}
		if slices.Contains(outside[pkg], "fyne.io/fyne/v2") && !slices.Contains(fyneAllowed, pkg) {
			problems = append(problems, fmt.Sprintf("%s imports Fyne, which only %s may (docs/ARCHITECTURE.md)", pkg, strings.Join(fyneAllowed, ", ")))
		}
	}
	return problems
}

// TestLayeringCatchesABrokenRule breaks each kind of rule on purpose.
func TestLayeringCatchesABrokenRule(t *testing.T) {
	project, outside := imports(t)
	for _, c := range []struct{ pkg, imp string }{
		{"data", "data/store"}, {"data/store", "ui"}, {"sync/client", "ui"}, {"sync/server", "data/store"},
		{"sync/wire", "data/store"}, {"ui", "sync/wire"}, {"sync/server", "cmd/kiosk"},
	} {
		p := map[string][]string{}
		for k, v := range project {
			p[k] = v
		}
		p[c.pkg] = append(slices.Clone(p[c.pkg]), c.imp)
		if problems := checkLayers(p, outside); len(problems) == 0 {
			t.Errorf("%s importing %s breaks no rule", c.pkg, c.imp)
		}
	}
	o := map[string][]string{}
	for k, v := range outside {
		o[k] = v
	}
	o["sync/server"] = append(slices.Clone(o["sync/server"]), "fyne.io/fyne/v2")
	if problems := checkLayers(project, o); len(problems) != 1 {
		t.Errorf("sync/server importing Fyne: %q, want one problem", problems)
	}
	if problems := checkLayers(project, outside); len(problems) != 0 {
		t.Errorf("the tree as it is breaks rules: %q", problems)
	}
}

func sortedKeys(m map[string][]string) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

const (
	tableStart = "<!-- import table: generated from `go list` by layers_test.go; `go test . -run TestImportTable -update` writes it -->"
	tableEnd   = "<!-- end of import table -->"
)

// importTable is the Markdown table of what each package imports.
func importTable(project, outside map[string][]string) string {
	var b strings.Builder
	b.WriteString("| package | imports from the project | modules from outside |\n| --- | --- | --- |\n")
	code := func(s []string) string {
		var out []string
		for _, x := range s {
			out = append(out, "`"+x+"`")
		}
		if len(out) == 0 {
			return "none"
		}
		return strings.Join(out, ", ")
	}
	for _, pkg := range sortedKeys(project) {
		if pkg == "." {
			continue
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", pkg, code(project[pkg]), code(outside[pkg]))
	}
	return b.String()
}

func TestImportTable(t *testing.T) {
	const path = "docs/ARCHITECTURE.md"
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	before, rest, ok1 := strings.Cut(string(doc), tableStart+"\n")
	old, after, ok2 := strings.Cut(rest, tableEnd)
	if !ok1 || !ok2 {
		t.Fatalf("%s has no import table between %q and %q", path, tableStart, tableEnd)
	}
	want := importTable(imports(t))
	if old == want {
		return
	}
	if *update {
		if err := os.WriteFile(path, []byte(before+tableStart+"\n"+want+tableEnd+after), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("the import table in %s is not current: run go test . -run TestImportTable -update\nwant:\n%s", path, want)
}

// TestOneLogger: no package writes through the standard log package,
// which would bypass the redacting handler of each program's logger
// (data/redact); they log with the *slog.Logger they are given.
func TestOneLogger(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}}{{range .Imports}} {{.}}{{end}}", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if slices.Contains(f[1:], "log") {
			t.Errorf("%s imports the standard log package; log with its *slog.Logger", f[0])
		}
	}
}
