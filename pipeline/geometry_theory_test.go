package pipeline

import (
	"math"
	"testing"

	"github.com/memnet/memnet/data"
)

// TestTheoryOfGeometry: the derived quantities against their formulas, for
// ordinary values, for values whose ratios overflow float64 (the logarithms
// stay finite), and for fewer than two points (all 0).
func TestTheoryOfGeometry(t *testing.T) {
	tests := []struct {
		name string
		g    data.GeometryReport
		want GeometryTheory
	}{
		{"N=4, d=2, δ=1, diam⁺=4, r=2", data.GeometryReport{N: 4, D: 2, MinDist: 1, MaxDistUpper: 4, MaxNorm: 2},
			GeometryTheory{DeltaUpper: 4, Log2Delta: 2, ParkC1Layers: math.Ceil(2 + 0.5*math.Log2(4*math.Pi)),
				Log2R: math.Log2(10 * 2 * 16 * math.Sqrt(2*math.Pi)), Log2InvDelta: 2}},
		{"δ = 1e-300, diam⁺ = r = 1e300", data.GeometryReport{N: 2, D: 1, MinDist: 1e-300, MaxDistUpper: 1e300, MaxNorm: 1e300},
			GeometryTheory{DeltaUpper: math.MaxFloat64, Log2Delta: 600 * math.Log2(10), ParkC1Layers: math.Ceil(600*math.Log2(10) + 0.5*math.Log2(2*math.Pi)),
				Log2R: math.Log2(10*4*math.Sqrt(math.Pi)) + 600*math.Log2(10), Log2InvDelta: 1 + 600*math.Log2(10)}},
		{"one point", data.GeometryReport{N: 1, D: 3, MaxNorm: 5}, GeometryTheory{}},
	}
	near := func(a, b float64) bool { return a == b || math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b)) }
	for _, tt := range tests {
		got := TheoryOfGeometry(tt.g)
		if !near(got.DeltaUpper, tt.want.DeltaUpper) || !near(got.Log2Delta, tt.want.Log2Delta) || got.ParkC1Layers != tt.want.ParkC1Layers ||
			!near(got.Log2R, tt.want.Log2R) || !near(got.Log2InvDelta, tt.want.Log2InvDelta) {
			t.Errorf("%s: got %+v, want %+v", tt.name, got, tt.want)
		}
	}
}
