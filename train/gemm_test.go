package train

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAffineKernels checks affine and backAffine, on both sides of
// smallLayer (our loops and the GEMM), against the naive formulas:
// z = h·W + b, gW += hᵀ·dz, gb += Σ_p dz_p, dh = dz·Wᵀ.
func TestAffineKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, s := range [][3]int{{7, 2, 2}, {9, 5, 3}, {33, 16, 16}, {130, 784, 32}, {20, 40, 10}} {
		np, in, out := s[0], s[1], s[2]
		r := func(n int) []float64 {
			x := make([]float64, n)
			for i := range x {
				x[i] = rng.NormFloat64()
			}
			return x
		}
		h, w, b, dz := r(np*in), r(in*out), r(out), r(np*out)
		z := make([]float64, np*out)
		affine(np, in, out, h, w, b, z)
		gw, gb, dh := make([]float64, in*out), make([]float64, out), make([]float64, np*in)
		backAffine(np, in, out, h, w, dz, gw, gb, dh)
		close := func(what string, got, want float64) {
			t.Helper()
			if math.Abs(got-want) > 1e-9*(1+math.Abs(want)) {
				t.Fatalf("%v %s: got %v, want %v", s, what, got, want)
			}
		}
		for p := range np {
			for j := range out {
				want := b[j]
				for i := range in {
					want += h[p*in+i] * w[i*out+j]
				}
				close("z", z[p*out+j], want)
			}
			for i := range in {
				var want float64
				for j := range out {
					want += dz[p*out+j] * w[i*out+j]
				}
				close("dh", dh[p*in+i], want)
			}
		}
		for j := range out {
			var wantB float64
			for p := range np {
				wantB += dz[p*out+j]
			}
			close("gb", gb[j], wantB)
			for i := range in {
				var want float64
				for p := range np {
					want += h[p*in+i] * dz[p*out+j]
				}
				close("gW", gw[i*out+j], want)
			}
		}
	}
}
