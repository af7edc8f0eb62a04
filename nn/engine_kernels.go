package nn

import (
	"math/big"
	"math/bits"
)

// addConst adds the neuron's bias B to every point's z (W words each),
// modulo 2^(64W).
func addConst(z []uint64, W int, n *xneuron) {
	if n.bmag == nil {
		return
	}
	m := n.bmag[:min(len(n.bmag), W)]
	for p := range len(z) / W {
		addMag(z[p*W:p*W+W], m, n.bneg)
	}
}

// stepCompare writes STEP(Z + B) = [Z ≥ −B] for the P values Z of h (K
// words each) into z, one word per point (z is laid out with W words per
// point; the first P words are used). Both sides are exact two's
// complement integers, compared from their top words down.
func stepCompare(z []uint64, W int, h []uint64, K int, negB []uint64) {
	P := len(z) / W
	L := max(K, len(negB))
	next := uint64(int64(negB[len(negB)-1]) >> 63)
	for p := range P {
		hp := h[p*K : p*K+K]
		hx := uint64(int64(hp[K-1]) >> 63)
		ge := true // equal so far: Z ≥ −B
		for q := L - 1; q >= 0; q-- {
			a, b := hx, next
			if q < K {
				a = hp[q]
			}
			if q < len(negB) {
				b = negB[q]
			}
			if a == b {
				continue
			}
			if q == L-1 {
				ge = int64(a) > int64(b)
			} else {
				ge = a > b
			}
			break
		}
		z[p] = uint64(b2i(ge))
	}
}

// addBit adds c·h to every point's z (W words each) for an input h that is
// 0 or 1 on every point (by its range; K words each): where h = 1 it adds
// (or subtracts) the words of |c| from its lowest nonzero word up, modulo
// 2^(64W), stopping when the carry dies out.
func addBit(z, h []uint64, W, K int, t *xterm) {
	P := len(z) / W
	top := min(len(t.mag), W)
	if t.lo >= top {
		return // c ≡ 0 modulo 2^(64W)
	}
	m := t.mag[t.lo:top]
	for p := range P {
		if h[p*K] == 0 {
			continue
		}
		addMag(z[p*W+t.lo:p*W+W], m, t.neg)
	}
}

// addMag adds (or, neg, subtracts) the magnitude words m to the words zp
// from zp's first word up, modulo 2^(64·len(zp)), stopping when the carry
// dies out (len(m) ≤ len(zp)).
func addMag(zp, m []uint64, neg bool) {
	var c uint64
	if neg {
		for q, x := range m {
			zp[q], c = bits.Sub64(zp[q], x, c)
		}
		for q := len(m); q < len(zp) && c != 0; q++ {
			zp[q], c = bits.Sub64(zp[q], 0, c)
		}
		return
	}
	for q, x := range m {
		zp[q], c = bits.Add64(zp[q], x, c)
	}
	for q := len(m); q < len(zp) && c != 0; q++ {
		zp[q], c = bits.Add64(zp[q], 0, c)
	}
}

// copyWords writes the P values of src (K words each) into dst (W words
// each), sign-extending or keeping the low words (exact: the range analysis
// proves the value fits W words).
func copyWords(dst []uint64, W int, src []uint64, K int) {
	if K == W {
		copy(dst, src)
		return
	}
	P := len(dst) / W
	for p := range P {
		d, h := dst[p*W:p*W+W], src[p*K:p*K+K]
		n := copy(d, h)
		ext := uint64(int64(h[K-1]) >> 63)
		for q := n; q < W; q++ {
			d[q] = ext
		}
	}
}

// maxMagBits is an upper bound on the bit length of |v| over the K-word
// two's complement values in vs (0 when all are zero).
func maxMagBits(vs []uint64, K int) int {
	m := 0
	for p := 0; p < len(vs); p += K {
		w := vs[p : p+K]
		mask := uint64(int64(w[K-1]) >> 63)
		for q := K - 1; q >= 0; q-- {
			if x := w[q] ^ mask; x != 0 {
				b := 64*q + bits.Len64(x) + int(mask&1)
				m = max(m, b)
				break
			}
		}
		if mask != 0 && m == 0 {
			m = 1 // −1
		}
	}
	return m
}

