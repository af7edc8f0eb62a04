package nn

import (
	"fmt"
	"math"
	"math/bits"
)

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
// skipW words, or their output's proven words when fewer, left as they
// are: the caller (runShared) stores the skipped values that are read.
//
// A neuron whose base term (coefficient 1, see xneuron.base) reads an input
// of its own width takes over that input's slot: a unit copy costs nothing,
// and a neuron "input + small change" (Park's running label row, Vardi's
// running remainder) adds only the change in place instead of copying its
// whole value. In place is exact because the input has no other reader in
// the layer (or the neuron leaves it unchanged), and every kernel reads a
// point's inputs before writing its value.
func (e *Exact) evalLayer(l *xlayer, readout bool, in *vals, P int, out *vals, skip []bool, skipW int, s *xscratch) {
	if l.dense != nil && skip == nil && !readout {
		e.evalDense(l, in, P, out, s)
		return
	}
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
			W = min(skipW, max(1, n.outWords))
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
	// on affine forms (engine_affine.go): which neurons are symbolic
	aff := s.affine && !readout && len(in.f) == l.in
	var sym []bool
	if aff {
		out.f, out.lazy = growForms(out.f, l.out), s
		if cap(s.sym) < l.out {
			s.sym = make([]bool, l.out)
		}
		sym = s.sym[:l.out]
		for j := range l.neurons {
			sym[j] = !(skip != nil && skip[j]) && symbolic(&l.neurons[j], in)
		}
	} else {
		out.f, out.lazy = out.f[:0], nil
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
			if aff && sym[j] {
				if evalForm(n, in, out, j, s) {
					continue
				}
				// the sign changes inside the chunk: point by point
				z := s.get(P * W)
				s.materializeForm(z, W, &out.f[j].a, &out.f[j].b, P)
				activate(z, W, n.act)
				out.v[j] = z
				narrowOut(n, z, P, j, ws, out)
				continue
			}
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
					z, inplace = in.neuron(i, P), true
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
			if inplace && n.keeps && !readout && restZero(n, in) {
				// the base input's value, unchanged: keep its slot and its bound
				if i := int(n.terms[n.base].in); len(in.bnd) > i && in.bnd[i] >= 0 {
					out.bnd[j], out.slack[j] = in.bnd[i], in.slack[i]
				}
				continue
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
					if t == first || zeroIn(in, int(n.terms[t].in)) {
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
			if !readout {
				narrowOut(n, z, P, j, ws, out)
			}
		}
	}
	if twins {
		for j := range l.neurons {
			n := &l.neurons[j]
			if n.twin >= 0 && !(skip != nil && skip[j]) && !(aff && sym[j]) {
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

// narrowOut keeps neuron j's output z (P points of ws[j] words) in the
// words its range proves (a STEP output: one) and marks it 0 on the chunk
// (bound 0) when every word is 0 and it is at most four words.
func narrowOut(n *xneuron, z []uint64, P, j int, ws []int, out *vals) {
	if ow, W := n.outWords, ws[j]; ow < W {
		for p := range P {
			copy(z[p*ow:p*ow+ow], z[p*W:p*W+ow])
		}
		ws[j] = ow
	}
	if out.bnd[j] != 0 && ws[j] <= 4 && allZero(z[:P*ws[j]]) {
		out.bnd[j], out.slack[j] = 0, 0
	}
}

// zeroIn reports whether input i is 0 on every point of the chunk (its
// carried bound is 0 bits, see vals.bnd).
func zeroIn(in *vals, i int) bool { return len(in.bnd) > i && in.bnd[i] == 0 }

// restZero reports whether every term of n other than its base reads an
// input that is 0 on every point of the chunk.
func restZero(n *xneuron, in *vals) bool {
	for t := range n.terms {
		if t != n.base && !zeroIn(in, int(n.terms[t].in)) {
			return false
		}
	}
	return true
}

// allZero reports whether every word of z is 0.
func allZero(z []uint64) bool {
	for _, v := range z {
		if v != 0 {
			return false
		}
	}
	return true
}
