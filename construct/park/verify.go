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
//     ruled out by range analysis or detected and refused). STEP(m·φ + k)
//     is decided exactly, usually from k and m alone (0 ≤ φ < 1), otherwise
//     by one big-integer comparison with the point's exact φ;
//   - "dyadic": value Z·2^-s (+ m·φ) with a static scale s as in nn.FixedPoint.
//
// The evaluation itself is layer-major over chunks of points (batch.go):
// each neuron's terms are decoded once per chunk, x-typed values stay in
// int64, and a dyadic value is a shared immutable big.Int plus an int64
// offset, so that points carrying the same big label-row constant of the
// Park construction share its arithmetic. Measured at N = 10^5, d = 10,
// C = 10 (15180 layers): 180 s → 13–17 s wall on 2 shared cores
// (docs/park.md).

type xval struct{ m, k int64 }

type fterm struct {
	in    int
	xin   bool     // input is x-typed
	wi    int64    // integer weight (x-typed neurons)
	wm    *big.Int // weight mantissa (dyadic neurons)
	unit  int      // ±1 when wm is ±1
	shift uint     // shift of w·h to the neuron's scale
	wphi  *big.Int // wm << (scale − e): the φ coefficient at the neuron's scale
}

type fneuron struct {
	xtyped bool // computed in int64 as m·φ + k
	xout   bool // output is x-typed (x-typed neurons and every STEP)
	act    nn.Activation
	terms  []fterm
	bi     int64    // x-typed bias
	bias   *big.Int // dyadic bias at the neuron's scale (nil: zero)
	scale  int      // dyadic output scale (0 for STEP)
	scale0 int      // scale of the pre-activation
}

type fastProg struct {
	v     []float64 // first-layer direction
	bstar *big.Rat
	alpha []int64 // first layer: pre_j = α_j·(v·x + b*) + n_j
	// firstConst holds the values of non-integer constant first-layer neurons
	firstConst []*big.Int
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

// dyParts is nn.DyadicParts with a nil mantissa for non-dyadic r.
func dyParts(r *big.Rat) (*big.Int, int) {
	m, e, ok := nn.DyadicParts(r)
	if !ok {
		return nil, 0
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
	fp.firstConst = make([]*big.Int, len(l1.W))
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
				fp.first = append(fp.first, fneuron{xtyped: true, xout: true, act: nn.Identity})
				continue
			}
			m, e := dyParts(b)
			if m == nil {
				return nil, fmt.Errorf("%w: non-dyadic bias", ErrNotTyped)
			}
			fp.firstConst[j] = m
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
		fp.first = append(fp.first, fneuron{xtyped: true, xout: true, act: l1.Act[j]})
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
			for i, w := range l.W[j] {
				if w.Sign() == 0 {
					continue
				}
				if _, ok := ratInt64(w); !ok || !prev[i].xout {
					xt = false
				}
			}
			if _, ok := ratInt64(l.B[j]); !ok {
				xt = false
			}
			n.xtyped = xt
			if xt {
				n.bi, _ = ratInt64(l.B[j])
				for i, w := range l.W[j] {
					if w.Sign() != 0 {
						wi, _ := ratInt64(w)
						n.terms = append(n.terms, fterm{in: i, xin: true, wi: wi})
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
// φ coefficient Σ w·m reaching a dyadic neuron must be an integer, checked
// at run time, see dGeneric — in the ReLU form the pairs ReLU(λt+1) − ReLU(λt)
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
	r := &nn.Report{Points: len(xs), ExactEvaluator: "park typed, layer-major (int64 x-chain, shared big.Int label rows)"}
	outs, err := newBatchProg(fp).eval(F, P)
	if err != nil {
		return nil, err
	}
	var correct, equal atomic.Int64
	lbl := new(big.Rat)
	for i, out := range outs {
		if nn.ClassOfRat([]*big.Rat{out}, m) == ys[i] {
			correct.Add(1)
		} else if len(r.Wrong) < 20 {
			r.Wrong = append(r.Wrong, i)
		}
		if out.Cmp(lbl.SetInt64(int64(ys[i]))) == 0 {
			equal.Add(1)
		}
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
	return newBatchProg(fp).eval(F, P)
}