// setShifted writes m·2^sh into w as a two's complement integer (modulo 2^(64·len(w))).
func setShifted(w []uint64, m int64, sh uint) {
	clear(w)
	neg := m < 0
	a := uint64(m)
	if neg {
		a = uint64(-m)
	}
	q, r := int(sh/64), sh%64
	if q < len(w) {
		w[q] = a << r
		if r != 0 && q+1 < len(w) {
			w[q+1] = a >> (64 - r)
		}
	}
	if neg {
		negate(w)
	}
}

// negate sets w = −w modulo 2^(64·len(w)) (two's complement).
func negate(w []uint64) {
	var c uint64 = 1
	for i := range w {
		w[i], c = bits.Add64(^w[i], 0, c)
	}
}

// setBias fills every point's pre-activation with the neuron's bias.
func setBias(z []uint64, W int, n *xneuron) {
	if n.bmag == nil {
		clear(z)
		return
	}
	if W == 1 {
		b := n.bmag[0]
		if n.bneg {
			b = -b
		}
		for p := range z {
			z[p] = b
		}
		return
	}
	first := z[:W]
	clear(first)
	copy(first, n.bmag[:min(W, len(n.bmag))])
	if n.bneg {
		negate(first)
	}
	for p := W; p < len(z); p += W {
		copy(z[p:p+W], first)
	}
}

// addTerm adds c·h to every point's z (W words each; h has K words each).
func addTerm(z, h []uint64, W, K int, t *xterm, tmp []uint64) {
	switch {
	case W == 1:
		c := t.c64
		if K == 1 {
			h = h[:len(z)]
			if t.unit {
				if t.neg {
					for p := range z {
						z[p] -= h[p]
					}
				} else {
					for p := range z {
						z[p] += h[p]
					}
				}
				return
			}
			for p := range z {
				z[p] += c * h[p]
			}
			return
		}
		for p := range z {
			z[p] += c * h[p*K]
		}
	case W == 2:
		var m0, m1 uint64
		if t.lo < 2 && len(t.mag) > 0 {
			m0 = t.mag[0]
			if len(t.mag) > 1 {
				m1 = t.mag[1]
			}
		}
		if m0 == 0 && m1 == 0 {
			return
		}
		P := len(z) / 2
		for p := range P {
			h0 := h[p*K]
			var h1 uint64
			if K >= 2 {
				h1 = h[p*K+1]
			} else {
				h1 = uint64(int64(h0) >> 63)
			}
			if h0 == 0 && h1 == 0 {
				continue
			}
			hi, lo := bits.Mul64(h0, m0)
			hi += h0*m1 + h1*m0
			z0, z1 := z[2*p], z[2*p+1]
			var c uint64
			if t.neg {
				z0, c = bits.Sub64(z0, lo, 0)
				z1, _ = bits.Sub64(z1, hi, c)
			} else {
				z0, c = bits.Add64(z0, lo, 0)
				z1, _ = bits.Add64(z1, hi, c)
			}
			z[2*p], z[2*p+1] = z0, z1
		}
	case (W == 3 || W == 4) && t.lo == 0 && (len(t.mag) == 1 || t.unit):
		addTerm1(z, h, W, K, t.mag[0], t.neg)
	case t.lo == len(t.mag)-1:
		addTermOneWord(z, h, W, K, t, tmp[W:W+K])
	default:
		if t.lo == 0 && len(t.mag) == 1 {
			addMul1(z, h, W, K, t.mag[0], t.neg)
			return
		}
		addTermWide(z, h, W, K, t, tmp[:W], tmp[W:W+K])
	}
}

