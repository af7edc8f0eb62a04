// Package gemm is memnet's dense matrix product: a blocked, packed, register-tiled matrix
// product in the layout of Goto and van de Geijn ("Anatomy of
// high-performance matrix multiplication", ACM TOMS 34(3), 2008). The
// operands are cut into kc-deep panels; each panel of B is packed into
// nr-wide column strips and each mc-row block of A into mr-row strips, so
// that the micro-kernel (an mr×nr tile of C held in registers, updated by
// one rank-1 product per step of the panel depth) reads both operands
// contiguously. The micro-kernel is AVX2+FMA assembly on amd64 CPUs that
// have it (gemm_amd64.s) and a Go loop otherwise (gemmKernelGo). train uses Mul and MulEpi for its layers; the
// float views of nn use the strip kernels of seq.go, which keep a fixed
// summation order.
package gemm

import (
	"runtime"
	"sync"
)

// Float is the element type of a product.
type Float interface{ ~float32 | ~float64 }

const (
	gemmKC = 256 // panel depth
	gemmMC = 96  // rows of A per packed block (a multiple of both mr)
	gemmNC = 2048
	// gemmParallel is the multiply-add count from which one product is
	// split over GOMAXPROCS goroutines (below it a goroutine costs more
	// than it saves).
	gemmParallel = 1 << 21
)

// tileShape is the micro-kernel tile: mr rows × nr columns.
func tileShape[F Float]() (mr, nr int) {
	var f F
	if _, ok := any(f).(float32); ok {
		return 6, 16
	}
	return 6, 8
}

// gemmBufs holds one goroutine's packing buffers.
type gemmBufs[F Float] struct {
	a, b, tile []F
	t          []F // gemmNarrow's transposed product
}

var gemmPool32 = sync.Pool{New: func() any { return new(gemmBufs[float32]) }}
var gemmPool64 = sync.Pool{New: func() any { return new(gemmBufs[float64]) }}

func getBufs[F Float]() *gemmBufs[F] {
	var f F
	if _, ok := any(f).(float32); ok {
		return any(gemmPool32.Get()).(*gemmBufs[F])
	}
	return any(gemmPool64.Get()).(*gemmBufs[F])
}

func putBufs[F Float](g *gemmBufs[F]) {
	switch g := any(g).(type) {
	case *gemmBufs[float32]:
		gemmPool32.Put(g)
	case *gemmBufs[float64]:
		gemmPool64.Put(g)
	}
}

// Epilogue is work fused into the product: bias (length n, or nil) is the
// initial value of every row of C (instead of C's contents), and relu
// clamps C at zero once its last panel is added. Both run on a block of C
// while it is in cache.
type Epilogue[F Float] struct {
	Bias []F
	ReLU bool
}

// Mul computes c = a·b + beta·c for row-major matrices, a m×k (or, with
// ta, its transpose stored k×m), b k×n (or, with tb, stored n×k), c m×n.
// beta is 0 or 1 (the only values training uses); any other value scales c
// first. Every element of c is summed in the same order whatever
// GOMAXPROCS is, so results do not depend on the thread count.
func Mul[F Float](ta, tb bool, m, n, k int, a []F, b []F, beta F, c []F) {
	if m == 0 || n == 0 {
		return
	}
	c = c[:m*n]
	switch beta {
	case 1:
	case 0:
		clear(c)
	default:
		for i := range c {
			c[i] *= beta
		}
	}
	MulEpi(ta, tb, m, n, k, a, b, c, Epilogue[F]{})
}

// MulEpi adds a·b to c (shapes as in gemm) with the Epilogue ep.
func MulEpi[F Float](ta, tb bool, m, n, k int, a, b, c []F, ep Epilogue[F]) {
	mr, nr := tileShape[F]()
	lda, ldb := k, n
	if ta {
		lda = m
	}
	if tb {
		ldb = k
	}
	if n < nr && m > n && k > 0 && ta && !tb { // both packings then read in order
		gemmNarrow(ta, tb, m, n, k, a, b, c, ep)
		return
	}
	op := gemmOp[F]{ta: ta, tb: tb, m: m, n: n, k: k, a: a, b: b, c: c, lda: lda, ldb: ldb, ep: ep}
	workers := runtime.GOMAXPROCS(0)
	if m*n*k < gemmParallel || workers < 2 {
		op.run(0, m, 0, n)
		return
	}
	// Split the longer side of C into contiguous, tile-aligned ranges.
	var wg sync.WaitGroup
	if n >= m {
		tiles := (n + nr - 1) / nr
		workers = min(workers, tiles)
		for w := range workers {
			j0, j1 := w*tiles/workers*nr, min(n, (w+1)*tiles/workers*nr)
			wg.Go(func() { op.run(0, m, j0, j1) })
		}
	} else {
		tiles := (m + mr - 1) / mr
		workers = min(workers, tiles)
		for w := range workers {
			i0, i1 := w*tiles/workers*mr, min(m, (w+1)*tiles/workers*mr)
			wg.Go(func() { op.run(i0, i1, 0, n) })
		}
	}
	wg.Wait()
}

