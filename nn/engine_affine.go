package nn

import (
	"context"
	"math/big"
	"slices"

	"github.com/memnet/memnet/internal/par"
)

// Affine forms on an anchor (phase 1 of a split, see runShared).
//
// When a hidden layer A has a single neuron (Vardi's Stage-I projection t),
// every later neuron is a function of that neuron's value alone, the
// anchor a. On a chunk of points a neuron's integer value is then often an
// affine function of a, Z = α + β·a with integers α, β, and the whole chunk
// is described by two integers instead of P values: a neuron whose inputs
// all have such forms has the form of its pre-activation,
// (B + Σ c_i·α_i) + (Σ c_i·β_i)·a, exactly; ReLU keeps it when the form is
// ≥ 0 at the chunk's smallest and at its largest anchor (an affine function
// is then ≥ 0 at every anchor between), makes it 0 when it is ≤ 0 at both,
// and STEP is decided likewise. Otherwise (the pre-activation changes sign
// inside the chunk) the neuron's values are computed point by point from the
// form, and the neurons reading it are evaluated by the word kernels. With
// the points sorted by their anchor a chunk covers a short range of it, so
// Vardi's interval search — per layer σ(a_k − t), σ(t − b_k) and the
// indicator of [a_k, b_k] — is two integers per neuron and chunk except for
// the few intervals that meet the chunk's range (and the running sums are
// untouched where the indicator is 0: see xneuron.keeps). The forms use
// math/big, the values the same two's complement words as everywhere, so
// the result is exact whatever the order of the points (a poor order only
// costs time; the anchors' extremes are measured, not assumed).

// aform is a neuron's value on a chunk as α + β·a, a the chunk's anchor
// values (on: the form is valid; a neuron may have a form and a slot).
type aform struct {
	on   bool
	a, b big.Int
}

// anchorLayer returns the first hidden layer before S with one neuron, or
// −1 when there is none.
func (e *Exact) anchorLayer(S int) int {
	for k := 0; k < S; k++ {
		if e.layers[k].out == 1 {
			return k
		}
	}
	return -1
}

// anchorChunk is the most points of a phase-1 chunk evaluated on forms:
// the forms cost per chunk and layer, the point-by-point work near a sign
// change per point, so chunks are larger than the word kernels' own.
const anchorChunk = 8192

// anchorChunkSize is the chunk of phase 1 on forms for n points (P the
// plain chunk): up to anchorChunk, leaving every worker two chunks.
func (e *Exact) anchorChunkSize(n, P int) int {
	return max(P, min(anchorChunk, (n+2*par.Workers()-1)/(2*par.Workers())))
}

// anchors evaluates layers 0..A for every point and returns each point's
// anchor (K two's complement words each, K the anchor's proven output
// words) and the points' indices sorted by it.
func (e *Exact) anchors(ctx context.Context, xs [][]float64, A int) (av []uint64, K int, order []int32, err error) {
	n := len(xs)
	K = e.layers[A].outWords
	av = make([]uint64, n*K)
	err = e.chunks(ctx, n, e.chunkSize(n), func(lo, hi int, s *xscratch) error {
		if err := e.loadInputs(xs[lo:hi], s); err != nil {
			return err
		}
		for k := 0; k <= A; k++ {
			e.evalLayer(&e.layers[k], false, &s.a, hi-lo, &s.b, nil, 0, s)
			s.a, s.b = s.b, s.a
		}
		for p := range hi - lo {
			store(av[(lo+p)*K:(lo+p+1)*K], s.a.at(0, p))
		}
		return nil
	})
	if err != nil {
		return nil, 0, nil, err
	}
	order = make([]int32, n)
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(i, j int32) int {
		return cmpWords(av[int(i)*K:int(i+1)*K], av[int(j)*K:int(j+1)*K])
	})
	return av, K, order, nil
}

// evalAnchored evaluates layers A+1..S on the points pts (indices into the
// anchors av, K words each) and leaves layer S's values, every one
// materialized, in s.a.
func (e *Exact) evalAnchored(av []uint64, K int, pts []int32, A, S int, s *xscratch) {
	P := len(pts)
	s.anchorInput(av, K, pts)
	for k := A + 1; k <= S; k++ {
		e.evalLayer(&e.layers[k], false, &s.a, P, &s.b, nil, 0, s)
		s.a, s.b = s.b, s.a
	}
	s.affine = false
	for j := range s.a.v {
		s.a.neuron(j, P)
	}
	s.a.lazy = nil
	s.b.lazy = nil
}

// anchorInput loads the anchors of the points pts (indices into av, K
// words each) and their extremes, and leaves in s.a the anchor layer's
// output as the form 0 + 1·a, evaluation on forms on.
func (s *xscratch) anchorInput(av []uint64, K int, pts []int32) {
	P := len(pts)
	s.anc = grow(s.anc, P*K)
	lo, hi := 0, 0
	for p, i := range pts {
		a := av[int(i)*K : int(i+1)*K]
		copy(s.anc[p*K:p*K+K], a)
		if cmpWords(a, s.anc[lo*K:lo*K+K]) < 0 {
			lo = p
		}
		if cmpWords(a, s.anc[hi*K:hi*K+K]) > 0 {
			hi = p
		}
	}
	s.ancK = K
	toBig(s.anc[lo*K:lo*K+K], &s.amin)
	toBig(s.anc[hi*K:hi*K+K], &s.amax)
	// layer A's output: the anchor, as the form 0 + 1·a
	s.release(&s.a)
	s.a.v = append(s.a.v[:0], nil)
	s.a.w = append(s.a.w[:0], K)
	s.a.f = growForms(s.a.f, 1)
	f := &s.a.f[0]
	f.on = true
	f.a.SetInt64(0)
	f.b.SetInt64(1)
	s.a.bnd = append(s.a.bnd[:0], max(s.amin.BitLen(), s.amax.BitLen()))
	s.a.slack = append(s.a.slack[:0], 0)
	s.a.lazy = s
	s.affine = true
}

