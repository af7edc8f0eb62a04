package dfg

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"math/rand/v2"
	"sync/atomic"

	"github.com/memnet/memnet/nn"
)

// andUnit is one second-layer unit: the AND over the first-layer units that
// are off at its anchor point. Threshold: it fires at x when fewer than K of
// those units are on at x (count(x) ≤ K − 1). ReLU: it is ReLU(β − S(x)) with
// S(x) the sum of those units' ReLU values, positive exactly when S(x) < β.
type andUnit struct {
	Class  int
	Anchor int      // index of the anchor point in the dataset
	Off    []int    // first-layer units off at the anchor
	On     []int    // and=full: first-layer units on at the anchor (also read)
	K      int      // threshold mode
	Beta   *big.Rat // ReLU mode
	Covers int      // points of the class it covered that no earlier unit had
}

// failure says why a first layer cannot be completed: the other-class
// point Other turns on no first-layer unit that is off at Anchor (and=full:
// has Anchor's pattern), so no AND unit of this form fires at Anchor and
// not at Other.
type failure struct {
	Anchor, Other int
}

// cover runs the greedy second layer for the classes in classes: for each
// class, points not yet covered are taken in a seeded random order; each
// becomes the anchor of a new unit whose bias is the largest that keeps every
// other-class point off, and every point of the class the unit fires on is
// covered. It returns the units, or the first point that cannot be covered.
//
// With full (and=full, threshold units only) a unit reads the anchor's whole
// pattern: its input is the Hamming distance between x's pattern and the
// anchor's (units off at the anchor that are on at x, plus units on at the
// anchor that are off at x), and a point of another class blocks it only
// when its pattern equals the anchor's.
func cover(ctx context.Context, ps *patterns, n int, y []int, classes []int, relu, full bool, seed int64, restart int, progress func(int64)) ([]andUnit, *failure, error) {
	N := len(y)
	rng := rand.New(rand.NewPCG(uint64(seed), 0x636f766572+uint64(restart)))
	order := rng.Perm(N)
	covered := make([]bool, N)
	vals := make([]float64, N) // ReLU: S(x); threshold: count(x)
	errs := make([]float64, N)
	var units []andUnit
	var done int64
	for _, c := range classes {
		for _, a := range order {
			if y[a] != c || covered[a] {
				continue
			}
			if err := ctx.Err(); err != nil {
				return nil, nil, err
			}
			anchor := ps.row(a)
			off := make([]int, 0, n)
			var on []int
			for i := range n {
				if anchor[i/64]>>(i%64)&1 == 0 {
					off = append(off, i)
				} else if full {
					on = append(on, i)
				}
			}
			// vals[p] for every point p: the AND's input at x_p.
			if err := nn.Parallel(ctx, N, func(lo, hi int, _ *atomic.Int64) error {
				for p := lo; p < hi; p++ {
					switch {
					case relu:
						vals[p], errs[p] = offSum(ps, n, p, off)
					case full:
						vals[p] = float64(hamming(ps.row(p), anchor))
					default:
						vals[p] = float64(andNotCount(ps.row(p), anchor))
					}
				}
				return nil
			}); err != nil {
				return nil, nil, err
			}
			u := andUnit{Class: c, Anchor: a, Off: off, On: on}
			lo, other := math.Inf(1), -1
			for p := range N {
				if y[p] == c {
					continue
				}
				if v := vals[p] - errs[p]; v < lo {
					lo, other = v, p
				}
			}
			var fires func(p int) bool
			if relu {
				if other >= 0 && lo <= 0 {
					return nil, &failure{Anchor: a, Other: other}, nil
				}
				if other < 0 {
					lo = 1 // no other class: any positive β
				}
				u.Beta = dyadicBelow(lo)
				b, _ := u.Beta.Float64()
				b = math.Nextafter(b, 0) // compare against a float at or below β
				fires = func(p int) bool { return vals[p]+errs[p] < b }
			} else {
				k := int(lo)
				if other < 0 {
					k = len(off) + len(on) + 1
				}
				if k == 0 {
					return nil, &failure{Anchor: a, Other: other}, nil
				}
				u.K = k
				fires = func(p int) bool { return int(vals[p]) <= k-1 }
			}
			for p := range N {
				if y[p] == c && !covered[p] && fires(p) {
					covered[p] = true
					u.Covers++
				}
			}
			if !covered[a] {
				return nil, nil, fmt.Errorf("dfg: internal error: unit does not cover its anchor %d", a)
			}
			done += int64(u.Covers)
			if progress != nil {
				progress(done)
			}
			units = append(units, u)
		}
	}
	return units, nil, nil
}

// hamming is the number of first-layer units on at one of a, b and off at the other.
func hamming(a, b []uint64) int {
	c := 0
	for k, v := range a {
		c += bits.OnesCount64(v ^ b[k])
	}
	return c
}

// offSum returns S = Σ_{i∈off} ReLU(z_i(x_p)) in float64 and a bound on its
// error: each of the m nonzero terms is off by at most zerr[p] and their
// sum adds at most (m+1)·2^−53·S, both doubled for margin (units off at x_p
// are exactly 0).
func offSum(ps *patterns, n, p int, off []int) (float64, float64) {
	z := ps.z[p*n : (p+1)*n]
	s, m := 0.0, 0.0
	for _, i := range off {
		if z[i] != 0 { // a unit off at x_p contributes an exact 0
			s += z[i]
			m++
		}
	}
	return s, 2 * (m*ps.zerr[p] + (m+1)*0x1p-53*s)
}

// dyadicBelow returns a dyadic rational in (0, v] with about 30 significant
// bits (v > 0).
func dyadicBelow(v float64) *big.Rat {
	frac, exp := math.Frexp(v) // v = frac·2^exp, frac in [0.5, 1)
	m := math.Floor(math.Ldexp(frac, 30))
	r := new(big.Rat).SetInt64(int64(m))
	if e := exp - 30; e >= 0 {
		r.Mul(r, new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), uint(e))))
	} else {
		r.Quo(r, new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), uint(-e))))
	}
	return r
}
