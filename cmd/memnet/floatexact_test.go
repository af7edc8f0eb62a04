package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/memnet/memnet/export"
)

// TestFloatexactCLI: build, verify (PROVEN line), export float32 without
// --force with the certificate in the metadata, and auto --float32, on a
// small integer CSV.
func TestFloatexactCLI(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "ints.csv")
	var b strings.Builder
	rng := rand.New(rand.NewPCG(1, 2))
	seen := map[string]bool{}
	for len(seen) < 300 {
		row := fmt.Sprintf("%d,%d,%d,%d", rng.IntN(50), rng.IntN(50), rng.IntN(50), rng.IntN(50))
		if seen[row] {
			continue
		}
		seen[row] = true
		fmt.Fprintf(&b, "%s,c%d\n", row, rng.IntN(7))
	}
	if err := os.WriteFile(csv, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	net := filepath.Join(dir, "f.mnet")
	if out, errs, code := run(t, "build", "--method", "floatexact", "--data", csv, "-o", net, "--verbose"); code != 0 || !strings.Contains(out, "PROVEN exact in float32") {
		t.Fatalf("build: %d %s %s", code, out, errs)
	}
	out, errs, code := run(t, "verify", net, "--data", csv, "--verbose")
	if code != 0 || !strings.Contains(out, "\n  PROVEN exact in float32 (any summation order) on 300 points: largest positive partial sum") {
		t.Fatalf("verify: %d %s %s", code, out, errs)
	}
	onnx := filepath.Join(dir, "f.onnx")
	out, errs, code = run(t, "export", net, "--dtype", "float32", "--data", csv, "-o", onnx, "--json")
	if code != 0 {
		t.Fatalf("export: %d %s %s", code, out, errs)
	}
	var res struct {
		Cert struct {
			Proven bool   `json:"proven"`
			Format string `json:"format"`
		} `json:"float_certificate"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || !res.Cert.Proven || res.Cert.Format != "float32" {
		t.Fatalf("export json: %v %s", err, out)
	}
	raw, _ := os.ReadFile(onnx)
	if _, _, err := export.Import(onnx, nil); err != nil {
		t.Fatalf("the ONNX file does not import: %v", err)
	}
	if !strings.Contains(string(raw), `"float_certificate":{"format":"float32","proven":true`) {
		t.Fatal("the ONNX metadata lacks the certificate")
	}
	out, errs, code = run(t, "build", "--method", "auto", "--float32", "--data", csv, "-o", filepath.Join(dir, "a.mnet"))
	if code != 0 || !strings.Contains(out, "PROVEN exact in float32") {
		t.Fatalf("auto --float32: %d %s %s", code, out, errs)
	}
}
