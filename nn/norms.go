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
// +Inf, so it encodes as JSON).
type Norms struct {
	NormL2Squared float64 `json:"norm_l2_squared"`
	NormMax       float64 `json:"norm_max"`
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
	return Norms{NormL2Squared: finite(s), NormMax: finite(m)}
}

func finite(v float64) float64 {
	if math.IsInf(v, 0) || v > math.MaxFloat64 {
		return math.MaxFloat64
	}
	return v
}
