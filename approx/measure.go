package approx

import (
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/integrate/quad"

	"github.com/memnet/memnet/nn"
)

// MeanNodes is the default number of Gauss–Legendre nodes per axis for the
// cell means: 8, fewer in high dimension so that a cell has at most 4096.
func MeanNodes(d int) int { return max(2, min(8, int(math.Pow(2, 12/float64(d))))) }

// ErrorNodes is the default number of nodes per axis on each of the 2^d
// core and strip pieces of a cell for Measure: 4, fewer in high dimension
// so that a cell has at most 1024 nodes.
func ErrorNodes(d int) int { return max(1, min(4, int(math.Pow(1024, 1/float64(d)))/2)) }

// MaxWork bounds the layer evaluations of one error measurement (n^d cells
// times (2k)^d nodes times the depth); Run refuses more before any work.
const MaxWork = 4e9

// gauss returns the k Gauss–Legendre nodes and weights on [lo, hi].
func gauss(k int, lo, hi float64) (x, w []float64) {
	x, w = make([]float64, k), make([]float64, k)
	quad.Legendre{}.FixedLocations(x, w, lo, hi)
	return x, w
}

// product calls visit for every node of the tensor Gauss rule with k nodes
// per axis on the box [lo_k, hi_k], with the node's weight.
func product(k int, lo, hi []float64, visit func(x []float64, w float64)) {
	d := len(lo)
	xs, ws := make([][]float64, d), make([][]float64, d)
	for a := range d {
		xs[a], ws[a] = gauss(k, lo[a], hi[a])
	}
	idx := make([]int, d)
	x := make([]float64, d)
	for {
		w := 1.0
		for a := range d {
			x[a] = xs[a][idx[a]]
			w *= ws[a][idx[a]]
		}
		visit(x, w)
		a := 0
		for a < d {
			idx[a]++
			if idx[a] < k {
				break
			}
			idx[a] = 0
			a++
		}
		if a == d {
			return
		}
	}
}

// cellBox writes the bounds of cell t into lo, hi.
func (g *Geometry) cellBox(t int, j []int, lo, hi []float64) {
	g.Index(t, j)
	for k := range g.D {
		lo[k] = g.A[k] + float64(j[k])*g.H[k]
		hi[k] = lo[k] + g.H[k]
	}
}

// CellMeans computes c_j, the mean of f over every cell, with a tensor
// Gauss–Legendre rule of q nodes per axis on each cell (q ≤ 0: MeanNodes(d)).
func CellMeans(ctx context.Context, f Target, g *Geometry, q int) ([]float64, error) {
	means, _, err := meansAndError(ctx, f, g, q, 0)
	return means, err
}

