package nn

import "math/bits"

// maxFusedTerms is the most terms the fused kernel takes (with more, the
// points-innermost loops of addTerm keep the accumulators in cache).
const maxFusedTerms = 8

// fterm is one term of the fused kernel: its input values, their words,
// and the coefficient's magnitude and sign.
type fterm struct {
	h    []uint64
	K    int
	a    uint64
	neg  bool
	unit bool
	// bit: the input is 0 or 1 and c (modulo 2^256, two's complement) is
	// added where it is 1
	bit bool
	c   [4]uint64
}

// words4 returns ±mag modulo 2^256 as four two's complement words.
func words4(mag []uint64, neg bool) [4]uint64 {
	var w [4]uint64
	copy(w[:], mag)
	if neg {
		negate(w[:])
	}
	return w
}

// fusedSmall evaluates a neuron with one-word coefficients and bias in W
// = 2, 3 or 4 words point by point, holding the sum in registers: bias,
// every term, activation, one store. The arithmetic is modulo 2^256, whose
// low W words are the sum modulo 2^(64W) (see Exact).
func fusedSmall(z []uint64, W int, n *xneuron, in *vals, P int, ft []fterm) []fterm {
	ft = ft[:0]
	for t := range n.terms {
		tm := &n.terms[t]
		i := int(tm.in)
		f := fterm{h: in.neuron(i, P), K: in.w[i], a: tm.mag[0], neg: tm.neg, unit: tm.unit}
		if tm.bit && !tm.unit {
			f.bit, f.c = true, words4(tm.mag, tm.neg)
		}
		ft = append(ft, f)
	}
	b := words4(n.bmag, n.bneg)
	if W <= 3 {
		same := true
		for t := range ft {
			same = same && ft[t].K <= W && (!ft[t].bit || W == 2)
		}
		switch {
		case same && W == 3:
			fused3(z, n.act, ft, b, P)
			return ft
		case same:
			fused2(z, n.act, ft, b, P)
			return ft
		}
	}
	for p := range P {
		a0, a1, a2, a3 := b[0], b[1], b[2], b[3]
		for t := range ft {
			f := &ft[t]
			K := f.K
			h := f.h[p*K : p*K+K]
			if f.bit {
				m := -h[0] // all ones where the input is 1
				var c uint64
				a0, c = bits.Add64(a0, f.c[0]&m, 0)
				a1, c = bits.Add64(a1, f.c[1]&m, c)
				a2, c = bits.Add64(a2, f.c[2]&m, c)
				a3, _ = bits.Add64(a3, f.c[3]&m, c)
				continue
			}
			ext := uint64(int64(h[K-1]) >> 63)
			h0, h1, h2, h3 := h[0], ext, ext, ext
			if K > 1 {
				h1 = h[1]
				if K > 2 {
					h2 = h[2]
					if K > 3 {
						h3 = h[3]
					}
				}
			}
			var t0, t1, t2, t3 uint64
			if f.unit {
				t0, t1, t2, t3 = h0, h1, h2, h3
			} else {
				var c, hi, lo uint64
				hi, t0 = bits.Mul64(h0, f.a)
				lo0 := hi
				hi, lo = bits.Mul64(h1, f.a)
				t1, c = bits.Add64(lo, lo0, 0)
				lo0 = hi + c
				hi, lo = bits.Mul64(h2, f.a)
				t2, c = bits.Add64(lo, lo0, 0)
				t3 = h3*f.a + hi + c
			}
			var c uint64
			if f.neg {
				a0, c = bits.Sub64(a0, t0, 0)
				a1, c = bits.Sub64(a1, t1, c)
				a2, c = bits.Sub64(a2, t2, c)
				a3, _ = bits.Sub64(a3, t3, c)
			} else {
				a0, c = bits.Add64(a0, t0, 0)
				a1, c = bits.Add64(a1, t1, c)
				a2, c = bits.Add64(a2, t2, c)
				a3, _ = bits.Add64(a3, t3, c)
			}
		}
		top := a3
		switch W {
		case 2:
			top = a1
		case 3:
			top = a2
		}
		switch {
		case n.act == ReLU && int64(top) < 0:
			a0, a1, a2, a3 = 0, 0, 0, 0
		case n.act == Step:
			a0 = uint64(b2i(int64(top) >= 0))
			a1, a2, a3 = 0, 0, 0
		}
		zp := z[p*W : p*W+W]
		zp[0], zp[1] = a0, a1
		if W > 2 {
			zp[2] = a2
			if W > 3 {
				zp[3] = a3
			}
		}
	}
	return ft
}

