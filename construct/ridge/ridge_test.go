package ridge

import (
	"context"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/memnet/memnet/nn"
)

func TestInterpolate(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for range 200 {
		n := 1 + rng.IntN(50)
		z := make([]*big.Rat, n)
		y := make([]*big.Rat, n)
		cur := new(big.Rat)
		for i := range z {
			cur = new(big.Rat).Add(cur, new(big.Rat).SetFrac64(1+rng.Int64N(1000), 1<<uint(rng.IntN(40))))
			z[i] = cur
			y[i] = big.NewRat(rng.Int64N(10), 1)
		}
		ks, err := Interpolate(context.Background(), z, y)
		if err != nil {
			t.Fatal(err)
		}
		for i := range z {
			f := new(big.Rat).Set(y[0])
			for _, k := range ks {
				v := new(big.Rat).Sub(z[i], k.At)
				if v.Sign() > 0 {
					f.Add(f, v.Mul(v, k.V))
				}
			}
			if f.Cmp(y[i]) != 0 {
				t.Fatalf("f(z_%d) = %s, want %s", i, f.RatString(), y[i].RatString())
			}
		}
		for _, k := range ks {
			if k.At.Cmp(z[k.Index-1]) < 0 || k.At.Cmp(z[k.Index]) >= 0 || !isPow2(new(big.Rat).Abs(k.V)) {
				t.Fatalf("kink %d at %s outside [z_{i−1}, z_i) or V=%s not ±2^e", k.Index, k.At.RatString(), k.V.RatString())
			}
		}
	}
}

func isPow2(r *big.Rat) bool {
	m, _, ok := nn.DyadicParts(r)
	return ok && m.Cmp(big.NewInt(1)) == 0
}

func TestVCLowerBound(t *testing.T) {
	for n, want := range map[int]int64{1: 1, 2: 2, 4: 2, 5: 3, 100: 10, 101: 11, 1797: 43} {
		if got := VCLowerBound(n); got != want {
			t.Errorf("VCLowerBound(%d) = %d, want %d", n, got, want)
		}
	}
}
