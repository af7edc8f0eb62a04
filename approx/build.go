// Package approx builds the width-(d+1) ReLU networks of the Hernández–Zuazua
// universal approximation theorem and measures how well they approximate.
//
// Theorem (Hernández & Zuazua, arXiv 2409.06555): for bounded Ω ⊂ R^d and
// p ∈ [1, ∞), ReLU MLPs of fixed width d + 1 are dense in L^p(Ω; R_+), with
// depth of order ‖f‖_{W^{1,p}}^d ε^{−d} for f ∈ W^{1,p} (the depth form is
// the third-party summary's). The paper's proof and constants could not be
// read; this package implements the specification's reconstruction
// (shared/papers/hz-width2.md §3) of the outline the third-party summary
// gives (simple function on hyperrectangles, collapse each hyperrectangle to
// a point, memorize the values); every formula below is ours:
//
//  1. f_n = Σ_j c_j 1_{Q_j}: the cell means of f on an n^d grid of the box.
//  2. d·n "flatten" layers of width d + 1: for axis k and core j, the layer
//     maps z_k ↦ s − σ(s − z_k) + σ(z_k − s − ω) (ω = h_k − δ_k,
//     s = 1 + jδ_k), which collapses the core K_j = [jh, (j+1)h − δ) of the
//     axis onto one point and shifts the rest left; afterwards every cell
//     core sits on the integer lattice point j after the rescaling
//     (z_k − 1)/δ_k, folded into the next layer.
//  3. 2n^d − 1 width-2 layers (width m + 1 for R^m-valued f) of the HZ2
//     memorization (construct/hz, specification §2.3) on the lattice, with
//     projection w = (1, n, …, n^{d−1}): all gaps are 1, κ = c_j, λ = 4c_j.
//
// Depth d·n + 2n^d − 1, width max(d + 1, m + 1). Φ equals c_j exactly on
// every cell core; only the strips of relative width θ between cores carry
// error, and Φ is bounded there, so ‖f − Φ‖_p ≤ ‖f − f_n‖_p + (strip term).
//
// Our choices (not the paper's, which are unknown): the cell width h_k is
// ℓ_k/n rounded up to a 48-bit dyadic and the strip width δ_k is the largest
// power of two ≤ θh_k, so every weight is dyadic and the exact evaluator runs
// in integer fixed point; signed f is shifted by a constant undone in the
// read-out.
package approx

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/memnet/memnet/nn"
)

// Interval is [Lo, Hi].
type Interval struct{ Lo, Hi float64 }

// Box is a product of intervals, one per axis.
type Box []Interval

// ParseBox reads "a1:b1,a2:b2,…".
func ParseBox(s string) (Box, error) {
	var b Box
	for part := range strings.SplitSeq(s, ",") {
		lo, hi, ok := strings.Cut(strings.TrimSpace(part), ":")
		if !ok {
			return nil, fmt.Errorf("--box %q: want a1:b1,a2:b2,…", s)
		}
		a, err1 := strconv.ParseFloat(lo, 64)
		c, err2 := strconv.ParseFloat(hi, 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("--box %q: %q is not two numbers", s, part)
		}
		b = append(b, Interval{a, c})
	}
	return b, b.Check()
}

// Check rejects empty, zero-width, reversed and non-finite intervals.
func (b Box) Check() error {
	if len(b) == 0 {
		return errors.New("box: no axes")
	}
	for k, iv := range b {
		if math.IsNaN(iv.Lo) || math.IsNaN(iv.Hi) || math.IsInf(iv.Lo, 0) || math.IsInf(iv.Hi, 0) {
			return fmt.Errorf("box: axis %d [%v, %v] is not finite", k+1, iv.Lo, iv.Hi)
		}
		if !(iv.Hi > iv.Lo) {
			return fmt.Errorf("box: axis %d [%v, %v] has zero or negative width", k+1, iv.Lo, iv.Hi)
		}
		if math.IsInf(iv.Hi-iv.Lo, 0) {
			return fmt.Errorf("box: axis %d is too wide", k+1)
		}
	}
	return nil
}

