package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/memnet/memnet/data"
)

// gaussCSV writes a Gaussian dataset as CSV (label last) into dir.
func gaussCSV(t *testing.T, dir string, n, d, m int) string {
	return gaussCSVSeed(t, dir, n, d, m, 1)
}

func gaussCSVSeed(t *testing.T, dir string, n, d, m int, seed uint64) string {
	t.Helper()
	ds := data.Gaussian(n, d, m, seed)
	var b strings.Builder
	for i, x := range ds.X {
		for _, v := range x {
			fmt.Fprintf(&b, "%v,", v)
		}
		fmt.Fprintf(&b, "%s\n", ds.Classes[ds.Y[i]])
	}
	p := filepath.Join(dir, fmt.Sprintf("gauss-%d-%d-%d-%d.csv", n, d, m, seed))
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestTrainCommand trains, saves and verifies; the exact accuracy train
// reports is the one verify finds; the same seed gives the same file; a
// warm start from an HZ build keeps exact memorization at step 0.
func TestTrainCommand(t *testing.T) {
	dir := t.TempDir()
	csv := gaussCSV(t, dir, 150, 4, 3)
	net := filepath.Join(dir, "t.mnet")
	out, errOut, code := run(t, "train", "--data", csv, "--hidden", "64,64", "--epochs", "300", "--lr", "0.01", "--batch", "32", "-o", net, "--json")
	if code != 0 {
		t.Fatalf("train exit %d: %s %s", code, out, errOut)
	}
	var tr map[string]any
	if err := json.Unmarshal([]byte(out), &tr); err != nil {
		t.Fatal(err)
	}
	if tr["exact"] != true || tr["exact_correct"] != 150.0 || tr["float_correct"] != 150.0 {
		t.Errorf("train: %v", tr)
	}
	out, _, code = run(t, "verify", net, "--data", csv, "--json")
	var v map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil || code != 0 {
		t.Fatalf("verify exit %d: %s", code, out)
	}
	if v["exact_correct"] != tr["exact_correct"] {
		t.Errorf("verify %v, train %v", v["exact_correct"], tr["exact_correct"])
	}
	net2 := filepath.Join(dir, "t2.mnet")
	if _, e, c := run(t, "train", "--data", csv, "--hidden", "64,64", "--epochs", "300", "--lr", "0.01", "--batch", "32", "-o", net2); c != 0 {
		t.Fatal(e)
	}
	a, _ := os.ReadFile(net)
	b, _ := os.ReadFile(net2)
	if !bytes.Equal(a, b) {
		t.Error("same seed, different files")
	}

	// a warm start from an HZ build (12 points: HZ weights grow like N², and
	// Adam moves every weight by about lr per step whatever its scale)
	small := gaussCSVSeed(t, dir, 12, 2, 2, 3)
	hz := filepath.Join(dir, "hz.mnet")
	if _, e, c := run(t, "build", "--method", "hz", "--snap=false", "--data", small, "-o", hz); c != 0 {
		t.Fatal(e)
	}
	warm := filepath.Join(dir, "warm.mnet")
	out, e, c := run(t, "train", "--data", small, "--init", hz, "--epochs", "0", "-o", warm)
	if c != 0 || !strings.Contains(out, "exact training accuracy 12/12") {
		t.Errorf("warm start at step 0 (exit %d): %s %s", c, out, e)
	}
	out, e, c = run(t, "train", "--data", small, "--init", hz, "--epochs", "20", "--batch", "0", "--lr", "1e-5", "--lambda", "1e-8", "-o", warm)
	if c != 0 || !strings.Contains(out, "exact training accuracy 12/12") {
		t.Errorf("warm start, 20 full-batch Adam steps (exit %d): %s %s", c, out, e)
	}

	for _, bad := range [][]string{
		{"--hidden", "3,abc"},
		{"--hidden", "8", "--optimizer", "newton"},
		{"--hidden", "8", "--dtype", "float16"},
		{"--init", filepath.Join(dir, "missing.mnet")},
	} {
		args := append([]string{"train", "--data", csv, "-o", filepath.Join(dir, "x.mnet")}, bad...)
		_, e, c := run(t, args...)
		if c == 0 || strings.Count(strings.TrimSpace(e), "\n") != 0 || strings.Contains(e, "panic") {
			t.Errorf("%v: exit %d, stderr %q; want a one-line error", bad, c, e)
		}
	}
}

// TestCompareTrain adds the trained rows to a comparison: each reaches 100%
// by the exact verifier and says what it tried.
func TestCompareTrain(t *testing.T) {
	csv := gaussCSV(t, t.TempDir(), 120, 20, 3) // d=20: points far apart
	out, e, c := run(t, "compare", "--data", csv, "--methods", "zhang", "--train", "--train-layers", "1", "--train-epochs", "300", "--json")
	if c != 0 {
		t.Fatalf("compare --train exit %d: %s %s", c, out, e)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, r := range rows {
		if r["method"] != "train-mlp1" {
			continue
		}
		found = true
		if r["exact"] != true || r["exact_correct"] != 120.0 || r["params"].(float64) <= 0 || r["depth"] != 1.0 {
			t.Errorf("train row: %v", r)
		}
		if !strings.Contains(r["theorem"].(string), "trained, not constructed") {
			t.Errorf("train row does not say it is trained: %v", r["theorem"])
		}
	}
	if !found {
		t.Errorf("no train-mlp1 row in %s", out)
	}
}
