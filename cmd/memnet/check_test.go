package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// memnet check on the VNN-COMP 2022 test instances (ACAS Xu 1-7 "sat" and
// 1-6 "unsat", property 3) with hand-made witnesses: a valid one (VNN-COMP
// format and plain vector), one outside the box by 1e-9, one valid only
// in float32 (testdata/vnnlib/test_tol.vnnlib's bound is the float32 output).
func TestCheckWitnesses(t *testing.T) {
	nets := filepath.Join("..", "..", "export", "testdata", "vnncomp")
	w := filepath.Join("..", "..", "testdata", "vnnlib")
	prop := filepath.Join(nets, "test_prop.vnnlib")
	cases := []struct {
		net, prop, witness string
		code               int
		want               []string
	}{
		{"test_sat.onnx", prop, "valid_sat.txt", 0, []string{"VALID COUNTEREXAMPLE: exactly, and float32 evaluation agrees", "(vnncomp format)", "input inside the box", "differ from the exact ones by at most"}},
		{"test_sat.onnx", prop, "valid_sat_vector.txt", 0, []string{"VALID COUNTEREXAMPLE", "(vector format)"}},
		{"test_sat.onnx", prop, "outside_1e-9.txt", 1, []string{"OUTSIDE the box (smallest margin -1/1000000000 at X_3, exact); float32(x) inside", "NOT A COUNTEREXAMPLE exactly; it is one only in float32 evaluation"}},
		{"test_unsat.onnx", filepath.Join(w, "test_tol.vnnlib"), "float_only.txt", 1, []string{"→ fails; float32 0 (holds)", "NOT A COUNTEREXAMPLE exactly; it is one only in float32 evaluation"}},
		{"test_unsat.onnx", prop, "valid_sat.txt", 1, []string{"NOT A COUNTEREXAMPLE (exactly, and in float32 evaluation)"}},
	}
	for _, c := range cases {
		out, errOut, code := run(t, "check", filepath.Join(nets, c.net), c.prop, "--witness", filepath.Join(w, c.witness))
		if code != c.code {
			t.Errorf("%s %s: exit %d, want %d\n%s%s", c.net, c.witness, code, c.code, out, errOut)
		}
		for _, s := range c.want {
			if !strings.Contains(out, s) {
				t.Errorf("%s %s: no %q in\n%s", c.net, c.witness, s, out)
			}
		}
	}
	// without a witness: the box centre of test_sat is a counterexample; for
	// test_unsat none of the 33 points is, and check says it is no verifier
	out, _, code := run(t, "check", filepath.Join(nets, "test_sat.onnx"), prop)
	if code != 0 || !strings.Contains(out, "COUNTEREXAMPLE (exact) at point 1 of 33") || !strings.Contains(out, "(X_3 2/5)") {
		t.Errorf("falsifier on test_sat: %d\n%s", code, out)
	}
	out, _, code = run(t, "check", filepath.Join(nets, "test_unsat.onnx"), prop)
	if code != 1 || !strings.Contains(out, "no counterexample among these 33 point(s)") || !strings.Contains(out, "not a verifier") {
		t.Errorf("falsifier on test_unsat: %d\n%s", code, out)
	}
	// --json: exact numbers as strings, the float32 judgement beside
	out, _, code = run(t, "check", filepath.Join(nets, "test_sat.onnx"), prop, "--witness", filepath.Join(w, "outside_1e-9.txt"), "--json")
	if code != 1 || !strings.Contains(out, `"counterexample_found": false`) || !strings.Contains(out, `"float32_counterexample": true`) || !strings.Contains(out, `"worst_margin": "-1/1000000000"`) {
		t.Errorf("--json: %d\n%s", code, out)
	}
	// a malformed property is one line naming the file
	_, errOut, code := run(t, "check", filepath.Join(nets, "test_sat.onnx"), filepath.Join(nets, "test_sat.onnx"))
	if code == 0 || !strings.Contains(errOut, "test_sat.onnx:") || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
		t.Errorf("onnx as a property: %d %q", code, errOut)
	}
}
