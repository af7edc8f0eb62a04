package data

import (
	"math"
	"testing"
)

func TestLog2RFinite(t *testing.T) {
	for _, tc := range []struct{ r, delta float64 }{{1e300, 2e-300}, {math.MaxFloat64, math.SmallestNonzeroFloat64}, {1, 1}} {
		got := Log2R(tc.r, tc.delta, 4, 2)
		if math.IsInf(got, 0) || math.IsNaN(got) {
			t.Fatalf("Log2R(%g, %g) = %v", tc.r, tc.delta, got)
		}
		// against big-float-free reference: log2(10·16·√(2π)) + log2 r − log2 δ
		want := math.Log2(10*16*math.Sqrt(2*math.Pi)) + math.Log2(tc.r) - math.Log2(tc.delta)
		if math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
			t.Errorf("Log2R(%g, %g) = %v, want %v", tc.r, tc.delta, got, want)
		}
	}
	if v := RatioOrMax(1e300, 1e-300); v != math.MaxFloat64 {
		t.Errorf("RatioOrMax overflow = %v", v)
	}
}
