package vardi

import (
	"math/big"
	"math/bits"
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
	var m big.Int
	m.Abs(z)
	ws := m.Bits()
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
		if ok {
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
}

// evalSmall computes a small neuron in 128 bits.
func (p *program) evalSmall(id int, s *wstate) {
	nd := &p.nodes[id-p.inDim]
	z := nd.b128
	for k := range nd.terms {
		h := s.v128[nd.terms[k].src]
		if h.lo == 0 && h.hi == 0 {
			continue
		}
		t := &nd.terms[k]
		switch {
		case t.unit == 1 && t.shift == 0:
			z = z.add(h)
		case t.unit == -1 && t.shift == 0:
			z = z.sub(h)
		default:
			z = z.add(h.mulShift(nd.w64[k], uint(t.shift)))
		}
	}
	switch nd.act {
	case 0:
		if z.sign() < 0 {
			z = i128{}
		}
	case 1:
		if z.sign() >= 0 {
			z = i128{lo: 1}
		} else {
			z = i128{}
		}
	}
	s.v128[id] = z
	if p.needBig[id] {
		if z.lo == 0 && z.hi == 0 {
			s.val[id] = &s.zero
		} else {
			z.toBig(&s.own[id])
			s.val[id] = &s.own[id]
		}
	}
}
