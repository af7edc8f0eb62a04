package nn

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

// wideValue draws a K-word two's complement value with the shapes
// addTermWide special-cases: zero, zero low words (a large power-of-two
// denominator), few significant words, negative, the most negative.
func wideValue(rng *rand.Rand, K int) []uint64 {
	w := make([]uint64, K)
	switch rng.IntN(6) {
	case 0: // zero
	case 1: // the most negative value
		w[K-1] = 1 << 63
	default:
		lo, hi := rng.IntN(K), rng.IntN(K)
		if lo > hi {
			lo, hi = hi, lo
		}
		for q := lo; q <= hi; q++ {
			switch rng.IntN(4) {
			case 0:
				w[q] = 1 << uint(rng.IntN(64))
			case 1:
				w[q] = ^uint64(0)
			default:
				w[q] = rng.Uint64()
			}
		}
		if rng.IntN(2) == 0 { // sign-extend from word hi: a narrow value
			ext := uint64(int64(w[hi]) >> 63)
			for q := hi + 1; q < K; q++ {
				w[q] = ext
			}
		}
	}
	return w
}

func signedBig(w []uint64) *big.Int {
	return toBig(w, new(big.Int))
}

// TestAddTermWide: addTermWide (the kernel of layers wider than 4 words)
// equals z + c·h modulo 2^(64W) computed with math/big, for coefficients
// and values with zero low words, narrow and negative values, and value
// widths K below, equal to and above W.
func TestAddTermWide(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 2))
	for trial := range 4000 {
		W := 5 + rng.IntN(8)
		K := max(1, W+rng.IntN(9)-4)
		P := 1 + rng.IntN(4)
		// coefficient: a nonzero magnitude with random zero words
		cw := wideValue(rng, 1+rng.IntN(W+2))
		c := new(big.Int).Abs(signedBig(cw))
		if c.Sign() == 0 || rng.IntN(4) == 0 {
			c.SetInt64(1 + rng.Int64N(5))
		}
		if rng.IntN(4) == 0 {
			c.SetInt64(1)
		}
		if rng.IntN(2) == 0 {
			c.Neg(c)
		}
		tm := &xterm{neg: c.Sign() < 0, unit: c.CmpAbs(big.NewInt(1)) == 0, mag: bigWords(new(big.Int).Abs(c)), bits: c.BitLen()}
		for tm.lo < len(tm.mag) && tm.mag[tm.lo] == 0 {
			tm.lo++
		}
		z := make([]uint64, P*W)
		h := make([]uint64, P*K)
		for p := range P {
			copy(z[p*W:], wideValue(rng, W))
			copy(h[p*K:], wideValue(rng, K))
		}
		mod := new(big.Int).Lsh(big.NewInt(1), uint(64*W))
		want := make([]*big.Int, P)
		for p := range P {
			v := new(big.Int).Mul(c, signedBig(h[p*K:p*K+K]))
			v.Add(v, signedBig(z[p*W:p*W+W]))
			v.Mod(v, mod)
			want[p] = v
		}
		z2 := append([]uint64(nil), z...)
		addTermWide(z, h, W, K, tm, make([]uint64, W), make([]uint64, K))
		// the dispatcher: one-word coefficients go to addMul1
		addTerm(z2, h, W, K, tm, make([]uint64, W+K))
		for p := range P {
			got := new(big.Int).Mod(signedBig(z[p*W:p*W+W]), mod)
			if got.Cmp(want[p]) != 0 {
				t.Fatalf("trial %d W=%d K=%d point %d c=%s: got %s, want %s", trial, W, K, p, c, got, want[p])
			}
			if got := new(big.Int).Mod(signedBig(z2[p*W:p*W+W]), mod); got.Cmp(want[p]) != 0 {
				t.Fatalf("trial %d W=%d K=%d point %d c=%s: addTerm gives %s, want %s", trial, W, K, p, c, got, want[p])
			}
		}
	}
}
