package verdict

import (
	"math"
	"math/big"
	"testing"
)

// TestSigmoidBounds checks the σ enclosures against float64 σ in all three
// regimes (tanh series, exp series, tail).
func TestSigmoidBounds(t *testing.T) {
	ip := &iprog{prec: 200}
	ev := newIEval(ip, 1)
	for _, s := range []float64{0, 1e-30, -1e-30, 1e-3, -3e-3, 0.1, -0.2, 0.2499, 0.25, -0.3, 1, -3.5, 20, -40, 63.9, 64, -64, 100, -1e6, 1e300} {
		want := 1 / (1 + math.Exp(-s))
		var lo, hi big.Float
		lo.SetPrec(200).SetFloat64(s)
		hi.SetPrec(200).SetFloat64(s)
		ev.sigma(&lo, big.ToNegativeInf)
		ev.sigma(&hi, big.ToPositiveInf)
		l, _ := lo.Float64()
		h, _ := hi.Float64()
		if lo.Cmp(&hi) > 0 || l > want*(1+1e-15)+1e-300 || h < want*(1-1e-15) {
			t.Errorf("σ(%g) = %g not in [%g, %g]", s, want, l, h)
		}
		u := math.Abs(s) / 2
		if d := h - l; math.Abs(s) < 60 && d > 1e-15 && d > 2*math.Pow(u, 5)/15*1.01 {
			t.Errorf("σ(%g): enclosure too wide (%g)", s, d)
		}
	}
	EL, EU := expBounds(big.NewFloat(10), 300)
	e, _ := new(big.Float).Sub(EU, EL).Float64()
	l, _ := EL.Float64()
	if e < 0 || e > 1e-80 || math.Abs(l-math.Exp(10)) > 1e-9 {
		t.Errorf("exp(10) bounds %v %v", EL, EU)
	}
}
