package vardi

import (
	"math/big"
	"math/bits"

	"github.com/memnet/memnet/nn"
)

// A 128-bit fast path for the per-point prefix (Stages I and II) of the
// grouped evaluator (spec §12: "a custom 128-bit fast path for small values
// would be next"). Ours. At compile time every prefix neuron gets an exact
// interval [lo, hi] of its pre-activation (interval arithmetic from the
// data's own coordinate ranges); a neuron whose sources are all small and
// whose partial sums are all below 2^126 in magnitude is evaluated in
// two's-complement 128-bit integers, which is exact because nothing can
// overflow. Other neurons (the crafted-integer accumulators) use math/big.

type i128 struct{ lo, hi uint64 }

func (a i128) neg() i128 {
	lo, b := bits.Sub64(0, a.lo, 0)
	hi, _ := bits.Sub64(0, a.hi, b)
	return i128{lo, hi}
}

func (a i128) add(b i128) i128 {
	lo, c := bits.Add64(a.lo, b.lo, 0)
	hi, _ := bits.Add64(a.hi, b.hi, c)
	return i128{lo, hi}
}

func (a i128) sub(b i128) i128 {
	lo, c := bits.Sub64(a.lo, b.lo, 0)
	hi, _ := bits.Sub64(a.hi, b.hi, c)
	return i128{lo, hi}
}

func (a i128) sign() int {
	if int64(a.hi) < 0 {
		return -1
	}
	if a.hi == 0 && a.lo == 0 {
		return 0
	}
	return 1
}

// mulShift returns a·w·2^s; the caller guarantees |a·w·2^s| < 2^126.
func (a i128) mulShift(w int64, s uint) i128 {
	neg := false
	if a.sign() < 0 {
		a = a.neg()
		neg = true
	}
	uw := uint64(w)
	if w < 0 {
		uw = uint64(-w)
		neg = !neg
	}
	hi, lo := bits.Mul64(a.lo, uw)
	hi += a.hi * uw
	r := i128{lo, hi}
	if s > 0 {
		if s >= 64 {
			r = i128{0, r.lo << (s - 64)}
		} else {
			r = i128{r.lo << s, r.hi<<s | r.lo>>(64-s)}
		}
	}
	if neg {
		r = r.neg()
	}
	return r
}

func i128FromBig(z *big.Int) i128 {
	ws := z.Bits() // |z|
	var r i128
	if len(ws) > 0 {
		r.lo = uint64(ws[0])
	}
	if len(ws) > 1 {
		r.hi = uint64(ws[1])
	}
	if z.Sign() < 0 {
		r = r.neg()
	}
	return r
}

func (a i128) toBig(z *big.Int) {
	neg := a.sign() < 0
	if neg {
		a = a.neg()
	}
	z.SetUint64(a.hi)
	z.Lsh(z, 64)
	if a.lo != 0 {
		var t big.Int
		t.SetUint64(a.lo)
		z.Or(z, &t)
	}
	if neg {
		z.Neg(z)
	}
}

var lim126 = new(big.Int).Lsh(big.NewInt(1), 126)

