package nn

import (
	"math"
	"math/big"
	"testing"
)

func TestNorms(t *testing.T) {
	net := &Network{InputDim: 2}
	l := NewLayer(2, 2, ReLU)
	l.W[0][0] = big.NewRat(3, 4)
	l.W[1][1] = big.NewRat(-5, 1)
	l.B[0] = big.NewRat(1, 3)
	net.Hidden = []Layer{l}
	net.Readout = NewLayer(2, 1, Identity)
	net.Readout.W[0][1] = big.NewRat(1, 1)
	net.Readout.B[0] = big.NewRat(-7, 2)
	n := net.Norms()
	want := 9.0/16 + 25 + 1.0/9 + 1 + 49.0/4
	if math.Abs(n.NormL2Squared-want) > 1e-12 || n.NormMax != 5 {
		t.Errorf("norms %+v, want ‖θ‖₂² = %v and ‖θ‖_∞ = 5", n, want)
	}
	// A weight whose square overflows float64 is reported as MaxFloat64, not +Inf.
	net.Readout.W[0][0] = new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), 600))
	if n := net.Norms(); n.NormL2Squared != math.MaxFloat64 || n.NormMax != math.Ldexp(1, 600) {
		t.Errorf("huge weight: %+v", n)
	}
	if s := net.Stats(); s.Norms != net.Norms() {
		t.Errorf("Stats carries %+v", s.Norms)
	}
}

// TestNormsBeyondFloat64: a weight of 2^2000 overflows float64; the
// logarithms give the exact size (issue 24: norms printed as 1.79769e+308).
func TestNormsBeyondFloat64(t *testing.T) {
	n := &Network{InputDim: 1, Readout: NewLayer(1, 1, Identity)}
	n.Readout.W[0][0].SetInt(new(big.Int).Lsh(big.NewInt(1), 2000))
	n.Readout.B[0].SetInt64(3)
	got := n.Norms()
	if got.NormMax != math.MaxFloat64 || got.Log2Max != 2000 || math.Abs(got.Log2L2Squared-4000) > 1e-9 {
		t.Errorf("norms %+v, want log2 max 2000, log2 L2² 4000", got)
	}
}
