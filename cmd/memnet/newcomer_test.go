package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// runEnv is run with extra environment variables.
func runEnv(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), env...)
	var o, e strings.Builder
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

// TestVerifyWrongLines checks that a wrong point names the label the
// network predicts (not a raw output index) and that a label the network
// has no class for is flagged.
func TestVerifyWrongLines(t *testing.T) {
	train := writeCSV(t, "d.csv", "0,0,a\n1,0,b\n0,1,b\n1,1,a\n")
	other := writeCSV(t, "d2.csv", "0,0,b\n1,0,b\n0,1,z\n1,1,a\n")
	net := filepath.Join(t.TempDir(), "d.mnet")
	if _, e, code := run(t, "build", "--data", train, "-o", net, "--snap=false"); code != 0 {
		t.Fatal(e)
	}
	out, _, code := run(t, "verify", net, "--data", other)
	if code != 1 {
		t.Fatalf("exit %d: %s", code, out)
	}
	for _, want := range []string{
		"NOT EXACT: 2 of 4 distinct points wrong\n",
		"  labels the network has no class for: z (the network's classes: a, b)\n",
		"  wrong: row 1: label \"b\", the network says \"a\" (exact output 0.000000)\n",
		"  wrong: row 3: label \"z\" (not a class of the network), the network says \"b\" (exact output 1.000000)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("verify output lacks %q:\n%s", want, out)
		}
	}
}

// TestVerifySigmoidSaysInterval checks that a sigmoid network's verdict
// names interval arithmetic, not exact arithmetic.
func TestVerifySigmoidSaysInterval(t *testing.T) {
	train := writeCSV(t, "d.csv", "0,0,a\n1,0,b\n0,1,b\n1,1,a\n")
	net := filepath.Join(t.TempDir(), "s.mnet")
	if _, e, code := run(t, "build", "--method", "park", "--activation", "sigmoid", "--data", train, "-o", net); code != 0 {
		t.Fatal(e)
	}
	out, _, code := run(t, "verify", net, "--data", train)
	if code != 0 || !strings.HasPrefix(out, "PROVEN (interval arithmetic): every distinct point is classified correctly\n") || strings.Contains(out, "exact arithmetic") {
		t.Errorf("exit %d:\n%s", code, out)
	}
	out, _, _ = run(t, "verify", net, "--data", train, "--json")
	if !strings.Contains(out, `"proof": "interval arithmetic"`) {
		t.Errorf("JSON lacks the proof kind:\n%s", out)
	}
}

// TestProgressBars checks that verify draws a bar per phase when bars are
// on, and nothing on a pipe.
func TestProgressBars(t *testing.T) {
	iris := shared(t, "iris.csv")
	net := filepath.Join(t.TempDir(), "i.mnet")
	if _, e, code := run(t, "build", "--data", iris, "-o", net); code != 0 {
		t.Fatal(e)
	}
	_, e, code := runEnv(t, []string{"MEMNET_PROGRESS=1"}, "verify", net, "--data", iris)
	if code != 0 || !strings.Contains(e, "verifying (exact)") || !strings.Contains(e, "verifying (float64/float32)") {
		t.Errorf("no phase bars on stderr (exit %d): %q", code, e)
	}
	_, e, _ = run(t, "verify", net, "--data", iris)
	if strings.Contains(e, "verifying") || strings.Contains(e, "%") {
		t.Errorf("a bar was drawn on a pipe: %q", e)
	}
}

// TestDemoEndsWithNextStepsAndJSONHonoursOut checks that the demo ends with
// what to try next, and that --json --out writes the plots while standard
// output stays one JSON document.
func TestDemoEndsWithNextStepsAndJSONHonoursOut(t *testing.T) {
	out, e, code := run(t, "demo", "--methods", "hz,zhang")
	if code != 0 || !strings.HasSuffix(out, demoNext) {
		t.Errorf("demo (exit %d) does not end with what to try next:\n%s%s", code, out, e)
	}
	dir := filepath.Join(t.TempDir(), "demo")
	out, e, code = run(t, "demo", "--methods", "hz,zhang", "--json", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 3 {
		t.Errorf("stdout is not the rows as JSON (%v):\n%s", err, out)
	}
	for _, f := range []string{"sweep.csv", "params_vs_n.png", "bits_vs_n.png", "trajectories.png"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("--json --out did not write %s: %v", f, err)
		}
	}
	if !strings.Contains(e, "hz on the demo's two spirals (300 of N=1000 points drawn)") {
		t.Errorf("the trajectory plot does not say it is drawn on the spirals: %s", e)
	}
}

// TestSweepCrossingsOnlyInsideRange checks that sweep reports crossings of
// the fitted lines only inside the measured N range, with a legend.
func TestSweepCrossingsOnlyInsideRange(t *testing.T) {
	out, e, code := run(t, "sweep", "--methods", "zhang,park,vardi", "--n", "50,200,800", "--d", "4", "--classes", "3", "--out", t.TempDir())
	if code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	if !strings.HasPrefix(out, "sweep: N = 50, 200, 800, d = 4, C = 3, seed 1: 9 builds in ") {
		t.Errorf("header: %s", strings.SplitN(out, "\n", 2)[0])
	}
	for _, want := range []string{"(a: growth exponent of the nonzero parameters", "crossings of the fitted lines inside the measured range N = 50..800 (a fit says nothing outside it):\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("sweep output lacks %q:\n%s", want, out)
		}
	}
	_, after, _ := strings.Cut(out, "(a fit says nothing outside it):\n")
	for _, line := range strings.Split(after, "\n") {
		_, x, ok := strings.Cut(line, " at N≈")
		if !ok {
			continue
		}
		var n float64
		if _, err := fmt.Sscan(x, &n); err != nil || n < 50 || n > 800 {
			t.Errorf("crossing outside the measured range: %q", line)
		}
	}
	if strings.Contains(out, "fit crosses N at") {
		t.Errorf("an extrapolated crossing with N is printed:\n%s", out)
	}
}
