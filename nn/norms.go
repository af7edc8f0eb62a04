package nn

import (
	"math"
	"math/big"
)

// Norms are the size of a network's parameter vector θ (every weight and
// bias, read-out included): ‖θ‖₂² and ‖θ‖_∞, in float64. The paper of
// Hernández & Zuazua bounds these uniformly for its explicit interpolants;
// they also drive the regularized-training bound J_λ(θ_λ) ≤ λ‖θ*‖².
// A value too large for float64 is reported as math.MaxFloat64 (never
// +Inf, so it encodes as JSON); the base-2 logarithms are always finite
// (for a nonzero norm) and give its size then.
type Norms struct {
	NormL2Squared float64 `json:"norm_l2_squared"`
	NormMax       float64 `json:"norm_max"`
	// Log2L2Squared and Log2Max are log2 ‖θ‖₂² and log2 ‖θ‖_∞ (0 for a
	// zero network), from the exact sum (128-bit mantissa).
	Log2L2Squared float64 `json:"log2_norm_l2_squared"`
	Log2Max       float64 `json:"log2_norm_max"`
}

// Norms computes ‖θ‖₂² (accumulated in big.Float) and ‖θ‖_∞.
func (n *Network) Norms() Norms {
	sum := new(big.Float).SetPrec(128)
	sq := new(big.Float).SetPrec(128)
	maxAbs := new(big.Rat)
	abs := new(big.Rat)
	add := func(r *big.Rat) {
		if r.Sign() == 0 {
			return
		}
		sq.SetRat(r)
		sq.Mul(sq, sq)
		sum.Add(sum, sq)
		if abs.Abs(r).Cmp(maxAbs) > 0 {
			maxAbs.Set(abs)
		}
	}
	for _, l := range n.Layers() {
		for j := range l.W {
			for _, r := range l.W[j] {
				add(r)
			}
			add(l.B[j])
		}
	}
	s, _ := sum.Float64()
	m, _ := maxAbs.Float64()
	return Norms{NormL2Squared: finite(s), NormMax: finite(m), Log2L2Squared: log2Float(sum), Log2Max: log2Float(new(big.Float).SetPrec(128).SetRat(maxAbs))}
}

// log2Float is log2 x for x > 0 (0 for x = 0), finite for every big.Float.
func log2Float(x *big.Float) float64 {
	if x.Sign() == 0 {
		return 0
	}
	mant := new(big.Float)
	exp := x.MantExp(mant) // x = mant · 2^exp, 0.5 ≤ |mant| < 1
	m, _ := mant.Float64()
	return float64(exp) + math.Log2(math.Abs(m))
}

func finite(v float64) float64 {
	if math.IsInf(v, 0) || v > math.MaxFloat64 {
		return math.MaxFloat64
	}
	return v
}
