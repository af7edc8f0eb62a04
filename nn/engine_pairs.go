package nn

import (
	"math/big"
	"math/bits"
)

// wideHead is a pair head (see findPairs) Z = H + t + B whose unit term H
// is wider than the sum t of its other terms: t is computed in m words (its
// range and δ fit them), and the output min(ReLU(Z), δ) from comparisons of
// H + t with C = −B (Z ≥ 0) and C = δ − B (Z ≥ δ) without forming Z. With
// H = H_hi·2^(64m) + H_lo and C = C_hi·2^(64m) + C_lo (0 ≤ H_lo, C_lo <
// 2^(64m)), the m-word sum H_lo + t − C_lo = X + k·2^(64m) with 0 ≤ X <
// 2^(64m) and a carry k ∈ {−2, …, 1}, so H + t − C = (H_hi − C_hi + k)·2^(64m)
// + X is ≥ 0 exactly when H_hi ≥ C_hi − k: a comparison of H's words above
// the low m with a constant, decided by the top words unless they are
// equal. When 0 ≤ Z < δ < 2^(64m) the high part is 0 and Z = X.
type wideHead struct {
	hin int     // H's input
	sub xneuron // t: the other terms, no bias, identity, in m words
	m   int
	clo [2][]uint64    // C_lo (m words) for C = −B and C = δ − B
	chi [2][4][]uint64 // C_hi − k for k = i − 2, two's complement
}

// findPairs finds the ReLU pairs of layer l (not the read-out): two ReLU
// neurons a, b with the same weights and the same denominator D, biases
// b_a ≥ b_b, that every neuron of the next layer reads with opposite
// weights (+w on a, −w on b; at least one w ≠ 0). Park's ReLU form of a STEP
// unit (ReLU(λ·pre + 1), ReLU(λ·pre), read as their difference) is one.
// The next layer then depends on the pair only through
//
//	ReLU(Z + δ) − ReLU(Z) = min(ReLU(Z + δ), δ)   (δ = (b_a − b_b)·D ≥ 0, any integer Z)
//
// (Z ≥ 0: both sides are δ; −δ ≤ Z < 0: Z + δ; Z < −δ: 0), so the engine
// evaluates a as that clamped value (xneuron.clamp), drops b (xneuron.dead)
// and reads a alone with weight w. The readers' values are unchanged, and
// their ranges become tight ([0, δ] instead of two independent wide
// ranges). It returns each neuron's mate (−1: none), nil when there is no
// pair. The choice reads the weights only; more than 16 neurons with equal
// weights are not searched for pairs (the search is quadratic).
func findPairs(l, next *Layer, dens []*big.Int) []int {
	var groups map[uint64][]int
	for j := range l.W {
		if l.Act[j] != ReLU {
			continue
		}
		// a hash of the weights (equal weights, equal hash), no allocation
		k := uint64(14695981039346656037)
		mix := func(x uint64) { k = (k ^ x) * 1099511628211 }
		for i, w := range l.W[j] {
			if w.Sign() != 0 {
				mix(uint64(i))
				mix(uint64(w.Sign() + 2))
				for _, x := range w.Num().Bits() {
					mix(uint64(x))
				}
				mix(0x5a5a)
				for _, x := range w.Denom().Bits() {
					mix(uint64(x))
				}
			}
		}
		if groups == nil {
			groups = map[uint64][]int{}
		}
		groups[k] = append(groups[k], j)
	}
	var mate []int
	sum := new(big.Rat)
	for _, g := range groups {
		if len(g) > 16 {
			continue // many equal neurons: not Park's shape; skip the quadratic search
		}
		for x := 0; x < len(g); x++ {
			for y := x + 1; y < len(g); y++ {
				a, b := g[x], g[y]
				if mate != nil && (mate[a] >= 0 || mate[b] >= 0) || dens[a].Cmp(dens[b]) != 0 {
					continue
				}
				same := true
				for i, w := range l.W[a] {
					if w.Cmp(l.W[b][i]) != 0 {
						same = false
						break
					}
				}
				read := false
				for r := range next.W {
					wa, wb := next.W[r][a], next.W[r][b]
					if sum.Add(wa, wb).Sign() != 0 {
						same = false
						break
					}
					read = read || wa.Sign() != 0
				}
				if !same || !read {
					continue
				}
				if mate == nil {
					mate = make([]int, len(l.W))
					for j := range mate {
						mate[j] = -1
					}
				}
				mate[a], mate[b] = b, a
			}
		}
	}
	return mate
}

