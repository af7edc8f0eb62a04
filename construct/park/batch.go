package park

import (
	"cmp"
	"fmt"
	"math/big"
	"math/bits"
	"runtime"
	"slices"
	"sync"

	"github.com/memnet/memnet/nn"
)

// This file is the layer-major ("batch") form of the typed evaluator of
// verify.go. A chunk of points is pushed through the network one layer at a
// time, so each neuron's terms are decoded once per chunk rather than once
// per point, and the per-point state lives in flat slices:
//
//   - x-typed neurons (value m·φ + k) in []xval. A chunk's largest |m|, |k|
//     per slice is tracked, so a neuron whose Σ|w|·max|h| + |b| ≤ 2^61 runs
//     without per-operation overflow checks (exact range analysis on the
//     actual chunk); otherwise each point goes through the checked int64 sum
//     with a big.Int fallback.
//   - dyadic neurons as dval: (b + o)·2^-scale + m·φ with b an immutable,
//     shared *big.Int (nil for 0) and o, m int64 (|o| < 2^61). A neuron's
//     pre-activation is split into a small part (bias and terms whose weight
//     and input are small, summed in int64) and a big part (everything else:
//     bias, w·b, and big-weight terms), and the big part is a function of a
//     key — the input pointers and the int64 inputs of big-weight terms. The
//     key of the previous point of the chunk is remembered with its result,
//     so consecutive points whose big parts coincide (points of one table row
//     in the Park construction carry the same big label-row constant and
//     differ only in small values) compute it once. A big part that is one
//     unit-weight, unshifted input without a big bias is that input's
//     pointer (no copy at all).
//     For STEP and ReLU neurons the sign is decided from the big part in a
//     scratch integer first, so a STEP (or a ReLU that outputs 0) never
//     allocates.
//   - a dyadic neuron whose inputs at a point equal those at the previous
//     point (and carry no φ term a STEP/ReLU would depend on) takes the
//     previous point's output: same inputs, same weights, same value.
//   - terms with big weights of equal magnitude (the ReLU form's pairs
//     w·ReLU(λt+1) − w·ReLU(λt)) are combined before multiplying when their
//     inputs are small, so the φ terms cancel in int64 (bterm.cls).
//   - a neuron that is a unit copy of one input (identity, weight 1, no bias)
//     shares the input's slice ("pass-through" layers cost nothing).
//
// Every neuron of every layer is still evaluated from the stored weights for
// every point: the sharing is of identical exact computations (same inputs,
// same weights), never a re-derivation from the data. The order of the points
// only changes how often the one-entry cache hits: after the last layer that
// has only x-typed neurons, all points are sorted by their state there (for
// Park networks: by the compressed floor, i.e. by table row) and re-chunked.

// sortLimit bounds the state entries (points × width) gathered for the
// global sort between the phases (a variable for the tests).
var sortLimit int64 = 1 << 25

const (
	smallW = 1 << 24 // |weight mantissa << shift| below this is "small"
	smallH = 1 << 36 // |input| below this may be multiplied by a small weight
	smallB = 1 << 40 // small bias / normalised big part
	offMax = 1 << 61 // bound on |o|
)

type dval struct {
	b    *big.Int
	o, m int64
}

// bterm is a term of a dyadic neuron prepared for the batch evaluator.
type bterm struct {
	*fterm
	w64  int64    // wm << shift when |·| < smallW (else 0, big)
	wbig *big.Int // wm << shift (every term)
	p64  int64    // wphi as int64 when the neuron's scale0 is 0 and it is small
	pok  bool
	// Big-weight or φ-carrying terms whose weights (value and φ
	// coefficient) have equal magnitude form a class (the ReLU form's pairs
	// w·ReLU(λt+1) − w·ReLU(λt)): when all members' inputs are small, they
	// are combined first, Σ ±k and Σ ±m, so the φ terms cancel exactly and
	// the big part sees the small combined value; otherwise the members are
	// taken one by one. cls ≥ 0 is the index of the class's first term (the
	// lead), sgn the sign relative to the lead.
	cls int
	sgn int64
}

