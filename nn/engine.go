package nn

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"runtime"
	"strings"
	"sync/atomic"
)

// Exact is memnet's one exact evaluation engine: a network compiled for the
// points of one dataset. It reads nothing but the weights and the data (no
// method name, no hint decides a value), and every construction, every
// imported and every hand-made network is evaluated by it.
//
// Integer form. Every neuron's value is held as an integer Z over a fixed
// positive denominator D (value = Z/D). An input coordinate i has D = 2^s_i,
// s_i the most fractional bits of that coordinate in the data (float64
// values are dyadic). A neuron's D is the least positive integer for which
// B = b·D and every coefficient c_i = w_i·D/D_i are integers: the least
// common multiple of den(b) and, over its nonzero weights w_i, of
// den(w_i)·D_i/gcd(num(w_i), D_i) (see termDen), so its pre-activation is
// Z = B + Σ c_i·Z_i (for dyadic weights D is a power of two: the fixed point
// of earlier versions). ReLU and identity keep Z and D; STEP
// gives Z ∈ {0, 1} over D = 1. The read-out's neurons share one D, so
// classes are read from integers.
//
// Range analysis (compile time). From each coordinate's smallest and largest
// value in the data, exact interval arithmetic on the integer coefficients
// bounds every pre-activation: lo = B + Σ_{c>0} c·lo_i + Σ_{c<0} c·hi_i, and
// hi symmetrically; ReLU maps [lo, hi] to [max(lo,0), max(hi,0)], STEP to
// [STEP(lo), STEP(hi)]. A layer is evaluated in the fewest 64-bit words W
// with every neuron's interval inside [−2^(64W−1), 2^(64W−1)). Arithmetic is
// two's complement modulo 2^(64W): sums and products modulo 2^(64W) are
// exact as soon as the final value lies in that range, whatever the
// intermediate terms, so only the pre-activation needs a bound. Intervals
// are sound but can be loose in deep networks; each chunk of points then
// tightens the width from its own inputs: |Z| < (terms+1)·2^M with M the
// largest bitlen(c)+bitlen(max |Z_i| over the chunk) (or of B). The width
// used is the smaller of the two bounds, both proofs.
//
// ReLU pairs (two ReLUs with the same weights that the next layer reads
// only as their difference, Park's form of a STEP unit) are evaluated as
// one neuron, min(ReLU(Z + δ), δ), see findPairs and wideHead.
//
// Evaluation is layer-major over chunks of points with the points innermost
// (one coefficient applied to a run of points), one word (int64 arithmetic)
// and two words specialised, more words by a schoolbook loop; chunks run on
// every core. No math/big arithmetic is done per point except to read out
// single outputs that do not fit the one-word fast path.
type Exact struct {
	inDim    int
	inScale  []int
	inWords  int
	layers   []xlayer
	outDen   *big.Int
	maxWidth int
	// outShift is s when outDen = 2^s (−1 otherwise)
	outShift int
	// share is the taint split, when one is set (UseSplit)
	share *share
}

type xterm struct {
	in   int32
	neg  bool
	unit bool // |c| = 1
	bit  bool // the input is 0 or 1 on every point (by its range)
	// top: the input is a pair head with values in [0, δ], δ = top
	// (magnitude words), read with a coefficient of several nonzero words;
	// cmax = |c|·δ (magnitude words, first nonzero word cmaxLo) is added
	// where the input is δ (see addTermTop)
	top, cmax []uint64
	cmaxLo    int
	c64       uint64   // c modulo 2^64
	mag       []uint64 // |c|, little-endian words
	lo        int      // first nonzero word of mag
	bits      int      // bit length of |c|
}

type xneuron struct {
	terms []xterm
	bneg  bool
	bmag  []uint64 // |B| (nil: zero)
	bbits int
	act   Activation
	// words proven enough for the pre-activation and for the output by
	// the compile-time ranges
	words, outWords int
	// copyOf ≥ 0: the neuron's output equals input copyOf's value (one
	// term with c = 1, no bias, and an identity or a ReLU whose input is
	// never negative)
	copyOf int
	// small: few terms, each with a one-word coefficient or a 0/1 input
	// (the fused kernel for 2–4 words applies)
	small bool
	// base ≥ 0: the term (coefficient 1) whose input's slot the neuron may
	// take over: the input has no other reader in the layer, or the neuron
	// is a copy of it (see evalLayer)
	base int
	// copyBase ≥ 0: a term with coefficient 1 (the widest) that a wide
	// neuron starts from by copying, when it cannot take a slot over
	copyBase int
	// twin ≥ 0: an identity neuron of the same layer with the same terms
	// (the same pre-activation up to the bias); this STEP neuron is then
	// [v_twin ≥ B_twin − B] with negB = B_twin − B, compared after the
	// twin is computed, without reading the inputs
	twin int
	// negB is −B in two's complement words, set for a STEP neuron with
	// one term of coefficient 1: its output is [Z_in ≥ −B], a comparison
	// decided (mostly) by the top words instead of a full-width sum
	negB []uint64
	// clamp (a pair head, see findPairs): the neuron's output is
	// min(ReLU(Z), δ) with δ = clamp (its magnitude words, δ ≥ 0, δbits
	// its bit length), the difference of the pair
	clamp []uint64
	δbits int
	// wide: a pair head whose unit term is wider than the rest, decided
	// from the top words (see wideHead)
	wide *wideHead
	// dead: the pair's other neuron, which no neuron reads; it is not
	// evaluated (its value is left 0). words is still its pre-activation's
	// proven width.
	dead bool
}

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

