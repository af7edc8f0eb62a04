package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// writeNet imports an exact-JSON network into dir/name.mnet.
func writeNet(t *testing.T, dir, name, js string) string {
	t.Helper()
	src := filepath.Join(dir, name+".json")
	if err := os.WriteFile(src, []byte(js), 0o644); err != nil {
		t.Fatal(err)
	}
	net := filepath.Join(dir, name+".mnet")
	if _, e, code := run(t, "import", src, "-o", net); code != 0 {
		t.Fatal(e)
	}
	return net
}

// TestVerifyCriterionFromCommandLine: a constant-½ network whose file says
// regression=true, eps=1 is NOT EXACT on XOR classification data (exit 1;
// the file's claim is printed as its claim); --regression --eps states the
// criterion; --eps alone and --regression alone are refused.
func TestVerifyCriterionFromCommandLine(t *testing.T) {
	dir := t.TempDir()
	net := writeNet(t, dir, "half", `{"format": "memnet-exact-json", "version": 1, "method": "park",
 "options": {"regression": "true", "eps": "1"}, "input_dim": 2, "classes": ["0","1"],
 "layers": [{"activation": "relu", "W": [["0", "0"]], "b": ["0"]}, {"activation": "identity", "W": [["0"]], "b": ["1/2"]}]}`)
	xor := filepath.Join(dir, "xor.csv")
	if err := os.WriteFile(xor, []byte("0,0,0\n0,1,1\n1,0,1\n1,1,0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, code := run(t, "verify", net, "--data", xor)
	if code != 1 || !strings.HasPrefix(out, "NOT EXACT") || !strings.Contains(out, `the network file claims regression=true, eps="1"`) {
		t.Errorf("classification of a file claiming regression: exit %d\n%s", code, out)
	}
	if out, _, code := run(t, "verify", net, "--data", xor, "--regression", "--eps", "0.5"); code != 0 || !strings.HasPrefix(out, "WITHIN EPS") {
		t.Errorf("--regression --eps 0.5: exit %d\n%s", code, out)
	}
	if out, _, code := run(t, "verify", net, "--data", xor, "--regression", "--eps", "0.25"); code != 1 || !strings.HasPrefix(out, "NOT WITHIN EPS") {
		t.Errorf("--regression --eps 0.25: exit %d\n%s", code, out)
	}
	for _, args := range [][]string{{"--eps", "0.5"}, {"--regression"}, {"--regression", "--eps", "2"}} {
		if _, e, code := run(t, append([]string{"verify", net, "--data", xor}, args...)...); code == 0 || !strings.Contains(e, "eps") {
			t.Errorf("%v: exit %d, %s", args, code, e)
		}
	}
}

// TestVerifySigmoidBoundOutward: a sigmoid network whose error is
// 1/4 + 2^−60 is NOT WITHIN eps = 1/4.
func TestVerifySigmoidBoundOutward(t *testing.T) {
	dir := t.TempDir()
	net := writeNet(t, dir, "sig", `{"format": "memnet-exact-json", "version": 1, "method": "park", "input_dim": 1, "classes": ["0"],
 "layers": [{"activation": "sigmoid", "W": [["0"]], "b": ["0"]}, {"activation": "identity", "W": [["1/2"]], "b": ["1/1152921504606846976"]}]}`)
	zero := filepath.Join(dir, "zero.csv")
	if err := os.WriteFile(zero, []byte("0,0\n1,0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, _, code := run(t, "verify", net, "--data", zero, "--regression", "--eps", "0.25"); code != 1 || !strings.HasPrefix(out, "NOT WITHIN EPS") {
		t.Errorf("error 1/4 + 2^-60 against eps 1/4: exit %d\n%s", code, out)
	}
}

// TestVerifyShardsAsProcesses runs verify --shard i/7 as seven separate
// processes (xargs -P 3) and checks that verify merge prints the whole
// file's verdict, JSON equal but timings, with the same exit status, for a
// network that is EXACT and one that is NOT EXACT (iris with every label moved to the next class).
func TestVerifyShardsAsProcesses(t *testing.T) {
	dir := t.TempDir()
	iris := shared(t, "iris.csv")
	net := filepath.Join(dir, "iris.mnet")
	if _, e, code := run(t, "build", "--method", "hz", "--data", iris, "-o", net); code != 0 {
		t.Fatal(e)
	}
	// the same points with every label moved to the next class: NOT EXACT
	raw, err := os.ReadFile(iris)
	if err != nil {
		t.Fatal(err)
	}
	next := map[string]string{"0": "1", "1": "2", "2": "0"}
	var moved strings.Builder
	for i, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		f := strings.Split(line, ",")
		if l, ok := next[f[len(f)-1]]; ok && i > 0 {
			f[len(f)-1] = l
		}
		moved.WriteString(strings.Join(f, ",") + "\n")
	}
	wrong := filepath.Join(dir, "moved.csv")
	if err := os.WriteFile(wrong, []byte(moved.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		data string
		code int
	}{{iris, 0}, {wrong, 1}} {
		whole, _, code := run(t, "verify", net, "--data", c.data, "--json")
		if code != c.code {
			t.Fatalf("%s: whole verify exit %d, want %d", c.data, code, c.code)
		}
		parts := filepath.Join(dir, "part")
		script := `seq 0 6 | xargs -P 3 -I{} "$0" verify "$1" --data "$2" --shard {}/7 --json -o "$3-{}.json"`
		if out, err := exec.Command("sh", "-c", script, binary, net, c.data, parts).CombinedOutput(); err != nil {
			t.Fatalf("%s: shards: %v\n%s", c.data, err, out)
		}
		args := []string{"verify", "merge", "--json"}
		for i := range 7 {
			args = append(args, fmt.Sprintf("%s-%d.json", parts, i))
		}
		merged, e, code := run(t, args...)
		if code != c.code {
			t.Fatalf("%s: merge exit %d, want %d: %s", c.data, code, c.code, e)
		}
		if a, b := untimedJSON(t, whole), untimedJSON(t, merged); a != b {
			t.Errorf("%s: merged verdict differs:\n%s\nwhole:\n%s", c.data, b, a)
		}
	}
}

// untimedJSON drops the lines holding timings from a verdict's JSON.
func untimedJSON(t *testing.T, s string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		if !strings.Contains(l, "seconds\"") {
			keep = append(keep, l)
		}
	}
	if len(keep) < 10 {
		t.Fatalf("not a verdict: %s", s)
	}
	return strings.Join(keep, "\n")
}
