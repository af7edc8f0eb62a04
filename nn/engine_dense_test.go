package nn

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// denseNet draws a network whose first layer is a dense Gaussian layer
// (weights multiples of 2^−20, as dfg stores them) of n1 STEP units (a few
// ReLU or identity when mixed) over d inputs, a second layer of n2 units
// reading n1 with small integer coefficients of both signs (±1 mostly, or
// powers of two and random magnitudes up to 2^bigBits; only ±1 when
// unit), and an identity read-out.
func denseNet(rng *rand.Rand, d, n1, n2 int, mixed, unit bool, bigBits int) *Network {
	g := func() *big.Rat {
		return new(big.Rat).SetFrac64(int64(math.Round(rng.NormFloat64()*(1<<20))), 1<<20)
	}
	l1 := NewLayer(d, n1, Step)
	for j := range n1 {
		for i := range d {
			l1.W[j][i] = g()
		}
		l1.B[j] = g()
		if mixed && rng.IntN(8) == 0 {
			l1.Act[j] = Activation(rng.IntN(2)) // ReLU or identity
		}
	}
	l2 := NewLayer(n1, n2, Step)
	for j := range n2 {
		kind := rng.IntN(3)
		if unit {
			kind = 0
		}
		// a quarter read a window of the inputs only (masks that start and end inside the packed words)
		a, b := 0, n1
		if rng.IntN(4) == 0 {
			a, b = rng.IntN(n1), rng.IntN(n1)+1
		}
		for i := range n1 {
			if rng.IntN(3) == 0 || i < a || i >= b {
				continue
			}
			var c int64
			switch kind {
			case 0:
				c = int64(2*rng.IntN(2) - 1)
			case 1:
				c = int64(1) << rng.IntN(bigBits)
			default:
				c = rng.Int64N(int64(1) << bigBits)
			}
			if rng.IntN(2) == 0 {
				c = -c
			}
			l2.W[j][i] = big.NewRat(c, 1)
		}
		l2.B[j] = big.NewRat(rng.Int64N(2*int64(n1))-int64(n1), 1)
		l2.Act[j] = Activation(rng.IntN(3))
	}
	ro := NewLayer(n2, 2, Identity)
	for j := range ro.W {
		for i := range n2 {
			ro.W[j][i] = big.NewRat(rng.Int64N(7)-3, 1)
		}
	}
	return &Network{InputDim: d, Hidden: []Layer{l1, l2}, Readout: ro}
}

// pixels draws P points of d integer coordinates in [0, 255] (a few signed or with 2 fractional bits when frac).
func pixels(rng *rand.Rand, P, d int, frac bool) [][]float64 {
	xs := make([][]float64, P)
	for p := range xs {
		xs[p] = make([]float64, d)
		for i := range d {
			xs[p][i] = float64(rng.IntN(256))
			if frac && rng.IntN(4) == 0 {
				xs[p][i] = float64(rng.IntN(1024)-512) / 4
			}
		}
	}
	return xs
}

// sitOnThreshold moves biases so that pre-activations are exactly 0 (and
// ±one unit of the layer's denominator) on chosen points: the first
// layer's unit j on point p gets b = −⟨w_j, x_p⟩ + δ, δ ∈ {0, ±2^−20}, and
// the second layer's unit gets B = −Σ c_i·s_i(x_p) + δ, δ ∈ {0, ±1}, with s
// the first layer's exact outputs (big.Rat reference). These are the
// points where a wrong sum flips a STEP.
func sitOnThreshold(rng *rand.Rand, net *Network, xs [][]float64) {
	l1 := &net.Hidden[0]
	eps := big.NewRat(1, 1<<20)
	for j := range l1.B {
		x := xs[rng.IntN(len(xs))]
		s := new(big.Rat)
		for i, v := range x {
			s.Add(s, new(big.Rat).Mul(l1.W[j][i], new(big.Rat).SetFloat64(v)))
		}
		s.Neg(s)
		switch rng.IntN(3) {
		case 1:
			s.Add(s, eps)
		case 2:
			s.Sub(s, eps)
		}
		l1.B[j] = s
	}
	l2 := &net.Hidden[1]
	for j := range l2.B {
		pre := refPre(net, xs[rng.IntN(len(xs))])
		h := make([]*big.Rat, len(pre[0]))
		for i, z := range pre[0] {
			h[i] = refAct(l1.Act[i], z)
		}
		s := new(big.Rat)
		for i, w := range l2.W[j] {
			s.Add(s, new(big.Rat).Mul(w, h[i]))
		}
		s.Neg(s)
		s.Add(s, big.NewRat(int64(rng.IntN(3)-1), 1))
		l2.B[j] = s
	}
}

