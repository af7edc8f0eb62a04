package vardi

import (
	"context"
	"math"
	"math/big"
	"math/bits"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/memnet/memnet/construct/project"
	"github.com/memnet/memnet/nn"
)

// alongExact returns exactly what project.Along(xs, w) returns (same W, Tau,
// Scale and Order), computing the N dot products in parallel with the
// fixed-window accumulator of kulisch.go instead of math/big. colScale must
// be nn.InputScales(len(w), xs) (the fractional bits of each column). It
// falls back to project.Along when the window would be too wide. It stops
// with ctx's error (and a nil projection) in the sort when ctx is done.
func alongExact(ctx context.Context, xs [][]float64, w []float64, colScale []int) (*project.Projection, error) {
	d := len(w)
	scale := 0
	for k := range w {
		if w[k] != 0 {
			_, e, _ := floatMantNonneg(w[k])
			scale = max(scale, colScale[k]+max(e, 0))
		}
	}
	// exact bound Σ_k max_i |x_ik|·|w_k| at the scale
	colMax := make([]float64, d)
	for _, x := range xs {
		for k, v := range x {
			colMax[k] = max(colMax[k], math.Abs(v))
		}
	}
	bound := new(big.Int)
	dp := &dotPlan{}
	noCheck := make([]int, d)
	for k, wk := range w {
		noCheck[k] = math.MaxInt32 / 4
		if wk == 0 || colMax[k] == 0 {
			continue
		}
		neg, mw, ew, ok := floatMant(wk)
		if !ok || mw == 0 {
			return project.Along(xs, w), nil
		}
		_, mx, ex, _ := floatMant(colMax[k])
		base := scale - ew
		if base > math.MaxInt32/4 || base < 0 {
			return project.Along(xs, w), nil
		}
		t := new(big.Int).SetUint64(mx)
		t.Mul(t, new(big.Int).SetUint64(mw))
		t.Lsh(t, uint(base-ex))
		bound.Add(bound, t)
		dp.terms = append(dp.terms, dotTerm{in: int32(k), base: int32(base), neg: neg, sgn: b2u(neg), w: mw})
	}
	dp.n = limbsFor(bound)
	if dp.n > maxLimbs {
		return project.Along(xs, w), nil
	}
	p := &project.Projection{W: w, Tau: make([]*big.Int, len(xs)), Scale: scale}
	err := parallel(ctx, len(xs), func(lo, hi int) error {
		var acc [maxLimbs]uint64
		for i := lo; i < hi; i++ {
			if err := dp.dot(xs[i], &acc, noCheck); err != nil {
				return err
			}
			z := new(big.Int)
			limbsToBig(&acc, dp.n, z)
			p.Tau[i] = z
		}
		return nil
	})
	if err != nil { // non-finite input: let project report it its own way
		return project.Along(xs, w), nil
	}
	if p.Order, err = project.Sort(ctx, p.Tau); err != nil { // the stable sort by τ, as the stages of the global order
		return nil, err
	}
	return p, nil
}

// floatMantNonneg is floatMant without the sign.
func floatMantNonneg(x float64) (m uint64, e int, ok bool) {
	_, m, e, ok = floatMant(x)
	return
}

// columnStats returns, in one parallel pass, what nn.InputScales(d, xs)
// returns (the fractional bits of each column) and each column's minimum
// and maximum.
func columnStats(d int, xs [][]float64) (scale []int, mn, mx []float64) {
	workers := max(1, min(runtime.GOMAXPROCS(0), len(xs)/1024))
	type part struct {
		sc     []int
		lo, hi []float64
	}
	parts := make([]part, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a, b := w*len(xs)/workers, (w+1)*len(xs)/workers
			if a >= b {
				return
			}
			pt := part{sc: make([]int, d), lo: make([]float64, d), hi: make([]float64, d)}
			copy(pt.lo, xs[a])
			copy(pt.hi, xs[a])
			for _, x := range xs[a:b] {
				for k, v := range x[:min(len(x), d)] { // a wrong length is reported per point later
					if v != 0 {
						u := math.Float64bits(v)
						ex := int(u>>52) & 0x7ff
						var e int
						if uint(ex-1) < 0x7fe { // normal
							e = 1075 - ex - bits.TrailingZeros64(u|1<<52)
						} else {
							_, _, e, _ = floatMant(v) // subnormal (NaN, ±Inf: 0)
						}
						if e > pt.sc[k] {
							pt.sc[k] = e
						}
					}
					pt.lo[k] = min(pt.lo[k], v)
					pt.hi[k] = max(pt.hi[k], v)
				}
			}
			parts[w] = pt
		}()
	}
	wg.Wait()
	if parts[0].sc == nil {
		return make([]int, d), make([]float64, d), make([]float64, d)
	}
	scale, mn, mx = parts[0].sc, parts[0].lo, parts[0].hi
	for _, pt := range parts[1:] {
		if pt.sc == nil {
			continue
		}
		for k := range d {
			scale[k] = max(scale[k], pt.sc[k])
			mn[k] = min(mn[k], pt.lo[k])
			mx[k] = max(mx[k], pt.hi[k])
		}
	}
	return scale, mn, mx
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// parallel runs f over [0,n) in chunks on every core; the first error wins,
// and ctx's error once ctx is done.
func parallel(ctx context.Context, n int, f func(lo, hi int) error) error {
	return nn.Parallel(ctx, n, func(lo, hi int, _ *atomic.Int64) error { return f(lo, hi) })
}