// planSmall decides which prefix neurons run in 128 bits, given the exact
// integer ranges [inLo, inHi] of the inputs at their compiled scales.
func (p *program) planSmall(inLo, inHi []*big.Int) {
	end := p.layerEnd[p.split]
	p.small = make([]bool, end)
	p.needBig = make([]bool, end)
	p.dots = make([]*dotPlan, p.layerEnd[1]-p.inDim)
	p.inputsNeeded = false
	lo := make([]*big.Int, end)
	hi := make([]*big.Int, end)
	for i := range p.inDim {
		lo[i], hi[i] = inLo[i], inHi[i]
		p.small[i] = inLo[i].CmpAbs(lim126) < 0 && inHi[i].CmpAbs(lim126) < 0
	}
	mag := func(a, b *big.Int) *big.Int {
		if a.CmpAbs(b) > 0 {
			return new(big.Int).Abs(a)
		}
		return new(big.Int).Abs(b)
	}
	for id := p.inDim; id < end; id++ {
		if p.alias[id] {
			continue
		}
		nd := &p.nodes[id-p.inDim]
		ok := true
		zl, zh := new(big.Int), new(big.Int)
		sum := new(big.Int)
		if nd.bias != nil {
			zl.Set(nd.bias)
			zh.Set(nd.bias)
			sum.Abs(nd.bias)
		}
		for k := range nd.terms {
			t := &nd.terms[k]
			a := new(big.Int).Mul(lo[t.src], t.w)
			b := new(big.Int).Mul(hi[t.src], t.w)
			a.Lsh(a, uint(t.shift))
			b.Lsh(b, uint(t.shift))
			if a.Cmp(b) > 0 {
				a, b = b, a
			}
			zl.Add(zl, a)
			zh.Add(zh, b)
			sum.Add(sum, mag(a, b))
			if !p.small[t.src] || !t.w.IsInt64() || t.w.BitLen() > 62 {
				ok = false
			}
		}
		if sum.Cmp(lim126) >= 0 {
			ok = false
		}
		if id < p.layerEnd[1] {
			// first layer: exact fixed-window accumulator (kulisch.go)
			if dp := newDotPlan(nd, p.inScale, sum); dp != nil {
				p.dots[id-p.inDim] = dp
				ok = sum.Cmp(lim126) < 0
			} else {
				p.inputsNeeded = true
			}
		}
		p.small[id] = ok
		switch nd.act {
		case 0: // ReLU
			if zl.Sign() < 0 {
				zl.SetInt64(0)
			}
			if zh.Sign() < 0 {
				zh.SetInt64(0)
			}
		case 1: // Step
			zl.SetInt64(0)
			zh.SetInt64(1)
		}
		lo[id], hi[id] = zl, zh
		for k := range nd.terms {
			if !ok {
				p.needBig[nd.terms[k].src] = true
			}
		}
		if ok && (id >= p.layerEnd[1] || p.dots[id-p.inDim] == nil) {
			nd.w64 = make([]int64, len(nd.terms))
			for k := range nd.terms {
				nd.w64[k] = nd.terms[k].w.Int64()
			}
			if nd.bias != nil {
				nd.b128 = i128FromBig(nd.bias)
			}
		}
	}
	for id := p.layerEnd[p.split-1]; id < end; id++ {
		p.needBig[p.root[id]] = true // the split layer feeds phases 2 and 3
	}
	p.prefix = p.prefix[:0]
	for id := p.inDim; id < end; id++ {
		if !p.alias[id] {
			p.prefix = append(p.prefix, int32(id))
		}
	}
	read := make([]bool, p.inDim)
	for _, dp := range p.dots {
		if dp != nil {
			for _, t := range dp.terms {
				read[t.in] = true
			}
		}
	}
	p.unchecked = p.unchecked[:0]
	for i, r := range read {
		if !r {
			p.unchecked = append(p.unchecked, i)
		}
	}
	p.planOps()
}

// The per-point prefix as a compact op stream (built by planOps): the phase-1
// loop walks it sequentially instead of the general node table, which keeps
// the working set of the ~N·(prefix neurons) evaluations small.
const (
	popSmall uint8 = iota // 128-bit neuron, terms in p.pterms[t0:t1]
	popBig                // general neuron in math/big (evalBig)
	popDot                // first-layer accumulator (kulisch.go)
)

type pop struct {
	id      int32
	slot    int32 // where a 128-bit result goes in wstate.v128 (-1: none)
	t0, t1  int32
	kind    uint8
	act     nn.Activation
	needBig bool
	b128    i128
	bias    *big.Int // popBig
}

// bterm is one term of a popBig neuron (as vterm, without the indirection).
type bterm struct {
	src   int32
	unit  int8
	shift uint32
	w     *big.Int
}

// pterm is one 128-bit term: kind 0 adds h, 1 subtracts h, 2 adds h·w·2^shift.
type pterm struct {
	src   int32
	kind  uint8
	shift uint8
	w     int64
}

