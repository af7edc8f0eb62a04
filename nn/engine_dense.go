package nn

import (
	"math"
	"math/big"
	"math/bits"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// Dense kernels for wide layers whose every neuron fits one word.
//
// The term-by-term kernels (engine_kernels.go) cost one pass over the
// chunk's points per term; a layer of m neurons reading most of its n
// inputs costs m·n passes. Two kinds of wide layer are evaluated instead as
// whole-layer products, with the same exact integer result:
//
//   - bit layers: every input is 0 or 1 on every point (by its compiled
//     range), as behind a STEP layer (Dirksen–Finke–Genzel's AND and OR
//     layers). Each point's inputs are packed into 64-bit words and a
//     neuron's sum Σ c_i·x_i is Σ_b ±2^b·popcount(x ∧ M_b) over the bit
//     planes M_b of its coefficients' magnitudes (positive and negative
//     coefficients in separate planes): 64 terms per AND and popcount.
//     The sum is taken modulo 2^64, which is exact because the compiled
//     range proves the pre-activation fits one word (two's complement
//     sums are exact modulo 2^64 once the final value is in range).
//   - float-exact layers: every coefficient c and every input value x is
//     an integer with Σ_i |c_i|·max|x_i| < 2^53 for every neuron (by the
//     compiled ranges). Then every product and every partial sum, in any
//     order and with or without fused multiply-adds, is an integer of
//     magnitude below 2^53, which float64 holds exactly: a float64 matrix
//     product (gonum's blocked Dgemm) returns the exact integer sums. The
//     bias is added afterwards in integer arithmetic modulo 2^64. A
//     Gaussian first layer over pixels (|c| < 2^24 for weights rounded to
//     2^−20, x ≤ 255, d = 784) is such a layer.
//
// A plan is made at compile time only when the layer is dense enough for
// the product to be cheaper than the terms (see denseFor); evalLayer then
// hands the whole layer to evalDense. Skipped (taint-split) evaluation and
// read-out layers keep the term-by-term path.
type densePlan struct {
	// bit layer: each neuron's planes are masks[first[j]:first[j+1]]
	bit   bool
	first []int32
	masks []bitMask
	// inputs read by some neuron (both kinds)
	used []int32
	iw   int // words of a point's packed inputs (bit layer)
	// float-exact layer: wt is in×out, row-major (input i, neuron j)
	wt []float64
	// every neuron's bias modulo 2^64 and activation
	b64 []uint64
	act []Activation
}

// bitMask is one bit plane of a neuron's coefficients: ±2^shift·popcount(x ∧ words) over packed-input words [lo, lo+len(words)).
type bitMask struct {
	shift uint8
	neg   bool
	lo    int32
	words []uint64
}

// denseWorth: a plan is made when the product's work, in word operations
// per point, is at most 1/denseWorth of the terms' (the terms' kernels and
// the product's inner loops cost about the same per operation).
const denseWorth = 2

// denseFor returns a dense plan for the compiled layer l (nil when neither
// kind applies or the terms are cheaper); lo, hi are its inputs' ranges.
func denseFor(l *xlayer, readout bool, lo, hi []*big.Int) *densePlan {
	if readout || l.out == 0 || l.in == 0 {
		return nil
	}
	terms := 0
	allBit := true
	for j := range l.neurons {
		n := &l.neurons[j]
		if n.dead || n.clamp != nil || n.wide != nil || n.words != 1 || n.act == Sigmoid {
			return nil
		}
		terms += len(n.terms)
		for _, t := range n.terms {
			allBit = allBit && t.bit
		}
	}
	if allBit {
		return bitPlan(l, terms)
	}
	return floatPlan(l, terms, lo, hi)
}

// planBase fills the parts both kinds share: the inputs read, the biases modulo 2^64 and the activations.
func planBase(l *xlayer) *densePlan {
	p := &densePlan{b64: make([]uint64, l.out), act: make([]Activation, l.out)}
	read := make([]bool, l.in)
	for j := range l.neurons {
		n := &l.neurons[j]
		p.act[j] = n.act
		if n.bmag != nil {
			p.b64[j] = n.bmag[0]
			if n.bneg {
				p.b64[j] = -p.b64[j]
			}
		}
		for _, t := range n.terms {
			read[t.in] = true
		}
	}
	for i, r := range read {
		if r {
			p.used = append(p.used, int32(i))
		}
	}
	return p
}

// bitPlan builds the bit planes of a layer whose inputs are all 0 or 1, or nil when its terms are cheaper.
func bitPlan(l *xlayer, terms int) *densePlan {
	p := planBase(l)
	p.bit = true
	p.iw = (l.in + 63) / 64
	p.first = make([]int32, l.out+1)
	cost := len(p.used)
	var planes [2][64][]uint64
	for j := range l.neurons {
		n := &l.neurons[j]
		for _, t := range n.terms {
			if len(t.mag) == 0 {
				continue
			}
			s := b2i(t.neg)
			// −|c| ≡ −(|c| mod 2^64): only |c|'s low word matters modulo 2^64
			for m := t.mag[0]; m != 0; m &= m - 1 {
				b := bits.TrailingZeros64(m)
				if planes[s][b] == nil {
					planes[s][b] = make([]uint64, p.iw)
				}
				planes[s][b][t.in/64] |= 1 << (uint(t.in) % 64)
			}
		}
		for s := range 2 {
			for b := range 64 {
				w := planes[s][b]
				if w == nil {
					continue
				}
				a, z := 0, len(w)
				for a < z && w[a] == 0 {
					a++
				}
				for z > a && w[z-1] == 0 {
					z--
				}
				p.masks = append(p.masks, bitMask{shift: uint8(b), neg: s == 1, lo: int32(a), words: w[a:z:z]})
				cost += z - a
				planes[s][b] = nil
			}
		}
		p.first[j+1] = int32(len(p.masks))
	}
	if cost*denseWorth > terms {
		return nil
	}
	return p
}

// floatPlan builds the float64 weight matrix of a layer whose sums are proven below 2^53, or nil.
func floatPlan(l *xlayer, terms int, lo, hi []*big.Int) *densePlan {
	// the product costs in·out multiply-adds (a few per word operation of
	// the terms' kernels, vectorised): worth it only when most weights are
	// nonzero
	if terms*denseWorth < l.in*l.out {
		return nil
	}
	const lim = 1 << 53
	xmax := make([]float64, l.in)
	for i := range l.in {
		a := new(big.Int).Abs(lo[i])
		if b := new(big.Int).Abs(hi[i]); b.Cmp(a) > 0 {
			a = b
		}
		if a.BitLen() > 53 {
			xmax[i] = math.Inf(1)
			continue
		}
		xmax[i] = float64(a.Int64())
	}
	p := planBase(l)
	p.wt = make([]float64, l.in*l.out)
	for j := range l.neurons {
		// S = Σ |c_i|·max|x_i|, accumulated in float64 rounded up by a
		// relative 2^−50 per step: an upper bound of the exact sum
		s := 0.0
		for _, t := range l.neurons[j].terms {
			if t.bits > 53 || len(t.mag) == 0 {
				return nil
			}
			c := float64(t.mag[0]) // exact: |c| < 2^53
			s = (s + c*xmax[t.in]) * (1 + 0x1p-50)
			if !(s < lim) {
				return nil
			}
			if t.neg {
				c = -c
			}
			p.wt[int(t.in)*l.out+j] = c
		}
	}
	return p
}

// denseScratch is one evaluation's float64 input and product matrices.
type denseScratch struct{ x, z []float64 }

var densePool = sync.Pool{New: func() any { return new(denseScratch) }}

// evalDense evaluates layer l on a chunk of P points with its dense plan,
// writing one word per neuron and point to out, and returns in's slots to
// the pool (the bookkeeping of evalLayer, for a layer with no skipped
// neurons that is not the read-out).
func (e *Exact) evalDense(l *xlayer, in *vals, P int, out *vals, s *xscratch) {
	d := l.dense
	ws := growInts(s.wa, l.out)
	s.wa = nil
	out.bnd, out.slack = growInts(out.bnd, l.out), growInts(out.slack, l.out)
	for j := range out.bnd {
		out.bnd[j], ws[j] = -1, 1
	}
	s.release(out)
	s.wa = out.w[:0]
	out.w = ws
	out.v = out.v[:0]
	for range l.out {
		out.v = append(out.v, s.get(P))
	}
	if d.bit {
		d.evalBits(in, P, out, s)
	} else {
		d.evalFloat(in, P, out)
	}
	for j, z := range out.v {
		activate(z, 1, d.act[j])
	}
	for i, x := range in.v {
		if !in.ro && x != nil {
			s.put(x)
		}
		in.v[i] = nil
	}
	in.v, in.ro = in.v[:0], false
}

// evalBits computes Z_j = B_j + Σ_b ±2^b·popcount(x ∧ M_b) modulo 2^64 for every neuron j and point (x the point's packed 0/1 inputs).
func (d *densePlan) evalBits(in *vals, P int, out *vals, s *xscratch) {
	xb := s.get(P * d.iw)
	clear(xb)
	for _, i := range d.used {
		h := in.neuron(int(i), P) // materializes a value held as an affine form (engine_affine.go)
		K := in.w[i]
		sh, q := uint(i)%64, int(i)/64
		for p := range P {
			xb[p*d.iw+q] |= (h[p*K] & 1) << sh
		}
	}
	for j, z := range out.v {
		ms := d.masks[d.first[j]:d.first[j+1]]
		b := d.b64[j]
		for p := range P {
			x := xb[p*d.iw : (p+1)*d.iw]
			v := b
			for k := range ms {
				m := &ms[k]
				xs := x[m.lo : int(m.lo)+len(m.words)]
				c := 0
				for w, mw := range m.words {
					c += bits.OnesCount64(xs[w] & mw)
				}
				if m.neg {
					v -= uint64(c) << m.shift
				} else {
					v += uint64(c) << m.shift
				}
			}
			z[p] = v
		}
	}
	s.put(xb)
}

// evalFloat computes Z = X·Wt exactly in float64 (every sum below 2^53, see densePlan) and adds the biases modulo 2^64.
func (d *densePlan) evalFloat(in *vals, P int, out *vals) {
	nin, nout := len(d.wt)/len(d.b64), len(d.b64)
	sc := densePool.Get().(*denseScratch)
	if cap(sc.x) < P*nin {
		sc.x = make([]float64, P*nin)
	}
	if cap(sc.z) < P*nout {
		sc.z = make([]float64, P*nout)
	}
	x, z := sc.x[:P*nin], sc.z[:P*nout]
	clear(x)
	for _, i := range d.used {
		h := in.neuron(int(i), P) // materializes a value held as an affine form (engine_affine.go)
		K := in.w[i]
		for p := range P {
			// exact: the input's range is below 2^53 in magnitude, so its
			// low word is its value
			x[p*nin+int(i)] = float64(int64(h[p*K]))
		}
	}
	blas64.Implementation().Dgemm(blas.NoTrans, blas.NoTrans, P, nout, nin, 1, x, nin, d.wt, nout, 0, z, nout)
	for j, o := range out.v {
		b := d.b64[j]
		for p := range P {
			o[p] = uint64(int64(z[p*nout+j])) + b
		}
	}
	densePool.Put(sc)
}