// wideHeadFor returns the wideHead of a pair head n with bias bz and
// difference δ over inputs with ranges [lo, hi], or nil when it has no unit
// term wider than the other terms' sum and δ.
func wideHeadFor(n *xneuron, bz, δ *big.Int, lo, hi []*big.Int) *wideHead {
	hb := -1
	for t, tm := range n.terms {
		if i := tm.in; tm.unit && !tm.neg && (hb < 0 || wordsFor(lo[i], hi[i]) > wordsFor(lo[n.terms[hb].in], hi[n.terms[hb].in])) {
			hb = t
		}
	}
	if hb < 0 {
		return nil
	}
	tlo, thi, x := new(big.Int), new(big.Int), new(big.Int)
	wh := &wideHead{hin: int(n.terms[hb].in)}
	sub := xneuron{act: Identity, copyOf: -1, base: -1, copyBase: -1, twin: -1}
	for t, tm := range n.terms {
		if t == hb {
			continue
		}
		c := magInt(tm.mag)
		if tm.neg {
			c.Neg(c)
		}
		i := tm.in
		if c.Sign() > 0 {
			tlo.Add(tlo, x.Mul(c, lo[i]))
			thi.Add(thi, x.Mul(c, hi[i]))
		} else {
			tlo.Add(tlo, x.Mul(c, hi[i]))
			thi.Add(thi, x.Mul(c, lo[i]))
		}
		sub.terms = append(sub.terms, tm)
	}
	m := max(wordsFor(tlo, thi), wordsFor(new(big.Int), δ))
	if wordsFor(lo[wh.hin], hi[wh.hin]) <= m {
		return nil
	}
	sub.words, sub.outWords, wh.m = m, m, m
	sub.small = len(sub.terms) <= maxFusedTerms
	for _, t := range sub.terms {
		sub.small = sub.small && (len(t.mag) == 1 || t.bit)
	}
	wh.sub = sub
	wh.consts(bz, δ)
	return wh
}

// consts sets the constants of the comparisons with −B and δ − B in m words.
func (wh *wideHead) consts(bz, δ *big.Int) {
	m := wh.m
	R := new(big.Int).Lsh(bigOne, uint(64*m))
	for v, C := range []*big.Int{new(big.Int).Neg(bz), new(big.Int).Sub(δ, bz)} {
		wh.clo[v] = make([]uint64, m)
		copy(wh.clo[v], bigWords(new(big.Int).Mod(C, R)))
		ch := new(big.Int).Div(C, R) // Euclidean: ⌊C/R⌋ for R > 0
		for i := range 4 {
			c := new(big.Int).Sub(ch, big.NewInt(int64(i-2)))
			wh.chi[v][i] = make([]uint64, (signedBits(c)+63)/64)
			setBig(wh.chi[v][i], c)
		}
	}
}

// magInt returns the integer of the little-endian magnitude words w.
func magInt(w []uint64) *big.Int {
	ws := make([]big.Word, len(w))
	for i, x := range w {
		ws[i] = big.Word(x)
	}
	return new(big.Int).SetBits(ws)
}

// wideHeadOut writes min(ReLU(Z), δ) for Z = H + t + B (see wideHead) into
// z (m words per point), which holds t on entry; h holds H (K words per
// point), x is m words of scratch.
func wideHeadOut(z []uint64, h []uint64, K int, wh *wideHead, δ, x []uint64) {
	m := wh.m
	P := len(z) / m
	x = x[:m]
	for p := range P {
		hp := h[p*K : p*K+K]
		ext := uint64(int64(hp[K-1]) >> 63)
		tp := z[p*m : p*m+m]
		tneg := uint64(int64(tp[m-1])>>63) & 1
		var c, b0, b1 uint64
		for q := range m {
			hq := ext
			if q < K {
				hq = hp[q]
			}
			var a uint64
			a, c = bits.Add64(hq, tp[q], c)
			x[q], b0 = bits.Sub64(a, wh.clo[0][q], b0)
			_, b1 = bits.Sub64(a, wh.clo[1][q], b1)
		}
		// carries k = c − b − tneg ∈ {−2, …, 1}, index k + 2
		k0, k1 := int(c)-int(b0)-int(tneg)+2, int(c)-int(b1)-int(tneg)+2
		switch {
		case !hiGE(hp, K, m, ext, wh.chi[0][k0]):
			clear(tp)
		case hiGE(hp, K, m, ext, wh.chi[1][k1]):
			n := copy(tp, δ)
			clear(tp[n:])
		default:
			copy(tp, x)
		}
	}
}

// hiGE reports whether ⌊H/2^(64m)⌋ ≥ C for the K-word value H (hp, sign
// ext) and the two's complement constant C, compared from the top word.
func hiGE(hp []uint64, K, m int, ext uint64, C []uint64) bool {
	L := max(K-m, len(C), 1)
	cext := uint64(int64(C[len(C)-1]) >> 63)
	for q := L - 1; q >= 0; q-- {
		a, b := ext, cext
		if m+q < K {
			a = hp[m+q]
		}
		if q < len(C) {
			b = C[q]
		}
		if a != b {
			if q == L-1 {
				return int64(a) > int64(b)
			}
			return a > b
		}
	}
	return true
}

// clampHigh replaces every point's value z ≥ 0 (W words each, after the
// ReLU) by min(z, δ) (δ ≥ 0, its magnitude words and bit length): the
// output of a pair head (see findPairs).
func clampHigh(z []uint64, W int, δ []uint64, δbits int) {
	if δbits >= 64*W {
		return // δ ≥ 2^(64W−1) > every W-word value
	}
	P := len(z) / W
	for p := range P {
		zp := z[p*W : p*W+W]
		ge := true // z ≥ δ so far (equal)
		for q := W - 1; q >= 0; q-- {
			var d uint64
			if q < len(δ) {
				d = δ[q]
			}
			if zp[q] != d {
				ge = zp[q] > d
				break
			}
		}
		if ge {
			n := copy(zp, δ)
			clear(zp[n:])
		}
	}
}
