package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestVerifyFloatSample: --float-sample judges the float views and the
// certificates on that many evenly spaced points, says so, and keeps the
// exact verdict on every point.
func TestVerifyFloatSample(t *testing.T) {
	iris := shared(t, "iris.csv")
	net := filepath.Join(t.TempDir(), "iris.mnet")
	if out, errOut, code := run(t, "build", "--method", "hz", "--data", iris, "-o", net); code != 0 {
		t.Fatalf("build failed (%d): %s %s", code, out, errOut)
	}
	out, _, code := run(t, "verify", net, "--data", iris, "--float-sample", "10", "-v")
	if code != 0 {
		t.Fatalf("verify exit %d: %s", code, out)
	}
	for _, want := range []string{"EXACT", "exact outputs equal to the label: 149", "float64 correct 10/10",
		"on 10 evenly spaced points of 149"} {
		if !strings.Contains(out, want) {
			t.Errorf("verify --float-sample 10 lacks %q:\n%s", want, out)
		}
	}
}