// magnitude returns |h| for the two's complement words hp (hp itself, or
// −h in hm: 2^(64K−1) for the most negative h, still right as an unsigned
// magnitude), the sign of c·h for a coefficient of sign neg, and the number
// of words of |h| up to its highest nonzero one (0: h = 0).
func magnitude(hp, hm []uint64, neg bool) (src []uint64, sneg bool, hl int) {
	src = hp
	if int64(hp[len(hp)-1]) < 0 {
		var c uint64
		for q := range hp {
			hm[q], c = bits.Sub64(0, hp[q], c)
		}
		src = hm
		neg = !neg
	}
	hl = len(src)
	for hl > 0 && src[hl-1] == 0 {
		hl--
	}
	return src, neg, hl
}

// addTermTop adds c·h to every point's z (W words each) for an input h in
// [0, δ] (a pair head, K words each; t.top = δ): nothing where h = 0, the
// precomputed ±|c|·δ where h = δ (its words from the lowest nonzero one up,
// modulo 2^(64W), the carry propagated until it dies out), and the product
// (addTermWide) elsewhere. Park's pair heads are 0 or δ on the data (their
// margin), and their readers' coefficients are the label bits, dense words.
func addTermTop(z, h []uint64, W, K int, t *xterm, tmp []uint64) {
	P := len(z) / W
	L := max(K, len(t.top))
	top := min(len(t.cmax), W)
	for p := range P {
		hp := h[p*K : p*K+K]
		zero, eq := true, true
		for q := range L {
			var a, b uint64
			if q < K {
				a = hp[q]
			}
			if q < len(t.top) {
				b = t.top[q]
			}
			zero = zero && a == 0
			eq = eq && a == b
		}
		switch {
		case zero:
		case eq:
			if t.cmaxLo >= top {
				continue // c·δ ≡ 0 modulo 2^(64W)
			}
			addMag(z[p*W+t.cmaxLo:p*W+W], t.cmax[t.cmaxLo:top], t.neg)
		default:
			addTermWide(z[p*W:p*W+W], hp, W, K, t, tmp[:W], tmp[W:W+K])
		}
	}
}

// addTermOneWord is addTerm for any W and a coefficient with one nonzero
// word: |c| = a·2^(64·lo) (a power of two, a one-word or unit
// coefficient). Per point the magnitude |h| (K words, in hm when h < 0) is
// multiplied by a word by word and added to or subtracted from z from word
// lo up, modulo 2^(64W), the carry propagated until it dies out.
func addTermOneWord(z, h []uint64, W, K int, t *xterm, hm []uint64) {
	lo := t.lo
	if lo >= W {
		return // c ≡ 0 modulo 2^(64W)
	}
	a := t.mag[lo]
	P := len(z) / W
	for p := range P {
		src, neg, hl := magnitude(h[p*K:p*K+K], hm, t.neg)
		if hl == 0 {
			continue
		}
		zp := z[p*W+lo : p*W+W]
		n := min(hl, len(zp))
		var mc, c uint64 // the product's carry word, the sum's carry bit
		if neg {
			for j := range n {
				hi, w := bits.Mul64(src[j], a)
				var k uint64
				w, k = bits.Add64(w, mc, 0)
				mc = hi + k
				zp[j], c = bits.Sub64(zp[j], w, c)
			}
			for q := n; q < len(zp) && (mc|c) != 0; q++ {
				zp[q], c = bits.Sub64(zp[q], mc, c)
				mc = 0
			}
		} else {
			for j := range n {
				hi, w := bits.Mul64(src[j], a)
				var k uint64
				w, k = bits.Add64(w, mc, 0)
				mc = hi + k
				zp[j], c = bits.Add64(zp[j], w, c)
			}
			for q := n; q < len(zp) && (mc|c) != 0; q++ {
				zp[q], c = bits.Add64(zp[q], mc, c)
				mc = 0
			}
		}
	}
}

