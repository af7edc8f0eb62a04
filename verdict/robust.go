package verdict

import (
	"context"
	"errors"
	"math"
	"math/big"
	"sort"

	"github.com/memnet/memnet/nn"
)

// This file computes the robust radius of a network on its training points:
// the largest ℓ∞ radius μ such that the class the network's outputs stand
// for (nn.ClassOfRat) is the point's label on the whole box {x : ‖x − x_i‖∞ < μ}
// of every training point x_i (Kim, Moon & Yun, NeurIPS 2025; Yu, Gao &
// Zhang, ICLR 2024). It is exact for networks whose first hidden layer is
// one projection (every row a multiple c_j·w of one vector w): then the
// network is a function g(τ) of τ = w·x, the μ-box of x_i maps onto the
// interval τ_i ± μ‖w‖₁, and g is piecewise affine (nn.ReLU, STEP, identity
// units), so the nearest τ where the class changes is found exactly by
// propagating g's pieces layer by layer. Otherwise it gives bounds.

// RadiusKind says how a Radius was obtained.
type RadiusKind string

const (
	// RadiusExact: the first layer is one projection; Value is exact.
	RadiusExact RadiusKind = "exact"
	// RadiusBounds: Lower ≤ μ* ≤ Upper (Lower 0 when none is known).
	RadiusBounds RadiusKind = "bounds"
)

// Radius is a network's robust radius on a dataset.
type Radius struct {
	Kind RadiusKind `json:"kind"`
	// Value is μ* exactly (RadiusExact), as a rational and a float.
	Value    *big.Rat `json:"-"`
	ValueF   float64  `json:"value,omitempty"`
	Exact    string   `json:"value_exact,omitempty"` // Value as p/q
	Lower    float64  `json:"lower"`
	Upper    float64  `json:"upper"`
	Argmin   int      `json:"argmin_point"` // a training point attaining μ* (exact), −1 otherwise
	Note     string   `json:"note,omitempty"`
	Infinite bool     `json:"infinite,omitempty"` // no two labels differ: no upper bound from the data
}

// ErrRadiusTooLarge is returned when the exact computation would exceed its
// work limit.
var ErrRadiusTooLarge = errors.New("robust radius: too many pieces for the exact computation")

// maxRadiusPieces bounds the pieces summed over every neuron and window,
// maxRadiusBits the bit length of a breakpoint's numerator or denominator.
const (
	maxRadiusPieces = 4_000_000
	maxRadiusBits   = 1 << 14
)

// RobustRadius returns the robust radius of net on the points xs labelled y
// (class indices among m classes). The data upper bound ½·min ‖x_i − x_j‖∞
// over differently labelled points holds for every network that memorizes
// them; an all-STEP first layer adds the lower bound min_{i,k} |z_k(x_i)|/‖w_k‖₁
// (no first-layer unit changes on a smaller box, so neither does the
// network); a one-projection first layer gives μ* exactly.
func RobustRadius(ctx context.Context, net *nn.Network, xs [][]float64, y []int, m int) (*Radius, error) {
	if err := net.Check(); err != nil {
		return nil, err
	}
	r := &Radius{Kind: RadiusBounds, Argmin: -1}
	r.Upper, r.Infinite = dataRadiusUpper(xs, y)
	if r.Infinite {
		r.Note = "one label: no radius from the data"
		return r, nil
	}
	if w, cs, ok := oneProjection(net); ok && !net.HasActivation(nn.Sigmoid) {
		v, arg, err := projectionRadius(ctx, net, w, cs, xs, y, m)
		if err == nil {
			r.Kind, r.Value, r.Argmin = RadiusExact, v, arg
			r.ValueF, _ = v.Float64()
			r.Exact = v.RatString()
			r.Lower, r.Upper = r.ValueF, r.ValueF
			return r, nil
		}
		switch {
		case errors.Is(err, ErrRadiusTooLarge):
			r.Note = "exact computation over its piece or bit limit"
		case errors.Is(err, context.DeadlineExceeded):
			r.Note = "exact computation over its time limit"
		default:
			return nil, err
		}
	}
	if len(net.Hidden) > 0 && allAct(net.Hidden[0], nn.Step) {
		r.Lower = stepLayerLower(net.Hidden[0], xs)
		if r.Note == "" {
			r.Note = "lower bound: no first-layer STEP unit changes"
		}
	} else if r.Note == "" {
		r.Note = "data upper bound only"
	}
	return r, nil
}

func allAct(l nn.Layer, a nn.Activation) bool {
	for _, b := range l.Act {
		if b != a {
			return false
		}
	}
	return true
}

