package chain

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// TestFileErrorFixesAreSentences reads this package's source for every
// fix given to a FileError or BlockError: a field, an assignment to .Fix,
// a fix variable or the fallback of commonFix. Each must start with a
// capital letter and end with a full stop, as the catalog's fixes do.
// Only the string literals at either end of a fix are checked, because
// the parts in between are computed.
func TestFileErrorFixesAreSentences(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			for _, fix := range fixExpressions(n) {
				checked++
				checkFixSentence(t, fset.Position(fix.Pos()).String(), fix)
			}
			return true
		})
	}
	if checked < 40 {
		t.Errorf("checked %d fixes, want at least 40: the test no longer finds them", checked)
	}
}

// fixExpressions returns the expressions in n that give a fix.
func fixExpressions(n ast.Node) []ast.Expr {
	var out []ast.Expr
	switch n := n.(type) {
	case *ast.CompositeLit:
		if typeName(n.Type) != "FileError" && typeName(n.Type) != "BlockError" {
			return nil
		}
		for _, elt := range n.Elts {
			if kv, ok := elt.(*ast.KeyValueExpr); ok && identName(kv.Key) == "Fix" {
				out = append(out, kv.Value)
			}
		}
	case *ast.AssignStmt:
		for i, lhs := range n.Lhs {
			name := identName(lhs)
			if sel, ok := lhs.(*ast.SelectorExpr); ok {
				name = sel.Sel.Name
			}
			if (name == "Fix" || name == "fix") && i < len(n.Rhs) {
				out = append(out, n.Rhs[i])
			}
		}
	case *ast.CallExpr:
		if identName(n.Fun) == "commonFix" && len(n.Args) == 2 {
			out = append(out, n.Args[1])
		}
	}
	return out
}

func typeName(e ast.Expr) string {
	if u, ok := e.(*ast.UnaryExpr); ok {
		e = u.X
	}
	return identName(e)
}

func identName(e ast.Expr) string {
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// notYetSentences are fixes known to break the rule; none are left.
var notYetSentences = map[string]bool{}

// checkFixSentence checks the literal at the start and at the end of a
// fix, looking through concatenation, fmt.Sprintf and withPath. An empty
// literal is a default that is never shown.
func checkFixSentence(t *testing.T, pos string, fix ast.Expr) {
	t.Helper()
	if whole, ok := edgeLiteral(fix, true); ok && (whole == "" || notYetSentences[whole]) {
		return
	}
	if first, ok := edgeLiteral(fix, true); ok {
		if r, _ := utf8.DecodeRuneInString(first); first != "" && !unicode.IsUpper(r) {
			t.Errorf("%s: fix %q does not start with a capital letter", pos, first)
		}
	}
	if last, ok := edgeLiteral(fix, false); ok && !strings.HasSuffix(last, ".") {
		t.Errorf("%s: fix ending %q does not end with a full stop", pos, last)
	}
}

// edgeLiteral returns the string literal that starts (first) or ends a
// fix expression, and false when that end is computed.
func edgeLiteral(e ast.Expr, first bool) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.BinaryExpr:
		if first {
			return edgeLiteral(e.X, true)
		}
		return edgeLiteral(e.Y, false)
	case *ast.ParenExpr:
		return edgeLiteral(e.X, first)
	case *ast.CallExpr:
		name := identName(e.Fun)
		if sel, ok := e.Fun.(*ast.SelectorExpr); ok {
			name = sel.Sel.Name
		}
		switch {
		case name == "Sprintf" && len(e.Args) > 0:
			return edgeLiteral(e.Args[0], first)
		case name == "withPath" && len(e.Args) == 2:
			return edgeLiteral(e.Args[0], first)
		}
	}
	return "", false
}
