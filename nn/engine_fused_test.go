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
		same := rng.IntN(2) == 0 // no input wider than the sum (fused3 when W = 3)
		for i := range in.w {
			in.w[i] = 1 + rng.IntN(6)
			if same {
				in.w[i] = 1 + rng.IntN(W)
			}
		}
		for i := range nt {
			in.v = append(in.v, make([]uint64, P*in.w[i]))
		}
		for i := range nt {
			for p := range P {
				copy(in.at(i, p), wideValue(rng, in.w[i]))
			}
		}
		n := xneuron{act: Activation(rng.IntN(3)), copyOf: -1, small: true}
		if rng.IntN(3) > 0 {
			n.bmag = bigWords(new(big.Int).Abs(signedBig(wideValue(rng, 1+rng.IntN(5)))))
			if len(n.bmag) == 0 {
				n.bmag = nil
			}
			n.bneg = rng.IntN(2) == 0
		}
		for i := range nt {
			a := rng.Uint64()
			switch rng.IntN(4) {
			case 0:
				a = 1
			case 1:
				a = 1 + rng.Uint64N(1000)
			case 2: // a 0/1 input with a coefficient of 1–6 words
				if same {
					break
				}
				for p := range P {
					clear(in.at(i, p))
					in.at(i, p)[0] = uint64(rng.IntN(2))
				}
				mag := bigWords(new(big.Int).Abs(signedBig(wideValue(rng, 1+rng.IntN(6)))))
				if len(mag) == 0 {
					mag = []uint64{3}
				}
				n.terms = append(n.terms, xterm{in: int32(i), neg: rng.IntN(2) == 0, unit: len(mag) == 1 && mag[0] == 1, mag: mag, bit: true})
				continue
			}
			n.terms = append(n.terms, xterm{in: int32(i), neg: rng.IntN(2) == 0, unit: a == 1, mag: []uint64{a}, bits: 64})
		}
		z := make([]uint64, P*W)
		fusedSmall(z, W, &n, &in, P, nil)
		for p := range P {
			want := new(big.Int)
			if n.bmag != nil {
				want.SetBits(wordsBig(n.bmag))
				if n.bneg {
					want.Neg(want)
				}
			}
			for _, tm := range n.terms {
				c := new(big.Int).SetBits(wordsBig(tm.mag))
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

// TestStepCompare: STEP(Z + B) by comparing Z with −B from the top words
// equals the sign of the exact sum, for values of 1–6 words and −B of any
// width, including equal values (STEP(0) = 1) and values that differ only
// in a low word.
func TestStepCompare(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const P = 9
	for it := range 3000 {
		K := 1 + rng.IntN(6)
		nb := signedBig(wideValue(rng, 1+rng.IntN(6)))
		negB := make([]uint64, (signedBits(nb)+63)/64)
		setBig(negB, nb)
		h := make([]uint64, P*K)
		for p := range P {
			v := wideValue(rng, K)
			switch rng.IntN(4) {
			case 0: // equal to −B when it fits
				if signedBits(nb) <= 64*K {
					v = make([]uint64, K)
					setBig(v, nb)
				}
			case 1: // −B ± 1 in the lowest word
				if signedBits(nb)+1 < 64*K {
					v = make([]uint64, K)
					setBig(v, new(big.Int).Add(nb, big.NewInt(int64(1-2*rng.IntN(2)))))
				}
			}
			copy(h[p*K:], v)
		}
		W := 1 + rng.IntN(4)
		z := make([]uint64, P*W)
		stepCompare(z, W, h, K, negB)
		for p := range P {
			want := uint64(b2i(signedBig(h[p*K:p*K+K]).Cmp(nb) >= 0))
			if z[p] != want {
				t.Fatalf("case %d point %d: Z = %s, −B = %s: got %d, want %d", it, p, signedBig(h[p*K:p*K+K]), nb, z[p], want)
			}
		}
	}
}

// TestAddBit: adding c·h for an input h ∈ {0, 1} equals z + c·h modulo
// 2^(64W) computed with math/big, for coefficients wider and narrower than
// W, with zero low words, of both signs.
func TestAddBit(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	const P = 9
	for it := range 3000 {
		W, K := 1+rng.IntN(8), 1+rng.IntN(3)
		cw := wideValue(rng, 1+rng.IntN(10))
		c := signedBig(cw)
		if c.Sign() == 0 {
			continue
		}
		mag := bigWords(new(big.Int).Abs(c))
		tm := xterm{neg: c.Sign() < 0, mag: mag, bits: c.BitLen(), bit: true}
		for tm.lo < len(mag) && mag[tm.lo] == 0 {
			tm.lo++
		}
		z := make([]uint64, P*W)
		h := make([]uint64, P*K)
		z0 := make([]*big.Int, P)
		for p := range P {
			copy(z[p*W:], wideValue(rng, W))
			z0[p] = signedBig(z[p*W : p*W+W])
			h[p*K] = uint64(rng.IntN(2))
		}
		addBit(z, h, W, K, &tm)
		for p := range P {
			want := new(big.Int).Set(z0[p])
			if h[p*K] == 1 {
				want.Add(want, c)
			}
			want = modSigned(want, W)
			if got := signedBig(z[p*W : p*W+W]); got.Cmp(want) != 0 {
				t.Fatalf("case %d point %d: got %s, want %s", it, p, got, want)
			}
		}
	}
}

func wordsBig(w []uint64) []big.Word {
	out := make([]big.Word, len(w))
	for i, x := range w {
		out[i] = big.Word(x)
	}
	return out
}