type bneuron struct {
	*fneuron
	copyOf  int // ≥ 0: unit copy of this input (shares its slice)
	bterms  []bterm
	b64     int64 // small bias
	bbig    bool  // bias is big (n.bias)
	classes bool  // some terms form weight classes (bterm.cls)
}

type bufx struct {
	v   []xval
	mx  uint64 // max |m|, |k| over the chunk
	use int
}

type bufd struct {
	v   []dval
	use int
}

type slotv struct {
	x *bufx
	d *bufd
}

type batchProg struct {
	fp     *fastProg
	layers [][]bneuron
	split  int // layers[0..split) are all x-typed
}

func newBatchProg(fp *fastProg) *batchProg {
	bp := &batchProg{fp: fp, split: -1}
	for li := range fp.layers {
		l := fp.layers[li]
		bl := make([]bneuron, len(l))
		allX := true
		for j := range l {
			n := &l[j]
			b := bneuron{fneuron: n, copyOf: -1}
			if n.xtyped {
				if len(n.terms) == 1 && n.bi == 0 && n.terms[0].wi == 1 && n.act == nn.Identity {
					b.copyOf = n.terms[0].in
				}
			} else {
				allX = false
				if n.bias != nil {
					if n.bias.IsInt64() && abs64(n.bias.Int64()) < smallB {
						b.b64 = n.bias.Int64()
					} else {
						b.bbig = true
					}
				}
				for ti := range n.terms {
					t := &n.terms[ti]
					bt := bterm{fterm: t}
					bt.wbig = new(big.Int).Lsh(t.wm, t.shift)
					if bt.wbig.IsInt64() && abs64(bt.wbig.Int64()) < smallW {
						bt.w64 = bt.wbig.Int64()
					}
					if n.scale0 == 0 && t.wphi.IsInt64() && abs64(t.wphi.Int64()) < smallW {
						bt.p64, bt.pok = t.wphi.Int64(), true
					}
					bt.cls = -1
					if bt.w64 == 0 || !bt.pok {
						same := func(o *bterm) bool {
							return o.wbig.CmpAbs(bt.wbig) == 0 && o.wphi.CmpAbs(bt.wphi) == 0 &&
								(o.wbig.Sign() == bt.wbig.Sign()) == (o.wphi.Sign() == bt.wphi.Sign())
						}
						for k := range b.bterms {
							o := &b.bterms[k]
							if o.cls < 0 && same(o) {
								o.cls, o.sgn = k, 1
							}
							if o.cls == k && same(o) {
								bt.cls, bt.sgn = k, 1
								if o.wbig.Sign() != bt.wbig.Sign() {
									bt.sgn = -1
								}
								break
							}
						}
					}
					b.bterms = append(b.bterms, bt)
				}
				for k := range b.bterms {
					if b.bterms[k].cls >= 0 {
						b.classes = true
					}
				}
				if len(n.terms) == 1 && n.bias == nil && n.terms[0].unit == 1 && n.terms[0].shift == 0 && !n.terms[0].xin && n.act == nn.Identity {
					b.copyOf = n.terms[0].in
				}
			}
			bl[j] = b
		}
		if !allX && bp.split < 0 {
			bp.split = li
		}
		bp.layers = append(bp.layers, bl)
	}
	if bp.split < 0 {
		bp.split = len(bp.layers)
	}
	return bp
}

// chunkEval evaluates a set of points layer by layer.
type chunkEval struct {
	bp    *batchProg
	n     int
	F     []int64
	P     []*big.Int
	cur   []slotv
	nxt   []slotv
	freeX []*bufx
	freeD []*bufd
	tmp   big.Int
	tmp2  big.Int
	use   int
	// one-entry cache of a dyadic neuron's big part (see lookup)
	key  []keyItem
	ck   []keyItem
	ck2  []xval // combined inputs of weight classes
	ckc  []bool // the class is combined at this point
	ins  []slotv
	cOK  bool
	cz   big.Int
	cMat bool
	cVO  int64
	cBig bool
	cSgn int
	cB   *big.Int
	cO   int64
}

func (c *chunkEval) getX() *bufx {
	if k := len(c.freeX); k > 0 {
		b := c.freeX[k-1]
		c.freeX = c.freeX[:k-1]
		return b
	}
	return &bufx{v: make([]xval, c.n)}
}

