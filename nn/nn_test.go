package nn

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// refEval is the reference: straightforward big.Rat evaluation, every term,
// no shortcuts (refPre's read-out pre-activations, activated).
func refEval(n *Network, x []float64) []*big.Rat {
	pres := refPre(n, x)
	out := pres[len(pres)-1]
	for j, z := range out {
		out[j] = refAct(n.Readout.Act[j], z)
	}
	return out
}

// randomNetwork draws a network from rng: depth 1..6, width 1..5, weights
// dyadic (or, when rational, with odd denominators too), activations mixed.
func randomNetwork(rng *rand.Rand, d int, rational bool) *Network {
	num := func() *big.Rat {
		switch rng.IntN(6) {
		case 0:
			return new(big.Rat)
		case 1:
			return big.NewRat(int64(rng.IntN(3)-1), 1)
		}
		p := rng.Int64N(1<<20) - 1<<19
		q := int64(1) << rng.IntN(40)
		if rational && rng.IntN(2) == 0 {
			q = 1 + rng.Int64N(1000)
		}
		r := big.NewRat(p, q)
		if rng.IntN(5) == 0 {
			r.Mul(r, new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), uint(rng.IntN(200)))))
		}
		return r
	}
	net := &Network{InputDim: d}
	in := d
	depth := 1 + rng.IntN(6)
	for range depth {
		out := 1 + rng.IntN(5)
		l := NewLayer(in, out, ReLU)
		for j := range out {
			for i := range in {
				l.W[j][i] = num()
			}
			l.B[j] = num()
			l.Act[j] = Activation(rng.IntN(3))
		}
		net.Hidden = append(net.Hidden, l)
		in = out
	}
	ro := NewLayer(in, 1+rng.IntN(2), Identity)
	for j := range ro.W {
		for i := range in {
			ro.W[j][i] = num()
		}
		ro.B[j] = num()
	}
	net.Readout = ro
	return net
}

func randomInput(rng *rand.Rand, d int) []float64 {
	x := make([]float64, d)
	for i := range x {
		switch rng.IntN(5) {
		case 0:
			x[i] = 0
		case 1:
			x[i] = float64(rng.IntN(256))
		case 2:
			x[i] = math.Ldexp(rng.NormFloat64(), rng.IntN(200)-100)
		default:
			x[i] = rng.NormFloat64()
		}
	}
	return x
}

func checkAgainstReference(t *testing.T, net *Network, xs [][]float64) {
	t.Helper()
	outs, err := EvalExact(context.Background(), net, xs, nil)
	if err != nil {
		t.Fatal(err)
	}
	compareOutputs(t, net, xs, outs, fmt.Sprintf("dyadic %v:", net.IsDyadic()))
}

// compareOutputs fails unless outs equal the big.Rat reference's outputs of
// net on every point of xs.
func compareOutputs(t *testing.T, net *Network, xs [][]float64, outs [][]*big.Rat, what string) {
	t.Helper()
	for p, x := range xs {
		want := refEval(net, x)
		for j := range want {
			if outs[p][j].Cmp(want[j]) != 0 {
				t.Fatalf("%s point %d output %d: %s, reference %s", what, p, j, outs[p][j].RatString(), want[j].RatString())
			}
		}
	}
}

func TestExactMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for trial := range 400 {
		d := 1 + rng.IntN(6)
		net := randomNetwork(rng, d, trial%2 == 1)
		xs := make([][]float64, 1+rng.IntN(20))
		for i := range xs {
			xs[i] = randomInput(rng, d)
		}
		checkAgainstReference(t, net, xs)
	}
}

// FuzzExact compares the exact evaluator with the big.Rat reference on
// networks and inputs drawn from the fuzzer's seed values.
func FuzzExact(f *testing.F) {
	f.Add(uint64(1), uint64(2), false)
	f.Add(uint64(7), uint64(99), true)
	f.Fuzz(func(t *testing.T, s1, s2 uint64, rational bool) {
		rng := rand.New(rand.NewPCG(s1, s2))
		d := 1 + rng.IntN(4)
		net := randomNetwork(rng, d, rational)
		xs := [][]float64{randomInput(rng, d), randomInput(rng, d)}
		checkAgainstReference(t, net, xs)
	})
}

