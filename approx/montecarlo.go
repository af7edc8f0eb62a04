package approx

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"

	"github.com/memnet/memnet/nn"
)

// DefaultSamples is the default number of Monte Carlo points of the error
// estimate.
const DefaultSamples = 1 << 16

// MCError is ‖f − Φ‖_p estimated on points drawn independently and
// uniformly from the box (so unrelated to the cells), with a confidence
// interval: Y = Σ_r |f_r(x) − Φ_r(x)|^p has mean ‖f − Φ‖_p^p/|Q|; the sample
// mean Ȳ and standard error s/√M give the interval |Q|·(Ȳ ± z·s/√M) for
// ‖f − Φ‖_p^p (lower end clipped at 0), whose p-th root is the interval
// for ‖f − Φ‖_p (the root is increasing). z = 1.96: a 95% interval by the
// central limit theorem, which assumes the samples show Y's spread — a
// region of large error hit by no sample (the strips have measure |S|) is
// not in it.
type MCError struct {
	Samples int       `json:"samples"`
	Seed    uint64    `json:"seed"`
	Level   float64   `json:"level"`
	P       []float64 `json:"p"`
	// Estimate, Lo, Hi: ‖f − Φ‖_p and its interval, for each p.
	Estimate []float64 `json:"estimate"`
	Lo       []float64 `json:"lo"`
	Hi       []float64 `json:"hi"`
	// StdErr is the standard error of the estimate of ‖f − Φ‖_p^p.
	StdErr []float64 `json:"stderr_pth_power"`
	// StripHits is the number of samples in a strip (outside every core).
	StripHits int `json:"strip_hits"`
}

// samplePoints draws m points uniformly from box with a PCG seeded by seed.
func samplePoints(box Box, m int, seed uint64) [][]float64 {
	rng := rand.New(rand.NewPCG(seed, 0x6d6f6e7465))
	xs := make([][]float64, m)
	for i := range xs {
		x := make([]float64, len(box))
		for k, iv := range box {
			x[k] = iv.Lo + rng.Float64()*(iv.Hi-iv.Lo)
		}
		xs[i] = x
	}
	return xs
}

// MonteCarlo estimates ‖f − Φ‖_p on box for each p from samples points
// drawn uniformly from it (Φ in float64), with 95% intervals. progress,
// when not nil, is called with the number of points done.
func MonteCarlo(ctx context.Context, a *Approx, f Target, box Box, samples int, seed uint64, ps []float64, progress func(done int64)) (*MCError, error) {
	if samples < 2 {
		return nil, fmt.Errorf("the error estimate needs at least 2 Monte Carlo samples, not %d", samples)
	}
	g, m := a.Geom, a.M
	if len(box) != g.D {
		return nil, fmt.Errorf("error estimate: a %d-axis box for a %d-dimensional network", len(box), g.D)
	}
	vol := box.Volume()
	xs := samplePoints(box, samples, seed)
	f64 := a.Net.Float64()
	np := len(ps)
	sum, sum2 := make([]float64, np), make([]float64, np)
	var strip int
	var mu sync.Mutex
	var done atomic.Int64
	err := nn.Parallel(ctx, samples, func(lo, hi int, _ *atomic.Int64) error {
		const batch = 2048
		val := make([]float64, m)
		j := make([]int, g.D)
		s, s2 := make([]float64, np), make([]float64, np)
		hits := 0
		for b0 := lo; b0 < hi; b0 += batch {
			if err := ctx.Err(); err != nil {
				return err
			}
			b1 := min(hi, b0+batch)
			outs := make([][]float64, b1-b0)
			for i := range outs {
				outs[i] = make([]float64, m)
			}
			if err := f64.EvalBatch(xs[b0:b1], outs); err != nil {
				return err
			}
			for i, x := range xs[b0:b1] {
				f.Eval(x, val)
				for pi, p := range ps {
					y := 0.0
					for r := range m {
						y += math.Pow(math.Abs(val[r]-outs[i][r]), p)
					}
					s[pi] += y
					s2[pi] += y * y
				}
				if !g.inCore(x, j) {
					hits++
				}
			}
			if progress != nil {
				progress(done.Add(int64(b1 - b0)))
			}
		}
		mu.Lock()
		for pi := range ps {
			sum[pi] += s[pi]
			sum2[pi] += s2[pi]
		}
		strip += hits
		mu.Unlock()
		return nil
	})
	if err != nil {
		return nil, err
	}
	const z = 1.959963984540054
	e := &MCError{Samples: samples, Seed: seed, Level: 0.95, P: ps, StripHits: strip,
		Estimate: make([]float64, np), Lo: make([]float64, np), Hi: make([]float64, np), StdErr: make([]float64, np)}
	M := float64(samples)
	for pi, p := range ps {
		mean := sum[pi] / M
		v := math.Max(0, (sum2[pi]-M*mean*mean)/(M-1))
		se := math.Sqrt(v / M)
		e.StdErr[pi] = vol * se
		e.Estimate[pi] = math.Pow(vol*mean, 1/p)
		e.Lo[pi] = math.Pow(math.Max(0, vol*(mean-z*se)), 1/p)
		e.Hi[pi] = math.Pow(vol*(mean+z*se), 1/p)
	}
	return e, nil
}

// inCore reports whether x lies in the core of its cell (not in a strip:
// the last δ_k of the cell along some axis). j is scratch.
func (g *Geometry) inCore(x []float64, j []int) bool {
	for k := range g.D {
		t := (x[k] - g.A[k]) / g.H[k]
		c := min(max(int(math.Floor(t)), 0), g.N-1)
		j[k] = c
		if x[k] > g.A[k]+float64(c+1)*g.H[k]-g.Delta[k] {
			return false
		}
	}
	return true
}
