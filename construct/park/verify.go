package park

import (
	"errors"
	"fmt"
	"math/big"
	"math/bits"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/memnet/memnet/construct/project"
	"github.com/memnet/memnet/nn"
)

// ErrNotTyped is returned by VerifyFast when a network does not have the
// structure the typed evaluator needs; nn.Verify handles every network.
var ErrNotTyped = errors.New("park: network does not fit the typed fast evaluator")

// This file is the typed exact evaluator of spec §10.3 for deep narrow
// networks whose first layer is a rank-one projection: every first-layer row
// is an integer multiple α_j of one dyadic vector v, and every bias b_j
// differs from α_j·b* by an integer (b* the bias of the first neuron divided
// by its α). Then each first-layer pre-activation is α_j·φ + k_j with
// φ = frac(v·x + b*) ∈ [0,1) the point's fraction and k_j an integer. It
// reads the weights of the network it is given (nothing is assumed about
// how it was built) and statically types every neuron:
//
//   - "x-typed": all nonzero weights and the bias are integers and every
//     input is x-typed; its value is m·φ + k with int64 m, k (overflow is
//     detected and refused). STEP(m·φ + k) is decided exactly, usually from
//     k and m alone (0 ≤ φ < 1), otherwise by one big-integer comparison;
//   - "dyadic": value Z·2^-s with a static scale s as in nn.Compile; an
//     identity whose only nonzero term at run time is a unit-weight copy
//     shares the big integer instead of copying it, and a STEP of one
//     unit-weight term against a constant is a single comparison.
//
// The label chain of the Park construction copies a BD-bit constant through
// thousands of layers and changes it only a few times per point, so this
// costs Θ(N·(L + BD·BD/64)) instead of Θ(N·L·BD/64).

type xval struct{ m, k int64 }

type fterm struct {
	in    int
	xin   bool     // input is x-typed
	wi    int64    // integer weight (x-typed neurons)
	small bool     // |wi| ≤ 2^20: products with |h| < 2^34 are < 2^54, and ≤ 64 of them fit
	wm    *big.Int // weight mantissa (dyadic neurons)
	unit  int      // ±1 when wm is ±1
	shift uint     // shift of w·h to the neuron's scale
	wsh   *big.Int // wm << shift, for x-typed inputs of scale 0
	wphi  *big.Int // wm << (scale − e): the φ coefficient at the neuron's scale
}

type fneuron struct {
	xtyped bool // computed in int64 as m·φ + k
	xout   bool // output is x-typed (x-typed neurons and every STEP)
	act    nn.Activation
	terms  []fterm
	bi     int64    // x-typed bias
	bias   *big.Int // dyadic bias at the neuron's scale (nil: zero)
	negB   *big.Int // −bias (0 when nil)
	scale  int      // dyadic output scale (0 for STEP)
	scale0 int      // scale of the pre-activation
	mzero  bool     // x-typed and m is always 0
}

type fastProg struct {
	v     []float64 // first-layer direction
	bstar *big.Rat
	alpha []int64 // first layer: pre_j = α_j·(v·x + b*) + n_j
	// firstConst holds the values of non-integer constant first-layer neurons
	firstConst []*fbuf
	n0         []int64
	first      []fneuron // first layer static types (x-typed, from α, n)
	layers     [][]fneuron
	sphi       int // scale of φ
}

func ratInt64(r *big.Rat) (int64, bool) {
	if !r.IsInt() || !r.Num().IsInt64() {
		return 0, false
	}
	v := r.Num().Int64()
	if v > 1<<61 || v < -(1<<61) {
		return 0, false
	}
	return v, true
}

func dyParts(r *big.Rat) (*big.Int, int) {
	m := new(big.Int).Set(r.Num())
	d := r.Denom()
	if d.BitLen() != int(d.TrailingZeroBits())+1 {
		return nil, 0
	}
	e := d.BitLen() - 1
	if m.Sign() != 0 && e == 0 {
		tz := m.TrailingZeroBits()
		m.Rsh(m, tz)
		e = -int(tz)
	}
	return m, e
}