type xlayer struct {
	in, out int
	// wideHeads: some neuron has a wideHead (evaluated first, see evalLayer)
	wideHeads bool
	neurons   []xneuron
	// the largest of its neurons' words (pre-activation and output); bits
	// is the largest signed bit length of a pre-activation bound
	words, outWords, bits int
	dens                  []*big.Int // each neuron's output denominator
	preDens               []*big.Int // each neuron's pre-activation denominator
}

// ErrSigmoid is returned for networks with sigmoid neurons, whose values are
// not rational.
var ErrSigmoid = errors.New("exact evaluation: the network has sigmoid neurons, which have no exact rational value")

func bigWords(x *big.Int) []uint64 {
	ws := x.Bits()
	out := make([]uint64, len(ws))
	for i, w := range ws {
		out[i] = uint64(w)
	}
	return out
}

// log2 returns k when x = 2^k, else −1.
func log2(x *big.Int) int {
	k := int(x.TrailingZeroBits())
	if x.BitLen() == k+1 {
		return k
	}
	return -1
}

func lcm(a, b *big.Int) *big.Int {
	if a.Cmp(b) == 0 {
		return new(big.Int).Set(a)
	}
	if ka, kb := log2(a), log2(b); ka >= 0 && kb >= 0 {
		if ka > kb {
			return new(big.Int).Set(a)
		}
		return new(big.Int).Set(b)
	}
	g := new(big.Int).GCD(nil, nil, a, b)
	r := new(big.Int).Quo(a, g)
	return r.Mul(r, b)
}