// fused2 is fusedSmall for two words when every input has at most two
// words (Park's x-chain: a running index, STEP outputs with wide
// coefficients): the same sum modulo 2^128.
func fused2(z []uint64, act Activation, ft []fterm, b [4]uint64, P int) {
	for p := range P {
		a0, a1 := b[0], b[1]
		for t := range ft {
			f := &ft[t]
			var h0, h1 uint64
			if f.K == 2 {
				h := f.h[2*p : 2*p+2]
				h0, h1 = h[0], h[1]
			} else {
				h0 = f.h[p]
				h1 = uint64(int64(h0) >> 63)
			}
			var c uint64
			switch {
			case f.bit:
				m := -h0 // all ones where the input is 1
				a0, c = bits.Add64(a0, f.c[0]&m, 0)
				a1, _ = bits.Add64(a1, f.c[1]&m, c)
				continue
			case !f.unit:
				hi, lo := bits.Mul64(h0, f.a)
				h0, h1 = lo, h1*f.a+hi
			}
			if f.neg {
				a0, c = bits.Sub64(a0, h0, 0)
				a1, _ = bits.Sub64(a1, h1, c)
			} else {
				a0, c = bits.Add64(a0, h0, 0)
				a1, _ = bits.Add64(a1, h1, c)
			}
		}
		switch {
		case act == ReLU && int64(a1) < 0:
			a0, a1 = 0, 0
		case act == Step:
			a0, a1 = uint64(b2i(int64(a1) >= 0)), 0
		}
		z[2*p], z[2*p+1] = a0, a1
	}
}

// fused3 is fusedSmall for three words when every input has at most three
// words and every coefficient one word (Hernández–Zuazua's chains): the
// same sum, modulo 2^192, without the fourth word and the 0/1 case.
func fused3(z []uint64, act Activation, ft []fterm, b [4]uint64, P int) {
	for p := range P {
		a0, a1, a2 := b[0], b[1], b[2]
		for t := range ft {
			f := &ft[t]
			var h0, h1, h2 uint64
			switch f.K {
			case 3:
				h := f.h[3*p : 3*p+3]
				h0, h1, h2 = h[0], h[1], h[2]
			case 2:
				h := f.h[2*p : 2*p+2]
				h0, h1 = h[0], h[1]
				h2 = uint64(int64(h1) >> 63)
			default:
				h0 = f.h[p]
				h1 = uint64(int64(h0) >> 63)
				h2 = h1
			}
			if !f.unit {
				hi0, t0 := bits.Mul64(h0, f.a)
				hi1, lo1 := bits.Mul64(h1, f.a)
				t1, c := bits.Add64(lo1, hi0, 0)
				h0, h1, h2 = t0, t1, h2*f.a+hi1+c
			}
			var c uint64
			if f.neg {
				a0, c = bits.Sub64(a0, h0, 0)
				a1, c = bits.Sub64(a1, h1, c)
				a2, _ = bits.Sub64(a2, h2, c)
			} else {
				a0, c = bits.Add64(a0, h0, 0)
				a1, c = bits.Add64(a1, h1, c)
				a2, _ = bits.Add64(a2, h2, c)
			}
		}
		switch {
		case act == ReLU && int64(a2) < 0:
			a0, a1, a2 = 0, 0, 0
		case act == Step:
			a0, a1, a2 = uint64(b2i(int64(a2) >= 0)), 0, 0
		}
		zp := z[3*p : 3*p+3]
		zp[0], zp[1], zp[2] = a0, a1, a2
	}
}
