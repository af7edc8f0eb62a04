package vardi

import (
	"context"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/memnet/memnet/construct/project"
	"github.com/memnet/memnet/nn"
)

// TestDotAccumulator compares the fixed-window accumulator against math/big
// on random weights and inputs, including zeros, negatives, subnormals,
// huge exponents and maximal 64-bit weights.
func TestDotAccumulator(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	special := []float64{0, math.Copysign(0, -1), 5e-324, -5e-324, math.SmallestNonzeroFloat64 * 3,
		2.2250738585072014e-308, -2.2250738585072009e-308, 1.7976931348623157e308, -1.7976931348623157e308,
		1, -1, 0.5, 3, 1e-300, -1e300, math.Nextafter(1, 2), math.Nextafter(1, 0)}
	randFloat := func(mode int) float64 {
		switch mode {
		case 0:
			return rng.NormFloat64()
		case 1:
			return special[rng.IntN(len(special))]
		case 2: // any finite float, all exponents
			for {
				v := math.Float64frombits(rng.Uint64())
				if !math.IsNaN(v) && !math.IsInf(v, 0) {
					return v
				}
			}
		case 4: // subnormals and the smallest normals
			v := math.Float64frombits(rng.Uint64() >> 12 >> uint(rng.IntN(52)))
			if rng.IntN(4) == 0 {
				v = math.Float64frombits(rng.Uint64()>>12 | 1<<52)
			}
			if rng.IntN(2) == 0 {
				v = -v
			}
			return v
		default: // narrow exponent range around a random centre
			return math.Ldexp(rng.Float64()*2-1, rng.IntN(200)-100)
		}
	}
	randW := func() uint64 {
		switch rng.IntN(4) {
		case 0:
			return 1
		case 1: // full 64-bit magnitude
			return rng.Uint64() | 1<<63
		default:
			return max(1, rng.Uint64()>>uint(rng.IntN(64)))
		}
	}
	planned := map[int]int{}
	defer func() { t.Logf("planned trials by limbs: %v", planned) }()
	for trial := range 1000 {
		d := 1 + rng.IntN(40)
		npts := 1 + rng.IntN(6)
		mode := trial % 5
		xs := make([][]float64, npts)
		for i := range xs {
			xs[i] = make([]float64, d)
			for k := range d {
				xs[i][k] = randFloat(mode)
				if rng.IntN(8) == 0 {
					xs[i][k] = 0
				}
			}
		}
		inScale := nn.InputScales(d, xs)
		dp := &dotPlan{}
		for k := range d {
			if rng.IntN(6) == 0 && d > 1 {
				continue
			}
			neg := rng.IntN(2) == 0
			dp.terms = append(dp.terms, dotTerm{in: int32(k), base: int32(inScale[k] + rng.IntN(70)), neg: neg, sgn: b2u(neg), w: randW()})
		}
		// exact sums and the bound on their partial sums over the points
		conv := func(v float64, sc int) *big.Int {
			m, e := nn.FloatParts(v)
			z := big.NewInt(m)
			return z.Lsh(z, uint(sc-e))
		}
		want := make([]*big.Int, npts)
		bound := new(big.Int)
		for i, x := range xs {
			sum := new(big.Int)
			abs := new(big.Int)
			for _, tm := range dp.terms {
				term := new(big.Int).Mul(conv(x[tm.in], inScale[tm.in]), new(big.Int).SetUint64(tm.w))
				term.Lsh(term, uint(int(tm.base)-inScale[tm.in]))
				if tm.neg {
					term.Neg(term)
				}
				sum.Add(sum, term)
				abs.Add(abs, new(big.Int).Abs(term))
			}
			want[i] = sum
			if abs.Cmp(bound) > 0 {
				bound.Set(abs)
			}
		}
		dp.n = limbsFor(bound)
		if dp.n > maxLimbs {
			continue
		}
		planned[dp.n]++
		var acc [maxLimbs]uint64
		for i, x := range xs {
			for k := range acc {
				acc[k] = rng.Uint64() // stale contents must be overwritten
			}
			if err := dp.dot(x, &acc, inScale); err != nil {
				t.Fatalf("trial %d point %d: %v", trial, i, err)
			}
			var z big.Int
			z.SetInt64(12345) // reused storage must be overwritten
			limbsToBig(&acc, dp.n, &z)
			if z.Cmp(want[i]) != 0 {
				t.Fatalf("trial %d point %d (%d limbs): got %v, want %v", trial, i, dp.n, &z, want[i])
			}
		}
	}
	if planned[1] == 0 || planned[2] == 0 || len(planned) < 4 {
		t.Fatalf("too few window sizes exercised: %v", planned)
	}
}