// CompileExact compiles net for exact evaluation of the points xs (their
// fractional bits and per-coordinate ranges are read from them). Every point
// must have InputDim finite coordinates.
func CompileExact(net *Network, xs [][]float64) (*Exact, error) {
	if err := net.Check(); err != nil {
		return nil, err
	}
	if net.HasActivation(Sigmoid) {
		return nil, ErrSigmoid
	}
	d := net.InputDim
	e := &Exact{inDim: d, inScale: make([]int, d), maxWidth: d, outShift: -1}
	mins, maxs := make([]float64, d), make([]float64, d)
	for p, x := range xs {
		if len(x) != d {
			return nil, fmt.Errorf("exact evaluation: point %d has %d coordinates, the network reads %d", p+1, len(x), d)
		}
		for i, v := range x {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("exact evaluation: point %d coordinate %d is %v", p+1, i+1, v)
			}
			if _, ex := FloatParts(v); ex > e.inScale[i] {
				e.inScale[i] = ex
			}
			if p == 0 || v < mins[i] {
				mins[i] = v
			}
			if p == 0 || v > maxs[i] {
				maxs[i] = v
			}
		}
	}
	lo, hi, den := make([]*big.Int, d), make([]*big.Int, d), make([]*big.Int, d)
	for i := range d {
		lo[i], hi[i] = floatInt(mins[i], e.inScale[i]), floatInt(maxs[i], e.inScale[i])
		den[i] = new(big.Int).Lsh(big.NewInt(1), uint(e.inScale[i]))
		e.inWords = max(e.inWords, wordsFor(lo[i], hi[i]))
	}
	ls := net.Layers()
	var dead []bool     // the previous layer's dead neurons (see findPairs)
	var tops []*big.Int // the previous layer's pair heads' δ (nil: not a head)
	for k, l := range ls {
		readout := k == len(ls)-1
		xl := xlayer{in: l.In(), out: l.Out(), neurons: make([]xneuron, l.Out()), dens: make([]*big.Int, l.Out())}
		e.maxWidth = max(e.maxWidth, l.Out())
		for j := range l.W {
			dj := new(big.Int).Set(l.B[j].Denom())
			for i, w := range l.W[j] {
				if w.Sign() != 0 && (dead == nil || !dead[i]) {
					dj = lcm(dj, termDen(w, den[i]))
				}
			}
			xl.dens[j] = dj
		}
		if readout {
			all := xl.dens[0]
			for _, dj := range xl.dens[1:] {
				all = lcm(all, dj)
			}
			for j := range xl.dens {
				xl.dens[j] = all
			}
			e.outDen = all
		}
		var mate []int
		if !readout {
			mate = findPairs(l, ls[k+1], xl.dens)
		}
		ndead := make([]bool, l.Out())
		ntops := make([]*big.Int, l.Out())
		nlo, nhi, nden := make([]*big.Int, l.Out()), make([]*big.Int, l.Out()), make([]*big.Int, l.Out())
		bzs := make([]*big.Int, l.Out())
		t := new(big.Int)
		for j := range l.W {
			dj := xl.dens[j]
			n := xneuron{act: l.Act[j], copyOf: -1, base: -1, copyBase: -1, twin: -1}
			var bz *big.Int
			if kd, kb := log2(dj), log2(l.B[j].Denom()); kd >= 0 && kb >= 0 {
				bz = new(big.Int).Lsh(l.B[j].Num(), uint(kd-kb))
			} else {
				bz = new(big.Int).Quo(dj, l.B[j].Denom())
				bz.Mul(bz, l.B[j].Num())
			}
			bzs[j] = bz
			zlo, zhi := new(big.Int).Set(bz), new(big.Int).Set(bz)
			if bz.Sign() != 0 {
				n.bneg, n.bmag, n.bbits = bz.Sign() < 0, bigWords(bz), bz.BitLen()
			}
			for i, w := range l.W[j] {
				if w.Sign() == 0 || dead != nil && dead[i] {
					continue
				}
				c := coef(w, dj, den[i])
				if c.Sign() > 0 {
					zlo.Add(zlo, t.Mul(c, lo[i]))
					zhi.Add(zhi, t.Mul(c, hi[i]))
				} else {
					zlo.Add(zlo, t.Mul(c, hi[i]))
					zhi.Add(zhi, t.Mul(c, lo[i]))
				}
				mag := bigWords(c)
				xt := xterm{in: int32(i), neg: c.Sign() < 0, mag: mag, bits: c.BitLen()}
				xt.unit = xt.bits == 1
				xt.bit = lo[i].Sign() >= 0 && hi[i].Cmp(bigOne) <= 0
				if tops != nil && tops[i] != nil && !xt.bit && len(mag)-xt.lo > 1 && xt.lo < len(mag) {
					cm := new(big.Int).Mul(tops[i], new(big.Int).Abs(c))
					xt.top, xt.cmax = bigWords(tops[i]), bigWords(cm)
					for xt.cmaxLo < len(xt.cmax) && xt.cmax[xt.cmaxLo] == 0 {
						xt.cmaxLo++
					}
				}
				for xt.lo < len(mag) && mag[xt.lo] == 0 {
					xt.lo++
				}
				if len(mag) > 0 {
					xt.c64 = mag[0]
				}
				if xt.neg {
					xt.c64 = -xt.c64
				}
				n.terms = append(n.terms, xt)
			}
			head := mate != nil && mate[j] >= 0 && l.B[j].Cmp(l.B[mate[j]]) >= 0 && (l.B[j].Cmp(l.B[mate[j]]) > 0 || j < mate[j])
			if len(n.terms) == 1 && n.bmag == nil && !head {
				if t0 := n.terms[0]; t0.unit && !t0.neg && (n.act == Identity || n.act == ReLU && lo[t0.in].Sign() >= 0) {
					n.copyOf = int(t0.in)
				}
			}
			if len(n.terms) == 1 && n.act == Step && n.terms[0].unit && !n.terms[0].neg && n.twin < 0 {
				nb := new(big.Int).Neg(bz)
				n.negB = make([]uint64, (signedBits(nb)+63)/64)
				setBig(n.negB, nb)
			}
			n.small = len(n.terms) <= maxFusedTerms
			for _, t := range n.terms {
				n.small = n.small && (len(t.mag) == 1 || t.bit)
			}
			n.words = wordsFor(zlo, zhi)
			if mate != nil && mate[j] >= 0 && !head {
				// the pair's other neuron: read by no one, not evaluated
				n = xneuron{act: Identity, words: n.words, outWords: 1, copyOf: -1, base: -1, copyBase: -1, twin: -1, dead: true}
				xl.neurons[j] = n
				ndead[j] = true
				nlo[j], nhi[j], nden[j] = new(big.Int), new(big.Int), big.NewInt(1)
				continue
			}
			xl.bits = max(xl.bits, signedBits(zlo), signedBits(zhi))
			switch n.act {
			case ReLU:
				if zlo.Sign() < 0 {
					zlo.SetInt64(0)
				}
				if zhi.Sign() < 0 {
					zhi.SetInt64(0)
				}
				if head {
					// δ = (b_j − b_mate)·D ≥ 0, an integer (both biases' denominators divide D)
					d := new(big.Rat).Sub(l.B[j], l.B[mate[j]])
					d.Mul(d, new(big.Rat).SetInt(dj))
					δ := d.Num()
					n.clamp, n.δbits = bigWords(δ), δ.BitLen()
					ntops[j] = δ
					n.wide = wideHeadFor(&n, bz, δ, lo, hi)
					xl.wideHeads = xl.wideHeads || n.wide != nil
					if zlo.Cmp(δ) > 0 {
						zlo.Set(δ)
					}
					if zhi.Cmp(δ) > 0 {
						zhi.Set(δ)
					}
				}
				nden[j] = dj
			case Step:
				zlo.SetInt64(int64(b2i(zlo.Sign() >= 0)))
				zhi.SetInt64(int64(b2i(zhi.Sign() >= 0)))
				nden[j] = big.NewInt(1)
			default:
				nden[j] = dj
			}
			nlo[j], nhi[j] = zlo, zhi
			n.outWords = wordsFor(zlo, zhi)
			xl.words = max(xl.words, n.words)
			xl.outWords = max(xl.outWords, n.outWords)
			xl.neurons[j] = n
		}
		if !readout {
			findTwins(&xl, bzs)
		}
		chooseBases(&xl, lo, hi)
		xl.preDens, xl.dens = xl.dens, nden
		e.layers = append(e.layers, xl)
		lo, hi, den, dead, tops = nlo, nhi, nden, ndead, ntops
	}
	if s := int(e.outDen.TrailingZeroBits()); e.outDen.BitLen() == s+1 {
		e.outShift = s
	}
	return e, nil
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

