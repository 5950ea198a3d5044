package server

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"jiezhen/sync/wire"
)

// Every refusal the district writes carries one of the stable codes, so
// that a kiosk can explain it in its staff's language: each call of
// refuse in the package's code names a wire.RefusalCode constant that is
// in wire.RefusalCodes (an untyped string would compile too).
func TestEveryRefusalHasACode(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, c := range wire.RefusalCodes {
		known[string(c)] = true
	}
	calls := 0
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if id, ok := call.Fun.(*ast.Ident); !ok || id.Name != "refuse" {
				return true
			}
			calls++
			sel, ok := call.Args[0].(*ast.SelectorExpr)
			if ok {
				pkg, isIdent := sel.X.(*ast.Ident)
				ok = isIdent && pkg.Name == "wire" && strings.HasPrefix(sel.Sel.Name, "Refused")
			}
			if !ok {
				t.Errorf("%s: refuse without a wire.Refused... code", fset.Position(call.Pos()))
				return true
			}
			if !slices.Contains(wireCodeNames, sel.Sel.Name) {
				t.Errorf("%s: %s is not in wire.RefusalCodes", fset.Position(call.Pos()), sel.Sel.Name)
			}
			return true
		})
	}
	if calls < 30 {
		t.Fatalf("found only %d calls of refuse", calls)
	}
}

// wireCodeNames are the names of the constants in wire.RefusalCodes,
// read from wire.go.
var wireCodeNames = func() []string {
	src, err := os.ReadFile(filepath.Join("..", "wire", "wire.go"))
	if err != nil {
		return nil
	}
	f, err := parser.ParseFile(token.NewFileSet(), "wire.go", src, 0)
	if err != nil {
		return nil
	}
	var names []string
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Names) != 1 || vs.Names[0].Name != "RefusalCodes" {
			return true
		}
		ast.Inspect(vs.Values[0], func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && strings.HasPrefix(id.Name, "Refused") {
				names = append(names, id.Name)
			}
			return true
		})
		return false
	})
	return names
}()

// The codes are distinct and the list holds them all.
func TestRefusalCodesDistinct(t *testing.T) {
	seen := map[wire.RefusalCode]bool{}
	for _, c := range wire.RefusalCodes {
		if c == "" || seen[c] {
			t.Errorf("code %q empty or twice", c)
		}
		seen[c] = true
	}
	if len(wireCodeNames) != len(wire.RefusalCodes) {
		t.Fatalf("read %d names of codes from wire.go, want %d", len(wireCodeNames), len(wire.RefusalCodes))
	}
}