// dataRadiusUpper is ½·min ‖x_i − x_j‖∞ over pairs with different labels
// (rounded up), and whether there is no such pair. All pairs while
// N²·d ≤ 2·10⁹; above that every step-th point against all others, still
// an upper bound (a minimum over fewer pairs is no smaller).
func dataRadiusUpper(xs [][]float64, y []int) (float64, bool) {
	best := math.Inf(1)
	N := len(xs)
	step := 1
	if N > 0 {
		if work := float64(N) * float64(N) * float64(len(xs[0])); work > 2e9 {
			step = int(math.Ceil(work / 2e9))
		}
	}
	for i := 0; i < N; i += step {
		for j := i + 1; j < N; j++ {
			if y[i] == y[j] {
				continue
			}
			d := 0.0
			for k := range xs[i] {
				d = math.Max(d, math.Abs(xs[i][k]-xs[j][k]))
				if d >= best {
					break
				}
			}
			best = math.Min(best, d)
		}
	}
	if math.IsInf(best, 1) {
		return best, step == 1 // sampled rows may miss every pair: no bound, but not "one label"
	}
	return math.Nextafter(best/2, math.Inf(1)), false
}

// stepLayerLower is min over points and units of |z_k(x_i)|/‖w_k‖₁ (float,
// rounded down), the ℓ∞ distance from x_i to unit k's hyperplane.
func stepLayerLower(l nn.Layer, xs [][]float64) float64 {
	best := math.Inf(1)
	for k := range l.W {
		n1 := 0.0
		w := make([]float64, len(l.W[k]))
		for j, v := range l.W[k] {
			w[j], _ = v.Float64()
			n1 += math.Abs(w[j])
		}
		b, _ := l.B[k].Float64()
		if n1 == 0 {
			continue
		}
		for _, x := range xs {
			z, a := b, math.Abs(b)
			for j, v := range x {
				z += w[j] * v
				a += math.Abs(w[j] * v)
			}
			d := (math.Abs(z) - 1e-12*a) / n1 // outward for the float error
			best = math.Min(best, math.Max(0, d*(1-1e-12)))
		}
	}
	return best
}

// oneProjection reports whether every row of the first hidden layer is a
// multiple c_j·w of one vector w (the first nonzero row), returning w and c.
func oneProjection(net *nn.Network) ([]*big.Rat, []*big.Rat, bool) {
	if len(net.Hidden) == 0 {
		return nil, nil, false
	}
	l := net.Hidden[0]
	var w []*big.Rat
	piv := -1
	for _, row := range l.W {
		for i, v := range row {
			if v.Sign() != 0 {
				w, piv = row, i
				break
			}
		}
		if w != nil {
			break
		}
	}
	if w == nil {
		return nil, nil, false
	}
	cs := make([]*big.Rat, len(l.W))
	t := new(big.Rat)
	for j, row := range l.W {
		c := new(big.Rat).Quo(row[piv], w[piv])
		for i := range row {
			if t.Mul(c, w[i]).Cmp(row[i]) != 0 {
				return nil, nil, false
			}
		}
		cs[j] = c
	}
	return w, cs, true
}

// projectionRadius computes μ* exactly for a one-projection network:
// τ_i = w·x_i; ρ₀ = ½·min |τ_i − τ_j| over different labels (some point's
// label changes within ρ₀ of it, since the class changes between τ_i and
// τ_j); g is propagated on the union of the windows τ_i ± ρ₀, and μ* is the
// least distance from a τ_i to a τ of another class, capped at ρ₀, over ‖w‖₁.
func projectionRadius(ctx context.Context, net *nn.Network, w, cs []*big.Rat, xs [][]float64, y []int, m int) (*big.Rat, int, error) {
	N := len(xs)
	tau := make([]*big.Rat, N)
	t := new(big.Rat)
	for i, x := range xs {
		s := new(big.Rat)
		for k, v := range w {
			if v.Sign() != 0 && x[k] != 0 {
				s.Add(s, t.Mul(v, t.SetFloat64(x[k])))
			}
		}
		tau[i] = s
	}
	order := make([]int, N)
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return tau[order[a]].Cmp(tau[order[b]]) < 0 })
	var rho *big.Rat
	for k := 1; k < N; k++ {
		i, j := order[k-1], order[k]
		if y[i] != y[j] {
			d := new(big.Rat).Sub(tau[j], tau[i])
			if rho == nil || d.Cmp(rho) < 0 {
				rho = d
			}
		}
	}
	if rho == nil {
		return nil, -1, errors.New("robust radius: one label")
	}
	rho.Quo(rho, big.NewRat(2, 1))
	norm1 := new(big.Rat)
	for _, v := range w {
		norm1.Add(norm1, new(big.Rat).Abs(v))
	}
	// windows τ_i ± ρ₀, merged where they overlap
	type window struct {
		lo, hi *big.Rat
		pts    []int
	}
	var wins []window
	for _, i := range order {
		lo, hi := new(big.Rat).Sub(tau[i], rho), new(big.Rat).Add(tau[i], rho)
		if n := len(wins); n > 0 && lo.Cmp(wins[n-1].hi) <= 0 {
			wins[n-1].hi = hi
			wins[n-1].pts = append(wins[n-1].pts, i)
			continue
		}
		wins = append(wins, window{lo, hi, []int{i}})
	}
	best := new(big.Rat).Set(rho)
	arg := order[0]
	pieces := 0
	for _, win := range wins {
		if err := ctx.Err(); err != nil {
			return nil, -1, err
		}
		outs, n, err := propagate(ctx, net, cs, win.lo, win.hi, maxRadiusPieces-pieces)
		if err != nil {
			return nil, -1, err
		}
		pieces += n
		cl := classPieces(outs, m)
		for _, i := range win.pts {
			if d := cl.distance(tau[i], y[i]); d != nil && d.Cmp(best) < 0 {
				best, arg = d, i
			}
		}
	}
	if rho.Sign() == 0 {
		best.SetInt64(0)
	}
	return best.Quo(best, norm1), arg, nil
}