// Volume is |Q|.
func (b Box) Volume() float64 {
	v := 1.0
	for _, iv := range b {
		v *= iv.Hi - iv.Lo
	}
	return v
}

// Config are the settings of Build.
type Config struct {
	N      int     // cells per axis
	Theta  float64 // strip fraction θ ∈ (0, 1/2): δ_k is the largest power of two ≤ θh_k
	Box    Box     // the box Q (default: the target's)
	Signed bool    // allow negative f: shift the cell means by a constant
	Quad   int     // Gauss–Legendre nodes per axis for the cell means (default 8)
}

// Depth is the depth of the network Build makes: d·n flatten layers and
// 2n^d − 1 memorization layers (specification §3).
func Depth(n, d int) int64 {
	c := int64(1)
	for range d {
		c *= int64(n)
		if c > 1<<40 {
			return math.MaxInt64
		}
	}
	return int64(d*n) + 2*c - 1
}

// Geometry is the grid of cells: axis k has cells [A_k + jH_k, A_k + (j+1)H_k),
// cores [A_k + jH_k, A_k + (j+1)H_k − Delta_k].
type Geometry struct {
	N, D           int
	A, H, Delta    []float64
	Ar, Hr, Deltar []*big.Rat
}

// NewGeometry lays n cells per axis on box with strip fraction at most theta.
func NewGeometry(box Box, n int, theta float64) (*Geometry, error) {
	if err := box.Check(); err != nil {
		return nil, err
	}
	if n < 1 {
		return nil, fmt.Errorf("n=%d: want at least one cell per axis", n)
	}
	if !(theta > 0 && theta < 0.5) {
		return nil, fmt.Errorf("θ=%v: want 0 < θ < 1/2", theta)
	}
	g := &Geometry{N: n, D: len(box)}
	for _, iv := range box {
		l := new(big.Rat).Sub(new(big.Rat).SetFloat64(iv.Hi), new(big.Rat).SetFloat64(iv.Lo))
		h := nn.RoundDyadic(l.Quo(l, big.NewRat(int64(n), 1)), 48, nn.Up)
		hf, _ := h.Float64()
		e := math.Floor(math.Log2(theta * hf))
		if math.IsInf(e, 0) || e < -1000 {
			return nil, fmt.Errorf("θ=%v is too small for cells of width %g", theta, hf)
		}
		delta := new(big.Rat).SetFloat64(math.Ldexp(1, int(e)))
		if delta.Cmp(new(big.Rat).Mul(h, new(big.Rat).SetFloat64(theta))) > 0 { // log2 rounding
			delta.Quo(delta, big.NewRat(2, 1))
		}
		df, _ := delta.Float64()
		g.A = append(g.A, iv.Lo)
		g.H = append(g.H, hf)
		g.Delta = append(g.Delta, df)
		g.Ar = append(g.Ar, new(big.Rat).SetFloat64(iv.Lo))
		g.Hr = append(g.Hr, h)
		g.Deltar = append(g.Deltar, delta)
	}
	return g, nil
}

// Cells is n^d.
func (g *Geometry) Cells() int {
	c := 1
	for range g.D {
		c *= g.N
	}
	return c
}

// Index writes the multi-index of cell t (axis 0 fastest) into j.
func (g *Geometry) Index(t int, j []int) {
	for k := range g.D {
		j[k] = t % g.N
		t /= g.N
	}
}

// Theta is the effective strip fraction δ_k/h_k of each axis.
func (g *Geometry) Theta() []float64 {
	t := make([]float64, g.D)
	for k := range t {
		t[k] = g.Delta[k] / g.H[k]
	}
	return t
}

// StripMeasure is |S| = |Q|(1 − Π_k(1 − θ_k)), the measure of the strips.
func (g *Geometry) StripMeasure() float64 {
	v, core := 1.0, 1.0
	for k := range g.D {
		v *= float64(g.N) * g.H[k]
		core *= 1 - g.Delta[k]/g.H[k]
	}
	return v * (1 - core)
}

