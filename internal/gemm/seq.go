package gemm

// This file holds the strip kernels of nn's float views. Unlike Mul, whose
// micro-kernel fuses each multiply-add (FMA) and sums every 256-deep panel
// from zero before adding it to c, they fix one summation order, the
// sequential unfused one: each output starts at its bias (or at the value c
// holds, to continue a sum over the next panel) and adds the terms in depth
// order, each product rounded to F before the add:
//
//	s = b;  s = s + F(a_0·b_0);  s = s + F(a_1·b_1);  …
//
// The assembly kernels (seq_amd64.s, AVX2, no FMA) evaluate this per lane,
// bit for bit the same as the Go kernels, so a float view's outputs do not
// depend on the CPU. The operands are strips: a holds SeqRows weight rows
// interleaved by depth (a[p·SeqRows+i] is row i's weight at depth p), b
// holds Lanes[F]() points per depth (b[p·nr+j] is point j's input p), as
// in Mul's packed panels.

// SeqRows is the number of rows (neurons) of a SeqTiles tile.
const SeqRows = 6

// SeqStrips is the number of point strips a SeqRow call covers.
const SeqStrips = 4

// Lanes is the number of points in a strip: 16 float32 or 8 float64 (two
// 256-bit registers).
func Lanes[F Float]() int {
	var f F
	if _, ok := any(f).(float32); ok {
		return 16
	}
	return 8
}

// SeqTiles computes ntiles tiles of SeqRows×nr values (nr = Lanes) on one
// strip b. Tile t (rows i = t·SeqRows + r, r < SeqRows) reads the weight
// strip a[t·astride:] and sets c[i·ldc+j] to act(s), s starting at
// bias[i] (bias non-nil) or at c[i·ldc+j], then
// s = s + F(a[t·astride + p·SeqRows + r]·b[p·nr+j]) for p = 0, …, k−1;
// act is ReLU (v < 0 → 0; NaN and −0 stay) with relu, identity otherwise.
func SeqTiles[F Float](k int, a []F, astride int, b, c []F, ldc int, bias []F, relu bool, ntiles int) {
	if ntiles <= 0 {
		return
	}
	nr := Lanes[F]()
	if k > 0 {
		_, _ = a[(ntiles-1)*astride+SeqRows*k-1], b[nr*k-1]
	}
	_ = c[(ntiles*SeqRows-1)*ldc+nr-1]
	if bias != nil {
		_ = bias[ntiles*SeqRows-1]
	}
	if seqAsm && seqTilesAsm(k, a, astride, b, c, ldc, bias, relu, ntiles) {
		return
	}
	for t := range ntiles {
		var bt []F
		if bias != nil {
			bt = bias[t*SeqRows:]
		}
		seqTileGo(k, a[t*astride:], b, c[t*SeqRows*ldc:], ldc, bt, relu)
	}
}

// SeqRow computes one row over SeqStrips strips: for s < SeqStrips and
// j < nr, c[s·cstride+j] = act(t) with t starting at bias[0] (bias
// non-nil) or at c[s·cstride+j], then t = t + F(a[p]·b[s·bstride+p·nr+j])
// for p = 0, …, k−1; act as in SeqTiles.
func SeqRow[F Float](k int, a, b []F, bstride int, c []F, cstride int, bias []F, relu bool) {
	nr := Lanes[F]()
	if k > 0 {
		_, _ = a[k-1], b[(SeqStrips-1)*bstride+nr*k-1]
	}
	_ = c[(SeqStrips-1)*cstride+nr-1]
	if bias != nil {
		_ = bias[0]
	}
	if seqAsm && seqRowAsm(k, a, b, bstride, c, cstride, bias, relu) {
		return
	}
	seqRowGo(k, a, b, bstride, c, cstride, bias, relu)
}

// seqTileGo is one tile of SeqTiles in Go: the explicit conversion F(x·y) rounds the
// product, so no compiler fuses it into the add.
func seqTileGo[F Float](k int, a, b, c []F, ldc int, bias []F, relu bool) {
	nr := Lanes[F]()
	for i := range SeqRows {
		for j := range nr {
			s := c[i*ldc+j]
			if bias != nil {
				s = bias[i]
			}
			for p := range k {
				s += F(a[p*SeqRows+i] * b[p*nr+j])
			}
			if relu && s < 0 {
				s = 0
			}
			c[i*ldc+j] = s
		}
	}
}

// seqRowGo is SeqRow in Go.
func seqRowGo[F Float](k int, a, b []F, bstride int, c []F, cstride int, bias []F, relu bool) {
	nr := Lanes[F]()
	for s := range SeqStrips {
		bs := b[s*bstride:]
		for j := range nr {
			t := c[s*cstride+j]
			if bias != nil {
				t = bias[0]
			}
			for p := range k {
				t += F(a[p] * bs[p*nr+j])
			}
			if relu && t < 0 {
				t = 0
			}
			c[s*cstride+j] = t
		}
	}
}

// Term is one nonzero weight W of a neuron on its input In.
type Term[F Float] struct {
	In int32
	W  F
}

// SparseChunk is the number of points SeqSparse handles per step: four
// 256-bit registers (32 float32, 16 float64).
func SparseChunk[F Float]() int { return 4 * Lanes[F]() / 2 }

// SeqSparse computes one neuron over n points: for p < n,
// z[p] = act(s), s starting at bias and adding F(t.W·h[t.In·ldh + p]) for
// the terms t in order (each product rounded to F before the add, no FMA);
// act as in SeqTiles. It reports whether an output is ±Inf or NaN. The
// assembly kernel runs whole chunks (SparseChunk) and Go the rest; terms
// must not be empty.
func SeqSparse[F Float](n int, terms []Term[F], h []F, ldh int, z []F, bias F, relu bool) (nonFinite bool) {
	if n <= 0 {
		return false
	}
	_ = z[n-1]
	for _, t := range terms {
		if t.In < 0 {
			panic("gemm: negative term input")
		}
		_ = h[int(t.In)*ldh+n-1]
	}
	done := 0
	if seqAsm && len(terms) > 0 {
		done = n / SparseChunk[F]() * SparseChunk[F]()
		if done > 0 {
			nonFinite = seqSparseAsm(done, terms, h, ldh, z, bias, relu)
		}
	}
	return seqSparseGo(done, n, terms, h, ldh, z, bias, relu) || nonFinite
}

// seqSparseGo is SeqSparse in Go for the points [p0, n).
func seqSparseGo[F Float](p0, n int, terms []Term[F], h []F, ldh int, z []F, bias F, relu bool) (nonFinite bool) {
	if p0 >= n {
		return false
	}
	zz := z[p0:n]
	for p := range zz {
		zz[p] = bias
	}
	for _, t := range terms {
		hr := h[int(t.In)*ldh+p0 : int(t.In)*ldh+n]
		w := t.W
		for p := range zz {
			zz[p] += F(w * hr[p])
		}
	}
	for p, v := range zz {
		if relu && v < 0 {
			v = 0
			zz[p] = 0
		}
		nonFinite = nonFinite || v-v != 0
	}
	return nonFinite
}
