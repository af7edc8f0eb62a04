package criteria

import (
	"encoding/json"
	"math"
	"testing"
)

var p1000 = Problem{N: 1000, C: 2, Dx: 10, Delta: 10}

func mustCheck(t *testing.T, widths string, p Problem) *Result {
	t.Helper()
	w, err := ParseWidths(widths)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Check(w, p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := json.Marshal(r); err != nil {
		t.Fatalf("%s: result does not encode: %v", widths, err)
	}
	return r
}

// expect checks the verdict and which conditions fail.
func expect(t *testing.T, widths string, p Problem, ok bool, failing ...int) *Result {
	t.Helper()
	r := mustCheck(t, widths, p)
	if r.OK != ok {
		t.Errorf("%s: ok = %v, want %v (%+v)", widths, r.OK, ok, r.Conditions)
	}
	got := r.Failed()
	if len(got) != len(failing) {
		t.Fatalf("%s: failing %v, want %v: %+v", widths, got, failing, r.Conditions)
	}
	for i := range got {
		if got[i] != failing[i] {
			t.Fatalf("%s: failing %v, want %v: %+v", widths, got, failing, r.Conditions)
		}
	}
	for _, c := range r.Conditions {
		if c.Holds != (c.Log2Short == 0) {
			t.Errorf("%s: condition %d holds=%v but shortfall %g", widths, c.Number, c.Holds, c.Log2Short)
		}
	}
	return r
}

func TestPass(t *testing.T) {
	// spec §7.3's sanity example: passes with K = 4 (7, 39, 103, 426); we
	// report the split with the most condition-4 slack.
	r := expect(t, "3x408,7x178", p1000, true)
	if r.Witness.K < 4 || r.Witness.L[0] != 7 || r.Witness.A*r.Witness.B < r.Witness.Target {
		t.Errorf("witness %+v", r.Witness)
	}
	expect(t, "3x150,7x300", p1000, true)
	// larger classes need more tail layers per slot
	expect(t, "3x408,7x400", Problem{N: 1000, C: 10, Dx: 10, Delta: 10}, true)
}

func TestCondition1(t *testing.T) {
	r := expect(t, "3x408,6x178", p1000, false, 1)
	if r.Conditions[0].Achieved < 1 {
		t.Errorf("no offending layer counted: %+v", r.Conditions[0])
	}
	r = expect(t, "3x100,2x1,3x307,7x178", p1000, false, 1)
	if r.Conditions[0].Achieved != 1 {
		t.Errorf("want exactly the width-2 layer: %+v", r.Conditions[0])
	}
}

func TestCondition2(t *testing.T) {
	// 4 width-3 layers before L give 2^4 < 10·√(20π) ≈ 2^6.31
	r := mustCheck(t, "3x5", p1000)
	c := r.Conditions[1]
	if r.OK || c.Holds || math.Abs(c.Log2Short-(math.Log2(Condition2Target(p1000))-4)) > 1e-9 {
		t.Errorf("condition 2: %+v", c)
	}
	// the same architecture passes condition 2 for Δ = 1, d = 1 (target 2.5 ≤ 2^4)
	r = mustCheck(t, "3x5", Problem{N: 1000, C: 2, Dx: 1, Delta: 1})
	if !r.Conditions[1].Holds {
		t.Errorf("condition 2 should hold: %+v", r.Conditions[1])
	}
	// a huge Δ needs many halvings: condition 2 then takes layers that
	// condition 4 needed
	expect(t, "3x408,7x178", Problem{N: 1000, C: 2, Dx: 10, Delta: 1e150}, false, 4)
}

func TestCondition3(t *testing.T) {
	// segments 2, 3, 4 fit (34−2, 66−2, 130−2), segment 5 needs 256 but
	// only 248 + 5 are left: K = 6 fails condition 3 by a factor 256/253 (and
	// so condition 4: nothing is left for the table).
	w, _ := ParseWidths("3x7,34x1,66x1,130x1,250x1,7x2")
	r, err := CheckK(w, p1000, 6)
	if err != nil {
		t.Fatal(err)
	}
	c := r.Conditions[2]
	if r.OK || c.Holds || c.Required != 256 || c.Achieved != 253 || r.Conditions[3].Holds || !r.Conditions[0].Holds || !r.Conditions[1].Holds {
		t.Errorf("K=6: %+v", r.Conditions)
	}
	// K = 5: condition 3 holds (three segments), condition 4 fails
	r, _ = CheckK(w, p1000, 5)
	if !r.Conditions[2].Holds || r.Conditions[3].Holds {
		t.Errorf("K=5: %+v", r.Conditions)
	}
	// over all K the binding condition is 4
	expect(t, "3x7,34x1,66x1,130x1,250x1,7x2", p1000, false, 4)
	// with 256 in segment 5 and a tail, K = 6 passes
	r = expect(t, "3x7,34x1,66x1,130x1,258x1,7x200", p1000, true)
	t.Logf("witness %+v", r.Witness)
	if _, err := CheckK(w, p1000, 10); err == nil {
		t.Error("K > log2 N accepted")
	}
}

func TestCondition4(t *testing.T) {
	r := expect(t, "3x400,7x100", p1000, false, 4)
	c := r.Conditions[3]
	if c.Achieved >= c.Required || c.Log2Short <= 0 {
		t.Errorf("condition 4: %+v", c)
	}
	// one more class bit halves B
	expect(t, "3x408,7x178", Problem{N: 1000, C: 1024, Dx: 10, Delta: 10}, false, 4)
}

func TestSmallN(t *testing.T) {
	r := mustCheck(t, "3x50,7x50", Problem{N: 3, C: 2, Dx: 1, Delta: 2})
	if r.OK || len(r.Notes) == 0 {
		t.Errorf("N = 3 accepted: %+v", r)
	}
	if _, err := Suggest(Problem{N: 3, C: 2, Dx: 1, Delta: 2}); err == nil {
		t.Error("Suggest accepted N = 3")
	}
}

func TestSuggest(t *testing.T) {
	for _, p := range []Problem{p1000, {N: 100, C: 10, Dx: 784, Delta: 1.3}, {N: 100000, C: 10, Dx: 10, Delta: 60}, {N: 4, C: 1, Dx: 1, Delta: 1}} {
		s, err := Suggest(p)
		if err != nil {
			t.Fatal(err)
		}
		if !s.Check.OK || s.Params != DenseParams(Expand(s.Runs), p.Dx) {
			t.Errorf("%+v: suggestion %s not accepted or miscounted", p, s.Widths)
		}
		t.Logf("%+v: %s, %d layers, %d dense params, witness %+v", p, s.Widths, s.Layers, s.Params, s.Check.Witness)
	}
	s, _ := Suggest(p1000)
	for _, w := range []string{"3x408,7x178", "3x150,7x300"} {
		r := mustCheck(t, w, p1000)
		if r.Params < s.Params {
			t.Errorf("accepted %s has fewer parameters (%d) than the suggestion (%d)", w, r.Params, s.Params)
		}
	}
}

func TestParse(t *testing.T) {
	w, err := ParseWidths("3x2, 7 ,5x1")
	if err != nil || FormatWidths(w) != "3x2,7x1,5x1" || len(w) != 4 {
		t.Errorf("%v %v %s", w, err, FormatWidths(w))
	}
	for _, bad := range []string{"", "3x0", "ax3", "0", "3x-1"} {
		if _, err := ParseWidths(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := Check([]int{3}, Problem{N: 10, C: 2, Dx: 1, Delta: 0.5}); err == nil {
		t.Error("Δ < 1 accepted")
	}
}