func compileFast(net *nn.Network) (*fastProg, error) {
	if err := net.Check(); err != nil {
		return nil, err
	}
	if len(net.Hidden) == 0 {
		return nil, ErrNotTyped
	}
	l1 := &net.Hidden[0]
	// direction: the first nonzero row
	var v []*big.Rat
	for j := range l1.W {
		for _, w := range l1.W[j] {
			if w.Sign() != 0 {
				v = l1.W[j]
				break
			}
		}
		if v != nil {
			break
		}
	}
	if v == nil {
		return nil, ErrNotTyped
	}
	c0 := -1
	for c, w := range v {
		if w.Sign() != 0 {
			c0 = c
			break
		}
	}
	fp := &fastProg{v: make([]float64, len(v))}
	for c, w := range v {
		f, exact := w.Float64()
		if !exact {
			return nil, fmt.Errorf("%w: first-layer weight not a float64", ErrNotTyped)
		}
		fp.v[c] = f
	}
	alphaR := make([]*big.Rat, len(l1.W))
	for j := range l1.W {
		a := new(big.Rat).Quo(l1.W[j][c0], v[c0])
		for c := range v {
			if new(big.Rat).Mul(a, v[c]).Cmp(l1.W[j][c]) != 0 {
				return nil, fmt.Errorf("%w: first layer is not rank one", ErrNotTyped)
			}
		}
		alphaR[j] = a
		ai, ok := ratInt64(a)
		if !ok {
			return nil, fmt.Errorf("%w: first-layer multiple not an integer", ErrNotTyped)
		}
		fp.alpha = append(fp.alpha, ai)
	}
	// b*: from the first neuron with α ≠ 0
	for j, a := range alphaR {
		if a.Sign() != 0 {
			fp.bstar = new(big.Rat).Quo(l1.B[j], a)
			break
		}
	}
	fp.firstConst = make([]*fbuf, len(l1.W))
	for j := range l1.W {
		if l1.Act[j] == nn.Sigmoid {
			return nil, fmt.Errorf("%w: sigmoid", ErrNotTyped)
		}
		if fp.alpha[j] == 0 {
			// a constant neuron: its value act(b_j) is computed once
			b := new(big.Rat).Set(l1.B[j])
			switch l1.Act[j] {
			case nn.Step:
				b.SetInt64(b2i(b.Sign() >= 0))
			case nn.ReLU:
				if b.Sign() < 0 {
					b.SetInt64(0)
				}
			}
			if bi, ok := ratInt64(b); ok {
				fp.n0 = append(fp.n0, bi)
				fp.first = append(fp.first, fneuron{xtyped: true, xout: true, act: nn.Identity, mzero: true})
				continue
			}
			m, e := dyParts(b)
			if m == nil {
				return nil, fmt.Errorf("%w: non-dyadic bias", ErrNotTyped)
			}
			c := &fbuf{konst: true}
			c.v.Set(m)
			fp.firstConst[j] = c
			fp.n0 = append(fp.n0, 0)
			fp.first = append(fp.first, fneuron{act: nn.Identity, scale: e, scale0: e})
			continue
		}
		n := new(big.Rat).Sub(l1.B[j], new(big.Rat).Mul(alphaR[j], fp.bstar))
		ni, ok := ratInt64(n)
		if !ok {
			return nil, fmt.Errorf("%w: first-layer bias offset not an integer", ErrNotTyped)
		}
		fp.n0 = append(fp.n0, ni)
		fp.first = append(fp.first, fneuron{xtyped: true, xout: true, act: l1.Act[j], mzero: l1.Act[j] == nn.Step})
	}
	_, be := dyParts(fp.bstar)
	fp.sphi = max(be, 0) // refined per dataset in prepare
	prev := fp.first
	prevScale := make([]int, len(prev))
	for j, n := range prev {
		prevScale[j] = n.scale
	}
	for li := 1; li <= len(net.Hidden); li++ {
		var l *nn.Layer
		if li == len(net.Hidden) {
			l = &net.Readout
		} else {
			l = &net.Hidden[li]
		}
		cur := make([]fneuron, l.Out())
		scales := make([]int, l.Out())
		for j := range l.W {
			n := fneuron{act: l.Act[j]}
			if n.act == nn.Sigmoid {
				return nil, fmt.Errorf("%w: sigmoid", ErrNotTyped)
			}
			xt := true
			mz := true
			for i, w := range l.W[j] {
				if w.Sign() == 0 {
					continue
				}
				if _, ok := ratInt64(w); !ok || !prev[i].xout {
					xt = false
				}
				if !prev[i].mzero {
					mz = false
				}
			}
			if _, ok := ratInt64(l.B[j]); !ok {
				xt = false
			}
			n.xtyped = xt
			if xt {
				n.mzero = mz || n.act == nn.Step
				n.bi, _ = ratInt64(l.B[j])
				for i, w := range l.W[j] {
					if w.Sign() != 0 {
						wi, _ := ratInt64(w)
						n.terms = append(n.terms, fterm{in: i, xin: true, wi: wi, small: wi >= -(1<<20) && wi <= 1<<20 && len(l.W[j]) <= 64})
					}
				}
			} else {
				// dyadic neuron: static scale
				type raw struct {
					m *big.Int
					e int
					i int
				}
				var rs []raw
				zs := 0
				for i, w := range l.W[j] {
					if w.Sign() == 0 {
						continue
					}
					m, e := dyParts(w)
					if m == nil {
						return nil, fmt.Errorf("%w: non-dyadic weight", ErrNotTyped)
					}
					rs = append(rs, raw{m, e, i})
					zs = max(zs, e+inScale(prev[i], prevScale[i], -1))
				}
				var bm *big.Int
				be := 0
				if l.B[j].Sign() != 0 {
					bm, be = dyParts(l.B[j])
					if bm == nil {
						return nil, fmt.Errorf("%w: non-dyadic bias", ErrNotTyped)
					}
					zs = max(zs, be)
				}
				if bm != nil {
					n.bias = bm.Lsh(bm, uint(zs-be))
					n.negB = new(big.Int).Neg(n.bias)
				} else {
					n.negB = new(big.Int)
				}
				for _, r := range rs {
					// the shift for φ-carrying x inputs is fixed per dataset; store
					// the scale difference relative to the input's scale marker.
					t := fterm{in: r.i, xin: prev[r.i].xout, wm: r.m}
					s := zs - r.e - inScale(prev[r.i], prevScale[r.i], -1)
					t.shift = uint(s)
					if r.m.IsInt64() && (r.m.Int64() == 1 || r.m.Int64() == -1) {
						t.unit = int(r.m.Int64())
					}
					if t.xin {
						t.wsh = new(big.Int).Lsh(r.m, t.shift)
					}
					t.wphi = new(big.Int).Lsh(r.m, uint(zs-r.e))
					n.terms = append(n.terms, t)
				}
				n.scale = zs
				n.scale0 = zs
				if n.act == nn.Step {
					n.scale = 0
				}
			}
			if n.act == nn.Step {
				n.scale = 0
				n.mzero = true
			}
			n.xout = n.xtyped || n.act == nn.Step
			cur[j] = n
			scales[j] = n.scale
		}
		fp.layers = append(fp.layers, cur)
		prev, prevScale = cur, scales
	}
	last := fp.layers[len(fp.layers)-1]
	if len(last) != 1 {
		return nil, fmt.Errorf("%w: want one output", ErrNotTyped)
	}
	return fp, nil
}

