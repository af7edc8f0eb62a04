package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDataCommand: memnet data writes each built-in set, the same seed gives
// the same bytes, dfg builds and verifies exactly on the moons file, and bad
// flags are one-line errors.
func TestDataCommand(t *testing.T) {
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	for _, args := range [][]string{
		{"moons", "--n", "3000", "--noise", "0.05", "--seed", "1", "-o", p("m.csv")},
		{"moons", "--n", "3000", "--noise", "0.05", "--seed", "1", "-o", p("m2.csv")},
		{"moons", "--n", "500", "--seed", "2", "-o", p("m.npz")},
		{"spirals", "--n", "200", "-o", p("s.csv")},
		{"gaussian", "--n", "100", "--d", "4", "--classes", "3", "-o", p("g.npz")},
		{"lattice", "--n", "100", "--d", "3", "-o", p("l.csv")},
	} {
		if out, errOut, code := run(t, append([]string{"data"}, args...)...); code != 0 || !strings.HasPrefix(out, "wrote ") {
			t.Fatalf("data %v: exit %d %s %s", args, code, out, errOut)
		}
	}
	a, _ := os.ReadFile(p("m.csv"))
	b, _ := os.ReadFile(p("m2.csv"))
	if string(a) != string(b) || len(a) == 0 {
		t.Fatal("the same seed wrote different files")
	}
	if out, errOut, code := run(t, "build", "--method", "dfg", "--opt", "n=200", "--data", p("m.csv"), "-o", p("m.mnet")); code != 0 {
		t.Fatalf("build: %s %s", out, errOut)
	}
	if out, errOut, code := run(t, "verify", "--data", p("m.csv"), p("m.mnet")); code != 0 || !strings.Contains(out, "EXACT") {
		t.Fatalf("verify: exit %d %s %s", code, out, errOut)
	}
	for _, args := range [][]string{
		{"moons", "--n", "0", "-o", p("x.csv")},
		{"moons", "-o", p("x.txt")},
		{"circles", "-o", p("x.csv")},
		{"gaussian", "--d", "0", "-o", p("x.csv")},
		{"moons", "-o", p("m.csv"), "--noise", "-1"},
		{"moons", "-o", filepath.Join(dir, "no", "x.csv")},
	} {
		_, errOut, code := run(t, append([]string{"data"}, args...)...)
		if code == 0 || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
			t.Errorf("data %v: exit %d, stderr %q: want a one-line error", args, code, errOut)
		}
	}
}
