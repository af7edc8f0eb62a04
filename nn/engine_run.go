package nn

import (
	"context"
	"fmt"
	"math/big"
	"runtime"
	"sync/atomic"

	"github.com/memnet/memnet/internal/par"
)

// chunkSize is the number of points evaluated together.
func (e *Exact) chunkSize(n int) int {
	p := 256
	for p > 16 && p*e.maxWidth > 1<<20 {
		p /= 2
	}
	workers := runtime.GOMAXPROCS(0)
	for p > 16 && p*workers*2 > n {
		p /= 2
	}
	return max(1, p)
}

// run evaluates every point of xs, chunk by chunk on every core, and calls
// visit (from the worker goroutine) with each chunk's first index and
// read-out (whose point method gives the index in xs of each of its
// points). progress, if not nil, gets the number of points done. It stops
// within a chunk's time once ctx is done and returns ctx's error.
func (e *Exact) run(ctx context.Context, xs [][]float64, progress func(done int64), visit func(lo int, c chunkOut) error) error {
	if e.share != nil {
		return e.runShared(ctx, xs, progress, visit)
	}
	var done atomic.Int64
	return e.chunks(ctx, len(xs), e.chunkSize(len(xs)), func(lo, hi int, s *xscratch) error {
		c, err := e.evalChunk(xs[lo:hi], s)
		if err == nil {
			err = visit(lo, c)
		}
		if err == nil && progress != nil {
			progress(done.Add(int64(hi - lo)))
		}
		return err
	})
}

// Outputs returns the exact outputs of the network on every point of xs
// (which must be the points it was compiled for, or a subset).
func (e *Exact) Outputs(ctx context.Context, xs [][]float64, progress func(done int64)) ([][]*big.Rat, error) {
	outs := make([][]*big.Rat, len(xs))
	err := e.run(ctx, xs, progress, func(lo int, c chunkOut) error {
		nout := len(c.vals) / (c.P * c.words)
		z := new(big.Int)
		for p := range c.P {
			o := make([]*big.Rat, nout)
			for j := range o {
				o[j] = new(big.Rat).SetFrac(c.output(j, p, z), e.outDen)
			}
			outs[c.point(lo, p)] = o
		}
		return nil
	})
	return outs, err
}

// Classes returns the class each point's exact outputs stand for among m
// classes (−1 for none; the rule of ClassOfRat) and, for single-output
// networks, whether the output equals the label y[i] (y may be nil).
func (e *Exact) Classes(ctx context.Context, xs [][]float64, m int, y []int, progress func(done int64)) (cls []int, equal []bool, err error) {
	cls = make([]int, len(xs))
	if y != nil {
		equal = make([]bool, len(xs))
	}
	twoD := new(big.Int).Lsh(e.outDen, 1)
	err = e.run(ctx, xs, progress, func(lo int, c chunkOut) error {
		nout := len(c.vals) / (c.P * c.words)
		W := c.words
		if nout > 1 {
			for p := range c.P {
				best := 0
				val := func(j int) []uint64 { o := (j*c.P + p) * W; return c.vals[o : o+W] }
				for j := 1; j < nout; j++ {
					if cmpWords(val(j), val(best)) > 0 {
						best = j
					}
				}
				k := best
				for j := range nout {
					if j != best && cmpWords(val(j), val(best)) >= 0 {
						k = -1
						break
					}
				}
				if k >= m {
					k = -1
				}
				cls[c.point(lo, p)] = k
			}
			return nil
		}
		// one output f = Z/D: k = ⌊(2Z + D)/(2D)⌋, none when 2Z + D ≡ 0 (mod 2D)
		s := e.outShift
		z, t, q, r := new(big.Int), new(big.Int), new(big.Int), new(big.Int)
		for p := range c.P {
			k := -1
			v := int64(c.vals[p*W])
			fast := W == 1 && s >= 0 && s <= 60 && v > -(1<<61) && v < 1<<61
			if fast || (W > 1 && s >= 0 && s <= 60 && fitsInt64(c.vals[p*W:p*W+W], 61)) {
				D := int64(1) << s
				tt := 2*v + D
				qq := tt >> (s + 1) // floor division by 2D
				if tt-qq<<(s+1) != 0 && qq >= 0 && qq < int64(m) {
					k = int(qq)
				}
				if i := c.point(lo, p); y != nil && len(y) > i {
					yy := y[i]
					equal[i] = yy >= 0 && yy < 1<<(61-s) && v == int64(yy)<<s
				}
			} else {
				c.output(0, p, z)
				t.Lsh(z, 1)
				t.Add(t, e.outDen)
				q.DivMod(t, twoD, r)
				if r.Sign() != 0 && q.IsInt64() && q.Int64() >= 0 && q.Int64() < int64(m) {
					k = int(q.Int64())
				}
				if i := c.point(lo, p); y != nil && len(y) > i {
					t.SetInt64(int64(y[i]))
					equal[i] = z.Cmp(t.Mul(t, e.outDen)) == 0
				}
			}
			cls[c.point(lo, p)] = k
		}
		return nil
	})
	return cls, equal, err
}

// sharedChunk is the most points of a chunk of phase 3 of a split (see
// runShared): up to 8·P (P the plain chunk size), so that the groups' own
// evaluation, a few groups per chunk, runs on more groups per layer (its
// per-layer cost is paid per chunk), within 2^22 words for a layer after
// the split (ws: the words stored per layer) and leaving every worker two
// chunks.
func (e *Exact) sharedChunk(n, P int, ws []int) int {
	most := 1
	for k := e.share.S; k < len(e.layers); k++ {
		most = max(most, e.layers[k].out*ws[k])
	}
	return max(P, min(8*P, 1<<22/most, (n+2*par.Workers()-1)/(2*par.Workers())))
}

// groupCuts returns chunk boundaries 0 = c_0 < c_1 < … < c_k = ends[G−1]
// over consecutive groups, group g holding positions [ends[g−1], ends[g])
// (ends[−1] = 0): each chunk holds at most P positions, and a chunk ends
// inside a group only when the group alone has more than P.
func groupCuts(ends []int32, P int) []int32 {
	cuts := []int32{0}
	if len(ends) == 0 {
		return cuts
	}
	cur, prev := int32(0), int32(0)
	for _, end := range ends {
		if int(end-cur) > P && prev > cur {
			cuts = append(cuts, prev)
			cur = prev
		}
		for int(end-cur) > P {
			cur += int32(P)
			cuts = append(cuts, cur)
		}
		prev = end
	}
	if n := ends[len(ends)-1]; cuts[len(cuts)-1] != n {
		cuts = append(cuts, n)
	}
	return cuts
}

// chunksAt runs f over the chunks [cuts[c], cuts[c+1]) on every core, like
// chunks.
func (e *Exact) chunksAt(ctx context.Context, cuts []int32, f func(lo, hi int, s *xscratch) error) error {
	return par.Do(ctx, len(cuts)-1, 1, func() *xscratch { return &xscratch{} }, func(c, _ int, s *xscratch) error {
		lo, hi := int(cuts[c]), int(cuts[c+1])
		if err := f(lo, hi, s); err != nil {
			return fmt.Errorf("points %d–%d: %w", lo+1, hi, err)
		}
		return nil
	})
}
