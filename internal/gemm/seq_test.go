package gemm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// seqValue draws a test value: mostly normal numbers, with zeros of both
// signs, subnormals, infinities and NaN mixed in.
func seqValue[F Float](rng *rand.Rand) F {
	switch rng.IntN(40) {
	case 0:
		return 0
	case 1:
		return F(math.Copysign(0, -1))
	case 2:
		return F(math.Inf(1 - 2*rng.IntN(2)))
	case 3:
		return F(math.NaN())
	case 4:
		return F(rng.NormFloat64() * 1e-40) // subnormal in float32
	case 5:
		return F(rng.NormFloat64() * 1e-310) // subnormal in float64
	}
	return F(rng.NormFloat64() * math.Exp2(float64(rng.IntN(20)-10)))
}

func seqFill[F Float](rng *rand.Rand, n int) []F {
	x := make([]F, n)
	for i := range x {
		x[i] = seqValue[F](rng)
	}
	return x
}

// sameBits compares as the float views do: equal bits, or both NaN.
func sameBits[F Float](x, y F) bool {
	if x != x || y != y {
		return x != x && y != y
	}
	return math.Float64bits(float64(x)) == math.Float64bits(float64(y))
}

// checkSeq runs SeqTiles on ntiles tiles whose weight strips lie astride
// apart, and SeqRow (assembly where available and Go), on random operands
// and compares every output with the scalar sum s = b; s += F(a·h)
// computed here element by element.
func checkSeq[F Float](t *testing.T, rng *rand.Rand, k, ntiles, astride int, withBias, relu bool) {
	t.Helper()
	nr := Lanes[F]()
	ldc := nr + 3
	rows := ntiles * SeqRows
	a, b := seqFill[F](rng, (ntiles-1)*astride+SeqRows*k), seqFill[F](rng, nr*k)
	c0 := seqFill[F](rng, rows*ldc)
	var bias []F
	if withBias {
		bias = seqFill[F](rng, rows)
	}
	ref := func(start F, w func(p int) F, h func(p int) F) F {
		s := start
		for p := range k {
			s = s + F(w(p)*h(p))
		}
		if relu && s < 0 {
			s = 0
		}
		return s
	}
	for _, asm := range []bool{false, true} {
		if asm && !seqAsm {
			continue
		}
		old := seqAsm
		seqAsm = asm
		c := append([]F(nil), c0...)
		SeqTiles(k, a, astride, b, c, ldc, bias, relu, ntiles)
		for i := range rows {
			tile, r := i/SeqRows, i%SeqRows
			for j := range ldc {
				if j >= nr {
					if !sameBits(c[i*ldc+j], c0[i*ldc+j]) {
						t.Fatalf("SeqTiles wrote outside the tiles at %d,%d", i, j)
					}
					continue
				}
				start := c0[i*ldc+j]
				if bias != nil {
					start = bias[i]
				}
				want := ref(start, func(p int) F { return a[tile*astride+p*SeqRows+r] }, func(p int) F { return b[p*nr+j] })
				if !sameBits(c[i*ldc+j], want) {
					t.Fatalf("SeqTiles asm=%v k=%d tiles=%d astride=%d bias=%v relu=%v: c[%d,%d] = %v, want %v", asm, k, ntiles, astride, withBias, relu, i, j, c[i*ldc+j], want)
				}
			}
		}
		bstride, cstride := nr*k+5, nr+2
		row, hb := seqFill[F](rng, k), seqFill[F](rng, (SeqStrips-1)*bstride+nr*k)
		r0 := seqFill[F](rng, (SeqStrips-1)*cstride+nr)
		r := append([]F(nil), r0...)
		SeqRow(k, row, hb, bstride, r, cstride, bias, relu)
		for s := range SeqStrips {
			for j := range nr {
				start := r0[s*cstride+j]
				if bias != nil {
					start = bias[0]
				}
				want := ref(start, func(p int) F { return row[p] }, func(p int) F { return hb[s*bstride+p*nr+j] })
				if !sameBits(r[s*cstride+j], want) {
					t.Fatalf("SeqRow asm=%v k=%d bias=%v relu=%v: strip %d lane %d = %v, want %v", asm, k, withBias, relu, s, j, r[s*cstride+j], want)
				}
			}
		}
		seqAsm = old
	}
}

// TestSeqKernels checks the strip kernels of the float views, assembly and
// Go, bit for bit against the scalar unfused sum in depth order, with
// non-finite values, signed zeros and subnormals among the operands: one
// tile and several, their weight strips packed back to back (astride =
// SeqRows·k), a few values apart, or a whole wider matrix apart (as when nn
// streams a panel of k inputs out of a layer of many more).
func TestSeqKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, k := range []int{0, 1, 2, 7, 64, 301} {
		for _, ntiles := range []int{1, 2, 5} {
			for _, astride := range []int{SeqRows * k, SeqRows*k + 1 + rng.IntN(5), SeqRows * (k + 1 + rng.IntN(40))} {
				for _, withBias := range []bool{false, true} {
					for _, relu := range []bool{false, true} {
						checkSeq[float32](t, rng, k, ntiles, astride, withBias, relu)
						checkSeq[float64](t, rng, k, ntiles, astride, withBias, relu)
					}
				}
			}
		}
	}
}

// TestSeqSparse checks SeqSparse, assembly and Go, bit for bit against the
// scalar unfused sum of each neuron's terms in order, and its non-finite
// report against the outputs, on point counts around the chunk.
func TestSeqSparse(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, n := range []int{1, 15, 16, 17, 32, 33, 64, 100} {
		for range 20 {
			checkSparse[float32](t, rng, n)
			checkSparse[float64](t, rng, n)
		}
	}
}

func checkSparse[F Float](t *testing.T, rng *rand.Rand, n int) {
	t.Helper()
	in, ldh := 1+rng.IntN(5), n+rng.IntN(3)
	h := seqFill[F](rng, in*ldh)
	if rng.IntN(2) == 0 { // finite inputs: exercise the non-finite report both ways
		for i := range h {
			if v := h[i]; v-v != 0 {
				h[i] = 1
			}
		}
	}
	terms := make([]Term[F], 1+rng.IntN(4))
	for i := range terms {
		terms[i] = Term[F]{In: int32(rng.IntN(in)), W: seqValue[F](rng)}
	}
	bias, relu := seqValue[F](rng), rng.IntN(2) == 0
	for _, asm := range []bool{false, true} {
		if asm && !seqAsm {
			continue
		}
		old := seqAsm
		seqAsm = asm
		z := seqFill[F](rng, n)
		nf := SeqSparse(n, terms, h, ldh, z, bias, relu)
		wantNF := false
		for p := range n {
			s := bias
			for _, tm := range terms {
				s = s + F(tm.W*h[int(tm.In)*ldh+p])
			}
			if relu && s < 0 {
				s = 0
			}
			wantNF = wantNF || s-s != 0
			if !sameBits(z[p], s) {
				t.Fatalf("SeqSparse asm=%v n=%d point %d: %v, want %v", asm, n, p, z[p], s)
			}
		}
		if nf != wantNF {
			t.Fatalf("SeqSparse asm=%v n=%d: non-finite %v, want %v", asm, n, nf, wantNF)
		}
		seqAsm = old
	}
}