func (c *chunkEval) getD() *bufd {
	if k := len(c.freeD); k > 0 {
		b := c.freeD[k-1]
		c.freeD = c.freeD[:k-1]
		return b
	}
	return &bufd{v: make([]dval, c.n)}
}

// release returns the buffers of cur not referenced by nxt.
func (c *chunkEval) release() {
	c.use++
	for _, s := range c.nxt {
		if s.x != nil {
			s.x.use = c.use
		}
		if s.d != nil {
			s.d.use = c.use
		}
	}
	for _, s := range c.cur {
		if s.x != nil && s.x.use != c.use {
			s.x.use = c.use
			c.freeX = append(c.freeX, s.x)
		}
		if s.d != nil && s.d.use != c.use {
			s.d.use = c.use
			clear(s.d.v) // drop references to big constants
			c.freeD = append(c.freeD, s.d)
		}
	}
	c.cur, c.nxt = c.nxt, c.cur[:0]
}

func maxAbs(v xval) uint64 { return max(abs64(v.m), abs64(v.k)) }

// stepX decides m·φ + k ≥ 0 exactly for φ = P·2^-sphi ∈ [0,1).
func (c *chunkEval) stepX(v xval, P *big.Int) bool {
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
	c.tmp.SetInt64(v.k)
	c.tmp.Lsh(&c.tmp, uint(c.bp.fp.sphi))
	c.tmp2.SetInt64(v.m)
	c.tmp2.Mul(&c.tmp2, P)
	c.tmp.Add(&c.tmp, &c.tmp2)
	return c.tmp.Sign() >= 0
}

func (c *chunkEval) actX(act nn.Activation, v xval, P *big.Int) xval {
	switch act {
	case nn.Step:
		if v.m == 0 {
			return xval{k: b2i(v.k >= 0)}
		}
		return xval{k: b2i(c.stepX(v, P))}
	case nn.ReLU:
		if (v.m == 0 && v.k >= 0) || (v.m != 0 && c.stepX(v, P)) {
			return v
		}
		return xval{}
	}
	return v
}

// first evaluates the first hidden layer.
func (c *chunkEval) first() error {
	fp := c.bp.fp
	c.cur = c.cur[:0]
	for j := range fp.first {
		n := &fp.first[j]
		if k := fp.firstConst[j]; k != nil {
			d := c.getD()
			for p := range d.v {
				d.v[p] = dval{b: k}
			}
			c.cur = append(c.cur, slotv{d: d})
			continue
		}
		x := c.getX()
		a, n0 := fp.alpha[j], fp.n0[j]
		act := n.act
		mx := uint64(0)
		for p := range x.v {
			k, ok := mulOK(a, c.F[p])
			if !ok || abs64(k+n0) > 1<<61 {
				return fmt.Errorf("%w: first layer out of int64 range", ErrNotTyped)
			}
			v := c.actX(act, xval{m: a, k: k + n0}, c.P[p])
			x.v[p] = v
			mx = max(mx, maxAbs(v))
		}
		x.mx = mx
		c.cur = append(c.cur, slotv{x: x})
	}
	return nil
}

// run evaluates layers [from, to).
func (c *chunkEval) run(from, to int) error {
	for li := from; li < to; li++ {
		layer := c.bp.layers[li]
		c.nxt = c.nxt[:0]
		for j := range layer {
			n := &layer[j]
			if n.copyOf >= 0 {
				c.nxt = append(c.nxt, c.cur[n.copyOf])
				continue
			}
			if n.xtyped {
				x := c.getX()
				if err := c.xNeuron(n, x); err != nil {
					return err
				}
				c.nxt = append(c.nxt, slotv{x: x})
				continue
			}
			d := c.getD()
			if err := c.dNeuron(n, d); err != nil {
				return err
			}
			if n.act == nn.Step {
				// STEP outputs are x-typed 0/1
				x := c.getX()
				for p := range d.v {
					x.v[p] = xval{k: d.v[p].o}
				}
				x.mx = 1
				clear(d.v)
				c.freeD = append(c.freeD, d)
				c.nxt = append(c.nxt, slotv{x: x})
				continue
			}
			c.nxt = append(c.nxt, slotv{d: d})
		}
		c.release()
	}
	return nil
}

