package main

import (
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/memnet/memnet/vnnlib"
)

// export --format vnncomp on the first 6 digits (row 6 is one the
// imported digits MLP gets wrong): one property per point, instances.csv,
// expected.csv; the expected answers agree with memnet check on the box
// centres.
func TestExportVNNCOMP(t *testing.T) {
	dir := t.TempDir()
	fh, err := os.Open(shared(t, "digits.csv.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	zr, err := gzip.NewReader(fh)
	if err != nil {
		t.Fatal(err)
	}
	all, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	small := filepath.Join(dir, "six.csv")
	if err := os.WriteFile(small, []byte(strings.Join(strings.Split(string(all), "\n")[:6], "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	net := filepath.Join(dir, "d.mnet")
	if _, errOut, code := run(t, "import", shared(t, "digits_mlp.onnx"), "--input-scale", "1/16", "-o", net); code != 0 {
		t.Fatal(errOut)
	}
	point, box := filepath.Join(dir, "point"), filepath.Join(dir, "box")
	out, errOut, code := run(t, "export", net, "--format", "vnncomp", "--dtype", "float32", "--data", small, "-o", point)
	if code != 0 || !strings.Contains(out, "6 properties") || !strings.Contains(out, "sat 1, unsat 5, unknown 0") {
		t.Fatalf("%d %s %s", code, out, errOut)
	}
	out, _, code = run(t, "export", net, "--format", "vnncomp", "--dtype", "float32", "--data", small, "--radius", "0.25", "-o", box)
	if code != 0 || !strings.Contains(out, "sat 1, unsat 0, unknown 5") {
		t.Fatalf("radius: %d %s", code, out)
	}
	exp, err := os.ReadFile(filepath.Join(point, "expected.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(exp), `vnnlib/prop_6.vnnlib,sat,"the box centre is a counterexample: the exact class there is ""9"""`) {
		t.Errorf("expected.csv:\n%s", exp)
	}
	inst, _ := os.ReadFile(filepath.Join(point, "instances.csv"))
	if !strings.HasPrefix(string(inst), "onnx/import.onnx,vnnlib/prop_1.vnnlib,60\n") || strings.Count(string(inst), "\n") != 6 {
		t.Errorf("instances.csv:\n%s", inst)
	}
	// the properties read back: a box of radius 1/4 around the point (x_2 = 12)
	p, err := vnnlib.ReadFile(filepath.Join(box, "vnnlib", "prop_6.vnnlib"))
	if err != nil {
		t.Fatal(err)
	}
	if p.NX != 64 || p.NY != 10 || len(p.Disjuncts) != 9 || p.Disjuncts[0].Box.Hi[2].RatString() != "49/4" || !strings.Contains(p.Comments[0], `label "5"`) {
		t.Errorf("prop_6: %d %d %d %v %q", p.NX, p.NY, len(p.Disjuncts), p.Disjuncts[0].Box.Hi[2], p.Comments)
	}
	// memnet check agrees: the centre of prop_6 is a counterexample, of prop_1 not
	onnx := filepath.Join(point, "onnx", "import.onnx")
	if out, _, code := run(t, "check", onnx, filepath.Join(point, "vnnlib", "prop_6.vnnlib")); code != 0 || !strings.Contains(out, "COUNTEREXAMPLE (exact)") {
		t.Errorf("check prop_6: %d\n%s", code, out)
	}
	if out, _, code := run(t, "check", onnx, filepath.Join(point, "vnnlib", "prop_1.vnnlib")); code != 1 || !strings.Contains(out, "no counterexample") {
		t.Errorf("check prop_1: %d\n%s", code, out)
	}
	// a second export into the same directory is refused, nothing lost
	if _, errOut, code := run(t, "export", net, "--format", "vnncomp", "--data", small, "-o", point); code == 0 || !strings.Contains(errOut, "exists") {
		t.Errorf("overwrite: %d %s", code, errOut)
	}
}