// plf is a piecewise affine function on [bp[0], bp[k]], possibly
// discontinuous at its breakpoints: on the open piece (bp[j], bp[j+1]) it is
// a[j]·τ + b[j]; at bp[j] its value is v[j].
type plf struct {
	bp, v, a, b []*big.Rat
}

func (f *plf) at(j int, t *big.Rat) *big.Rat { // the piece j's affine value at t
	r := new(big.Rat).Mul(f.a[j], t)
	return r.Add(r, f.b[j])
}

// affineOnly reports whether f is one affine piece continuous at its ends.
func (f *plf) affineOnly() bool {
	return len(f.a) == 1 && f.at(0, f.bp[0]).Cmp(f.v[0]) == 0 && f.at(0, f.bp[1]).Cmp(f.v[1]) == 0
}

// propagate returns the read-out's functions of τ on [lo, hi], with the
// first layer's pre-activations c_j·τ + b_j, and the number of pieces made.
func propagate(ctx context.Context, net *nn.Network, cs []*big.Rat, lo, hi *big.Rat, budget int) ([]*plf, int, error) {
	pieces := 0
	l0 := net.Hidden[0]
	cur := make([]*plf, len(cs))
	for j, c := range cs {
		f := &plf{bp: []*big.Rat{lo, hi}, a: []*big.Rat{new(big.Rat).Set(c)}, b: []*big.Rat{new(big.Rat).Set(l0.B[j])}}
		f.v = []*big.Rat{f.at(0, lo), f.at(0, hi)}
		cur[j] = activatePLF(f, l0.Act[j])
		pieces += len(cur[j].a)
	}
	for _, l := range net.Layers()[1:] {
		for _, f := range cur {
			for _, p := range f.bp {
				if p.Num().BitLen() > maxRadiusBits || p.Denom().BitLen() > maxRadiusBits {
					return nil, pieces, ErrRadiusTooLarge
				}
			}
		}
		next := make([]*plf, l.Out())
		for j := range next {
			f := combine(cur, l.W[j], l.B[j], lo, hi)
			next[j] = activatePLF(f, l.Act[j])
			pieces += len(next[j].a)
			if pieces > budget {
				return nil, pieces, ErrRadiusTooLarge
			}
			if j%64 == 0 && ctx.Err() != nil {
				return nil, pieces, ctx.Err()
			}
		}
		cur = next
	}
	return cur, pieces, nil
}

