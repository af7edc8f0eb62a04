package nn

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

// modSigned returns z modulo 2^(64W) as a signed two's complement value.
func modSigned(z *big.Int, W int) *big.Int {
	m := new(big.Int).Lsh(big.NewInt(1), uint(64*W))
	r := new(big.Int).Mod(z, m)
	if r.Bit(64*W-1) == 1 {
		r.Sub(r, m)
	}
	return r
}

// TestFusedSmall: the fused kernel (2–4 words, one-word coefficients and
// bias, up to maxFusedTerms terms) equals the activation of
// B + Σ c_i·h_i modulo 2^(64W) computed with math/big, for inputs of 1–6
// words (narrower inputs sign-extend, wider ones are cut to their low
// words), every sign, unit and non-unit coefficients, and every activation.
func TestFusedSmall(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const P = 7
	for it := range 3000 {
		W := 2 + it%3
		nt := rng.IntN(maxFusedTerms + 1)
		in := vals{w: make([]int, nt)}
		for i := range in.w {
			in.w[i] = 1 + rng.IntN(6)
		}
		in.layout(in.w, P)
		for i := range nt {
			for p := range P {
				copy(in.at(i, p), wideValue(rng, in.w[i]))
			}
		}
		n := xneuron{act: Activation(rng.IntN(3)), copyOf: -1, small: true}
		if rng.IntN(3) > 0 {
			n.bmag = []uint64{1 + rng.Uint64N(1<<63)}
			n.bneg = rng.IntN(2) == 0
		}
		for i := range nt {
			a := rng.Uint64()
			switch rng.IntN(3) {
			case 0:
				a = 1
			case 1:
				a = 1 + rng.Uint64N(1000)
			}
			n.terms = append(n.terms, xterm{in: int32(i), neg: rng.IntN(2) == 0, unit: a == 1, mag: []uint64{a}, bits: 64})
		}
		z := make([]uint64, P*W)
		fusedSmall(z, W, &n, &in, P, nil)
		for p := range P {
			want := new(big.Int)
			if n.bmag != nil {
				want.SetUint64(n.bmag[0])
				if n.bneg {
					want.Neg(want)
				}
			}
			for _, tm := range n.terms {
				c := new(big.Int).SetUint64(tm.mag[0])
				if tm.neg {
					c.Neg(c)
				}
				want.Add(want, c.Mul(c, signedBig(in.at(int(tm.in), p))))
			}
			want = modSigned(want, W)
			switch {
			case n.act == ReLU && want.Sign() < 0:
				want.SetInt64(0)
			case n.act == Step:
				want.SetInt64(int64(b2i(want.Sign() >= 0)))
			}
			if got := signedBig(z[p*W : p*W+W]); got.Cmp(want) != 0 {
				t.Fatalf("case %d point %d (W %d, %d terms, act %d): got %s, want %s", it, p, W, nt, n.act, got, want)
			}
		}
	}
}