func TestFloatMant(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	for i := range 200000 {
		var v float64
		switch i % 3 {
		case 0:
			v = math.Float64frombits(rng.Uint64())
		case 1:
			v = math.Float64frombits(rng.Uint64() >> 12) // subnormals
		default:
			v = rng.NormFloat64()
		}
		neg, m, e, ok := floatMant(v)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			if ok {
				t.Fatalf("%v accepted", v)
			}
			continue
		}
		wm, we := nn.FloatParts(v)
		if neg {
			m = -m
		}
		if int64(m) != wm || (wm != 0 && e != we) {
			t.Fatalf("%v: got %d·2^-%d, want %d·2^-%d", v, int64(m), e, wm, we)
		}
	}
}

// TestExtremeInputs builds networks on data with subnormal, tiny, huge,
// zero and negative coordinates (Stage I's accumulator, and its math/big
// fallback for "extreme") and checks them exactly, with and without the
// hints' taint split.
func TestExtremeInputs(t *testing.T) {
	for _, variant := range []string{"subnormal", "huge", "mixed", "extreme"} {
		ds := randomDataset(300, 4, 10, "gauss", 9)
		rng := rand.New(rand.NewPCG(1, 2))
		for _, x := range ds.X {
			switch variant {
			case "subnormal":
				x[0] *= 1e-310
				x[1] = math.Float64frombits(rng.Uint64() >> 12)
			case "huge":
				x[0] *= 1e30
				x[2] *= -1e20
			case "extreme": // window wider than maxLimbs: project.Along
				x[0] *= 1e-320
				x[1] *= 1e300
			case "mixed":
				x[0] *= 1e-300
				x[1] *= 1e40
				if rng.IntN(3) == 0 {
					x[3] = 0
				}
			}
		}
		b, err := BuildNetwork(context.Background(), ds, Config{}, 1)
		if err != nil {
			t.Fatalf("%s: %v", variant, err)
		}
		if w := sameOutputs(t, b.Net, b.Layout, ds); w != 0 {
			t.Errorf("%s: %d wrong points", variant, w)
		}
	}
}

// TestAlongExact checks that Stage I's parallel projection is identical to
// project.Along (values, scale and order), on ordinary and extreme data.
func TestAlongExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := range 60 {
		n, d := 1+rng.IntN(300), 1+rng.IntN(12)
		xs := make([][]float64, n)
		for i := range xs {
			xs[i] = make([]float64, d)
			for k := range xs[i] {
				v := rng.NormFloat64()
				switch (trial + k) % 6 {
				case 1:
					v *= 1e-310 // subnormal
				case 2:
					v = math.Ldexp(v, rng.IntN(120)-60)
				case 3:
					v = math.Round(v * 100)
				case 4:
					if rng.IntN(3) == 0 {
						v = 0
					}
				case 5:
					if trial%12 == 5 {
						v *= 1e300 // too wide: falls back to project.Along
					}
				}
				xs[i][k] = v
			}
		}
		if trial%7 == 0 && n > 3 {
			copy(xs[1], xs[0]) // a tie
		}
		w := make([]float64, d)
		for k := range w {
			w[k] = math.Round(rng.NormFloat64()*(1<<40)) / (1 << 40)
			if rng.IntN(5) == 0 {
				w[k] = 0
			}
		}
		want := project.Along(xs, w)
		got, err := alongExact(context.Background(), xs, w, nn.InputScales(d, xs))
		if err != nil {
			t.Fatal(err)
		}
		if got.Scale != want.Scale || len(got.Tau) != len(want.Tau) {
			t.Fatalf("trial %d: scale %d, want %d", trial, got.Scale, want.Scale)
		}
		for i := range want.Tau {
			if got.Tau[i].Cmp(want.Tau[i]) != 0 || got.Order[i] != want.Order[i] {
				t.Fatalf("trial %d point %d: τ %v order %d, want %v %d", trial, i, got.Tau[i], got.Order[i], want.Tau[i], want.Order[i])
			}
		}
	}
}
