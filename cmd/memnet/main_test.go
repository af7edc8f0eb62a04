package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/memnet/memnet/nn"
)

var binary string

// TestMain builds the memnet binary once; the tests run it as a user would.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "memnet-cli")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "memnet")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		panic(string(out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return runEnv(t, nil, args...)
}

// shared returns the path of a small real dataset kept in the repository's
// testdata (copies of ../shared/data), so the tests never need ../shared.
func shared(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join("..", "..", "testdata", name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	return p
}

func TestBuildVerifyInspectIris(t *testing.T) {
	iris := shared(t, "iris.csv")
	net := filepath.Join(t.TempDir(), "iris.mnet")
	out, errOut, code := run(t, "build", "--method", "hz", "--data", iris, "-o", net)
	if code != 0 {
		t.Fatalf("build failed (%d): %s %s", code, out, errOut)
	}
	if !strings.Contains(errOut, "duplicate") {
		t.Errorf("the duplicated iris row was not reported: %q", errOut)
	}
	out, _, code = run(t, "verify", net, "--data", iris, "--json")
	if code != 0 {
		t.Fatalf("verify exit %d: %s", code, out)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"points": 150.0, "distinct_points": 149.0, "exact_correct": 149.0, "exact": true, "float64_correct": 149.0} {
		if v[k] != want {
			t.Errorf("verify %s = %v, want %v", k, v[k], want)
		}
	}
	for _, k := range []string{"float32_correct", "seconds"} {
		if _, ok := v[k]; !ok {
			t.Errorf("verify JSON lacks %s", k)
		}
	}
	out, _, code = run(t, "inspect", net, "--json")
	if code != 0 {
		t.Fatal(out)
	}
	var info map[string]any
	if err := json.Unmarshal([]byte(out), &info); err != nil {
		t.Fatal(err)
	}
	if info["width"] != 2.0 || info["method"] != "hz" || info["input_dim"] != 4.0 || info["classes"] != 3.0 || info["points"] != 149.0 {
		t.Errorf("inspect: %v", info)
	}
	// the theory record: HZ's depth 2N+4M−1 with the paper's constants, our
	// realisation (2N−1+M with snap) kept apart, and the lower bounds
	th := info["theory"].(map[string]any)
	var depth map[string]any
	for _, c := range th["counts"].([]any) {
		if m := c.(map[string]any); m["count"] == "depth" {
			depth = m
		}
	}
	form, _ := depth["theorem"].(map[string]any)
	if depth == nil || form["value"] != float64(2*149+4*3-1) || form["constants"] != "paper" || depth["realisation"] != float64(2*149-1+3) || depth["within_realisation"] != true {
		t.Errorf("depth accounting %v", depth)
	}
	if lbs, _ := th["lower_bounds"].([]any); len(lbs) < 3 {
		t.Errorf("lower bounds %v", th["lower_bounds"])
	}
	for _, k := range []string{"neurons", "weights_nonzero", "biases_nonzero", "params", "max_weight_bits", "total_weight_bits"} {
		if _, ok := info[k]; !ok {
			t.Errorf("inspect JSON lacks %s", k)
		}
	}
	// predict prints the original labels, one per data row.
	out, _, code = run(t, "predict", net, "--data", iris)
	if code != 0 {
		t.Fatal(out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 150 || lines[0] != "setosa" || lines[149] != "virginica" {
		t.Errorf("predict printed %d lines, first %q last %q", len(lines), lines[0], lines[len(lines)-1])
	}
}

func TestSameSeedSameFile(t *testing.T) {
	iris := shared(t, "iris.csv")
	dir := t.TempDir()
	var files [3][]byte
	for i, seed := range []string{"5", "5", "6"} {
		p := filepath.Join(dir, "n"+seed+string(rune('a'+i))+".mnet")
		if _, e, code := run(t, "build", "--data", iris, "--seed", seed, "-o", p); code != 0 {
			t.Fatal(e)
		}
		files[i], _ = os.ReadFile(p)
	}
	if !bytes.Equal(files[0], files[1]) {
		t.Error("the same seed gave different files")
	}
	if bytes.Equal(files[0], files[2]) {
		t.Error("different seeds gave the same file")
	}
}

// TestVerifyCatchesMutation edits one weight of a saved network and checks
// that verify fails with exit status 1.
func TestVerifyCatchesMutation(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "d.csv")
	if err := os.WriteFile(csv, []byte("0,0,a\n1,0,b\n0,1,b\n1,1,a\n2,1,c\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	net := filepath.Join(dir, "d.mnet")
	if _, e, code := run(t, "build", "--data", csv, "-o", net, "--snap=false", "--weights", "rational"); code != 0 {
		t.Fatal(e)
	}
	if out, _, code := run(t, "verify", net, "--data", csv); code != 0 {
		t.Fatalf("unmutated network fails: %s", out)
	}
	// Negate the read-out weight: every label flips sign.
	mutated := filepath.Join(dir, "m.mnet")
	if err := mutateReadout(net, mutated); err != nil {
		t.Fatal(err)
	}
	out, _, code := run(t, "verify", mutated, "--data", csv)
	if code != 1 || !strings.Contains(out, "NOT EXACT") {
		t.Errorf("mutated network: exit %d, output %q", code, out)
	}
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, content, want string
	}{
		{"empty.csv", "", "no data"},
		{"ragged.csv", "1,2,a\n3,b\n", "row 2"},
		{"nan.csv", "1,2,a\nNaN,3,b\n", "row 2"},
		{"inf.csv", "1,2,a\n4,+Inf,b\n", "row 2"},
		{"text.csv", "1,2,a\n3,x4,b\n5,6,a\n", "row 2"},
		{"conflict.csv", "1,2,a\n3,4,b\n1,2,b\n", "different labels"},
		{"huge.csv", "1,2,a\n1e400,3,b\n", "row 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.name)
			if err := os.WriteFile(p, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, tc.name+".mnet")
			_, errOut, code := run(t, "build", "--data", p, "-o", out)
			if code == 0 {
				t.Fatalf("build accepted %s", tc.name)
			}
			lines := strings.Split(strings.TrimSpace(errOut), "\n")
			last := lines[len(lines)-1]
			if !strings.Contains(last, p) || !strings.Contains(last, tc.want) {
				t.Errorf("error %q does not name the file and %q", last, tc.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("an output file was written for bad input")
			}
		})
	}
}

func TestOneClass(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "one.csv")
	if err := os.WriteFile(p, []byte("1,2,a\n3,4,a\n5,6,a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	net := filepath.Join(dir, "one.mnet")
	out, errOut, code := run(t, "build", "--data", p, "-o", net)
	if code != 0 {
		t.Fatal(errOut)
	}
	if !strings.Contains(errOut+out, "single class") && !strings.Contains(errOut+out, "one class") {
		t.Errorf("one class not reported: %s %s", out, errOut)
	}
	if out, _, code := run(t, "verify", net, "--data", p); code != 0 {
		t.Errorf("constant network fails: %s", out)
	}
}

func TestDemo(t *testing.T) {
	out, errOut, code := run(t, "demo")
	if code != 0 {
		t.Fatalf("demo exit %d: %s %s", code, out, errOut)
	}
	if !strings.Contains(out, "hz") || !strings.Contains(out, "yes") {
		t.Errorf("demo table lacks the hz row: %s", out)
	}
}

func mutateReadout(in, out string) error {
	m, err := nn.Load(in)
	if err != nil {
		return err
	}
	for _, w := range m.Net.Readout.W[0] {
		w.Neg(w)
	}
	return m.Save(out)
}

// TestRegression memorizes real targets with park's ε-classes and checks
// that verify reports a largest error within eps, and fails for a smaller eps
// than the network was built for.
func TestRegression(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "r.csv")
	var b strings.Builder
	for i := range 200 {
		fmt.Fprintf(&b, "%d,%d,%g\n", i%17, i/17, float64((i*7919)%1000)/1000)
	}
	if err := os.WriteFile(csv, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	net := filepath.Join(dir, "r.mnet")
	if _, e, code := run(t, "build", "--method", "park", "--regression", "--eps", "1e-3", "--data", csv, "-o", net); code != 0 {
		t.Fatal(e)
	}
	// the criterion is the command line's: --regression --eps (issue 19)
	out, _, code := run(t, "verify", net, "--data", csv, "--json", "--regression", "--eps", "1e-3")
	if code != 0 {
		t.Fatalf("verify exit %d: %s", code, out)
	}
	var v struct {
		Regression bool    `json:"regression"`
		MaxError   float64 `json:"max_error"`
		Exact      bool    `json:"exact"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatal(err)
	}
	if !v.Regression || !v.Exact || v.MaxError > 1e-3 {
		t.Errorf("regression verdict %+v", v)
	}
}