func TestFloatMatchesExactOnSmallNumbers(t *testing.T) {
	// integer weights and inputs: float64 is exact, so both must agree.
	net := &Network{InputDim: 2}
	l := NewLayer(2, 2, ReLU)
	l.W[0][0].SetInt64(3)
	l.W[0][1].SetInt64(-2)
	l.W[1][1].SetInt64(5)
	l.B[1].SetInt64(-7)
	net.Hidden = []Layer{l}
	net.Readout = NewLayer(2, 1, Identity)
	net.Readout.W[0][0].SetInt64(1)
	net.Readout.W[0][1].SetInt64(2)
	f := net.Float64()
	out := make([]float64, 1)
	for _, x := range [][]float64{{1, 1}, {4, 2}, {-3, 9}, {0, 0}} {
		if err := f.Eval(x, out); err != nil {
			t.Fatal(err)
		}
		want, _ := refEval(net, x)[0].Float64()
		if out[0] != want {
			t.Errorf("x=%v: float64 %v, exact %v", x, out[0], want)
		}
	}
}

func TestStats(t *testing.T) {
	net := &Network{InputDim: 3}
	l := NewLayer(3, 2, ReLU)
	l.W[0][0] = big.NewRat(3, 4) // 3/2^2: 2+2 bits
	l.W[1][2] = big.NewRat(-5, 1)
	l.B[0] = big.NewRat(1, 3) // non-dyadic: 1 + 2 bits
	net.Hidden = []Layer{l, NewLayer(2, 3, ReLU)}
	net.Readout = NewLayer(3, 1, Identity)
	net.Readout.W[0][1] = big.NewRat(1, 1)
	s := net.Stats()
	want := Stats{Depth: 2, Width: 3, Neurons: 5, WeightsNonzero: 3, BiasesNonzero: 1, Params: 4, MaxWeightBits: 4, TotalWeightBits: 4 + 3 + 3 + 1, Dyadic: false}
	want.Norms = s.Norms // checked in TestNorms
	if s != want {
		t.Errorf("stats %+v, want %+v", s, want)
	}
}

func TestBits(t *testing.T) {
	for _, tc := range []struct {
		r    *big.Rat
		want int
	}{
		{big.NewRat(0, 1), 0}, {big.NewRat(1, 1), 1}, {big.NewRat(-1, 1), 1}, {big.NewRat(5, 1), 3},
		{big.NewRat(1, 2), 2}, {big.NewRat(3, 1024), 12}, {big.NewRat(1, 3), 3}, {big.NewRat(7, 5), 6},
	} {
		if got := Bits(tc.r); got != tc.want {
			t.Errorf("Bits(%s) = %d, want %d", tc.r.RatString(), got, tc.want)
		}
	}
}

func TestClassOf(t *testing.T) {
	for _, tc := range []struct {
		o    []*big.Rat
		m    int
		want int
	}{
		{[]*big.Rat{big.NewRat(2, 1)}, 3, 2},
		{[]*big.Rat{big.NewRat(5, 2)}, 3, -1},  // 2.5: halfway
		{[]*big.Rat{big.NewRat(-1, 2)}, 3, -1}, // −0.5: halfway
		{[]*big.Rat{big.NewRat(-1, 3)}, 3, 0},
		{[]*big.Rat{big.NewRat(3, 1)}, 3, -1}, // out of range
		{[]*big.Rat{big.NewRat(-3, 4)}, 3, -1},
		{[]*big.Rat{big.NewRat(1, 1), big.NewRat(2, 1), big.NewRat(0, 1)}, 3, 1},
		{[]*big.Rat{big.NewRat(2, 1), big.NewRat(2, 1), big.NewRat(0, 1)}, 3, -1},
	} {
		if got := ClassOfRat(tc.o, tc.m); got != tc.want {
			t.Errorf("ClassOfRat(%v) = %d, want %d", tc.o, got, tc.want)
		}
		f := make([]float64, len(tc.o))
		for i, r := range tc.o {
			f[i], _ = r.Float64()
		}
		if got := ClassOfFloat(f, tc.m); got != tc.want {
			t.Errorf("ClassOfFloat(%v) = %d, want %d", f, got, tc.want)
		}
	}
}