// xNeuron computes an x-typed neuron for every point of the chunk.
func (c *chunkEval) xNeuron(n *bneuron, out *bufx) error {
	act := n.act
	// range analysis: Σ|w|·max|h| + |b| ≤ 2^61 means no intermediate sum
	// overflows (every partial sum is bounded by the same quantity).
	safe := true
	bound := abs64(n.bi)
	for ti := range n.terms {
		t := &n.terms[ti]
		hi, lo := bits.Mul64(abs64(t.wi), c.cur[t.in].x.mx)
		var carry uint64
		bound, carry = bits.Add64(bound, lo, 0)
		if hi != 0 || carry != 0 || bound > 1<<61 {
			safe = false
			break
		}
	}
	mx := uint64(0)
	if safe && len(n.terms) >= 1 && len(n.terms) <= 2 {
		t0 := &n.terms[0]
		in0, w0 := c.cur[t0.in].x.v, t0.wi
		in1, w1 := in0, int64(0)
		if len(n.terms) == 2 {
			in1, w1 = c.cur[n.terms[1].in].x.v, n.terms[1].wi
		}
		b := n.bi
		in0, in1 = in0[:len(out.v)], in1[:len(out.v)]
		for p := range out.v {
			h0, h1 := in0[p], in1[p]
			v := xval{m: w0*h0.m + w1*h1.m, k: w0*h0.k + w1*h1.k + b}
			switch {
			case act == nn.Step && (v.m == 0 || (v.m > 0 && (v.k >= 0 || v.k+v.m <= 0))):
				out.v[p] = xval{k: b2i(v.k >= 0)}
				continue
			case act == nn.Identity:
			default:
				v = c.actX(act, v, c.P[p])
			}
			out.v[p] = v
			mx = max(mx, maxAbs(v))
		}
		if act == nn.Step {
			mx = 1
		}
		out.mx = mx
		return nil
	}
	if safe {
		ins := make([][]xval, len(n.terms))
		for ti := range n.terms {
			ins[ti] = c.cur[n.terms[ti].in].x.v
		}
		for p := range out.v {
			v := xval{k: n.bi}
			for ti := range n.terms {
				h := ins[ti][p]
				w := n.terms[ti].wi
				v.k += w * h.k
				v.m += w * h.m
			}
			v = c.actX(act, v, c.P[p])
			out.v[p] = v
			mx = max(mx, maxAbs(v))
		}
		out.mx = mx
		return nil
	}
	for p := range out.v {
		v, ok := c.xsumChecked(n, p)
		if !ok {
			return fmt.Errorf("%w: int64 overflow in an x-typed neuron", ErrNotTyped)
		}
		v = c.actX(act, v, c.P[p])
		out.v[p] = v
		mx = max(mx, maxAbs(v))
	}
	out.mx = mx
	return nil
}

// xsumChecked is the pre-activation of an x-typed neuron at point p with
// big-integer arithmetic; false when it does not fit in ±2^61.
func (c *chunkEval) xsumChecked(n *bneuron, p int) (xval, bool) {
	k, m := new(big.Int).SetInt64(n.bi), new(big.Int)
	t1, w := new(big.Int), new(big.Int)
	for ti := range n.terms {
		t := &n.terms[ti]
		h := c.cur[t.in].x.v[p]
		w.SetInt64(t.wi)
		k.Add(k, t1.Mul(w, t1.SetInt64(h.k)))
		m.Add(m, t1.Mul(w, t1.SetInt64(h.m)))
	}
	if !k.IsInt64() || !m.IsInt64() || abs64(k.Int64()) > 1<<61 || abs64(m.Int64()) > 1<<61 {
		return xval{}, false
	}
	return xval{m: m.Int64(), k: k.Int64()}, true
}

// norm writes a big value as (b, o): b = nil and o = z when |z| < smallB.
func norm(z *big.Int) (*big.Int, int64) {
	if z.BitLen() < 41 {
		return nil, z.Int64()
	}
	return z, 0
}