// combine returns Σ_m w_m·f_m + b on [lo, hi].
func combine(fs []*plf, w []*big.Rat, b *big.Rat, lo, hi *big.Rat) *plf {
	A, B := new(big.Rat), new(big.Rat).Set(b) // the affine inputs, folded
	var used []int
	bps := []*big.Rat{lo, hi}
	t := new(big.Rat)
	for m, c := range w {
		if c.Sign() == 0 {
			continue
		}
		f := fs[m]
		if f.affineOnly() {
			A.Add(A, t.Mul(c, f.a[0]))
			B.Add(B, t.Mul(c, f.b[0]))
			continue
		}
		used = append(used, m)
		bps = append(bps, f.bp[1:len(f.bp)-1]...)
	}
	sort.Slice(bps, func(i, j int) bool { return bps[i].Cmp(bps[j]) < 0 })
	uniq := bps[:1]
	for _, p := range bps[1:] {
		if p.Cmp(uniq[len(uniq)-1]) != 0 {
			uniq = append(uniq, p)
		}
	}
	k := len(uniq) - 1
	out := &plf{bp: uniq, v: make([]*big.Rat, k+1), a: make([]*big.Rat, k), b: make([]*big.Rat, k)}
	for j := range k {
		out.a[j], out.b[j] = new(big.Rat).Set(A), new(big.Rat).Set(B)
	}
	for j := range k + 1 {
		out.v[j] = new(big.Rat).Add(new(big.Rat).Mul(A, uniq[j]), B)
	}
	for _, m := range used {
		f, c := fs[m], w[m]
		q := 0 // f's piece holding the current output piece
		for j := range k {
			for f.bp[q+1].Cmp(uniq[j]) <= 0 {
				q++
			}
			out.a[j].Add(out.a[j], t.Mul(c, f.a[q]))
			out.b[j].Add(out.b[j], t.Mul(c, f.b[q]))
		}
		q = 0
		for j := range k + 1 {
			for q < len(f.bp)-1 && f.bp[q].Cmp(uniq[j]) < 0 {
				q++
			}
			var val *big.Rat
			if f.bp[q].Cmp(uniq[j]) == 0 {
				val = f.v[q]
			} else {
				val = f.at(q-1, uniq[j])
			}
			out.v[j].Add(out.v[j], t.Mul(c, val))
		}
	}
	return out
}

// activatePLF applies a to f, splitting pieces where they cross 0.
func activatePLF(f *plf, a nn.Activation) *plf {
	if a == nn.Identity {
		return f
	}
	out := &plf{}
	act := func(z *big.Rat) *big.Rat {
		switch {
		case a == nn.Step && z.Sign() >= 0:
			return big.NewRat(1, 1)
		case a == nn.Step:
			return new(big.Rat)
		case z.Sign() > 0:
			return z
		}
		return new(big.Rat)
	}
	piece := func(aj, bj, l, r *big.Rat) { // a·τ+b on (l, r), no root inside
		mid := new(big.Rat).Add(l, r)
		mid.Quo(mid, big.NewRat(2, 1))
		z := new(big.Rat).Add(new(big.Rat).Mul(aj, mid), bj)
		switch {
		case a == nn.Step && z.Sign() >= 0:
			out.a, out.b = append(out.a, new(big.Rat)), append(out.b, big.NewRat(1, 1))
		case a == nn.Step || z.Sign() <= 0:
			out.a, out.b = append(out.a, new(big.Rat)), append(out.b, new(big.Rat))
		default:
			out.a, out.b = append(out.a, aj), append(out.b, bj)
		}
	}
	for j := range f.a {
		out.bp, out.v = append(out.bp, f.bp[j]), append(out.v, act(f.v[j]))
		l, r := f.bp[j], f.bp[j+1]
		if f.a[j].Sign() != 0 {
			root := new(big.Rat).Quo(new(big.Rat).Neg(f.b[j]), f.a[j])
			if root.Cmp(l) > 0 && root.Cmp(r) < 0 {
				piece(f.a[j], f.b[j], l, root)
				out.bp, out.v = append(out.bp, root), append(out.v, act(new(big.Rat)))
				piece(f.a[j], f.b[j], root, r)
				continue
			}
		}
		piece(f.a[j], f.b[j], l, r)
	}
	k := len(f.a)
	out.bp, out.v = append(out.bp, f.bp[k]), append(out.v, act(f.v[k]))
	return out
}

// classes of τ on a window: the class at each breakpoint and on each open
// piece between consecutive breakpoints (pieces are cut where an output
// crosses a half-integer, or two outputs cross, so the class is constant on
// each).
type classMap struct {
	bp    []*big.Rat
	atBP  []int
	piece []int
}