// TestDenseKernels: the dense kernels (engine_dense.go) equal the big.Rat
// reference on random small and wide layers (inputs across several 64-bit
// words, masks starting and ending anywhere), on pre-activations placed
// exactly on and one unit beside a threshold, with coefficients from ±1 to
// 2^40; and the plans are made where expected: the Gaussian layer as a
// float-exact product, the layer behind an all-STEP layer as bit planes.
func TestDenseKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 7))
	for trial := range 32 {
		d := 1 + rng.IntN(50)
		n1 := 1 + rng.IntN(150)
		n2 := 1 + rng.IntN(40)
		mixed, unit := trial%5 == 4, trial%4 == 1
		if trial%8 == 1 { // wide: several words of packed inputs, many AND units
			n1, n2 = 64+rng.IntN(140), 8+rng.IntN(24)
		}
		net := denseNet(rng, d, n1, n2, mixed, unit, 1+rng.IntN(40))
		xs := pixels(rng, 1+rng.IntN(40), d, trial%3 == 2)
		if trial%2 == 0 {
			sitOnThreshold(rng, net, xs)
		}
		e, err := CompileExact(net, xs)
		if err != nil {
			t.Fatal(err)
		}
		if p := e.layers[0].dense; p == nil || p.bit {
			t.Fatalf("trial %d: the Gaussian layer %d→%d got no float-exact plan", trial, d, n1)
		}
		if p := e.layers[1].dense; !mixed && unit && n1 >= 64 && n2 >= 8 && (p == nil || !p.bit) {
			t.Fatalf("trial %d: the layer %d→%d behind STEP units got no bit plan", trial, n1, n2)
		}
		if mixed && e.layers[1].dense != nil && e.layers[1].dense.bit {
			hasNonStep := false
			for _, a := range net.Hidden[0].Act {
				hasNonStep = hasNonStep || a != Step
			}
			if hasNonStep {
				t.Fatalf("trial %d: a bit plan reads ReLU or identity inputs", trial)
			}
		}
		checkAgainstReference(t, net, xs)
	}
}

// TestDenseFloatBound: a layer whose sums can reach 2^53 gets no
// float-exact plan (coefficients of 2^45 to 2^46 over inputs up to 255 and
// 100 terms: sums up to 2^60.7, one word), and the term-by-term engine
// still equals the reference; with small coefficients it gets one.
func TestDenseFloatBound(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	d, n := 100, 8
	l1 := NewLayer(d, n, Step)
	for j := range n {
		for i := range d {
			c := int64(1)<<45 + rng.Int64N(1<<45)
			if rng.IntN(2) == 0 {
				c = -c
			}
			l1.W[j][i] = big.NewRat(c, 1)
		}
	}
	ro := NewLayer(n, 1, Identity)
	for i := range n {
		ro.W[0][i] = big.NewRat(1, 1)
	}
	net := &Network{InputDim: d, Hidden: []Layer{l1}, Readout: ro}
	xs := pixels(rng, 30, d, false)
	for p := range xs {
		for i := range xs[p] {
			xs[p][i] = 255
		}
		xs[p][rng.IntN(d)] = float64(rng.IntN(256))
	}
	e, err := CompileExact(net, xs)
	if err != nil {
		t.Fatal(err)
	}
	if e.layers[0].dense != nil {
		t.Fatal("a float-exact plan for sums up to 2^53 and beyond")
	}
	checkAgainstReference(t, net, xs)
	// coefficients below 2^19: Σ ≤ 100·255·2^19 < 2^34
	for j := range n {
		for i := range d {
			l1.W[j][i] = big.NewRat(rng.Int64N(1<<20)-1<<19, 1)
		}
	}
	e, err = CompileExact(net, xs)
	if err != nil {
		t.Fatal(err)
	}
	if e.layers[0].dense == nil {
		t.Fatal("no float-exact plan for sums below 2^35")
	}
	checkAgainstReference(t, net, xs)
}
