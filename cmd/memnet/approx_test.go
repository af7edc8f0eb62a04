package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestApproxJSONAndFiles(t *testing.T) {
	dir := t.TempDir()
	net, pic := filepath.Join(dir, "g.mnet"), filepath.Join(dir, "g.png")
	out, errOut, code := run(t, "approx", "--function", "kink", "--n", "8", "--json", "-o", net, "--plot", pic)
	if code != 0 {
		t.Fatalf("approx exit %d: %s %s", code, out, errOut)
	}
	var r map[string]any
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"width", "depth", "params", "l1_error", "l2_error", "norm_l2_squared", "norm_max"} {
		if _, ok := r[k]; !ok {
			t.Errorf("approx JSON lacks %s", k)
		}
	}
	if r["width"] != 3.0 || r["depth"] != float64(2*8+2*64-1) {
		t.Errorf("width %v depth %v", r["width"], r["depth"])
	}
	if st, err := os.Stat(pic); err != nil || st.Size() == 0 {
		t.Errorf("no picture: %v", err)
	}
	out, _, code = run(t, "inspect", net, "--verbose")
	if code != 0 || !strings.Contains(out, "phase") || !strings.Contains(out, "flatten") || !strings.Contains(out, "‖θ‖") {
		t.Errorf("inspect of an approx network: %s", out)
	}
	// a user grid, text report
	g := filepath.Join(dir, "g.csv")
	os.WriteFile(g, []byte("x,f\n0,1\n0.5,3\n1,2\n"), 0o644)
	out, errOut, code = run(t, "approx", "--grid", g, "--n", "4")
	if code != 0 || !strings.Contains(out, "EXACT") || !strings.Contains(out, "d·n + 2n^d − 1 = 11") {
		t.Errorf("grid: %d %s %s", code, out, errOut)
	}
}

func TestApproxBadInput(t *testing.T) {
	for _, c := range [][]string{
		{"--function", "gauss", "--n", "4", "--box", "0:1,2:2"},
		{"--function", "gauss", "--n", "4", "--p", "0.5"},
		{"--function", "gauss", "--eps", "1e-9"},
		{"--function", "nope", "--n", "4"},
		{"--n", "4"},
		{"--function", "gauss", "--n", "4", "--samples", "1"},
		{"--function", "gauss", "--n", "4", "--samples", "1000000000"},
	} {
		out, errOut, code := run(t, append([]string{"approx"}, c...)...)
		if code == 0 || strings.Count(strings.TrimSpace(errOut), "\n") > 0 || !strings.HasPrefix(errOut, "memnet: ") || strings.Contains(errOut, "building") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q: want a one-line error before any work", c, code, out, errOut)
		}
	}
}

func TestApproxScaling(t *testing.T) {
	pic := filepath.Join(t.TempDir(), "s.png")
	out, errOut, code := run(t, "approx", "scaling", "--functions", "kink", "--dims", "1", "--points", "3", "-o", pic)
	if code != 0 || !strings.Contains(out, "slope") {
		t.Fatalf("%d %s %s", code, out, errOut)
	}
}

// The phases variant: inspect shows its phases with their layer ranges, and
// compare shows it beside the sweep.
func TestPhasesInspectCompare(t *testing.T) {
	iris := shared(t, "iris.csv")
	dir := t.TempDir()
	net := filepath.Join(dir, "p.mnet")
	if out, e, code := run(t, "build", "--data", iris, "--variant", "phases", "-o", net); code != 0 {
		t.Fatal(out, e)
	}
	out, _, code := run(t, "inspect", net, "--verbose")
	if code != 0 || !strings.Contains(out, "sorting into label order") || !strings.Contains(out, "depth 305; the file's phases sum to 297 + 3 + 5 + 0") {
		t.Errorf("inspect: %s", out)
	}
	out, _, code = run(t, "inspect", net, "--json")
	var info map[string]any
	if err := json.Unmarshal([]byte(out), &info); err != nil || code != 0 {
		t.Fatal(err, out)
	}
	if ph, _ := info["phases"].([]any); len(ph) != 4 || info["norm_l2_squared"] == nil || info["norm_max"] == nil {
		t.Errorf("inspect JSON: phases %v, norms %v %v", info["phases"], info["norm_l2_squared"], info["norm_max"])
	}
	pic := filepath.Join(dir, "t.png")
	if _, e, code := run(t, "plot", "trajectories", net, "--data", iris, "-o", pic); code != 0 {
		t.Error(e)
	}
	out, _, code = run(t, "compare", "--data", iris, "--methods", "hz,hz-phases")
	if code != 0 || !strings.Contains(out, "hz-phases") || !strings.Contains(out, "‖θ‖₂²") {
		t.Errorf("compare: %s", out)
	}
}

// The README's grid example: signed samples need --signed, and the shift is reported.
func TestApproxReadmeGrid(t *testing.T) {
	g := filepath.Join("..", "..", "approx", "testdata", "bump.csv")
	if _, e, code := run(t, "approx", "--grid", g, "--n", "16"); code == 0 || !strings.Contains(e, "--signed") {
		t.Errorf("negative samples without --signed: %d %s", code, e)
	}
	out, e, code := run(t, "approx", "--grid", g, "--n", "16", "--signed")
	if code != 0 || !strings.Contains(out, "shifted by +0.199") || !strings.Contains(out, "EXACT") {
		t.Errorf("%d %s %s", code, out, e)
	}
}
