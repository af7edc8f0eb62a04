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
	// predict draws a bar over the rows; compare, bench and sweep one bar
	// over their builds, not lines.
	if _, e, _ := runEnv(t, []string{"MEMNET_PROGRESS=1"}, "predict", net, "--data", iris); !strings.Contains(e, "predicting   0% |") {
		t.Errorf("predict: no bar: %q", e)
	}
	for _, args := range [][]string{
		{"compare", "--data", iris, "--methods", "zhang"},
		{"bench", "--n", "50", "--methods", "zhang"},
		{"sweep", "--n", "50,100", "--methods", "zhang", "--out", t.TempDir()},
	} {
		_, e, code := runEnv(t, []string{"MEMNET_PROGRESS=1"}, args...)
		if code != 0 || !strings.Contains(e, args[0]+"   0% |") {
			t.Errorf("%s: no bar (exit %d): %q", args[0], code, e)
		}
		_, e, _ = run(t, args...)
		for _, l := range strings.Split(strings.TrimSpace(e), "\n") {
			if l != "" && !strings.HasPrefix(l, "note: ") {
				t.Errorf("%s on a pipe wrote more than notes to stderr: %q", args[0], e)
			}
		}
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
	out, e, code = run(t, "demo", "--methods", "zhang", "--json", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 2 {
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

// TestMethodNames checks that method names are case-insensitive and that an
// unknown one is reported, with every name there is, before data is read.
func TestMethodNames(t *testing.T) {
	dir := t.TempDir()
	_, e, code := run(t, "build", "--method", "nosuch", "--data", filepath.Join(dir, "missing.csv"), "-o", filepath.Join(dir, "x.mnet"))
	if want := "memnet: unknown method \"nosuch\": give one of dfg, floatexact, hz, hz-phases, park, vardi, ysj, zhang, or auto\n"; code != 1 || e != want {
		t.Errorf("exit %d, stderr %q, want %q", code, e, want)
	}
	train := writeCSV(t, "d.csv", "0,0,a\n1,0,b\n0,1,b\n1,1,a\n")
	net := filepath.Join(dir, "d.mnet")
	out, e, code := run(t, "build", "--method", "HZ", "--data", train, "-o", net)
	if code != 0 || !strings.HasPrefix(out, "hz network for ") {
		t.Fatalf("--method HZ: exit %d %s %s", code, out, e)
	}
	_, e, _ = run(t, "build", "--max-depth", "3", "--data", train, "-o", filepath.Join(dir, "q.mnet"))
	if want := "memnet: method hz has no option \"max-depth\" (it has: snap, weights, direction, direction-bits, kappa-bits, pad, variant)\n"; e != want {
		t.Errorf("stderr %q, want %q", e, want)
	}
	out, _, _ = run(t, "inspect", net, "--verbose")
	if want := "  input dim 2, classes 2, the file says built for 4 points, options direction=auto, direction-bits=30, kappa-bits=40, pad=false, seed=1, snap=true, variant=sweep, weights=dyadic\n"; !strings.Contains(out, want) || strings.Contains(out, "map[") {
		t.Errorf("inspect prints a raw map or other options:\n%s", out)
	}
	// a typo in --methods is one error line before any work (issue 24)
	out, e, code = run(t, "compare", "--data", train, "--methods", "ZHANG,nosuch", "--markdown")
	if code != 1 || out != "" || e != "memnet: --methods: unknown method \"nosuch\": give some of dfg, floatexact, hz, hz-phases, park, vardi, ysj, zhang\n" {
		t.Errorf("compare with ZHANG,nosuch: exit %d\n%s%s", code, out, e)
	}
}

// TestParkNotesHaveNoGoMaps checks park's build notes.
func TestParkNotesHaveNoGoMaps(t *testing.T) {
	net := filepath.Join(t.TempDir(), "p.mnet")
	out, e, code := run(t, "build", "--method", "park", "--data", shared(t, "iris.csv"), "-o", net, "--verbose")
	if code != 0 || !strings.Contains(out, "note: layers by part: compress1 ") || strings.Contains(out, "map[") {
		t.Errorf("exit %d:\n%s%s", code, out, e)
	}
}

// TestBuildHelpShowsDefaults checks that every string flag of build says
// its default, and that --max-depth is not described as vardi's alone.
func TestBuildHelpShowsDefaults(t *testing.T) {
	out, _, code := run(t, "build", "--help")
	if code != 0 {
		t.Fatal(out)
	}
	for _, want := range []string{
		"--snap string[=\"true\"]   hz: append the exact output snap block: true or false (default true)\n",
		"--weights string         hz: dyadic or rational weights (default dyadic)\n",
		"--direction string       hz, zhang, ysj: projection direction: auto, gaussian or integer (default auto)\n",
		"--max-depth string       vardi and auto: depth limit (vardi: Theorem 5.1; default none)\n",
		"--max-bits string        vardi and auto: limit on a weight's bits (vardi: Theorem 6.2; default none)\n",
		"--objective string       vardi: minimize params or depth (default params)\n",
		"--w string               park: trade-off exponent in [2/3, 1] (Theorem 1; default 2/3)\n",
		"--activation string      park: step, relu or sigmoid; dfg: step or relu (default step)\n",
		"--eps string             park with --regression: tolerance of the real targets (default 0.01)\n",
		"(default \"hz\")\n",
		"-o, --out string             network file to write (.mnet) (required)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("build --help lacks %q", want)
		}
	}
	if strings.Contains(out, "vardi: depth limit") {
		t.Error("--max-depth is described as vardi's only")
	}
}

// TestAutoOutputAndLegend checks auto's first line without limits and the
// candidates table's legend.
func TestAutoOutputAndLegend(t *testing.T) {
	train := writeCSV(t, "d.csv", "0,0,a\n1,0,b\n0,1,b\n1,1,a\n")
	out, e, code := run(t, "build", "--method", "auto", "--data", train, "-o", filepath.Join(t.TempDir(), "a.mnet"))
	if code != 0 {
		t.Fatal(e)
	}
	if !strings.HasPrefix(out, "auto: no limits given; chose ") || strings.Contains(out, "limits no limits") || !strings.Contains(out, candidatesLegend) {
		t.Errorf("auto output:\n%s", out)
	}
}

// TestCriteriaJSONAndLegend checks that criteria's JSON keeps "<" as is and
// that the text report ends with its legend.
func TestCriteriaJSONAndLegend(t *testing.T) {
	out, _, _ := run(t, "criteria", "--widths", "3x5", "--n", "1000", "--classes", "10", "--delta", "60", "--json")
	if strings.Contains(out, `\u003c`) || !strings.Contains(out, "<") {
		t.Errorf("criteria --json escapes <:\n%s", out)
	}
	out, _, _ = run(t, "criteria", "--widths", "3x5", "--n", "1000", "--classes", "10", "--delta", "60")
	if !strings.HasSuffix(out, criteriaLegend) {
		t.Errorf("criteria does not end with its legend:\n%s", out)
	}
}

// TestRealLabels checks that real-valued labels taken as classes are
// reported with the way to memorize them as targets, and that --regression
// names the file and row of a target outside [0, 1].
func TestRealLabels(t *testing.T) {
	dir := t.TempDir()
	reals := writeCSV(t, "r.csv", "0,0,0.5\n1,0,0.7\n0,1,0.25\n1,1,0.125\n")
	_, e, code := run(t, "build", "--method", "park", "--data", reals, "-o", filepath.Join(dir, "c.mnet"))
	want := "note: " + reals + ": the labels are real numbers (e.g. 0.125), taken here as 4 classes, one per distinct value; to memorize them as real targets in [0, 1], use --method park --regression\n"
	if code != 0 || e != want {
		t.Errorf("exit %d, stderr %q, want %q", code, e, want)
	}
	if _, e, code := run(t, "build", "--method", "park", "--regression", "--data", reals, "-o", filepath.Join(dir, "r.mnet")); code != 0 || e != "" {
		t.Errorf("--regression: exit %d, stderr %q", code, e)
	}
	ints := writeCSV(t, "i.csv", "0,0,1\n1,0,2\n0,1,3\n")
	if _, e, _ := run(t, "build", "--data", ints, "-o", filepath.Join(dir, "i.mnet")); e != "" {
		t.Errorf("whole-number labels noted: %q", e)
	}
	out := writeCSV(t, "o.csv", "x,y,t\n0,0,0.5\n1,0,1.5\n0,1,0.25\n")
	_, e, code = run(t, "build", "--method", "park", "--regression", "--data", out, "-o", filepath.Join(dir, "o.mnet"))
	want = "memnet: " + out + ": row 3: label \"1.5\" is not a number in [0, 1] (--regression reads the labels as real targets in [0, 1])\n"
	if code != 1 || !strings.HasSuffix(e, want) {
		t.Errorf("exit %d, stderr %q, want it to end with %q", code, e, want)
	}
}

// TestVerifyExplainsFloatCounts checks that float counts below the number
// of points come with the note that they do not touch the exact verdict.
func TestVerifyExplainsFloatCounts(t *testing.T) {
	iris := shared(t, "iris.csv")
	dir := t.TempDir()
	for _, tc := range []struct {
		method string
		note   bool
	}{{"vardi", true}, {"hz", false}} {
		net := filepath.Join(dir, tc.method+".mnet")
		if _, e, code := run(t, "build", "--method", tc.method, "--data", iris, "-o", net); code != 0 {
			t.Fatal(e)
		}
		out, _, code := run(t, "verify", net, "--data", iris, "--verbose")
		if code != 0 || strings.Contains(out, floatNote) != tc.note {
			t.Errorf("%s: exit %d, note shown %v, want %v:\n%s", tc.method, code, !tc.note, tc.note, out)
		}
	}
}