// meansAndError computes the cell means and, when p ≥ 1, ‖f − f_n‖_p with
// the same nodes.
func meansAndError(ctx context.Context, f Target, g *Geometry, q int, p float64) ([]float64, float64, error) {
	if q <= 0 {
		q = MeanNodes(g.D)
	}
	m := f.Outputs()
	cells := g.Cells()
	means := make([]float64, cells*m)
	var mu sync.Mutex
	errP := 0.0
	err := nn.Parallel(ctx, cells, func(lo, hi int, _ *atomic.Int64) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		j := make([]int, g.D)
		a, b := make([]float64, g.D), make([]float64, g.D)
		val := make([]float64, m)
		type node struct {
			w float64
			v []float64
		}
		var nodes []node
		local := 0.0
		for t := lo; t < hi; t++ {
			g.cellBox(t, j, a, b)
			vol := 1.0
			for k := range g.D {
				vol *= b[k] - a[k]
			}
			nodes = nodes[:0]
			sum := means[t*m : (t+1)*m]
			product(q, a, b, func(x []float64, w float64) {
				f.Eval(x, val)
				for r := range m {
					sum[r] += w * val[r]
				}
				if p >= 1 {
					nodes = append(nodes, node{w, append([]float64(nil), val...)})
				}
			})
			for r := range m {
				sum[r] /= vol
			}
			for _, nd := range nodes {
				for r := range m {
					local += nd.w * math.Pow(math.Abs(nd.v[r]-sum[r]), p)
				}
			}
		}
		mu.Lock()
		errP += local
		mu.Unlock()
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return means, math.Pow(errP, 1/math.Max(p, 1)), nil
}

// Errors are the measured approximation errors of a network, for each p.
type Errors struct {
	P []float64 `json:"p"`
	// Total is ‖f − Φ‖_p, FN is ‖f − f_n‖_p, Strip is ‖f_n − Φ‖_p (zero
	// on the cores, so it is the strip term); for R^m-valued f the pointwise
	// norm is the ℓ^p norm of the components.
	Total []float64 `json:"total"`
	FN    []float64 `json:"f_minus_fn"`
	Strip []float64 `json:"strip_term"`
	// StripBound is the specification's bound (q_max + B)·m^{1/p}·|S|^{1/p}
	// on the strip term, B the bound on Φ over the box.
	StripBound []float64 `json:"strip_bound"`
	B          float64   `json:"phi_bound_b"`
	// Nodes is the number of quadrature nodes: NodesPerPiece^d Gauss–Legendre
	// nodes on each of the 2^d core/strip pieces of every cell.
	Nodes         int64 `json:"quadrature_nodes"`
	NodesPerPiece int   `json:"nodes_per_axis_per_piece"`
	// MaxCoreDeviation is max |Φ − c_j| over the core nodes in float64
	// evaluation (exactly 0 in exact arithmetic; see CheckCores).
	MaxCoreDeviation float64 `json:"max_core_deviation_float64"`
	StripMeasure     float64 `json:"strip_measure"`
}

// PhiBound is B = max(2q_max, q_last·(τ_max − τ_{N−1})), the bound on the
// network's (shifted) output over the box (specification §3), with q the
// shifted cell means, τ_max = Σ_k n·n^k the largest flattened projection and
// τ_{N−1} = n^d − 2.
func (a *Approx) PhiBound() (qmax, b float64) {
	n, cells := a.Geom.N, a.Geom.Cells()
	for _, c := range a.Means {
		qmax = math.Max(qmax, c+a.Shift)
	}
	tauMax, pw := 0.0, 1.0
	for range a.Geom.D {
		tauMax += float64(n) * pw
		pw *= float64(n)
	}
	qlast := 0.0
	for r := range a.M {
		qlast = math.Max(qlast, a.Mean(cells-1, r)+a.Shift)
	}
	return qmax, math.Max(2*qmax, qlast*(tauMax-float64(cells-2)))
}

// Measure evaluates the network in float64 at every quadrature node (k
// Gauss–Legendre nodes per axis on each of the 2^d core and strip pieces of
// every cell) and returns ‖f − Φ‖_p, ‖f − f_n‖_p and ‖f_n − Φ‖_p for each p.
// progress, when not nil, is called with the number of cells done.
func Measure(ctx context.Context, a *Approx, f Target, k int, ps []float64, progress func(done int64)) (*Errors, error) {
	g, m := a.Geom, a.M
	if k <= 0 {
		k = 4
	}
	f64 := a.Net.Float64()
	np := len(ps)
	e := &Errors{P: ps, Total: make([]float64, np), FN: make([]float64, np), Strip: make([]float64, np),
		StripBound: make([]float64, np), NodesPerPiece: k, StripMeasure: g.StripMeasure()}
	var mu sync.Mutex
	var nodes atomic.Int64
	err := nn.Parallel(ctx, g.Cells(), func(lo, hi int, cellsDone *atomic.Int64) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		defer func() {
			if progress != nil {
				progress(cellsDone.Add(int64(hi - lo)))
			}
		}()
		j := make([]int, g.D)
		a0, b0 := make([]float64, g.D), make([]float64, g.D)
		pl, ph := make([]float64, g.D), make([]float64, g.D)
		var xs [][]float64
		var ws []float64
		var cellOf []int
		var core []bool
		for t := lo; t < hi; t++ {
			g.cellBox(t, j, a0, b0)
			for piece := range 1 << g.D {
				for ax := range g.D {
					cut := b0[ax] - g.Delta[ax]
					if piece>>ax&1 == 0 {
						pl[ax], ph[ax] = a0[ax], cut
					} else {
						pl[ax], ph[ax] = cut, b0[ax]
					}
				}
				product(k, pl, ph, func(x []float64, w float64) {
					xs = append(xs, append([]float64(nil), x...))
					ws = append(ws, w)
					cellOf = append(cellOf, t)
					core = append(core, piece == 0)
				})
			}
		}
		outs := make([][]float64, len(xs))
		for i := range outs {
			outs[i] = make([]float64, m)
		}
		if err := f64.EvalBatch(xs, outs); err != nil {
			return err
		}
		tot, fn, st := make([]float64, np), make([]float64, np), make([]float64, np)
		dev := 0.0
		val := make([]float64, m)
		for i, x := range xs {
			f.Eval(x, val)
			for r := range m {
				c := a.Mean(cellOf[i], r)
				phi := outs[i][r]
				if core[i] {
					dev = math.Max(dev, math.Abs(phi-c))
				}
				for pi, p := range ps {
					tot[pi] += ws[i] * math.Pow(math.Abs(val[r]-phi), p)
					fn[pi] += ws[i] * math.Pow(math.Abs(val[r]-c), p)
					st[pi] += ws[i] * math.Pow(math.Abs(c-phi), p)
				}
			}
		}
		nodes.Add(int64(len(xs)))
		mu.Lock()
		for pi := range ps {
			e.Total[pi] += tot[pi]
			e.FN[pi] += fn[pi]
			e.Strip[pi] += st[pi]
		}
		e.MaxCoreDeviation = math.Max(e.MaxCoreDeviation, dev)
		mu.Unlock()
		return nil
	})
	if err != nil {
		return nil, err
	}
	qmax, b := a.PhiBound()
	e.B = b
	for pi, p := range ps {
		e.Total[pi] = math.Pow(e.Total[pi], 1/p)
		e.FN[pi] = math.Pow(e.FN[pi], 1/p)
		e.Strip[pi] = math.Pow(e.Strip[pi], 1/p)
		e.StripBound[pi] = (qmax + b) * math.Pow(float64(m)*e.StripMeasure, 1/p)
	}
	e.Nodes = nodes.Load()
	return e, nil
}