// addTermWide is addTerm for any W: per point, the magnitude |h| (hp
// itself, or its negation in hm, K words) is cut to its nonzero words
// [hlo, hl), the schoolbook product |c|·|h| over the nonzero words of both
// (words [lo(c)+hlo, top+hl), taken modulo 2^(64W)) is formed in tmp and
// added to or subtracted from z from word lo(c)+hlo up, with the sign of
// c·h. Two's complement arithmetic modulo 2^(64W) makes
// z ± (|c|·|h| mod 2^(64W)) equal to z + c·h modulo 2^(64W), so the result
// is exact whenever the final pre-activation fits W words (see Exact).
// Narrow values (a STEP output, a small counter) in a wide layer, or wide
// values with many zero low words (a large power-of-two denominator), thus
// cost their nonzero words only.
func addTermWide(z, h []uint64, W, K int, t *xterm, tmp, hm []uint64) {
	P := len(z) / W
	top := min(len(t.mag), W)
	for p := range P {
		src, neg, hl := magnitude(h[p*K:p*K+K], hm, t.neg)
		if hl == 0 {
			continue
		}
		hlo := 0
		for src[hlo] == 0 {
			hlo++
		}
		// the product's nonzero words lie in [base, n)
		base := t.lo + hlo
		if base >= W {
			continue
		}
		n := min(W, top+hl)
		clear(tmp[base:n])
		for i := t.lo; i < top; i++ {
			a := t.mag[i]
			if a == 0 {
				continue
			}
			var carry uint64
			j := hlo
			for ; j < hl && i+j < W; j++ {
				hi, lo := bits.Mul64(src[j], a)
				var c uint64
				lo, c = bits.Add64(lo, tmp[i+j], 0)
				hi += c
				lo, c = bits.Add64(lo, carry, 0)
				hi += c
				tmp[i+j] = lo
				carry = hi
			}
			// rows before i wrote at most up to word i−1+hl, so word
			// i+hl is still zero here
			if i+j < W {
				tmp[i+j] = carry
			}
		}
		addMag(z[p*W+base:p*W+W], tmp[base:n], neg)
	}
}

// addMul1 is addTerm for more than four words and a one-word coefficient
// a (|c| = a): per point, the product row a·h over h's words (sign-extended
// to W, or cut to W) is added to or subtracted from z in the same pass,
// modulo 2^(64W) — a float32 network's coefficients are one word, its
// values grow by a word every few layers.
func addMul1(z, h []uint64, W, K int, a uint64, neg bool) {
	P := len(z) / W
	n := min(K, W)
	for p := range P {
		hp := h[p*K : p*K+K]
		zp := z[p*W : p*W+W]
		ext := uint64(int64(hp[K-1]) >> 63)
		var pc, c uint64 // product carry, add/sub carry
		if neg {
			for q := range n {
				hi, lo := bits.Mul64(hp[q], a)
				lo, c1 := bits.Add64(lo, pc, 0)
				pc = hi + c1
				zp[q], c = bits.Sub64(zp[q], lo, c)
			}
			for q := n; q < W; q++ {
				hi, lo := bits.Mul64(ext, a)
				lo, c1 := bits.Add64(lo, pc, 0)
				pc = hi + c1
				zp[q], c = bits.Sub64(zp[q], lo, c)
			}
		} else {
			for q := range n {
				hi, lo := bits.Mul64(hp[q], a)
				lo, c1 := bits.Add64(lo, pc, 0)
				pc = hi + c1
				zp[q], c = bits.Add64(zp[q], lo, c)
			}
			for q := n; q < W; q++ {
				hi, lo := bits.Mul64(ext, a)
				lo, c1 := bits.Add64(lo, pc, 0)
				pc = hi + c1
				zp[q], c = bits.Add64(zp[q], lo, c)
			}
		}
	}
}