// dNeuron computes a dyadic neuron for every point of the chunk. STEP
// neurons leave their 0/1 output in o.
func (c *chunkEval) dNeuron(n *bneuron, out *bufd) error {
	nt := len(n.bterms)
	if cap(c.key) < nt {
		c.key, c.ck, c.ck2, c.ckc = make([]keyItem, nt), make([]keyItem, nt), make([]xval, nt), make([]bool, nt)
		c.ins = make([]slotv, nt)
	}
	key, ins := c.key[:nt], c.ins[:nt]
	for ti := range n.bterms {
		ins[ti] = c.cur[n.bterms[ti].in]
	}
	c.cOK = false
	act := n.act
	for p := range out.v {
		if p > 0 && sameInputs(ins, p, act) {
			// same inputs as the previous point, same weights: same output
			out.v[p] = out.v[p-1]
			continue
		}
		off, m, nbig, alias, ok := c.dSmall(n, p, ins, key)
		var v dval
		decided := false
		if ok {
			needBig := n.bbig || nbig > 1 || (nbig == 1 && (key[alias].v != 0 || n.bterms[alias].unit != 1 || n.bterms[alias].shift != 0))
			if needBig && act != nn.Identity && (m == 0 || n.scale0 == 0) {
				// decide the sign from the big part in scratch, before
				// (and for STEP instead of) materialising it
				c.lookup(n, key)
				var ge bool
				if c.cBig {
					ge = c.cSgn >= 0
				} else {
					ge = c.signD(dval{o: c.cO + off, m: m}, 0, c.P[p])
				}
				if act == nn.Step {
					out.v[p] = dval{o: b2i(ge)}
					continue
				}
				if !ge {
					out.v[p] = dval{}
					continue
				}
				decided = true
			}
			v, ok = c.dValue(n, off, m, nbig, alias, key)
		}
		if !ok {
			decided = false
			var err error
			v, err = c.dGeneric(n, p)
			if err != nil {
				return err
			}
		}
		if decided {
			out.v[p] = v
			continue
		}
		switch act {
		case nn.Step:
			v = dval{o: b2i(c.signD(v, n.scale0, c.P[p]))}
		case nn.ReLU:
			if !c.signD(v, n.scale0, c.P[p]) {
				v = dval{}
			}
		}
		out.v[p] = v
	}
	return nil
}

// sameInputs reports whether every input of a neuron has the same value at
// points p and p−1, and the output does not depend on φ beyond them (an
// input carrying a φ term makes STEP and ReLU outputs depend on the point's
// own φ).
func sameInputs(ins []slotv, p int, act nn.Activation) bool {
	for _, s := range ins {
		if s.x != nil {
			a, b := s.x.v[p], s.x.v[p-1]
			if a != b || (a.m != 0 && act != nn.Identity) {
				return false
			}
			continue
		}
		a, b := &s.d.v[p], &s.d.v[p-1]
		if *a != *b || (a.m != 0 && act != nn.Identity) {
			return false
		}
	}
	return true
}

type keyItem struct {
	p *big.Int
	v int64
	h bool
}

// dSmall sums the small part of a dyadic neuron's pre-activation at point p
// and writes the key of its big part: key[ti] = (b, v, true) when term ti
// contributes w·(b + v) to the big part. ok is false for cases outside the
// split (then dGeneric).
func (c *chunkEval) dSmall(n *bneuron, p int, ins []slotv, key []keyItem) (off, m int64, nbig, alias int, ok bool) {
	off = n.b64
	alias = -1
	if n.classes {
		// combine each class into its lead: Σ ±k, Σ ±m
		for ti := range n.bterms {
			t := &n.bterms[ti]
			if t.cls < 0 {
				continue
			}
			if t.cls == ti {
				c.ck2[ti], c.ckc[ti] = xval{}, true
			}
			var hk, hm int64
			if s := ins[ti]; s.x != nil {
				hk, hm = s.x.v[p].k, s.x.v[p].m
			} else {
				h := &s.d.v[p]
				if h.b != nil {
					c.ckc[t.cls] = false // members taken one by one
					continue
				}
				hk, hm = h.o, h.m
			}
			if abs64(hk) >= smallH || abs64(hm) >= smallH {
				c.ckc[t.cls] = false
				continue
			}
			a := &c.ck2[t.cls]
			a.k += t.sgn * hk
			a.m += t.sgn * hm
		}
	}
	for ti := range n.bterms {
		t := &n.bterms[ti]
		var hb *big.Int
		var ho, hm int64
		if t.cls >= 0 && c.ckc[t.cls] {
			if t.cls != ti {
				key[ti] = keyItem{}
				continue
			}
			h := c.ck2[ti]
			ho, hm = h.k, h.m
		} else if s := ins[ti]; s.x != nil {
			h := s.x.v[p]
			ho, hm = h.k, h.m
		} else {
			h := &s.d.v[p]
			hb, ho, hm = h.b, h.o, h.m
		}
		if hm != 0 {
			if !t.pok || abs64(hm) >= smallH {
				return 0, 0, 0, 0, false
			}
			m += t.p64 * hm
			if abs64(m) >= offMax {
				return 0, 0, 0, 0, false
			}
		}
		if t.w64 != 0 && abs64(ho) < smallH {
			off += t.w64 * ho
			if abs64(off) >= offMax {
				return 0, 0, 0, 0, false
			}
			ho = 0
		}
		if hb == nil && ho == 0 {
			key[ti] = keyItem{}
			continue
		}
		key[ti] = keyItem{hb, ho, true}
		nbig++
		alias = ti
	}
	return off, m, nbig, alias, true
}