// Approx is a built approximation network and what it was built from.
type Approx struct {
	Net    *nn.Network
	Geom   *Geometry
	M      int
	Means  []float64 // c_j, m values per cell, cell t = Σ j_k n^k
	Shift  float64   // constant added to the cell means before memorizing (signed f)
	Flat   int       // number of flatten layers (d·n)
	Target string
}

// Mean returns c_t (component r).
func (a *Approx) Mean(t, r int) float64 { return a.Means[t*a.M+r] }

// Build computes the cell means of f and constructs the network of the
// specification §3. progress, if not nil, is told the layers built.
func Build(ctx context.Context, f Target, cfg Config, progress func(done, total int64)) (*Approx, error) {
	box := cfg.Box
	if box == nil {
		box = f.Box()
	}
	if len(box) != f.Dim() {
		return nil, fmt.Errorf("box has %d axes, the function has %d inputs", len(box), f.Dim())
	}
	g, err := NewGeometry(box, cfg.N, cfg.Theta)
	if err != nil {
		return nil, err
	}
	means, err := CellMeans(ctx, f, g, cfg.Quad)
	if err != nil {
		return nil, err
	}
	a := &Approx{Geom: g, M: f.Outputs(), Means: means, Target: f.Name(), Flat: g.D * g.N}
	minMean := math.Inf(1)
	for _, c := range means {
		minMean = math.Min(minMean, c)
	}
	if minMean < 0 {
		if !cfg.Signed {
			return nil, fmt.Errorf("%s: f has negative cell means (min %g): f must be nonnegative (the values live in ReLU channels), or use the signed option to shift it", f.Name(), minMean)
		}
		a.Shift = -minMean
	}
	a.Net, err = network(ctx, g, a.M, means, a.Shift, progress)
	if err != nil {
		return nil, err
	}
	return a, nil
}

// form is an affine form α + β·h in the current layer's neurons.
type form struct {
	alpha *big.Rat
	beta  []*big.Rat
}

func rat(v int64) *big.Rat { return big.NewRat(v, 1) }

