package nn

import (
	"math/big"
	"math/bits"
)

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
	// f: the neurons' affine forms on the chunk's anchor when evaluated
	// on forms (engine_affine.go; empty otherwise); a neuron with a form
	// may have no slot (v[j] nil) until lazy materializes it on first read
	f    []aform
	lazy *xscratch
}

// neuron returns neuron j's values on the chunk's P points.
func (v *vals) neuron(j, P int) []uint64 {
	if v.v[j] == nil && v.lazy != nil {
		v.lazy.materialize(v, j, P)
	}
	return v.v[j][:P*v.w[j]]
}

// at returns neuron j's value at point p.
func (v *vals) at(j, p int) []uint64 {
	w := v.w[j]
	return v.v[j][p*w : p*w+w]
}

// growInts returns s with length n, reallocated (zeroed, 25% spare capacity) when too small; old contents are kept otherwise.
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
	fw    []int // widths for fresh
	ft    []fterm
	// runShared: the scratch of a chunk's groups, their ids and each
	// point's place among them
	aux   *xscratch
	glist []int
	loc   []int
	// evaluation on affine forms (engine_affine.go): on, the chunk's
	// anchors (ancK words each) and their extremes, which neurons of the
	// layer are symbolic, and big.Int and word scratch
	affine        bool
	anc           []uint64
	ancK          int
	amin, amax    big.Int
	sym           []bool
	ft1, ft2, ft3 big.Int
	mtmp          []uint64
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
	s.fw = growInts(s.fw, n)
	for j := range s.fw {
		s.fw[j] = w
	}
	s.freshWidths(v, s.fw, P)
}

// freshWidths gives v len(ws) neurons, neuron j of ws[j] words, over P points, zeroed.
func (s *xscratch) freshWidths(v *vals, ws []int, P int) {
	s.release(v)
	v.bnd = v.bnd[:0]
	v.f, v.lazy = v.f[:0], nil
	v.w = growInts(v.w, len(ws))
	copy(v.w, ws)
	for _, w := range ws {
		x := s.get(P * w)
		clear(x)
		v.v = append(v.v, x)
	}
}

// grow returns s with length n, reallocated (zeroed, 25% spare capacity) when too small; old contents are kept otherwise.
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
	// idx, when not nil, lists the chunk's points (their indices in xs):
	// the shared phase 3 takes points in group order (see runShared)
	idx []int32
}

// point returns the index in xs of the chunk's point p, for a chunk that
// starts at lo.
func (c chunkOut) point(lo, p int) int {
	if c.idx != nil {
		return int(c.idx[p])
	}
	return lo + p
}

// readout returns the chunk's read-out held in s.a.
func (s *xscratch) readout(P int) chunkOut {
	W := s.a.w[0]
	return chunkOut{vals: s.ro[:len(s.a.w)*P*W], words: W, P: P}
}

// output returns output j of point p of a chunk as an integer over OutputDenominator.
func (c chunkOut) output(j, p int, z *big.Int) *big.Int {
	o := (j*c.P + p) * c.words
	return toBig(c.vals[o:o+c.words], z)
}