// hit reports whether key is the cached key.
func (c *chunkEval) hit(key []keyItem) bool {
	if !c.cOK {
		return false
	}
	for ti := range key {
		if key[ti] != c.ck[ti] {
			return false
		}
	}
	return true
}

// bigPart computes the big part of a neuron's pre-activation for key into z.
func (c *chunkEval) bigPart(n *bneuron, key []keyItem, z *big.Int) *big.Int {
	if n.bbig {
		z.Set(n.bias)
	} else {
		z.SetInt64(0)
	}
	for ti := range key {
		k := key[ti]
		if !k.h {
			continue
		}
		t := &n.bterms[ti]
		if k.p != nil {
			c.tmp.Set(k.p)
		} else {
			c.tmp.SetInt64(0)
		}
		if k.v != 0 {
			c.tmp2.SetInt64(k.v)
			c.tmp.Add(&c.tmp, &c.tmp2)
		}
		switch {
		case t.unit == 1 && t.shift == 0:
			z.Add(z, &c.tmp)
		case t.unit == -1 && t.shift == 0:
			z.Sub(z, &c.tmp)
		case t.unit == 1:
			z.Add(z, c.tmp.Lsh(&c.tmp, t.shift))
		case t.unit == -1:
			z.Sub(z, c.tmp.Lsh(&c.tmp, t.shift))
		default:
			z.Add(z, c.tmp.Mul(&c.tmp, t.wbig))
		}
	}
	return z
}

// lookup makes the one-entry cache hold the big part for key: its value in
// cz, sign cSgn, cBig when |·| ≥ 2^62 and otherwise its value cO; the
// shared materialised form (cB, cVO) is made on demand (cMat).
func (c *chunkEval) lookup(n *bneuron, key []keyItem) {
	if c.hit(key) {
		return
	}
	z := c.bigPart(n, key, &c.cz)
	c.cSgn, c.cBig = z.Sign(), z.BitLen() > 62
	if !c.cBig {
		c.cO = z.Int64()
	}
	c.cB, c.cVO, c.cMat = nil, 0, false
	c.cOK = true
	copy(c.ck, key)
}

// dValue completes a dyadic neuron's value from its small part and key.
func (c *chunkEval) dValue(n *bneuron, off, m int64, nbig, alias int, key []keyItem) (dval, bool) {
	var b *big.Int
	switch {
	case nbig == 0 && !n.bbig:
	case nbig == 1 && !n.bbig && key[alias].v == 0 && n.bterms[alias].unit == 1 && n.bterms[alias].shift == 0:
		b = key[alias].p
	default:
		c.lookup(n, key)
		if !c.cMat {
			c.cB, c.cVO = norm(new(big.Int).Set(&c.cz))
			c.cMat = true
		}
		b = c.cB
		off += c.cVO
		if abs64(off) >= offMax {
			return dval{}, false
		}
	}
	if b != nil && abs64(off) >= smallB {
		z := new(big.Int).SetInt64(off)
		b, off = norm(z.Add(z, b))
	}
	return dval{b: b, o: off, m: m}, true
}

