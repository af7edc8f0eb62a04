package ridge

import (
	"context"
	"math"
	"math/big"
	"math/rand/v2"

	"github.com/memnet/memnet/construct/project"
	"github.com/memnet/memnet/data"
)

// Sorted is a dataset projected on one direction: the points in increasing
// order of w·x, with Z[k] = w·x − min w·x ≥ 0 exactly and Y[k] the class index.
type Sorted struct {
	Proj *project.Projection
	Z    []*big.Rat
	Y    []*big.Rat
	// Tau1 is the smallest projection w·x (exact).
	Tau1 *big.Rat
}

// Project draws a direction with the shared projection (integer directions
// for integer data when kind is "auto") and sorts the points along it.
func Project(ctx context.Context, ds *data.Dataset, direction string, dirBits int, seed int64, stream uint64) (*Sorted, error) {
	rng := rand.New(rand.NewPCG(uint64(seed), stream))
	kind := project.Options{Direction: direction, Bits: dirBits}.Kind(ds.X)
	p, err := project.Draw(ctx, ds.X, kind, dirBits, rng, 100)
	if err != nil {
		return nil, err
	}
	s := &Sorted{Proj: p, Tau1: p.TauRat(p.Order[0])}
	for k, i := range p.Order {
		if k%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		z := p.TauRat(i)
		s.Z = append(s.Z, z.Sub(z, s.Tau1))
		s.Y = append(s.Y, new(big.Rat).SetInt64(int64(ds.Y[i])))
	}
	return s, nil
}

// VCLowerBound is ⌈√N⌉, the parameter count below which no network family
// can memorize every labelling of N points: networks with W weights have VC
// dimension O(W²) (Goldberg–Jerrum; Bartlett et al.), so W = Ω(√N). The
// constant 1 is ours, as in construct/vardi's vc_lower_bound.
func VCLowerBound(n int) int64 {
	if n <= 0 {
		return 0
	}
	r := int64(math.Sqrt(float64(n)))
	for r*r < int64(n) {
		r++
	}
	for r > 0 && (r-1)*(r-1) >= int64(n) {
		r--
	}
	return r
}