// findTwins sets the twin of every STEP neuron whose terms equal an
// identity neuron's (see xneuron.twin); bz are the neurons' integer biases.
func findTwins(l *xlayer, bz []*big.Int) {
	var ids map[string]int
	sig := func(n *xneuron) string {
		var b strings.Builder
		for _, t := range n.terms {
			fmt.Fprintf(&b, "%d %v %x;", t.in, t.neg, t.mag)
		}
		return b.String()
	}
	for j := range l.neurons {
		n := &l.neurons[j]
		if n.act != Step || len(n.terms) == 0 {
			continue
		}
		if ids == nil {
			ids = map[string]int{}
			for i := range l.neurons {
				if m := &l.neurons[i]; m.act == Identity && len(m.terms) > 0 {
					ids[sig(m)] = i
				}
			}
		}
		i, ok := ids[sig(n)]
		if !ok || l.dens[i].Cmp(l.dens[j]) != 0 {
			continue
		}
		d := new(big.Int).Sub(bz[i], bz[j])
		n.twin, n.negB = i, make([]uint64, (signedBits(d)+63)/64)
		setBig(n.negB, d)
	}
}

// chooseBases sets each neuron's base term (see xneuron.base): a term with
// coefficient 1 whose input no other term of the layer reads, or the input
// of a copy; among several, the one with the widest input range. STEP
// neurons of one unit term (compared, one word) take none.
func chooseBases(l *xlayer, lo, hi []*big.Int) {
	fan := make([]int, l.in)
	for j := range l.neurons {
		if l.neurons[j].twin >= 0 || l.neurons[j].wide != nil {
			continue // reads its twin, not the inputs; or is evaluated first
		}
		for _, t := range l.neurons[j].terms {
			fan[t.in]++
		}
	}
	for j := range l.neurons {
		n := &l.neurons[j]
		if n.negB != nil || n.wide != nil {
			continue
		}
		best, cb := -1, -1
		wider := func(t, than int) bool {
			if than < 0 {
				return true
			}
			a, b := n.terms[t].in, n.terms[than].in
			return wordsFor(lo[a], hi[a]) > wordsFor(lo[b], hi[b])
		}
		for t, tm := range n.terms {
			i := int(tm.in)
			if !tm.unit || tm.neg {
				continue
			}
			if wordsFor(lo[i], hi[i]) > 4 && (cb < 0 || wider(t, cb)) {
				cb = t
			}
			if fan[i] != 1 && n.copyOf != i {
				continue
			}
			if best < 0 || wider(t, best) {
				best = t
			}
		}
		n.base, n.copyBase = best, cb
	}
}

var bigOne = big.NewInt(1)

// termDen returns den(w)·Di/gcd(num(w), Di), the least D for which the
// coefficient w·D/Di of a term reading an input over Di is an integer (w ≠
// 0). A weight's numerator cancels part of its input's denominator: Park's
// ReLU pairs multiply by λ = 2^e, and without the cancellation the
// denominators, and with them every integer, would grow by e bits a layer.
func termDen(w *big.Rat, Di *big.Int) *big.Int {
	if k := log2(Di); k >= 0 {
		// gcd(num, 2^k) = 2^min(tz(num), k)
		g := min(int(new(big.Int).Abs(w.Num()).TrailingZeroBits()), k)
		return new(big.Int).Lsh(w.Denom(), uint(k-g))
	}
	num := new(big.Int).Abs(w.Num())
	g := new(big.Int).GCD(nil, nil, num, Di)
	q := new(big.Int).Quo(Di, g)
	return q.Mul(q, w.Denom())
}

// coef returns the integer coefficient c = w·D/Di = num(w)·D/(den(w)·Di)
// of a term (D a multiple of termDen(w, Di)).
func coef(w *big.Rat, D, Di *big.Int) *big.Int {
	if kd, kw, ki := log2(D), log2(w.Denom()), log2(Di); kd >= 0 && kw >= 0 && ki >= 0 {
		c := new(big.Int).Abs(w.Num())
		if s := kd - kw - ki; s >= 0 {
			c.Lsh(c, uint(s))
		} else {
			c.Rsh(c, uint(-s)) // exact: 2^−s divides num(w)
		}
		if w.Sign() < 0 {
			c.Neg(c)
		}
		return c
	}
	c := new(big.Int).Mul(w.Num(), D)
	return c.Quo(c, new(big.Int).Mul(w.Denom(), Di))
}