// addTerm1 is addTerm for 3 or 4 words and a one-word coefficient a (|c| = a).
func addTerm1(z, h []uint64, W, K int, a uint64, neg bool) {
	P := len(z) / W
	var hw [4]uint64
	for p := range P {
		hp := h[p*K : p*K+K]
		ext := uint64(int64(hp[K-1]) >> 63)
		nz := ext
		for q := range W {
			if q < K {
				hw[q] = hp[q]
			} else {
				hw[q] = ext
			}
			nz |= hw[q]
		}
		if nz == 0 {
			continue
		}
		// t = h·a modulo 2^(64W)
		var t0, t1, t2, t3, c, hi uint64
		if a == 1 {
			t0, t1, t2, t3 = hw[0], hw[1], hw[2], hw[3]
		} else {
			hi, t0 = bits.Mul64(hw[0], a)
			var lo uint64
			hi2, lo := bits.Mul64(hw[1], a)
			t1, c = bits.Add64(lo, hi, 0)
			hi = hi2 + c
			if W == 3 {
				t2 = hw[2]*a + hi
			} else {
				hi3, lo3 := bits.Mul64(hw[2], a)
				t2, c = bits.Add64(lo3, hi, 0)
				t3 = hw[3]*a + hi3 + c
			}
		}
		zp := z[p*W : p*W+W]
		if neg {
			zp[0], c = bits.Sub64(zp[0], t0, 0)
			zp[1], c = bits.Sub64(zp[1], t1, c)
			if W == 3 {
				zp[2], _ = bits.Sub64(zp[2], t2, c)
			} else {
				zp[2], c = bits.Sub64(zp[2], t2, c)
				zp[3], _ = bits.Sub64(zp[3], t3, c)
			}
		} else {
			zp[0], c = bits.Add64(zp[0], t0, 0)
			zp[1], c = bits.Add64(zp[1], t1, c)
			if W == 3 {
				zp[2], _ = bits.Add64(zp[2], t2, c)
			} else {
				zp[2], c = bits.Add64(zp[2], t2, c)
				zp[3], _ = bits.Add64(zp[3], t3, c)
			}
		}
	}
}

// activate applies a in place to every point's z (W words each): ReLU sets z = max(z, 0), STEP sets z = [z ≥ 0]; identity leaves z.
func activate(z []uint64, W int, a Activation) {
	switch a {
	case ReLU:
		if W == 1 {
			for p, v := range z {
				if int64(v) < 0 {
					z[p] = 0
				}
			}
			return
		}
		for p := 0; p < len(z); p += W {
			if int64(z[p+W-1]) < 0 {
				clear(z[p : p+W])
			}
		}
	case Step:
		for p := 0; p < len(z); p += W {
			v := uint64(0)
			if int64(z[p+W-1]) >= 0 {
				v = 1
			}
			clear(z[p : p+W])
			z[p] = v
		}
	}
}

// toBig converts K two's complement words to a big.Int.
func toBig(w []uint64, z *big.Int) *big.Int {
	neg := int64(w[len(w)-1]) < 0
	ws := make([]big.Word, len(w))
	if neg {
		var c uint64 = 1
		for i := range w {
			var x uint64
			x, c = bits.Add64(^w[i], 0, c)
			ws[i] = big.Word(x)
		}
	} else {
		for i := range w {
			ws[i] = big.Word(w[i])
		}
	}
	z.SetBits(ws)
	if neg {
		z.Neg(z)
	}
	return z
}

// cmpWords compares two signed K-word integers.
func cmpWords(a, b []uint64) int {
	K := len(a)
	if x, y := int64(a[K-1]), int64(b[K-1]); x != y {
		if x < y {
			return -1
		}
		return 1
	}
	for q := K - 2; q >= 0; q-- {
		if a[q] != b[q] {
			if a[q] < b[q] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// fitsInt64 reports whether the two's complement words w hold a value with
// |v| < 2^b (b ≤ 62); the low word is then the value.
func fitsInt64(w []uint64, b int) bool {
	ext := uint64(int64(w[0]) >> 63)
	for _, x := range w[1:] {
		if x != ext {
			return false
		}
	}
	v := int64(w[0])
	return v > -(1<<b) && v < 1<<b
}