func (p *program) planOps() {
	p.ops = p.ops[:0]
	p.pterms = p.pterms[:0]
	p.bterms = p.bterms[:0]
	for _, id32 := range p.prefix {
		id := int(id32)
		nd := &p.nodes[id-p.inDim]
		op := pop{id: id32, act: nd.act, needBig: p.needBig[id], kind: popBig}
		switch {
		case id < p.layerEnd[1] && p.dots[id-p.inDim] != nil:
			op.kind = popDot
		case p.small[id]:
			op.kind = popSmall
			op.b128 = nd.b128
			op.t0 = int32(len(p.pterms))
			for k := range nd.terms {
				t := &nd.terms[k]
				pt := pterm{src: t.src, kind: 2, shift: uint8(t.shift), w: nd.w64[k]}
				switch {
				case t.unit == 1 && t.shift == 0:
					pt.kind = 0
				case t.unit == -1 && t.shift == 0:
					pt.kind = 1
				}
				p.pterms = append(p.pterms, pt)
			}
			op.t1 = int32(len(p.pterms))
		default:
			op.bias = nd.bias
			op.t0 = int32(len(p.bterms))
			for _, t := range nd.terms {
				p.bterms = append(p.bterms, bterm(t))
			}
			op.t1 = int32(len(p.bterms))
		}
		p.ops = append(p.ops, op)
	}
	p.assignSlots()
	p.ops2 = p.bigOps(p.sharedN)
	p.ops3 = p.bigOps(p.pointN)
}

// bigOps returns popBig ops for the given neurons (phases 2 and 3).
func (p *program) bigOps(ids []int) []pop {
	ops := make([]pop, 0, len(ids))
	for _, id := range ids {
		nd := &p.nodes[id-p.inDim]
		op := pop{id: int32(id), act: nd.act, kind: popBig, bias: nd.bias, t0: int32(len(p.bterms))}
		for _, t := range nd.terms {
			p.bterms = append(p.bterms, bterm(t))
		}
		op.t1 = int32(len(p.bterms))
		ops = append(ops, op)
	}
	return ops
}

// evalBig computes a general neuron exactly in math/big, aliasing when the
// result equals one input (no bias, exactly one nonzero input, weight 1 at
// shift 0, value > 0). Used by all three phases.
func (p *program) evalBig(op *pop, s *wstate) {
	zero := &s.zero
	terms := p.bterms[op.t0:op.t1]
	if op.bias == nil && (op.act == nn.ReLU || op.act == nn.Identity) {
		var only *bterm
		cnt := 0
		for k := range terms {
			if h := s.val[terms[k].src]; h != zero && h.Sign() != 0 {
				cnt++
				only = &terms[k]
			}
		}
		if cnt == 0 {
			s.val[op.id] = zero
			return
		}
		if cnt == 1 && only.unit == 1 && only.shift == 0 {
			h := s.val[only.src]
			if h.Sign() > 0 || op.act == nn.Identity {
				s.val[op.id] = h
				return
			}
		}
	}
	z := &s.own[op.id]
	if op.bias != nil {
		z.Set(op.bias)
	} else {
		z.SetInt64(0)
	}
	tmp := &s.tmp
	for k := range terms {
		t := &terms[k]
		h := s.val[t.src]
		if h == zero || h.Sign() == 0 {
			continue
		}
		switch {
		case t.unit != 0 && t.shift == 0:
			if t.unit > 0 {
				z.Add(z, h)
			} else {
				z.Sub(z, h)
			}
		case t.unit != 0:
			tmp.Lsh(h, uint(t.shift))
			if t.unit > 0 {
				z.Add(z, tmp)
			} else {
				z.Sub(z, tmp)
			}
		default:
			tmp.Mul(h, t.w)
			if t.shift != 0 {
				tmp.Lsh(tmp, uint(t.shift))
			}
			z.Add(z, tmp)
		}
	}
	switch op.act {
	case nn.ReLU:
		if z.Sign() <= 0 {
			s.val[op.id] = zero
			return
		}
	case nn.Step:
		if z.Sign() >= 0 {
			z.SetInt64(1)
		} else {
			s.val[op.id] = zero
			return
		}
	}
	s.val[op.id] = z
}

