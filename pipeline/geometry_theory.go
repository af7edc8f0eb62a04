package pipeline

import (
	"math"

	"github.com/memnet/memnet/data"
)

// GeometryTheory are the quantities the theorems read, derived from a
// dataset's geometry (all 0 when δ is 0 or N < 2): Δ's upper value
// diam⁺/δ, log2 Δ, Park et al.'s compression-1 layer count
// ⌈log2(Δ·√(2πd))⌉ (Theorems 1–3), log2 R with Vardi et al.'s range
// R = 10·r·N²·√(πd)/δ (Theorem 3.1), and log2(2r/δ) (Yang & Yang's W²L²
// comparison).
type GeometryTheory struct {
	DeltaUpper   float64 `json:"delta_upper"`
	Log2Delta    float64 `json:"log2_delta"`
	ParkC1Layers float64 `json:"park_compression1_layers"`
	Log2R        float64 `json:"log2_R"`
	Log2InvDelta float64 `json:"log2_2r_over_delta"`
}

// TheoryOfGeometry computes g's GeometryTheory.
func TheoryOfGeometry(g data.GeometryReport) GeometryTheory {
	var q GeometryTheory
	if g.MinDist <= 0 || g.N < 2 {
		return q
	}
	// logarithms of ratios are taken as differences of logarithms, so data
	// near 1e300 and 1e−300 give finite values (the ratios overflow)
	q.DeltaUpper = data.RatioOrMax(g.MaxDistUpper, g.MinDist)
	q.Log2Delta = math.Max(0, data.Log2Ratio(g.MaxDistUpper, g.MinDist))
	q.ParkC1Layers = math.Max(0, math.Ceil(q.Log2Delta+0.5*math.Log2(2*math.Pi*float64(g.D))))
	if g.MaxNorm > 0 {
		q.Log2R = data.Log2R(g.MaxNorm, g.MinDist, g.N, g.D)
		q.Log2InvDelta = math.Max(1, 1+data.Log2Ratio(g.MaxNorm, g.MinDist))
	}
	return q
}
