package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// A network that reads pixels divided by 16 (testdata/digits_mlp.onnx, see
// scripts/torchlayout) is verified against the raw digits with
// --input-scale 1/16, at import or at verify, with the same exact verdict;
// predict takes the flag too.
func TestInputScale(t *testing.T) {
	dir := t.TempDir()
	onnx, digits := shared(t, "digits_mlp.onnx"), shared(t, "digits.csv.gz")
	a, b := filepath.Join(dir, "a.mnet"), filepath.Join(dir, "b.mnet")
	out, errOut, code := run(t, "import", onnx, "--input-scale", "1/16", "-o", a)
	if code != 0 || !strings.Contains(out, `["batch", 1, 8, 8]`) || !strings.Contains(out, "--input-scale 1/16 --input-shift 0 folded exactly") {
		t.Fatalf("import: %d %s %s", code, out, errOut)
	}
	if _, errOut, code := run(t, "import", onnx, "-o", b); code != 0 {
		t.Fatal(errOut)
	}
	va, _, _ := run(t, "verify", a, "--data", digits)
	vb, _, _ := run(t, "verify", b, "--data", digits, "--input-scale", "0.0625")
	for _, v := range []string{va, vb} {
		if !strings.Contains(v, "imported classifier: exact 1763/1797 correct; float32 1763/1797 correct (float32(scale·x + shift) with scale 1/16, shift 0") {
			t.Errorf("verify:\n%s", v)
		}
	}
	// without the scale the network sees pixels 16 times too large
	vc, _, _ := run(t, "verify", b, "--data", digits)
	if strings.Contains(vc, "exact 1763/1797") {
		t.Errorf("unscaled verify agrees with the scaled one:\n%s", vc)
	}
	pa, _, _ := run(t, "predict", a, "--data", digits)
	pb, _, _ := run(t, "predict", b, "--data", digits, "--input-scale", "1/16")
	if pa != pb || strings.Count(pa, "\n") != 1797 {
		t.Errorf("predict differs or is short: %d lines", strings.Count(pa, "\n"))
	}
	if _, errOut, code := run(t, "verify", b, "--data", digits, "--input-scale", "1/0"); code == 0 || !strings.Contains(errOut, "--input-scale") {
		t.Errorf("1/0: %d %s", code, errOut)
	}
}