// inScale is the static scale of a neuron's value as a dyadic: its own
// scale for dyadic neurons, 0 for x-typed outputs (integers k; a nonzero
// φ coefficient Σ w·m reaching a dyadic neuron is detected at run time and
// refused, see eval — in the ReLU form the pairs ReLU(λt+1) − ReLU(λt)
// cancel their φ terms exactly on the data).
func inScale(n fneuron, s int, _ int) int {
	if n.xout {
		return 0
	}
	return s
}

// VerifyFast checks exactly that net maps every xs[i] to class ys[i] (single
// output rounding to the class index among m classes, the rule of
// nn.ClassOfRat) using the typed evaluator. It returns ErrNotTyped (wrapped)
// for networks outside its scope; use nn.Verify for those. The float64 and
// float32 fields of the report are left zero unless withFloat.
func VerifyFast(net *nn.Network, xs [][]float64, ys []int, m int, withFloat bool) (*nn.Report, error) {
	if len(xs) != len(ys) {
		return nil, errors.New("verify: points and labels differ in number")
	}
	t0 := time.Now()
	fp, F, P, err := prepareFast(net, xs)
	if err != nil {
		return nil, err
	}
	r := &nn.Report{Points: len(xs), ExactEvaluator: "park typed (int64 x-chain, shared big.Int label chain)"}
	var correct, equal atomic.Int64
	var mu sync.Mutex
	err = runPar((len(xs)+255)/256, func(c int) error {
		ev := newFastEval(fp)
		out := new(big.Rat)
		lbl := new(big.Rat)
		for i := c * 256; i < min(len(xs), (c+1)*256); i++ {
			if !ev.eval(F[i], P[i], out) {
				return fmt.Errorf("%w: int64 overflow or a fraction reaching the label chain at point %d", ErrNotTyped, i)
			}
			ok := nn.ClassOfRat([]*big.Rat{out}, m) == ys[i]
			if ok {
				correct.Add(1)
			} else {
				mu.Lock()
				if len(r.Wrong) < 20 {
					r.Wrong = append(r.Wrong, i)
				}
				mu.Unlock()
			}
			if out.Cmp(lbl.SetInt64(int64(ys[i]))) == 0 {
				equal.Add(1)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	r.ExactCorrect, r.ExactEqual = int(correct.Load()), int(equal.Load())
	r.Exact = r.ExactCorrect == len(xs)
	r.ExactSeconds = time.Since(t0).Seconds()
	if withFloat {
		t1 := time.Now()
		fc := nn.FloatCounts(net, xs, ys, m)
		r.Float64Correct, r.Float32Correct, r.Float64BitExact = fc.Float64Correct, fc.Float32Correct, fc.Float64BitExact
		r.FloatSeconds = time.Since(t1).Seconds()
	}
	return r, nil
}

// runPar runs f(0..n-1) on all cores; the first error wins.
func runPar(n int, f func(i int) error) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := f(i); err != nil {
					once.Do(func() { first = err })
					next.Store(int64(n))
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}

type fbuf struct {
	v     big.Int
	m     int64 // value = v·2^-scale + m·φ
	gen   uint64
	konst bool
}

type fastEval struct {
	fp         *fastProg
	xcur, xnxt []xval
	dcur, dnxt []*fbuf
	free       []*fbuf
	gen        uint64
	tmp, tmp2  *big.Int
	phc        *big.Int
	zero       *fbuf
}

func newFastEval(fp *fastProg) *fastEval {
	w := len(fp.first)
	for _, l := range fp.layers {
		w = max(w, len(l))
	}
	e := &fastEval{fp: fp, xcur: make([]xval, w), xnxt: make([]xval, w), dcur: make([]*fbuf, w), dnxt: make([]*fbuf, w),
		tmp: new(big.Int), tmp2: new(big.Int), phc: new(big.Int), zero: &fbuf{konst: true}}
	return e
}

func (e *fastEval) get() *fbuf {
	if n := len(e.free); n > 0 {
		b := e.free[n-1]
		e.free = e.free[:n-1]
		return b
	}
	return new(fbuf)
}

func mulOK(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	if bits.Len64(abs64(a))+bits.Len64(abs64(b)) > 62 {
		return 0, false
	}
	return a * b, true
}

func abs64(a int64) uint64 {
	if a < 0 {
		return uint64(-a)
	}
	return uint64(a)
}

// stepX decides m·φ + k ≥ 0 exactly for φ = P·2^-sphi ∈ [0,1).
func (e *fastEval) stepX(v xval, P *big.Int) bool {
	switch {
	case v.m == 0:
		return v.k >= 0
	case v.m > 0:
		if v.k >= 0 {
			return true
		}
		if v.k+v.m <= 0 {
			return false
		}
	default:
		if v.k+v.m >= 0 {
			return true
		}
		if v.k < 0 {
			return false
		}
	}
	e.tmp.SetInt64(v.k)
	e.tmp.Lsh(e.tmp, uint(e.fp.sphi))
	e.tmp2.SetInt64(v.m)
	e.tmp2.Mul(e.tmp2, P)
	e.tmp.Add(e.tmp, e.tmp2)
	return e.tmp.Sign() >= 0
}

// xsum computes the pre-activation m·φ + k of an x-typed neuron in int64,
// switching to big integers when a product or partial sum would overflow
// (the ReLU form pairs J·ReLU(λt+1) − J·ReLU(λt) with large J and λ); false
// when the result itself does not fit.
func (e *fastEval) xsum(n *fneuron) (xval, bool) {
	v := xval{k: n.bi}
	for ti := range n.terms {
		t := &n.terms[ti]
		h := e.xcur[t.in]
		if h.m == 0 && h.k == 0 {
			continue
		}
		if t.small && uint64(h.k+1<<34) < 1<<35 && uint64(h.m+1<<34) < 1<<35 {
			v.k += t.wi * h.k
			v.m += t.wi * h.m
			continue
		}
		a, ok1 := mulOK(t.wi, h.k)
		b, ok2 := mulOK(t.wi, h.m)
		if ok1 && ok2 && uint64(v.k+a+1<<61) < 1<<62 && uint64(v.m+b+1<<61) < 1<<62 {
			v.k += a
			v.m += b
			continue
		}
		return e.xsumBig(n)
	}
	if uint64(v.k+1<<61) >= 1<<62 || uint64(v.m+1<<61) >= 1<<62 {
		return e.xsumBig(n)
	}
	return v, true
}

func (e *fastEval) xsumBig(n *fneuron) (xval, bool) {
	k, m, t1 := new(big.Int).SetInt64(n.bi), new(big.Int), new(big.Int)
	for ti := range n.terms {
		t := &n.terms[ti]
		h := e.xcur[t.in]
		w := big.NewInt(t.wi)
		k.Add(k, t1.Mul(w, big.NewInt(h.k)))
		m.Add(m, t1.Mul(w, big.NewInt(h.m)))
	}
	if !k.IsInt64() || !m.IsInt64() || abs64(k.Int64()) > 1<<61 || abs64(m.Int64()) > 1<<61 {
		return xval{}, false
	}
	return xval{m: m.Int64(), k: k.Int64()}, true
}

// signD decides v·2^-s + m·φ ≥ 0 exactly.
func (e *fastEval) signD(b *fbuf, s int, P *big.Int) bool {
	if b.m == 0 {
		return b.v.Sign() >= 0
	}
	c := max(s, e.fp.sphi)
	e.tmp.Lsh(&b.v, uint(c-s))
	e.tmp2.SetInt64(b.m)
	e.tmp2.Mul(e.tmp2, P)
	e.tmp2.Lsh(e.tmp2, uint(c-e.fp.sphi))
	e.tmp.Add(e.tmp, e.tmp2)
	return e.tmp.Sign() >= 0
}

// eval computes the output for a point with floor F and fraction numerator
// P; false on int64 overflow.
func (e *fastEval) eval(F int64, P *big.Int, out *big.Rat) bool {
	fp := e.fp
	// first layer
	for j := range fp.first {
		n := &fp.first[j]
		if c := fp.firstConst[j]; c != nil {
			e.dcur[j] = c
			continue
		}
		k, ok := mulOK(fp.alpha[j], F)
		if !ok {
			return false
		}
		v := xval{m: fp.alpha[j], k: k + fp.n0[j]}
		switch n.act {
		case nn.Step:
			if e.stepX(v, P) {
				v = xval{0, 1}
			} else {
				v = xval{}
			}
		case nn.ReLU:
			if !e.stepX(v, P) {
				v = xval{}
			}
		}
		e.xcur[j] = v
		e.dcur[j] = nil
	}
	for li := range fp.layers {
		layer := fp.layers[li]
		e.gen++
		for j := range layer {
			n := &layer[j]
			e.dnxt[j] = nil
			if n.xtyped {
				v, ok := e.xsum(n)
				if !ok {
					return false
				}
				switch n.act {
				case nn.Step:
					if e.stepX(v, P) {
						v = xval{0, 1}
					} else {
						v = xval{}
					}
				case nn.ReLU:
					if !e.stepX(v, P) {
						v = xval{}
					}
				}
				e.xnxt[j] = v
				continue
			}
			// dyadic neuron: count the nonzero terms
			nz, last := 0, -1
			for ti := range n.terms {
				t := &n.terms[ti]
				if t.xin {
					if h := e.xcur[t.in]; h.k == 0 && h.m == 0 {
						continue
					}
				} else if h := e.dcur[t.in]; h.v.Sign() == 0 && h.m == 0 {
					continue
				}
				nz++
				last = ti
			}
			if nz == 1 && !n.terms[last].xin && n.terms[last].shift == 0 && n.terms[last].unit != 0 && e.dcur[n.terms[last].in].m == 0 {
				t := n.terms[last]
				h := e.dcur[t.in]
				switch {
				case n.act == nn.Step:
					var ge bool
					if t.unit > 0 {
						ge = h.v.Cmp(n.negB) >= 0
					} else if n.bias != nil {
						ge = h.v.Cmp(n.bias) <= 0
					} else {
						ge = h.v.Sign() <= 0
					}
					e.xnxt[j] = xval{k: b2i(ge)}
					continue
				case n.bias == nil && t.unit > 0 && (n.act == nn.Identity || h.v.Sign() >= 0):
					if !h.konst {
						h.gen = e.gen
					}
					e.dnxt[j] = h
					continue
				}
			}
			z := e.get()
			z.gen = e.gen
			z.m = 0
			if n.bias != nil {
				z.v.Set(n.bias)
			} else {
				z.v.SetInt64(0)
			}
			phi := false
			addPhi := func(m int64, w *big.Int) {
				if !phi {
					e.phc.SetInt64(0)
					phi = true
				}
				e.tmp.SetInt64(m)
				e.tmp.Mul(e.tmp, w)
				e.phc.Add(e.phc, e.tmp)
			}
			for ti := range n.terms {
				t := &n.terms[ti]
				if t.xin {
					h := e.xcur[t.in]
					if h.m != 0 {
						addPhi(h.m, t.wsh)
					}
					switch h.k {
					case 0:
					case 1:
						z.v.Add(&z.v, t.wsh)
					case -1:
						z.v.Sub(&z.v, t.wsh)
					default:
						e.tmp.SetInt64(h.k)
						e.tmp.Mul(e.tmp, t.wsh)
						z.v.Add(&z.v, e.tmp)
					}
					continue
				}
				hb := e.dcur[t.in]
				if hb.m != 0 {
					addPhi(hb.m, t.wphi)
				}
				h := &hb.v
				if h.Sign() == 0 {
					continue
				}
				switch {
				case t.unit != 0 && t.shift == 0:
					if t.unit > 0 {
						z.v.Add(&z.v, h)
					} else {
						z.v.Sub(&z.v, h)
					}
				case t.unit != 0:
					e.tmp.Lsh(h, t.shift)
					if t.unit > 0 {
						z.v.Add(&z.v, e.tmp)
					} else {
						z.v.Sub(&z.v, e.tmp)
					}
				default:
					e.tmp.Mul(h, t.wm)
					if t.shift != 0 {
						e.tmp.Lsh(e.tmp, t.shift)
					}
					z.v.Add(&z.v, e.tmp)
				}
			}
			if phi && e.phc.Sign() != 0 {
				// φ coefficient Σ w·m must be an int64 integer
				if e.phc.TrailingZeroBits() < uint(n.scale0) {
					return false
				}
				e.tmp.Rsh(e.phc, uint(n.scale0))
				if !e.tmp.IsInt64() || abs64(e.tmp.Int64()) > 1<<61 {
					return false
				}
				z.m = e.tmp.Int64()
			}
			switch n.act {
			case nn.Step:
				e.xnxt[j] = xval{k: b2i(e.signD(z, n.scale0, P))}
				e.free = append(e.free, z)
				continue
			case nn.ReLU:
				if !e.signD(z, n.scale0, P) {
					z.v.SetInt64(0)
					z.m = 0
				}
			}
			e.dnxt[j] = z
		}
		// release dyadic buffers of the previous layer no longer referenced
		prevW := len(fp.first)
		if li > 0 {
			prevW = len(fp.layers[li-1])
		}
		for i := range prevW {
			b := e.dcur[i]
			if b != nil && !b.konst && b.gen != e.gen {
				b.gen = e.gen
				e.free = append(e.free, b)
			}
			e.dcur[i] = nil
		}
		e.xcur, e.xnxt = e.xnxt, e.xcur
		e.dcur, e.dnxt = e.dnxt, e.dcur
	}
	last := fp.layers[len(fp.layers)-1][0]
	if last.xout {
		v := e.xcur[0]
		if v.m != 0 {
			out.SetFrac(new(big.Int).Add(new(big.Int).Lsh(big.NewInt(v.k), uint(fp.sphi)), new(big.Int).Mul(big.NewInt(v.m), P)),
				new(big.Int).Lsh(big.NewInt(1), uint(fp.sphi)))
		} else {
			out.SetInt64(v.k)
		}
	} else {
		b := e.dcur[0]
		num := new(big.Int).Lsh(&b.v, uint(fp.sphi))
		num.Add(num, new(big.Int).Lsh(new(big.Int).Mul(big.NewInt(b.m), P), uint(last.scale)))
		out.SetFrac(num, new(big.Int).Lsh(big.NewInt(1), uint(last.scale+fp.sphi)))
		if !b.konst {
			e.free = append(e.free, b)
		}
		e.dcur[0] = nil
	}
	return true
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// prepareFast compiles net for the typed evaluator and computes every
// point's exact projection: floor F[i] and fraction numerator P[i] (φ =
// P[i]·2^-fp.sphi).
func prepareFast(net *nn.Network, xs [][]float64) (*fastProg, []int64, []*big.Int, error) {
	fp, err := compileFast(net)
	if err != nil {
		return nil, nil, nil, err
	}
	// exact z = v·x + b*: F (int64) and φ = P·2^-sz, in parallel chunks
	F := make([]int64, len(xs))
	P := make([]*big.Int, len(xs))
	sz := 0
	bm, be := dyParts(fp.bstar)
	if bm == nil {
		return nil, nil, nil, fmt.Errorf("%w: non-dyadic offset", ErrNotTyped)
	}
	type chunk struct {
		lo, hi int
		pr     *project.Projection
	}
	var chunks []chunk
	for lo := 0; lo < len(xs); lo += 4096 {
		chunks = append(chunks, chunk{lo: lo, hi: min(len(xs), lo+4096)})
	}
	runPar(len(chunks), func(c int) error {
		chunks[c].pr = project.Along(xs[chunks[c].lo:chunks[c].hi], fp.v)
		return nil
	})
	for _, c := range chunks {
		sz = max(sz, c.pr.Scale)
	}
	sz = max(sz, be)
	mask := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(sz)), big.NewInt(1))
	bS := new(big.Int).Lsh(bm, uint(sz-be))
	err = runPar(len(chunks), func(ci int) error {
		c := chunks[ci]
		for i := c.lo; i < c.hi; i++ {
			z := new(big.Int).Lsh(c.pr.Tau[i-c.lo], uint(sz-c.pr.Scale))
			z.Add(z, bS)
			f := new(big.Int).Rsh(z, uint(sz))
			if !f.IsInt64() || f.Int64() > 1<<60 || f.Int64() < -(1<<60) {
				return fmt.Errorf("%w: projected value too large", ErrNotTyped)
			}
			F[i] = f.Int64()
			P[i] = z.And(z, mask)
		}
		return nil
	})
	if err != nil {
		return nil, nil, nil, err
	}
	fp.sphi = sz
	return fp, F, P, nil
}

// EvalFast returns the exact output of net (one output) on every point, with
// the typed evaluator of VerifyFast (ErrNotTyped for networks outside its
// scope).
func EvalFast(net *nn.Network, xs [][]float64) ([]*big.Rat, error) {
	fp, F, P, err := prepareFast(net, xs)
	if err != nil {
		return nil, err
	}
	out := make([]*big.Rat, len(xs))
	err = runPar((len(xs)+255)/256, func(c int) error {
		ev := newFastEval(fp)
		for i := c * 256; i < min(len(xs), (c+1)*256); i++ {
			out[i] = new(big.Rat)
			if !ev.eval(F[i], P[i], out[i]) {
				return fmt.Errorf("%w: int64 overflow or a fraction reaching the label chain at point %d", ErrNotTyped, i)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