// FnError is ‖f − f_n‖_p on the n^d grid of box (q Gauss nodes per axis per cell).
func FnError(ctx context.Context, f Target, box Box, n int, p float64, q int) (float64, error) {
	g, err := NewGeometry(box, n, 0.25)
	if err != nil {
		return 0, err
	}
	_, e, err := meansAndError(ctx, f, g, q, p)
	return e, err
}

// ChooseN returns the smallest n (found by doubling, then bisection) with
// ‖f − f_n‖_p ≤ eps/2, and that error. It fails, before any network is
// built, when the depth d·n + 2n^d − 1 would exceed maxDepth first.
func ChooseN(ctx context.Context, f Target, box Box, eps, p float64, q int, maxDepth int64) (int, float64, error) {
	d := len(box)
	target := eps / 2
	errAt := map[int]float64{}
	at := func(n int) (float64, error) {
		if e, ok := errAt[n]; ok {
			return e, nil
		}
		e, err := FnError(ctx, f, box, n, p, q)
		errAt[n] = e
		return e, err
	}
	hi := 1
	for {
		if Depth(hi, d) > maxDepth {
			e := errAt[hi/2]
			return 0, 0, fmt.Errorf("ε=%g is too small: ‖f − f_n‖_%g is still %.3g > ε/2 at n=%d, and n=%d would give depth %d, over the limit %d (raise --max-depth)",
				eps, p, e, hi/2, hi, Depth(hi, d), maxDepth)
		}
		e, err := at(hi)
		if err != nil {
			return 0, 0, err
		}
		if e <= target {
			break
		}
		hi *= 2
	}
	lo := hi / 2 // error above target (or 0)
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		e, err := at(mid)
		if err != nil {
			return 0, 0, err
		}
		if e <= target {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi, errAt[hi], nil
}

// ThetaFor is the strip fraction that makes the strip bound at most eps/2:
// θ = (eps/(2(q_max + B)m^{1/p}))^p / (d·|Q|·…), capped at 1/4; qmax and b as
// PhiBound returns them for the n chosen.
func ThetaFor(eps, p float64, qmax, b float64, m, d int, vol float64) float64 {
	if qmax+b <= 0 {
		return 0.25
	}
	t := math.Pow(eps/(2*(qmax+b)), p) / (float64(m) * float64(d) * vol)
	return math.Min(t, 0.25)
}

// SobolevNorm estimates ‖f‖_{W^{1,p}} = (‖f‖_p^p + Σ_k ‖∂_k f‖_p^p)^{1/p} on
// box with a 3-node Gauss rule on a grid of c^d cells (c ≤ 0: 24 per axis,
// fewer in high dimension so that f is evaluated at most 2·10⁶ times) and central
// differences (step 10⁻⁶·ℓ_k). It returns NaN for f not in W^{1,p}, and
// when ctx is done.
func SobolevNorm(ctx context.Context, f Target, box Box, p float64, c int) float64 {
	if !f.Sobolev() {
		return math.NaN()
	}
	if c <= 0 {
		d := float64(len(box))
		c = max(1, min(24, int(math.Pow(2e6/(math.Pow(3, d)*(1+2*d)), 1/d))))
	}
	d, m := len(box), f.Outputs()
	g, err := NewGeometry(box, c, 0.25)
	if err != nil {
		return math.NaN()
	}
	var mu sync.Mutex
	sum := 0.0
	if err := nn.Parallel(ctx, g.Cells(), func(lo, hi int, _ *atomic.Int64) error {
		j := make([]int, d)
		a, b := make([]float64, d), make([]float64, d)
		v, v1, v2 := make([]float64, m), make([]float64, m), make([]float64, m)
		y := make([]float64, d)
		local := 0.0
		for t := lo; t < hi; t++ {
			g.cellBox(t, j, a, b)
			product(3, a, b, func(x []float64, w float64) {
				f.Eval(x, v)
				for r := range m {
					local += w * math.Pow(math.Abs(v[r]), p)
				}
				for k := range d {
					step := 1e-6 * (box[k].Hi - box[k].Lo)
					copy(y, x)
					y[k] = x[k] + step
					f.Eval(y, v1)
					y[k] = x[k] - step
					f.Eval(y, v2)
					for r := range m {
						local += w * math.Pow(math.Abs(v1[r]-v2[r])/(2*step), p)
					}
				}
			})
		}
		mu.Lock()
		sum += local
		mu.Unlock()
		return nil
	}); err != nil {
		return math.NaN()
	}
	return math.Pow(sum, 1/p)
}