// gemmNarrow is MulEpi for a c narrower than one tile (the weight gradient
// of a read-out layer of 10 classes, a stored transposed): it computes cᵀ = op(b)ᵀ·op(a)ᵀ, whose n rows fill the
// tiles' short side, into a pooled buffer and adds its transpose to c.
func gemmNarrow[F Float](ta, tb bool, m, n, k int, a, b, c []F, ep Epilogue[F]) {
	bufs := getBufs[F]() // held until the end: run takes another
	defer putBufs(bufs)
	if len(bufs.t) < m*n {
		bufs.t = make([]F, m*n)
	}
	t := bufs.t[:m*n]
	clear(t)
	ldb, lda := n, k
	if tb {
		ldb = k
	}
	if ta {
		lda = m
	}
	// op(b)ᵀ is b read with the opposite transpose flag, and so is op(a)ᵀ.
	op := gemmOp[F]{ta: !tb, tb: !ta, m: n, n: m, k: k, a: b, b: a, c: t, lda: ldb, ldb: lda}
	op.run(0, n, 0, m)
	for i := range m {
		cr := c[i*n : (i+1)*n]
		if ep.Bias != nil {
			copy(cr, ep.Bias[:n])
		}
		for j := range cr {
			cr[j] += t[j*m+i]
			if ep.ReLU && cr[j] < 0 {
				cr[j] = 0
			}
		}
	}
}

// gemmOp is one product's operands.
type gemmOp[F Float] struct {
	ta, tb   bool
	m, n, k  int
	a, b, c  []F
	lda, ldb int
	ep       Epilogue[F]
}

// run computes the block rows [i0, i1) × columns [j0, j1) of c.
func (op *gemmOp[F]) run(i0, i1, j0, j1 int) {
	mr, nr := tileShape[F]()
	bufs := getBufs[F]()
	defer putBufs(bufs)
	kern := kernelFor[F]()
	n, k := op.n, op.k
	if len(bufs.tile) < mr*nr {
		bufs.tile = make([]F, mr*nr)
	}
	for jc := j0; jc < j1; jc += gemmNC {
		nc := min(gemmNC, j1-jc)
		ncp := (nc + nr - 1) / nr * nr
		for pc := 0; pc < k || pc == 0; pc += gemmKC {
			kc := min(gemmKC, k-pc)
			first, last := pc == 0, pc+gemmKC >= k
			if need := kc * ncp; len(bufs.b) < need {
				bufs.b = make([]F, need)
			}
			if kc > 0 {
				op.packB(bufs.b, pc, kc, jc, nc)
			}
			for ic := i0; ic < i1; ic += gemmMC {
				mc := min(gemmMC, i1-ic)
				if first && op.ep.Bias != nil {
					for i := ic; i < ic+mc; i++ {
						copy(op.c[i*n+jc:i*n+jc+nc], op.ep.Bias[jc:jc+nc])
					}
				}
				if kc > 0 {
					mcp := (mc + mr - 1) / mr * mr
					if need := kc * mcp; len(bufs.a) < need {
						bufs.a = make([]F, need)
					}
					op.packA(bufs.a, ic, mc, pc, kc)
					for jr := 0; jr < nc; jr += nr {
						bp := bufs.b[jr*kc : (jr+nr)*kc]
						nn := min(nr, nc-jr)
						for ir := 0; ir < mc; ir += mr {
							ap := bufs.a[ir*kc : (ir+mr)*kc]
							mm := min(mr, mc-ir)
							ci := (ic+ir)*n + jc + jr
							if mm == mr && nn == nr {
								kern(kc, ap, bp, op.c[ci:], n)
								continue
							}
							t := bufs.tile[:mr*nr]
							clear(t)
							kern(kc, ap, bp, t, nr)
							for i := range mm {
								cr := op.c[ci+i*n : ci+i*n+nn]
								for j, v := range t[i*nr : i*nr+nn] {
									cr[j] += v
								}
							}
						}
					}
				}
				if last && op.ep.ReLU {
					for i := ic; i < ic+mc; i++ {
						relu(op.c[i*n+jc : i*n+jc+nc])
					}
				}
			}
			if k == 0 {
				break
			}
		}
	}
}