// growForms returns f with length n, every form off (the big.Ints' storage kept).
func growForms(f []aform, n int) []aform {
	if cap(f) < n {
		f = append(f[:cap(f)], make([]aform, n-cap(f))...)
	}
	f = f[:n]
	for j := range f {
		f[j].on = false
	}
	return f
}

// symbolic reports whether neuron n of a layer is evaluated on forms: every
// input it reads has one, and it is not a pair head (evalLayer).
func symbolic(n *xneuron, in *vals) bool {
	if n.wide != nil || n.clamp != nil {
		return false
	}
	for t := range n.terms {
		if !in.f[n.terms[t].in].on {
			return false
		}
	}
	return true
}

// evalForm computes neuron n's value on the chunk from its inputs' forms:
// it sets out's form j and bound and returns true, or, when the
// pre-activation changes sign between the chunk's extreme anchors under a
// ReLU or STEP, leaves the pre-activation's form in out.f[j] (off) and the
// output's bound (the pre-activation's largest magnitude at the two ends,
// which ReLU does not increase; 1 bit for STEP) and returns false.
func evalForm(n *xneuron, in, out *vals, j int, s *xscratch) bool {
	f := &out.f[j]
	f.on = false
	pa, pb, t := &f.a, &f.b, &s.ft1
	pa.SetInt64(0)
	pb.SetInt64(0)
	if n.bmag != nil {
		if n.bz != nil {
			pa.Set(n.bz)
		} else {
			pa.Set(fromMag(n.bmag, n.bneg))
		}
	}
	for q := range n.terms {
		tm := &n.terms[q]
		g := &in.f[tm.in]
		c := tm.coefBig()
		if g.a.Sign() != 0 {
			pa.Add(pa, t.Mul(c, &g.a))
		}
		if g.b.Sign() != 0 {
			pb.Add(pb, t.Mul(c, &g.b))
		}
	}
	v1, v2 := &s.ft2, &s.ft3
	v1.Add(pa, t.Mul(pb, &s.amin))
	v2.Add(pa, t.Mul(pb, &s.amax))
	s1, s2 := v1.Sign(), v2.Sign()
	out.bnd[j], out.slack[j] = max(v1.BitLen(), v2.BitLen()), 0
	if n.act == Step {
		out.bnd[j] = 1
	}
	switch n.act {
	case ReLU:
		switch {
		case s1 >= 0 && s2 >= 0:
		case s1 <= 0 && s2 <= 0:
			pa.SetInt64(0)
			pb.SetInt64(0)
			v1.SetInt64(0)
			v2.SetInt64(0)
		default:
			return false
		}
	case Step:
		switch {
		case s1 >= 0 && s2 >= 0:
			pa.SetInt64(1)
		case s1 < 0 && s2 < 0:
			pa.SetInt64(0)
		default:
			return false
		}
		pb.SetInt64(0)
		v1.Set(pa)
		v2.Set(pa)
	}
	f.on = true
	out.bnd[j], out.slack[j] = max(v1.BitLen(), v2.BitLen()), 0
	return true
}

// materializeForm writes α + β·a at the chunk's P points into z (W words
// each, modulo 2^(64W)), a the chunk's anchors.
func (s *xscratch) materializeForm(z []uint64, W int, α, β *big.Int, P int) {
	z = z[:P*W]
	setBig(z[:W], α)
	for p := W; p < len(z); p += W {
		copy(z[p:p+W], z[:W])
	}
	if β.Sign() == 0 {
		return
	}
	K := s.ancK
	t := termOf(β)
	s.mtmp = grow(s.mtmp, W+K+8)
	addTerm(z, s.anc[:P*K], W, K, &t, s.mtmp[:W+K])
}

// materialize gives neuron j of v, which has only a form, a slot holding its
// values at the chunk's P points.
func (s *xscratch) materialize(v *vals, j, P int) {
	W := v.w[j]
	z := s.get(P * W)
	s.materializeForm(z, W, &v.f[j].a, &v.f[j].b, P)
	v.v[j] = z
}

// termOf compiles the coefficient c as a term (its input and what the
// kernels may assume of the input not set).
func termOf(c *big.Int) xterm {
	mag := bigWords(c)
	t := xterm{neg: c.Sign() < 0, mag: mag, bits: c.BitLen(), cb: c}
	t.unit = t.bits == 1
	for t.lo < len(mag) && mag[t.lo] == 0 {
		t.lo++
	}
	if len(mag) > 0 {
		t.c64 = mag[0]
	}
	if t.neg {
		t.c64 = -t.c64
	}
	return t
}

// coefBig returns the term's coefficient c as a big.Int.
func (t *xterm) coefBig() *big.Int {
	if t.cb != nil {
		return t.cb
	}
	return fromMag(t.mag, t.neg)
}

// fromMag returns ±m for the little-endian magnitude words m.
func fromMag(m []uint64, neg bool) *big.Int {
	ws := make([]big.Word, len(m))
	for i, w := range m {
		ws[i] = big.Word(w)
	}
	z := new(big.Int).SetBits(ws)
	if neg {
		z.Neg(z)
	}
	return z
}