// setBig writes x into w as a two's complement integer modulo 2^(64·len(w)).
func setBig(w []uint64, x *big.Int) {
	clear(w)
	copy(w, bigWords(x))
	if x.Sign() < 0 {
		negate(w)
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// floatInt returns v·2^scale, an integer when v has at most scale fractional bits.
func floatInt(v float64, scale int) *big.Int {
	m, ex := FloatParts(v)
	z := big.NewInt(m)
	return z.Lsh(z, uint(scale-ex))
}

// signedBits is the number of bits of a two's complement word holding z.
func signedBits(z *big.Int) int {
	if z.Sign() >= 0 {
		return z.BitLen() + 1
	}
	// −2^k needs k+1 bits, −(2^k+1) needs k+2
	t := new(big.Int).Add(z, big.NewInt(1))
	return t.BitLen() + 1
}

func wordsFor(lo, hi *big.Int) int {
	return max(1, (max(signedBits(lo), signedBits(hi))+63)/64)
}

// Words returns, for every layer (hidden layers, then the read-out), the
// number of 64-bit words the compile-time range analysis proves enough.
func (e *Exact) Words() []int {
	w := make([]int, len(e.layers))
	for k, l := range e.layers {
		w[k] = l.words
	}
	return w
}

// OutputDenominator is the common denominator D of the outputs (value = Z/D).
func (e *Exact) OutputDenominator() *big.Int { return new(big.Int).Set(e.outDen) }

// Describe names the engine and summarises the words per layer, for reports.
func (e *Exact) Describe() string {
	bins := []struct {
		lo, hi int
		n      int
	}{{1, 1, 0}, {2, 2, 0}, {3, 4, 0}, {5, 8, 0}, {9, 32, 0}, {33, math.MaxInt, 0}}
	most := 0
	for _, l := range e.layers {
		most = max(most, l.words)
		for b := range bins {
			if l.words >= bins[b].lo && l.words <= bins[b].hi {
				bins[b].n++
			}
		}
	}
	var parts []string
	for _, b := range bins {
		switch {
		case b.n == 0:
		case b.lo == b.hi:
			parts = append(parts, fmt.Sprintf("%d at %d", b.n, b.lo))
		case b.hi == math.MaxInt:
			parts = append(parts, fmt.Sprintf("%d at %d–%d", b.n, b.lo, most))
		default:
			parts = append(parts, fmt.Sprintf("%d at %d–%d", b.n, b.lo, b.hi))
		}
	}
	return "exact engine, layer-major integer words (layers by words proven by range analysis: " + strings.Join(parts, ", ") + ")"
}

// chunkSize is the number of points evaluated together.
func (e *Exact) chunkSize(n int) int {
	p := 256
	for p > 16 && p*e.maxWidth > 1<<20 {
		p /= 2
	}
	workers := runtime.GOMAXPROCS(0)
	for p > 16 && p*workers*2 > n {
		p /= 2
	}
	return max(1, p)
}

// vals holds one layer's values on a chunk of P points: neuron j's values
// are v[j], w[j] two's complement words per point. Every neuron has its own
// width (a wide neuron does not widen its narrow neighbours) and its own
// slot, so a neuron can take over its input's slot (see evalLayer).
type vals struct {
	v [][]uint64
	w []int
	// ro: the slots are parts of the read-out buffer, not the pool's
	ro bool
	// bnd[j] ≥ 0 bounds the bit length of |value| of neuron j on every
	// point (−1, or bnd empty: unknown), as the per-chunk width bound
	// computed it; slack[j] is how many bits it may have gained over a
	// measured magnitude since one was last measured (see dynamicWords)
	bnd, slack []int
}

// neuron returns neuron j's values on the chunk's P points.
func (v *vals) neuron(j, P int) []uint64 {
	return v.v[j][:P*v.w[j]]
}

// at returns neuron j's value at point p.
func (v *vals) at(j, p int) []uint64 {
	w := v.w[j]
	return v.v[j][p*w : p*w+w]
}

func growInts(s []int, n int) []int {
	if cap(s) < n {
		return make([]int, n, n+n/4)
	}
	return s[:n]
}

// xscratch is one worker's buffers: two layers of values, a pool of free
// slots by size class (class c holds slots of capacity 2^c), the read-out
// buffer and small per-layer arrays.
type xscratch struct {
	a, b  vals
	pool  [64][][]uint64
	ro    []uint64
	wa    []int // widths of the next layer
	taken []bool
	tmp   []uint64
	hb    []int
	hs    []int // slack of hb (see dynamicWords)
	ft    []fterm
}

// get returns a slot of n words (contents undefined).
func (s *xscratch) get(n int) []uint64 {
	c := bits.Len(uint(max(n, 1) - 1))
	if k := len(s.pool[c]); k > 0 {
		x := s.pool[c][k-1]
		s.pool[c] = s.pool[c][:k-1]
		return x[:n]
	}
	return make([]uint64, n, 1<<c)
}

// put returns a slot to the pool.
func (s *xscratch) put(x []uint64) {
	if c := cap(x); c > 0 {
		k := bits.Len(uint(c)) - 1 // 2^k ≤ cap
		s.pool[k] = append(s.pool[k], x[:0])
	}
}

// release returns v's slots to the pool and empties v.
func (s *xscratch) release(v *vals) {
	if !v.ro {
		for j, x := range v.v {
			if x != nil {
				s.put(x)
				v.v[j] = nil
			}
		}
	}
	v.v, v.ro = v.v[:0], false
}

// fresh gives v n neurons of w words each over P points, zeroed.
func (s *xscratch) fresh(v *vals, n, w, P int) {
	s.release(v)
	v.bnd = v.bnd[:0]
	v.w = growInts(v.w, n)
	for j := range n {
		v.w[j] = w
		x := s.get(P * w)
		clear(x)
		v.v = append(v.v, x)
	}
}

func grow(s []uint64, n int) []uint64 {
	if cap(s) < n {
		return make([]uint64, n, n+n/4)
	}
	return s[:n]
}

// chunkOut is the read-out of one chunk: output j of point p is the two's
// complement integer vals[(j*P+p)*words : ...+words], over OutputDenominator.
type chunkOut struct {
	vals  []uint64
	words int
	P     int
}

// readout returns the chunk's read-out held in s.a.
func (s *xscratch) readout(P int) chunkOut {
	W := s.a.w[0]
	return chunkOut{vals: s.ro[:len(s.a.w)*P*W], words: W, P: P}
}

// evalChunk evaluates the points xs and returns the read-out words.
func (e *Exact) evalChunk(xs [][]float64, s *xscratch) (chunkOut, error) {
	P := len(xs)
	if err := e.loadInputs(xs, s); err != nil {
		return chunkOut{}, err
	}
	for k := range e.layers {
		e.evalLayer(&e.layers[k], k == len(e.layers)-1, &s.a, P, &s.b, nil, 0, s)
		s.a, s.b = s.b, s.a
	}
	return s.readout(P), nil
}

// evalLayer evaluates layer l on a chunk of P points whose inputs are in
// and writes its outputs to out; in's slots go back to the pool. Each
// neuron gets the words its compile-time range proves, tightened from the
// chunk's own inputs when more than four (see Exact); a read-out layer gets
// one width for all its neurons, in one buffer. Neurons with skip[j] get
// skipW words, left as they are: the caller (runShared) stores the skipped
// values that are read.
//
// A neuron whose base term (coefficient 1, see xneuron.base) reads an input
// of its own width takes over that input's slot: a unit copy costs nothing,
// and a neuron "input + small change" (Park's running label row, Vardi's
// running remainder) adds only the change in place instead of copying its
// whole value. In place is exact because the input has no other reader in
// the layer (or the neuron leaves it unchanged), and every kernel reads a
// point's inputs before writing its value.
func (e *Exact) evalLayer(l *xlayer, readout bool, in *vals, P int, out *vals, skip []bool, skipW int, s *xscratch) {
	ws := growInts(s.wa, l.out)
	s.wa = nil // out keeps ws; the old out widths become the next scratch
	var hb []int
	most := 0
	out.bnd, out.slack = growInts(out.bnd, l.out), growInts(out.slack, l.out)
	for j := range out.bnd {
		out.bnd[j] = -1
	}
	for j := range l.neurons {
		n := &l.neurons[j]
		W := n.words
		switch {
		case skip != nil && skip[j]:
			W = skipW
		case n.dead:
			W = 1
		case n.wide != nil && !readout:
			W = n.wide.m
		case W > 4:
			if hb == nil {
				hb = e.inputBits(l.in, s)
			}
			dw, b, sl := dynamicWords(n, hb, s.hs, in, P)
			W = min(W, dw)
			if n.act != Step && n.clamp == nil {
				out.bnd[j], out.slack[j] = b, sl
			}
		}
		ws[j] = W
		most = max(most, W)
	}
	s.release(out)
	s.wa = out.w[:0]
	out.w = ws
	if readout {
		for j := range ws {
			ws[j] = most
		}
		s.ro = grow(s.ro, l.out*P*most)
		out.ro = true
	}
	if cap(s.taken) < l.in {
		s.taken = make([]bool, l.in)
	}
	taken := s.taken[:l.in]
	clear(taken)
	// addTerm's scratch holds W + K words (K an input's width: in the
	// shared phases of a split every value is stored in its layer's widest
	// output width, which can exceed every width of this layer)
	mostIn := 0
	for _, K := range in.w[:l.in] {
		mostIn = max(mostIn, K)
	}
	if need := most + max(most, mostIn) + 8; cap(s.tmp) < need {
		s.tmp = make([]uint64, need)
	}
	twins := false
	out.v = out.v[:0]
	for range l.out {
		out.v = append(out.v, nil)
	}
	// wide pair heads first: they only read their inputs, so a later
	// neuron may take an input's slot over (see chooseBases)
	for pass := range 2 {
		if pass == 1 && !l.wideHeads {
			break
		}
		for j := range l.neurons {
			n := &l.neurons[j]
			if l.wideHeads && (n.wide != nil) != (pass == 0) {
				continue
			}
			W := ws[j]
			var z []uint64
			inplace := false
			switch {
			case readout:
				z = s.ro[j*P*W : (j+1)*P*W]
			case n.twin >= 0 && !(skip != nil && skip[j]):
				// computed after its twin (below), in one word
				z = s.get(P)
				ws[j] = 1
				twins = true
			case n.base >= 0 && !(skip != nil && skip[j]):
				if i := int(n.terms[n.base].in); !taken[i] && in.w[i] == W {
					z, inplace = in.v[i][:P*W], true
					taken[i] = true
					break
				}
				fallthrough
			default:
				z = s.get(P * W)
			}
			out.v[j] = z
			if skip != nil && skip[j] {
				continue // the caller stores the values it reads
			}
			switch {
			case ws[j] == 1 && n.twin >= 0 && !readout:
				continue
			case n.copyOf >= 0:
				if !inplace {
					copyWords(z, W, in.neuron(n.copyOf, P), in.w[n.copyOf])
				}
				continue
			case n.negB != nil && !readout:
				i := int(n.terms[0].in)
				stepCompare(z, W, in.neuron(i, P), in.w[i], n.negB)
				ws[j] = 1
				continue
			case n.wide != nil && !readout:
				sub := &n.wide.sub
				if W >= 2 && W <= 4 && sub.small {
					s.ft = fusedSmall(z, W, sub, in, P, s.ft)
				} else {
					setBias(z, W, sub)
					for t := range sub.terms {
						tm := &sub.terms[t]
						K := in.w[tm.in]
						addTerm(z, in.neuron(int(tm.in), P), W, K, tm, s.tmp[:W+K])
					}
				}
				hi := n.wide.hin
				wideHeadOut(z, in.neuron(hi, P), in.w[hi], n.wide, n.clamp, s.tmp[:W])
			case W >= 2 && W <= 4 && n.small:
				s.ft = fusedSmall(z, W, n, in, P, s.ft)
			default:
				first := -1
				switch {
				case inplace:
					first = n.base
					addConst(z, W, n)
				case n.base >= 0 && W > 4 || n.copyBase >= 0:
					// z = the base input plus the bias: a copy instead of a sum
					first = n.base
					if first < 0 {
						first = n.copyBase
					}
					i := n.terms[first].in
					copyWords(z, W, in.neuron(int(i), P), in.w[i])
					addConst(z, W, n)
				default:
					setBias(z, W, n)
				}
				for t := range n.terms {
					if t == first {
						continue
					}
					tm := &n.terms[t]
					K := in.w[tm.in]
					h := in.neuron(int(tm.in), P)
					switch {
					case tm.bit && W > 2:
						addBit(z, h, W, K, tm)
					case tm.top != nil && W > 2:
						addTermTop(z, h, W, K, tm, s.tmp[:W+K])
					default:
						addTerm(z, h, W, K, tm, s.tmp[:W+K])
					}
				}
				activate(z, W, n.act)
			}
			if n.clamp != nil && n.wide == nil {
				clampHigh(z, W, n.clamp, n.δbits)
			}
			if n.clamp != nil {
				out.bnd[j], out.slack[j] = n.δbits, 0 // 0 ≤ value ≤ δ
			}
			// keep the output in the words its range proves (a STEP output: one)
			if ow := n.outWords; ow < W && !readout {
				for p := range P {
					copy(z[p*ow:p*ow+ow], z[p*W:p*W+ow])
				}
				ws[j] = ow
			}
		}
	}
	if twins {
		for j := range l.neurons {
			n := &l.neurons[j]
			if n.twin >= 0 && !(skip != nil && skip[j]) {
				t := n.twin
				stepCompare(out.v[j][:P], 1, out.neuron(t, P), ws[t], n.negB)
			}
		}
	}
	for i, x := range in.v {
		if taken[i] {
			in.v[i] = nil
		} else if !in.ro && x != nil {
			s.put(x)
			in.v[i] = nil
		}
	}
	in.v, in.ro = in.v[:0], false
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

// loadInputs writes the chunk's inputs as integers (inWords words each) into s.a.
func (e *Exact) loadInputs(xs [][]float64, s *xscratch) error {
	P := len(xs)
	K := e.inWords
	s.fresh(&s.a, e.inDim, K, P)
	for p, x := range xs {
		if len(x) != e.inDim {
			return fmt.Errorf("exact evaluation: input has %d coordinates, network wants %d", len(x), e.inDim)
		}
		for i, v := range x {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("exact evaluation: input coordinate %d is %v", i+1, v)
			}
			m, ex := FloatParts(v)
			if ex > e.inScale[i] {
				return fmt.Errorf("exact evaluation: input coordinate %d has more fractional bits than compiled for", i+1)
			}
			setShifted(s.a.at(i, p), m, uint(e.inScale[i]-ex))
		}
	}
	return nil
}

// inputBits returns the per-chunk cache of the layer's n inputs' magnitude
// bit lengths, all −1 (not measured yet; dynamicWords measures on first use).
func (e *Exact) inputBits(n int, s *xscratch) []int {
	if cap(s.hb) < n {
		s.hb = make([]int, n)
	}
	hb := s.hb[:n]
	for i := range hb {
		hb[i] = -1
	}
	s.hs = growInts(s.hs, n)
	return hb
}

// dynamicWords bounds a neuron's pre-activation on this chunk from the
// chunk's own inputs (see Exact): |Z| < (terms+1)·2^M, M the largest
// bitlen(c) + bitlen(max |Z_i|) or bitlen(B). It returns the words, the bit
// bound b = M + bitlen(terms+1) + 1 (a bound on bitlen(|Z|), so on the
// output of an identity or ReLU neuron too) and its slack: an input's
// magnitude is measured (maxMagBits, one read per point from the top word)
// unless the layer before left a bound for it whose slack is under
// rescanSlack bits; a bound gains bitlen(terms+1) + 1 bits of slack per
// layer it is carried. Both are upper bounds, so the words are proven
// either way; carrying the bound saves the scan that costs a cache line
// per point on wide values (Vardi's and Park's running values).
func dynamicWords(n *xneuron, hb, hs []int, in *vals, P int) (W, b, slack int) {
	m := n.bbits
	sl := 0
	for t := range n.terms {
		tm := &n.terms[t]
		i := int(tm.in)
		if hb[i] < 0 {
			if len(in.bnd) > i && in.bnd[i] >= 0 && in.slack[i] < rescanSlack {
				hb[i], hs[i] = min(in.bnd[i], 64*in.w[i]), in.slack[i]
			} else {
				hb[i], hs[i] = maxMagBits(in.neuron(i, P), in.w[i]), 0
			}
		}
		if hb[i] > 0 {
			m = max(m, tm.bits+hb[i])
			sl = max(sl, hs[i])
		}
	}
	L := bits.Len(uint(len(n.terms)+1)) + 1
	b = m + L
	return max(1, (b+63)/64), b, sl + L
}

// rescanSlack is the slack (bits) above which a carried magnitude bound is
// measured again (see dynamicWords): under a word, so a carried bound costs
// at most one extra word.
const rescanSlack = 48

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

// output returns output j of point p of a chunk as an integer over OutputDenominator.
func (c chunkOut) output(j, p int, z *big.Int) *big.Int {
	o := (j*c.P + p) * c.words
	return toBig(c.vals[o:o+c.words], z)
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

// run evaluates every point of xs, chunk by chunk on every core, and calls
// visit (from the worker goroutine) with each chunk's first index and
// read-out. progress, if not nil, gets the number of points done. It stops
// within a chunk's time once ctx is done and returns ctx's error.
func (e *Exact) run(ctx context.Context, xs [][]float64, progress func(done int64), visit func(lo int, c chunkOut) error) error {
	if e.share != nil {
		return e.runShared(ctx, xs, progress, visit)
	}
	var done atomic.Int64
	return e.chunks(ctx, len(xs), e.chunkSize(len(xs)), func(lo, hi int, s *xscratch) error {
		c, err := e.evalChunk(xs[lo:hi], s)
		if err == nil {
			err = visit(lo, c)
		}
		if err == nil && progress != nil {
			progress(done.Add(int64(hi - lo)))
		}
		return err
	})
}

// Outputs returns the exact outputs of the network on every point of xs
// (which must be the points it was compiled for, or a subset).
func (e *Exact) Outputs(ctx context.Context, xs [][]float64, progress func(done int64)) ([][]*big.Rat, error) {
	outs := make([][]*big.Rat, len(xs))
	err := e.run(ctx, xs, progress, func(lo int, c chunkOut) error {
		nout := len(c.vals) / (c.P * c.words)
		z := new(big.Int)
		for p := range c.P {
			o := make([]*big.Rat, nout)
			for j := range o {
				o[j] = new(big.Rat).SetFrac(c.output(j, p, z), e.outDen)
			}
			outs[lo+p] = o
		}
		return nil
	})
	return outs, err
}

// Classes returns the class each point's exact outputs stand for among m
// classes (−1 for none; the rule of ClassOfRat) and, for single-output
// networks, whether the output equals the label y[i] (y may be nil).
func (e *Exact) Classes(ctx context.Context, xs [][]float64, m int, y []int, progress func(done int64)) (cls []int, equal []bool, err error) {
	cls = make([]int, len(xs))
	if y != nil {
		equal = make([]bool, len(xs))
	}
	twoD := new(big.Int).Lsh(e.outDen, 1)
	err = e.run(ctx, xs, progress, func(lo int, c chunkOut) error {
		nout := len(c.vals) / (c.P * c.words)
		W := c.words
		if nout > 1 {
			for p := range c.P {
				best := 0
				val := func(j int) []uint64 { o := (j*c.P + p) * W; return c.vals[o : o+W] }
				for j := 1; j < nout; j++ {
					if cmpWords(val(j), val(best)) > 0 {
						best = j
					}
				}
				k := best
				for j := range nout {
					if j != best && cmpWords(val(j), val(best)) >= 0 {
						k = -1
						break
					}
				}
				if k >= m {
					k = -1
				}
				cls[lo+p] = k
			}
			return nil
		}
		// one output f = Z/D: k = ⌊(2Z + D)/(2D)⌋, none when 2Z + D ≡ 0 (mod 2D)
		s := e.outShift
		z, t, q, r := new(big.Int), new(big.Int), new(big.Int), new(big.Int)
		for p := range c.P {
			k := -1
			v := int64(c.vals[p*W])
			fast := W == 1 && s >= 0 && s <= 60 && v > -(1<<61) && v < 1<<61
			if fast || (W > 1 && s >= 0 && s <= 60 && fitsInt64(c.vals[p*W:p*W+W], 61)) {
				D := int64(1) << s
				tt := 2*v + D
				qq := tt >> (s + 1) // floor division by 2D
				if tt-qq<<(s+1) != 0 && qq >= 0 && qq < int64(m) {
					k = int(qq)
				}
				if y != nil && len(y) > lo+p {
					yy := y[lo+p]
					equal[lo+p] = yy >= 0 && yy < 1<<(61-s) && v == int64(yy)<<s
				}
			} else {
				c.output(0, p, z)
				t.Lsh(z, 1)
				t.Add(t, e.outDen)
				q.DivMod(t, twoD, r)
				if r.Sign() != 0 && q.IsInt64() && q.Int64() >= 0 && q.Int64() < int64(m) {
					k = int(q.Int64())
				}
				if y != nil && len(y) > lo+p {
					t.SetInt64(int64(y[lo+p]))
					equal[lo+p] = z.Cmp(t.Mul(t, e.outDen)) == 0
				}
			}
			cls[lo+p] = k
		}
		return nil
	})
	return cls, equal, err
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
