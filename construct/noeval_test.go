package construct_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestConstructionsDoNotEvaluate is a vet-style check of the layout rule
// "construct/ builds and states counts, never evaluates" (issue 19): no
// non-test Go file under construct/ imports the packages that judge
// networks (verdict, pipeline), calls one of nn's evaluation entry points
// (exact engine, verify, float counts, certificates), calls a float view's
// Eval/EvalBatch (a view is only reached through those), or declares a
// function named Verify... or Eval... (an evaluator of its own). Verdicts
// are computed by the verdict package and the pipeline, from the weights.
func TestConstructionsDoNotEvaluate(t *testing.T) {
	forbiddenImports := map[string]bool{
		"github.com/memnet/memnet/verdict":  true,
		"github.com/memnet/memnet/pipeline": true,
	}
	forbiddenNN := map[string]bool{
		"EvalExact": true, "CompileExact": true, "Verify": true, "VerifyExact": true, "VerifyExactHints": true,
		"FloatCounts": true, "Certify": true, "CertifyPoints": true,
	}
	forbiddenMethods := map[string]bool{"Eval": true, "EvalBatch": true}
	files := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		files++
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		nnName := ""
		for _, im := range f.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			if forbiddenImports[p] {
				t.Errorf("%s imports %s, which judges networks", fset.Position(im.Pos()), p)
			}
			if p == "github.com/memnet/memnet/nn" {
				nnName = "nn"
				if im.Name != nil {
					nnName = im.Name.Name
				}
			}
		}
		for _, decl := range f.Decls {
			if fd, ok := decl.(*ast.FuncDecl); ok && (strings.HasPrefix(fd.Name.Name, "Verify") || strings.HasPrefix(fd.Name.Name, "Eval")) {
				t.Errorf("%s declares %s: evaluators live in verdict or nn", fset.Position(fd.Pos()), fd.Name.Name)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == nnName && forbiddenNN[sel.Sel.Name] {
				t.Errorf("%s calls nn.%s: a construction evaluates a network", fset.Position(call.Pos()), sel.Sel.Name)
			}
			if forbiddenMethods[sel.Sel.Name] {
				t.Errorf("%s calls .%s: a construction evaluates a network", fset.Position(call.Pos()), sel.Sel.Name)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 20 {
		t.Fatalf("only %d files checked under construct/", files)
	}
}