// network lays out the d·n flatten layers and the HZ2 memorization of the
// lattice values (means + shift), read out as v − shift.
func network(ctx context.Context, g *Geometry, m int, means []float64, shift float64, progress func(done, total int64)) (*nn.Network, error) {
	d, n := g.D, g.N
	N := g.Cells()
	total := int64(d*n + 2*N - 1)
	net := &nn.Network{InputDim: d}
	// z_k = x_k − a_k + 1 over the inputs.
	z := make([]form, d)
	for k := range d {
		z[k] = form{alpha: new(big.Rat).Sub(rat(1), g.Ar[k]), beta: make([]*big.Rat, d)}
		for i := range d {
			z[k].beta[i] = new(big.Rat)
		}
		z[k].beta[k].SetInt64(1)
	}
	in := d
	aux := d
	setRow := func(l *nn.Layer, j int, f form, sign int64, bias *big.Rat) {
		for i := range in {
			l.W[j][i] = new(big.Rat).Mul(f.beta[i], rat(sign))
		}
		l.B[j] = new(big.Rat).Add(new(big.Rat).Mul(f.alpha, rat(sign)), bias)
	}
	for k := range d {
		omega := new(big.Rat).Sub(g.Hr[k], g.Deltar[k])
		for j := range n {
			s := new(big.Rat).Add(rat(1), new(big.Rat).Mul(rat(int64(j)), g.Deltar[k]))
			l := nn.NewLayer(in, d+1, nn.ReLU)
			for i := range d {
				if i != k {
					setRow(&l, i, z[i], 1, new(big.Rat)) // σ(z_i): pass through (z_i ≥ 1 on the box)
				}
			}
			setRow(&l, k, z[k], -1, s)                                             // σ(s − z_k)
			setRow(&l, aux, z[k], 1, new(big.Rat).Neg(new(big.Rat).Add(s, omega))) // σ(z_k − s − ω)
			net.Hidden = append(net.Hidden, l)
			in = d + 1
			for i := range d {
				z[i] = form{alpha: new(big.Rat), beta: make([]*big.Rat, d+1)}
				for t := range d + 1 {
					z[i].beta[t] = new(big.Rat)
				}
				if i == k {
					z[i].alpha.Set(s)
					z[i].beta[k].SetInt64(-1)
					z[i].beta[aux].SetInt64(1)
				} else {
					z[i].beta[i].SetInt64(1)
				}
			}
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	// τ = Σ_k n^k (z_k − 1)/δ_k: every core on its lattice point t.
	tau := form{alpha: new(big.Rat), beta: make([]*big.Rat, in)}
	for t := range in {
		tau.beta[t] = new(big.Rat)
	}
	pw := rat(1)
	for k := range d {
		c := new(big.Rat).Quo(pw, g.Deltar[k])
		tau.alpha.Add(tau.alpha, new(big.Rat).Mul(c, new(big.Rat).Sub(z[k].alpha, rat(1))))
		for t := range in {
			tau.beta[t].Add(tau.beta[t], new(big.Rat).Mul(c, z[k].beta[t]))
		}
		pw = new(big.Rat).Mul(pw, rat(int64(n)))
	}
	sh := new(big.Rat).SetFloat64(shift)
	q := func(t, r int) *big.Rat { return new(big.Rat).Add(new(big.Rat).SetFloat64(means[t*m+r]), sh) }
	// C_1: u = σ(τ − 0), v_r = σ(q_{0,r}(τ + 1)) (τ_1 = 0, phantom τ_0 = −1, all gaps 1).
	c1 := nn.NewLayer(in, m+1, nn.ReLU)
	setRow(&c1, 0, tau, 1, new(big.Rat))
	for r := range m {
		qr := q(0, r)
		for i := range in {
			c1.W[r+1][i] = new(big.Rat).Mul(tau.beta[i], qr)
		}
		c1.B[r+1] = new(big.Rat).Mul(new(big.Rat).Add(tau.alpha, rat(1)), qr)
	}
	net.Hidden = append(net.Hidden, c1)
	four := rat(4)
	for t := 1; t < N; t++ {
		if t%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if progress != nil {
				progress(int64(len(net.Hidden)), total)
			}
		}
		// S_t: u ← σ(u), v_r ← σ(v_r − λ u), λ = s·κ·(g+g)/g = 4 q_{t−1} (s = 2).
		s := nn.NewLayer(m+1, m+1, nn.ReLU)
		s.W[0][0].SetInt64(1)
		// C_{t+1}: u ← σ(u − 1), v_r ← σ(v_r + q_t u).
		c := nn.NewLayer(m+1, m+1, nn.ReLU)
		c.W[0][0].SetInt64(1)
		c.B[0].SetInt64(-1)
		for r := range m {
			s.W[r+1][r+1].SetInt64(1)
			s.W[r+1][0] = new(big.Rat).Neg(new(big.Rat).Mul(four, q(t-1, r)))
			c.W[r+1][r+1].SetInt64(1)
			c.W[r+1][0] = q(t, r)
		}
		net.Hidden = append(net.Hidden, s, c)
	}
	ro := nn.NewLayer(m+1, m, nn.Identity)
	for r := range m {
		ro.W[r][r+1].SetInt64(1)
		ro.B[r] = new(big.Rat).Neg(sh)
	}
	net.Readout = ro
	if progress != nil {
		progress(total, total)
	}
	return net, nil
}

// Cores returns sample points of every cell core — its lower corner, its
// upper corner (a + (j+1)h − δ) and its centre, each rounded to float64 and
// kept only if it still lies in the closed core — with the cell index.
func (g *Geometry) Cores() (xs [][]float64, cell []int) {
	j := make([]int, g.D)
	for t := range g.Cells() {
		g.Index(t, j)
		for which := range 3 {
			x := make([]float64, g.D)
			ok := true
			for k := range g.D {
				lo := new(big.Rat).Add(g.Ar[k], new(big.Rat).Mul(rat(int64(j[k])), g.Hr[k]))
				hi := new(big.Rat).Sub(new(big.Rat).Add(lo, g.Hr[k]), g.Deltar[k])
				var v *big.Rat
				switch which {
				case 0:
					v = lo
				case 1:
					v = hi
				default:
					v = new(big.Rat).Quo(new(big.Rat).Add(lo, hi), rat(2))
				}
				x[k], _ = v.Float64()
				xr := new(big.Rat).SetFloat64(x[k])
				if xr.Cmp(lo) < 0 || xr.Cmp(hi) > 0 {
					ok = false
				}
			}
			if ok {
				xs = append(xs, x)
				cell = append(cell, t)
			}
		}
	}
	return xs, cell
}

// CoreCheck is the outcome of CheckCores.
type CoreCheck struct {
	Points int  `json:"core_points_checked"`
	Cells  int  `json:"cells"`
	Equal  int  `json:"core_points_equal"`
	Exact  bool `json:"cores_exact"`
	// FirstWrong describes the first point whose exact output is not c_j.
	FirstWrong string `json:"first_wrong,omitempty"`
}

// CheckCores checks, in exact arithmetic (nn.EvalExact), that the network
// outputs the cell mean c_j exactly at the sample points of every cell core
// (Cores). It evaluates the d·n flatten layers at every sample point and
// checks that the points of one core reach exactly the same state, then
// evaluates the whole network at one point per core (equal states give
// equal outputs) and compares with c_j.
func CheckCores(a *Approx, progress func(done int64)) (*CoreCheck, error) {
	xs, cell := a.Geom.Cores()
	cc := &CoreCheck{Points: len(xs), Cells: a.Geom.Cells()}
	w := a.Net.Hidden[a.Flat-1].Out()
	prefix := &nn.Network{InputDim: a.Net.InputDim, Hidden: a.Net.Hidden[:a.Flat], Readout: nn.NewLayer(w, w, nn.Identity)}
	for i := range w {
		prefix.Readout.W[i][i].SetInt64(1)
	}
	states, err := nn.EvalExact(context.Background(), prefix, xs, nil)
	if err != nil {
		return nil, err
	}
	var first []int // one sample point per cell
	same := make([]bool, len(xs))
	start := 0
	for i := range xs {
		if i == 0 || cell[i] != cell[i-1] {
			start = i
			first = append(first, i)
		}
		same[i] = true
		for k := range states[i] {
			if states[i][k].Cmp(states[start][k]) != 0 {
				same[i] = false
			}
		}
	}
	pts := make([][]float64, len(first))
	for k, i := range first {
		pts[k] = xs[i]
	}
	outs, err := nn.EvalExact(context.Background(), a.Net, pts, progress)
	if err != nil {
		return nil, err
	}
	ok := map[int]bool{}
	for k, i := range first {
		good := true
		for r := range a.M {
			if outs[k][r].Cmp(new(big.Rat).SetFloat64(a.Mean(cell[i], r))) != 0 {
				good = false
				if cc.FirstWrong == "" {
					cc.FirstWrong = fmt.Sprintf("x=%v (cell %d) output %s, cell mean %g", xs[i], cell[i], outs[k][r].FloatString(12), a.Mean(cell[i], r))
				}
			}
		}
		ok[cell[i]] = good
	}
	for i := range xs {
		if same[i] && ok[cell[i]] {
			cc.Equal++
		} else if !same[i] && cc.FirstWrong == "" {
			cc.FirstWrong = fmt.Sprintf("x=%v (cell %d) leaves the flatten layers in another state than the core's first sample point", xs[i], cell[i])
		}
	}
	cc.Exact = cc.Equal == cc.Points
	return cc, nil
}