func classPieces(outs []*plf, m int) classMap {
	// common breakpoints, then the class-change points inside each piece
	f := combineAll(outs)
	var cuts []*big.Rat
	cuts = append(cuts, f[0].bp...)
	k := len(f[0].a)
	for j := range k {
		l, r := f[0].bp[j], f[0].bp[j+1]
		for _, c := range crossings(f, j, m) {
			if c.Cmp(l) > 0 && c.Cmp(r) < 0 {
				cuts = append(cuts, c)
			}
		}
	}
	sort.Slice(cuts, func(i, j int) bool { return cuts[i].Cmp(cuts[j]) < 0 })
	uniq := cuts[:1]
	for _, p := range cuts[1:] {
		if p.Cmp(uniq[len(uniq)-1]) != 0 {
			uniq = append(uniq, p)
		}
	}
	cm := classMap{bp: uniq, atBP: make([]int, len(uniq)), piece: make([]int, len(uniq)-1)}
	q := 0
	vals := make([]*big.Rat, len(f))
	for j, p := range uniq {
		for q < len(f[0].bp)-1 && f[0].bp[q+1].Cmp(p) <= 0 {
			q++
		}
		// value at p: a breakpoint value or the affine piece's
		for o := range f {
			if f[o].bp[q].Cmp(p) == 0 {
				vals[o] = f[o].v[q]
			} else {
				vals[o] = f[o].at(q, p)
			}
		}
		cm.atBP[j] = nn.ClassOfRat(vals, m)
		if j+1 < len(uniq) {
			mid := new(big.Rat).Add(p, uniq[j+1])
			mid.Quo(mid, big.NewRat(2, 1))
			qq := q
			for qq < len(f[0].bp)-2 && f[0].bp[qq+1].Cmp(mid) <= 0 {
				qq++
			}
			for o := range f {
				vals[o] = f[o].at(qq, mid)
			}
			cm.piece[j] = nn.ClassOfRat(vals, m)
		}
	}
	return cm
}

// combineAll puts the outputs on common breakpoints.
func combineAll(outs []*plf) []*plf {
	if len(outs) == 1 {
		return outs
	}
	var bps []*big.Rat
	for _, f := range outs {
		bps = append(bps, f.bp...)
	}
	res := make([]*plf, len(outs))
	for o, f := range outs {
		res[o] = refine(f, bps)
	}
	return res
}

// refine adds breakpoints to f (values from the pieces).
func refine(f *plf, extra []*big.Rat) *plf {
	all := append(append([]*big.Rat{}, f.bp...), extra...)
	sort.Slice(all, func(i, j int) bool { return all[i].Cmp(all[j]) < 0 })
	out := &plf{}
	q := 0
	for _, p := range all {
		if n := len(out.bp); n > 0 && out.bp[n-1].Cmp(p) == 0 {
			continue
		}
		for q < len(f.bp)-1 && f.bp[q+1].Cmp(p) <= 0 {
			q++
		}
		if f.bp[q].Cmp(p) == 0 {
			out.v = append(out.v, f.v[q])
		} else {
			out.v = append(out.v, f.at(q, p))
		}
		if len(out.bp) > 0 {
			qq := q
			if f.bp[q].Cmp(p) == 0 && q > 0 {
				qq = q - 1
			}
			out.a, out.b = append(out.a, f.a[qq]), append(out.b, f.b[qq])
		}
		out.bp = append(out.bp, p)
	}
	return out
}

// crossings are the τ where, on piece j, a single output crosses a
// half-integer k + 1/2 (0 ≤ k < m, and −1/2) or two outputs are equal.
func crossings(f []*plf, j, m int) []*big.Rat {
	var out []*big.Rat
	if len(f) == 1 {
		a, b := f[0].a[j], f[0].b[j]
		if a.Sign() == 0 {
			return nil
		}
		for k := -1; k < m; k++ {
			h := big.NewRat(int64(2*k+1), 2)
			t := new(big.Rat).Sub(h, b)
			out = append(out, t.Quo(t, a))
		}
		return out
	}
	for p := range f {
		for q := p + 1; q < len(f); q++ {
			a := new(big.Rat).Sub(f[p].a[j], f[q].a[j])
			if a.Sign() == 0 {
				continue
			}
			b := new(big.Rat).Sub(f[q].b[j], f[p].b[j])
			out = append(out, b.Quo(b, a))
		}
	}
	return out
}

// distance is the least |τ − t| over t in the window whose class is not
// want, nil when there is none in the window.
func (cm classMap) distance(t *big.Rat, want int) *big.Rat {
	var best *big.Rat
	consider := func(d *big.Rat) {
		d.Abs(d)
		if best == nil || d.Cmp(best) < 0 {
			best = d
		}
	}
	for j, p := range cm.bp {
		if cm.atBP[j] != want {
			consider(new(big.Rat).Sub(p, t))
		}
		if j+1 < len(cm.bp) && cm.piece[j] != want {
			l, r := p, cm.bp[j+1]
			switch {
			case t.Cmp(l) <= 0:
				consider(new(big.Rat).Sub(l, t))
			case t.Cmp(r) >= 0:
				consider(new(big.Rat).Sub(t, r))
			default:
				return new(big.Rat) // t inside a piece of another class
			}
		}
	}
	return best
}