// prefixBatch is the number of points whose prefixes are evaluated together
// (op-major), so that the op stream is read once per batch.
const prefixBatch = 4

// evalPrefixBatch is evalPrefix for len(xs) ≤ prefixBatch points at once;
// on error it reports the offending point's offset.
func (p *program) evalPrefixBatch(xs [][]float64, sts []*wstate) (int, error) {
	pts := p.pterms
	for oi := range p.ops {
		op := &p.ops[oi]
		switch op.kind {
		case popSmall:
			terms := pts[op.t0:op.t1]
			for _, s := range sts {
				v := s.v128
				z := op.b128
				for _, t := range terms {
					h := v[t.src]
					if h.lo|h.hi == 0 {
						continue
					}
					switch t.kind {
					case 0:
						z = z.add(h)
					case 1:
						z = z.sub(h)
					default:
						z = z.add(h.mulShift(t.w, uint(t.shift)))
					}
				}
				switch op.act {
				case nn.ReLU:
					if int64(z.hi) < 0 {
						z = i128{}
					}
				case nn.Step:
					if int64(z.hi) >= 0 {
						z = i128{lo: 1}
					} else {
						z = i128{}
					}
				}
				v[op.slot] = z
				if op.needBig {
					if z.lo|z.hi == 0 {
						s.val[op.id] = &s.zero
					} else {
						z.toBig(&s.own[op.id])
						s.val[op.id] = &s.own[op.id]
					}
				}
			}
		case popBig:
			for _, s := range sts {
				p.evalBig(op, s)
			}
		default:
			dp := p.dots[int(op.id)-p.inDim]
			for b, s := range sts {
				if err := p.evalDot(int(op.id), op.slot, dp, xs[b], s); err != nil {
					return b, err
				}
			}
		}
	}
	return 0, nil
}

// assignSlots gives every 128-bit value of the prefix a slot of
// wstate.v128, reusing the slot of a value after its last reader (a linear
// scan over the op stream), so that a point's 128-bit state stays a few
// hundred bytes instead of one entry per neuron. With integer inputs
// (p.inputsNeeded) the slots are the neuron ids.
func (p *program) assignSlots() {
	writes := func(op *pop) bool {
		return op.kind == popSmall || op.kind == popDot && p.small[op.id]
	}
	if p.inputsNeeded {
		for k := range p.ops {
			p.ops[k].slot = -1
			if writes(&p.ops[k]) {
				p.ops[k].slot = p.ops[k].id
			}
		}
		p.nslots = p.layerEnd[p.split]
		return
	}
	last := map[int32]int{}
	for k := range p.ops {
		op := &p.ops[k]
		if op.kind == popSmall {
			for _, t := range p.pterms[op.t0:op.t1] {
				last[t.src] = k
			}
		}
	}
	slot := map[int32]int32{}
	var free []int32
	n := int32(0)
	for k := range p.ops {
		op := &p.ops[k]
		op.slot = -1
		if op.kind == popSmall {
			var done []int32 // sources released by this op
			for j := op.t0; j < op.t1; j++ {
				src := p.pterms[j].src
				sl, ok := slot[src]
				if !ok {
					panic("vardi verify: a 128-bit value is read before it is written")
				}
				p.pterms[j].src = sl
				if last[src] == k {
					done = append(done, src)
				}
			}
			// release the slots read for the last time: the op reads all its
			// terms before it writes its result, so it may reuse one
			for _, src := range done {
				if sl, ok := slot[src]; ok {
					free = append(free, sl)
					delete(slot, src)
				}
			}
		}
		if writes(op) {
			var sl int32
			if len(free) > 0 {
				sl, free = free[len(free)-1], free[:len(free)-1]
			} else {
				sl, n = n, n+1
			}
			op.slot = sl
			if _, read := last[op.id]; read {
				slot[op.id] = sl
			} else {
				free = append(free, sl) // never read: a scratch slot
			}
		}
	}
	p.nslots = int(max(n, 1))
}
