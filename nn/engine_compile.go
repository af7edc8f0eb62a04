package nn

import (
	"fmt"
	"math"
	"math/big"
	"strings"
)

// bigWords returns the magnitude |x| as little-endian 64-bit words.
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

// lcm returns the least common multiple of a, b > 0 (a new Int).
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
				n.bneg, n.bmag, n.bbits, n.bz = bz.Sign() < 0, bigWords(bz), bz.BitLen(), bz
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
				xt := termOf(c)
				xt.in = int32(i)
				xt.bit = lo[i].Sign() >= 0 && hi[i].Cmp(bigOne) <= 0
				if tops != nil && tops[i] != nil && !xt.bit && len(xt.mag) > 1 {
					cm := new(big.Int).Mul(tops[i], new(big.Int).Abs(c))
					xt.top, xt.cmax = bigWords(tops[i]), bigWords(cm)
					for xt.cmaxLo < len(xt.cmax) && xt.cmax[xt.cmaxLo] == 0 {
						xt.cmaxLo++
					}
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
		xl.dense = denseFor(&xl, readout, lo, hi)
		xl.preDens, xl.dens = xl.dens, nden
		e.layers = append(e.layers, xl)
		lo, hi, den, dead, tops = nlo, nhi, nden, ndead, ntops
	}
	if s := int(e.outDen.TrailingZeroBits()); e.outDen.BitLen() == s+1 {
		e.outShift = s
	}
	return e, nil
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
		n.keeps = best >= 0 && n.bmag == nil && n.clamp == nil && (n.act == Identity || n.act == ReLU && lo[n.terms[best].in].Sign() >= 0)
	}
}

// bigOne is the constant 1 (never modified).
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

// b2i returns 1 for true and 0 for false.
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

// wordsFor returns the fewest words (at least one) holding every two's complement value in [lo, hi].
func wordsFor(lo, hi *big.Int) int {
	return max(1, (max(signedBits(lo), signedBits(hi))+63)/64)
}
