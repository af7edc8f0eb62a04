package main

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// internalNames must not appear in the default output of build, inspect and
// verify (issue 24 item 13).
var internalNames = []string{"spec §", "nn.Exact", "taint split", "OCR", "LoadOptions"}

// TestShortDefaultOutput: build, inspect and verify print a short summary
// by default (at most 6 lines, no line over 200 columns, no internal
// names), the rest with --verbose.
func TestShortDefaultOutput(t *testing.T) {
	dir := t.TempDir()
	iris := shared(t, "iris.csv")
	for _, method := range []string{"hz", "vardi", "park"} {
		net := filepath.Join(dir, method+".mnet")
		runs := [][]string{
			{"build", "--method", method, "--data", iris, "-o", net},
			{"inspect", net},
			{"verify", net, "--data", iris},
		}
		for _, args := range runs {
			out, errOut, code := run(t, args...)
			if code != 0 {
				t.Fatalf("%v: exit %d: %s", args, code, errOut)
			}
			lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
			if len(lines) > 6 {
				t.Errorf("%v: %d lines by default:\n%s", args, len(lines), out)
			}
			for _, l := range lines {
				if n := len([]rune(l)); n > 200 {
					t.Errorf("%v: a line of %d columns: %s", args, n, l)
				}
			}
			for _, name := range internalNames {
				if strings.Contains(out, name) {
					t.Errorf("%v: default output names %q:\n%s", args, name, out)
				}
			}
			vout, _, _ := run(t, append(args[:len(args):len(args)], "--verbose")...)
			if len(strings.Split(vout, "\n")) <= len(lines) {
				t.Errorf("%v --verbose prints no more than the default:\n%s", args, vout)
			}
		}
	}
	out, _, _ := run(t, "inspect", filepath.Join(dir, "hz.mnet"), "--verbose")
	for _, want := range []string{"lower bound", "the file says built for", "as the file records"} {
		if !strings.Contains(out, want) {
			t.Errorf("inspect --verbose lacks %q:\n%s", want, out)
		}
	}
}

// TestNormsBeyondFloat64Printed: a norm that overflows float64 prints as
// 2^k (it printed as 1.79769e+308).
func TestNormsBeyondFloat64Printed(t *testing.T) {
	js := `{"format":"memnet","version":1,"method":"hz","options":{},"input_dim":1,"classes":["0","1"],"points":2,` +
		`"layers":[],"readout":{"act":"I","w":[["1` + strings.Repeat("0", 400) + `"]],"b":["0"]}}`
	net := writeMnet(t, filepath.Join(t.TempDir(), "big.mnet"), js)
	for _, args := range [][]string{{"inspect", net}, {"inspect", net, "--verbose"}} {
		out, errOut, code := run(t, args...)
		if code != 0 || strings.Contains(out, "1.79769e+308") || !strings.Contains(out, "‖θ‖_∞ = 2^1328.77") {
			t.Errorf("%v: exit %d %s\n%s", args, code, errOut, out)
		}
	}
}

// TestVerifyWrongOutputBounded: a wrong point whose exact output has
// thousands of digits is listed in a bounded line (verify printed 30 KB
// for 4 points).
func TestVerifyWrongOutputBounded(t *testing.T) {
	dir := t.TempDir()
	js := `{"format":"memnet","version":1,"method":"hz","options":{},"input_dim":1,"classes":["0","1"],"points":2,` +
		`"layers":[],"readout":{"act":"I","w":[["1/3` + strings.Repeat("0", 5000) + `1"]],"b":["0"]}}`
	net, data := writeMnet(t, filepath.Join(dir, "w.mnet"), js), filepath.Join(dir, "w.csv")
	os.WriteFile(data, []byte("1,1\n2,1\n3,1\n4,1\n"), 0o644)
	for _, args := range [][]string{{"verify", net, "--data", data}, {"verify", net, "--data", data, "--verbose"}} {
		out, _, code := run(t, args...)
		if code != 1 || len(out) > 4000 {
			t.Errorf("%v: exit %d, %d bytes of output:\n%.2000s", args, code, len(out), out)
		}
	}
}

// TestMethodsTypoOneLine: a typo in compare --methods is one error line
// (it printed a 30-line table).
func TestMethodsTypoOneLine(t *testing.T) {
	out, errOut, code := run(t, "compare", "--data", shared(t, "iris.csv"), "--methods", "hz,zhangg")
	if code != 1 || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, `unknown method "zhangg"`) {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// writeMnet writes JSON text js as a .mnet file (gzip) at path.
func writeMnet(t *testing.T, path, js string) string {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(js))
	zw.Close()
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