// dGeneric evaluates a dyadic neuron at point p entirely in big integers.
func (c *chunkEval) dGeneric(n *bneuron, p int) (dval, error) {
	z := new(big.Int)
	if n.bias != nil {
		z.Set(n.bias)
	}
	phc := new(big.Int)
	h := new(big.Int)
	for ti := range n.bterms {
		t := &n.bterms[ti]
		var hm int64
		if t.xin {
			x := c.cur[t.in].x.v[p]
			hm = x.m
			h.SetInt64(x.k)
			if hm != 0 {
				phc.Add(phc, c.tmp.Mul(c.tmp.SetInt64(hm), t.wbig))
			}
		} else {
			d := c.cur[t.in].d.v[p]
			hm = d.m
			h.SetInt64(d.o)
			if d.b != nil {
				h.Add(h, d.b)
			}
			if hm != 0 {
				phc.Add(phc, c.tmp.Mul(c.tmp.SetInt64(hm), t.wphi))
			}
		}
		z.Add(z, c.tmp.Mul(h, t.wbig))
	}
	var m int64
	if phc.Sign() != 0 {
		// the φ coefficient Σ w·m must be an integer that fits in int64
		if phc.TrailingZeroBits() < uint(n.scale0) {
			return dval{}, fmt.Errorf("%w: a fraction of φ reaches a dyadic neuron", ErrNotTyped)
		}
		phc.Rsh(phc, uint(n.scale0))
		if !phc.IsInt64() || abs64(phc.Int64()) >= offMax {
			return dval{}, fmt.Errorf("%w: φ coefficient out of range", ErrNotTyped)
		}
		m = phc.Int64()
	}
	b, o := norm(z)
	return dval{b: b, o: o, m: m}, nil
}

// signD decides (b + o)·2^-s + m·φ ≥ 0 exactly.
func (c *chunkEval) signD(v dval, s int, P *big.Int) bool {
	if v.m == 0 {
		if v.b == nil {
			return v.o >= 0
		}
		if v.b.BitLen() > 62 {
			return v.b.Sign() >= 0
		}
		return v.b.Int64()+v.o >= 0
	}
	if s == 0 && (v.b == nil || v.b.BitLen() <= 60) {
		k := v.o
		if v.b != nil {
			k += v.b.Int64()
		}
		return c.stepX(xval{m: v.m, k: k}, P)
	}
	sphi := c.bp.fp.sphi
	cs := max(s, sphi)
	z := new(big.Int).SetInt64(v.o)
	if v.b != nil {
		z.Add(z, v.b)
	}
	z.Lsh(z, uint(cs-s))
	c.tmp2.SetInt64(v.m)
	c.tmp2.Mul(&c.tmp2, P)
	c.tmp2.Lsh(&c.tmp2, uint(cs-sphi))
	z.Add(z, &c.tmp2)
	return z.Sign() >= 0
}

// output writes the exact output of point p (the single read-out neuron).
func (c *chunkEval) output(p int, out *big.Rat) {
	fp := c.bp.fp
	last := &c.bp.layers[len(c.bp.layers)-1][0]
	s := c.cur[0]
	var k *big.Int
	var m int64
	scale := 0
	if s.x != nil {
		v := s.x.v[p]
		k, m = big.NewInt(v.k), v.m
	} else {
		v := s.d.v[p]
		k, m = big.NewInt(v.o), v.m
		if v.b != nil {
			k.Add(k, v.b)
		}
		scale = last.scale
	}
	// value = k·2^-scale + m·φ, φ = P·2^-sphi
	num := k.Lsh(k, uint(fp.sphi))
	num.Add(num, new(big.Int).Lsh(new(big.Int).Mul(big.NewInt(m), c.P[p]), uint(scale)))
	out.SetFrac(num, new(big.Int).Lsh(big.NewInt(1), uint(scale+fp.sphi)))
}