func TestRoundDyadic(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	for range 1000 {
		r := big.NewRat(rng.Int64N(1<<40)-1<<39, 1+rng.Int64N(1<<30))
		for _, bits := range []int{2, 8, 24, 53} {
			up, down, near := RoundDyadic(r, bits, Up), RoundDyadic(r, bits, Down), RoundDyadic(r, bits, Nearest)
			if up.Cmp(r) < 0 || down.Cmp(r) > 0 {
				t.Fatalf("RoundDyadic(%s, %d): up %s down %s", r.RatString(), bits, up.RatString(), down.RatString())
			}
			for _, v := range []*big.Rat{up, down, near} {
				mant := new(big.Int).Abs(v.Num())
				if mant.Sign() != 0 {
					mant.Rsh(mant, mant.TrailingZeroBits())
				}
				if !isDyadic(v) || mant.BitLen() > bits+1 {
					t.Fatalf("RoundDyadic(%s, %d) = %s: not a short dyadic", r.RatString(), bits, v.RatString())
				}
			}
			// relative error below 2^-(bits-2)
			e := new(big.Rat).Sub(near, r)
			e.Abs(e)
			lim := new(big.Rat).Abs(r)
			lim.Mul(lim, new(big.Rat).SetFrac(big.NewInt(1), new(big.Int).Lsh(big.NewInt(1), uint(bits-2))))
			if e.Cmp(lim) > 0 {
				t.Fatalf("RoundDyadic(%s, %d, Nearest) = %s: error too large", r.RatString(), bits, near.RatString())
			}
		}
	}
}

func TestSaveLoadByteIdentical(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for trial := range 50 {
		net := randomNetwork(rng, 1+rng.IntN(5), trial%2 == 0)
		m := &Model{Net: net, Method: "test", Options: map[string]string{"seed": "1", "a": "b"},
			Classes: []string{"x", "y"}, Points: 7, Theorem: "T", Predicted: map[string]int64{"depth_bound": 9}}
		var b1, b2 bytes.Buffer
		if err := m.Encode(&b1); err != nil {
			t.Fatal(err)
		}
		m2, err := Decode(bytes.NewReader(b1.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if err := m2.Encode(&b2); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b1.Bytes(), b2.Bytes()) {
			t.Fatal("save → load → save changed the bytes")
		}
		x := randomInput(rng, net.InputDim)
		a, b := refEval(net, x), refEval(m2.Net, x)
		for j := range a {
			if a[j].Cmp(b[j]) != 0 {
				t.Fatal("loaded network computes something else")
			}
		}
	}
}

func TestDecodeRejectsGarbage(t *testing.T) {
	for _, in := range [][]byte{nil, []byte("hello"), {0x1f, 0x8b, 0, 0}} {
		if _, err := Decode(bytes.NewReader(in)); err == nil {
			t.Errorf("Decode(%q) succeeded", in)
		}
	}
}

// FuzzDecode: no input makes the decoder panic.
func FuzzDecode(f *testing.F) {
	var b bytes.Buffer
	rng := rand.New(rand.NewPCG(1, 2))
	_ = (&Model{Net: randomNetwork(rng, 2, true), Method: "m", Classes: []string{"a"}}).Encode(&b)
	f.Add(b.Bytes())
	f.Add([]byte{0x1f, 0x8b})
	f.Fuzz(func(t *testing.T, in []byte) {
		m, err := Decode(bytes.NewReader(in))
		if err == nil {
			_ = m.Net.Stats()
		}
	})
}