// packA packs rows [i0, i0+mc) × depth [p0, p0+kc) of A into mr-row strips:
// strip s holds, for each depth p, the mr values A(i0+s·mr+i, p0+p),
// zero past the last row.
func (op *gemmOp[F]) packA(dst []F, i0, mc, p0, kc int) {
	mr, _ := tileShape[F]()
	for s := 0; s < mc; s += mr {
		packStrip(dst[s*kc:(s+mr)*kc], mr, min(mr, mc-s), kc, op.a, op.lda, op.ta, i0+s, p0)
	}
}

// packB packs depth [p0, p0+kc) × columns [j0, j0+nc) of B into nr-wide
// strips: strip s holds, for each depth p, the nr values B(p0+p, j0+s·nr+j),
// zero past the last column.
func (op *gemmOp[F]) packB(dst []F, p0, kc, j0, nc int) {
	_, nr := tileShape[F]()
	for s := 0; s < nc; s += nr {
		packStrip(dst[s*kc:(s+nr)*kc], nr, min(nr, nc-s), kc, op.b, op.ldb, !op.tb, j0+s, p0)
	}
}

// packStrip sets strip[p·w+l] to lane l0+l at depth p0+p of src (leading
// dimension ld) for p < kc and l < lanes, and to zero for lanes ≤ l < w.
// With byDepth, src stores one depth per row (element src[(p0+p)·ld+l0+l]);
// otherwise one lane per row (src[(l0+l)·ld+p0+p]), read as lanes streams in step.
func packStrip[F Float](strip []F, w, lanes, kc int, src []F, ld int, byDepth bool, l0, p0 int) {
	if byDepth {
		for p := range kc {
			d := strip[p*w : (p+1)*w]
			copy(d, src[(p0+p)*ld+l0:(p0+p)*ld+l0+lanes])
			clear(d[lanes:])
		}
		return
	}
	if lanes == 6 && w == 6 { // the full rows of an A strip
		r := l0*ld + p0
		r0, r1, r2 := src[r:r+kc], src[r+ld:r+ld+kc], src[r+2*ld:r+2*ld+kc]
		r3, r4, r5 := src[r+3*ld:r+3*ld+kc], src[r+4*ld:r+4*ld+kc], src[r+5*ld:r+5*ld+kc]
		for p := range kc {
			d := strip[p*6 : p*6+6 : p*6+6]
			d[0], d[1], d[2], d[3], d[4], d[5] = r0[p], r1[p], r2[p], r3[p], r4[p], r5[p]
		}
		return
	}
	var rows [16][]F
	for l := range lanes {
		r := (l0+l)*ld + p0
		rows[l] = src[r : r+kc]
	}
	for p := range kc {
		d := strip[p*w : (p+1)*w]
		for l := range lanes {
			d[l] = rows[l][p]
		}
		clear(d[lanes:])
	}
}

// gemmKernelGo is the portable micro-kernel: c[i·ldc+j] += Σ_p a[p·mr+i]·b[p·nr+j]
// for the mr×nr tile (mr=6; nr=16 for float32, 8 for float64).
func gemmKernelGo[F Float](k int, a, b, c []F, ldc int) {
	mr, nr := tileShape[F]()
	var acc [6 * 16]F
	a, b = a[:k*mr], b[:k*nr]
	for p := range k {
		ar := a[p*mr : (p+1)*mr]
		br := b[p*nr : (p+1)*nr]
		for i, av := range ar {
			row := acc[i*nr : (i+1)*nr]
			for j, bv := range br {
				row[j] += av * bv
			}
		}
	}
	for i := range mr {
		cr := c[i*ldc : i*ldc+nr]
		for j, v := range acc[i*nr : (i+1)*nr] {
			cr[j] += v
		}
	}
}

// relu clamps z at zero (NaN stays NaN).
func relu[F Float](z []F) {
	for i, v := range z {
		if v < 0 {
			z[i] = 0
		}
	}
}
