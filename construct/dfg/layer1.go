package dfg

import (
	"context"
	"math"
	"math/big"
	"math/bits"
	"math/rand/v2"
	"sync/atomic"

	"github.com/memnet/memnet/nn"
)

// firstLayer is the random first layer: unit i computes z_i(x) = w_i·x + b_i
// with w_i = W[i]/2^q and b_i = B[i]/2^q, every entry an integer (so each
// weight is an exact dyadic rational).
type firstLayer struct {
	n, d int
	q    uint
	W    [][]int64 // n rows of d integers
	B    []int64
}

// drawFirstLayer draws the paper's first layer with seed (seed, restart):
// Gaussian weights N(0, 1) and biases uniform in [−λ, λ], each rounded to
// the nearest multiple of 2^−q.
func drawFirstLayer(n, d int, lambda float64, q uint, seed int64, restart int) *firstLayer {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x64666700+uint64(restart)))
	scale := math.Ldexp(1, int(q))
	fl := &firstLayer{n: n, d: d, q: q, W: make([][]int64, n), B: make([]int64, n)}
	for i := range n {
		row := make([]int64, d)
		for j := range row {
			row[j] = int64(math.Round(rng.NormFloat64() * scale))
		}
		fl.W[i] = row
		fl.B[i] = int64(math.Round((2*rng.Float64() - 1) * lambda * scale))
	}
	return fl
}

// center moves every unit's hyperplane by the point m: b_i becomes
// b_i − ⟨w_i, m⟩ rounded to the 2^−q grid (still an exact dyadic), so the
// biases are uniform in [−λ, λ] around m instead of the origin.
func (fl *firstLayer) center(m []float64) {
	for i, row := range fl.W {
		s := 0.0
		for j, v := range row {
			s += float64(v) * m[j]
		}
		fl.B[i] -= int64(math.Round(s))
	}
}

// mean is the coordinate-wise mean of xs.
func mean(xs [][]float64, d int) []float64 {
	m := make([]float64, d)
	for _, x := range xs {
		for j, v := range x {
			m[j] += v
		}
	}
	for j := range m {
		m[j] /= float64(len(xs))
	}
	return m
}

// unitRat returns unit i's weights and bias as exact rationals.
func (fl *firstLayer) unitRat(i int) ([]*big.Rat, *big.Rat) {
	den := new(big.Int).Lsh(big.NewInt(1), fl.q)
	w := make([]*big.Rat, fl.d)
	for j, v := range fl.W[i] {
		w[j] = new(big.Rat).SetFrac(big.NewInt(v), den)
	}
	return w, new(big.Rat).SetFrac(big.NewInt(fl.B[i]), den)
}

// unitRatio is the float64 round-off bound factor for a sum of d+1 terms:
// |fl(Σ t) − Σ t| ≤ γ·Σ|t| with γ = (d+2)·2^−53, doubled for margin.
func roundoff(d int) float64 { return float64(2*(d+2)) * 0x1p-53 }

// exactSign returns the sign of W·x + B computed in exact rational arithmetic.
func exactSign(w []int64, b int64, x []float64) int {
	s := new(big.Rat).SetInt64(b)
	t := new(big.Rat)
	for j, v := range w {
		if v == 0 || x[j] == 0 {
			continue
		}
		t.SetFloat64(x[j])
		t.Mul(t, new(big.Rat).SetInt64(v))
		s.Add(s, t)
	}
	return s.Sign()
}

// patterns are the first layer's on-sets: bit i of point p is 1 when unit i
// is on at x_p, that is z_i(x_p) > 0 (the paper's threshold, 0 at 0). The
// signs are exact: a float64 sum is trusted only when it is farther from 0
// than its round-off bound, otherwise the sign is computed in big.Rat.
type patterns struct {
	words int
	bits  []uint64 // N rows of words
	// z (ReLU mode only) holds z_i(x_p) in float64, row p; zerr[p] bounds
	// |z − fl(z)| over the units of row p.
	z    []float64
	zerr []float64
}

func (ps *patterns) row(p int) []uint64 { return ps.bits[p*ps.words : (p+1)*ps.words] }

// computePatterns computes the on-sets of every point (and, with keepZ, the
// float values and their error bounds). It stops when ctx is done.
func computePatterns(ctx context.Context, fl *firstLayer, xs [][]float64, keepZ bool) (*patterns, error) {
	N := len(xs)
	ps := &patterns{words: (fl.n + 63) / 64}
	ps.bits = make([]uint64, N*ps.words)
	if keepZ {
		ps.z = make([]float64, N*fl.n)
		ps.zerr = make([]float64, N)
	}
	inv := math.Ldexp(1, -int(fl.q))
	gamma := roundoff(fl.d)
	wf := make([][]float64, fl.n)
	for i, row := range fl.W {
		wf[i] = make([]float64, len(row))
		for j, v := range row {
			wf[i][j] = float64(v) // |v| < 2^53: exact
		}
	}
	err := nn.Parallel(ctx, N, func(lo, hi int, _ *atomic.Int64) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		nz := make([]int, 0, fl.d)
		for p := lo; p < hi; p++ {
			x := xs[p]
			nz = nz[:0]
			for j, v := range x {
				if v != 0 {
					nz = append(nz, j)
				}
			}
			row := ps.bits[p*ps.words : (p+1)*ps.words]
			emax := 0.0
			for i := range fl.n {
				w := wf[i]
				s, a := float64(fl.B[i]), math.Abs(float64(fl.B[i]))
				for _, j := range nz {
					t := w[j] * x[j]
					s += t
					a += math.Abs(t)
				}
				bound := gamma * a
				sign := 0
				switch {
				case s > bound:
					sign = 1
				case s < -bound:
					sign = -1
				default:
					sign = exactSign(fl.W[i], fl.B[i], x)
				}
				if sign > 0 {
					row[i/64] |= 1 << (i % 64)
				}
				if keepZ {
					v := s * inv
					if sign <= 0 {
						v = 0 // ReLU(z) is exactly 0 where z ≤ 0
					}
					ps.z[p*fl.n+i] = v
					emax = math.Max(emax, bound*inv)
				}
			}
			if keepZ {
				ps.zerr[p] = emax
			}
		}
		return nil
	})
	return ps, err
}

// andNotCount is |on(a) ∩ off(b)|: the units on at a and off at b.
func andNotCount(a, b []uint64) int {
	c := 0
	for k, v := range a {
		c += bits.OnesCount64(v &^ b[k])
	}
	return c
}