// evalBatch computes the exact output of the network on every point (floor
// F[i], fraction numerator P[i]); see the file comment.
func (bp *batchProg) eval(F []int64, P []*big.Int) ([]*big.Rat, error) {
	N := len(F)
	out := make([]*big.Rat, N)
	if N == 0 {
		return out, nil
	}
	maxW := len(bp.fp.first)
	for _, l := range bp.layers {
		maxW = max(maxW, len(l))
	}
	procs := runtime.GOMAXPROCS(0)
	// The global sort gathers the state of layer split−1 for all points;
	// when that layer is very wide (Theorem 1's table layer) the points stay
	// in their original chunks instead (exact either way, fewer cache hits).
	stateW := len(bp.fp.first)
	if bp.split > 0 {
		stateW = len(bp.layers[bp.split-1])
	}
	split := bp.split
	if int64(stateW)*int64(N) > sortLimit {
		split = len(bp.layers)
	}
	// phase 1: x-typed prefix, in cache-sized chunks in the original order
	c1 := max(16, min(2048, (1<<20)/maxW))
	type saved struct {
		slots []slotv
		lo    int
	}
	var states []saved
	var mu sync.Mutex
	nch := (N + c1 - 1) / c1
	err := runPar(nch, func(ci int) error {
		lo, hi := ci*c1, min(N, (ci+1)*c1)
		c := &chunkEval{bp: bp, n: hi - lo, F: F[lo:hi], P: P[lo:hi]}
		if err := c.first(); err != nil {
			return err
		}
		if err := c.run(0, split); err != nil {
			return err
		}
		if split == len(bp.layers) {
			for p := range c.n {
				out[lo+p] = new(big.Rat)
				c.output(p, out[lo+p])
			}
			return nil
		}
		mu.Lock()
		states = append(states, saved{slots: c.cur, lo: lo})
		mu.Unlock()
		return nil
	})
	if err != nil || split == len(bp.layers) {
		return out, err
	}
	// gather the state after the prefix and sort the points by it
	w := len(states[0].slots)
	xs := make([][]xval, w)
	ds := make([][]dval, w)
	for j := range w {
		if states[0].slots[j].x != nil {
			xs[j] = make([]xval, N)
		} else {
			ds[j] = make([]dval, N)
		}
	}
	for _, s := range states {
		for j, sl := range s.slots {
			if sl.x != nil {
				copy(xs[j][s.lo:], sl.x.v)
			} else {
				copy(ds[j][s.lo:], sl.d.v)
			}
		}
	}
	states = nil
	perm := make([]int, N)
	for i := range perm {
		perm[i] = i
	}
	slices.SortFunc(perm, func(a, b int) int {
		for j := range w {
			if xs[j] != nil {
				if r := cmp.Compare(xs[j][a].k, xs[j][b].k); r != 0 {
					return r
				}
				if r := cmp.Compare(xs[j][a].m, xs[j][b].m); r != 0 {
					return r
				}
			} else if r := cmp.Compare(ds[j][a].o, ds[j][b].o); r != 0 {
				return r
			}
		}
		return cmp.Compare(a, b)
	})
	// phase 2: contiguous runs of the sorted order, a few per core (the
	// one-entry cache only loses at run boundaries)
	nc2 := min(N, 4*procs)
	c2 := max((N+nc2-1)/nc2, min(N, 64))
	c2 = min(c2, max(16, (1<<22)/maxW))
	nch = (N + c2 - 1) / c2
	return out, runPar(nch, func(ci int) error {
		lo, hi := ci*c2, min(N, (ci+1)*c2)
		ids := perm[lo:hi]
		c := &chunkEval{bp: bp, n: hi - lo, F: make([]int64, hi-lo), P: make([]*big.Int, hi-lo)}
		for p, i := range ids {
			c.F[p], c.P[p] = F[i], P[i]
		}
		for j := range w {
			if xs[j] != nil {
				x := c.getX()
				mx := uint64(0)
				for p, i := range ids {
					x.v[p] = xs[j][i]
					mx = max(mx, maxAbs(x.v[p]))
				}
				x.mx = mx
				c.cur = append(c.cur, slotv{x: x})
			} else {
				d := c.getD()
				for p, i := range ids {
					d.v[p] = ds[j][i]
				}
				c.cur = append(c.cur, slotv{d: d})
			}
		}
		if err := c.run(split, len(bp.layers)); err != nil {
			return err
		}
		for p, i := range ids {
			out[i] = new(big.Rat)
			c.output(p, out[i])
		}
		return nil
	})
}
