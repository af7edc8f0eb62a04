package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestVerifyMaxMemory: a --max-memory below the estimate of an exact
// evaluation (docs/limits.md) refuses verify and predict before evaluating,
// with exit status 1 and one error line naming --max-memory; the default
// limit verifies the same network.
func TestVerifyMaxMemory(t *testing.T) {
	digits := shared(t, "digits.csv.gz")
	net := filepath.Join(t.TempDir(), "v.mnet")
	if _, errOut, code := run(t, "build", "--method", "vardi", "--data", digits, "-o", net); code != 0 {
		t.Fatalf("build: exit %d: %s", code, errOut)
	}
	for _, args := range [][]string{
		{"verify", net, "--data", digits, "--max-memory", "8MiB"},
		{"predict", net, "--data", digits, "--max-memory", "8MiB"},
	} {
		out, errOut, code := run(t, args...)
		line := strings.TrimSpace(errOut)
		if code != 1 || strings.Contains(line, "\n") || !strings.Contains(line, "--max-memory") || !strings.Contains(line, "exact evaluation") {
			t.Fatalf("%v: exit %d, want 1 with one line naming --max-memory; stdout %q stderr %q", args[:1], code, out, errOut)
		}
	}
	if _, errOut, code := run(t, "verify", net, "--data", digits); code != 0 {
		t.Fatalf("verify at the default limit: exit %d: %s", code, errOut)
	}
}
