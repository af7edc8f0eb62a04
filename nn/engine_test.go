package nn

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
)

// refAct is the activation a of the pre-activation z, in a new big.Rat.
func refAct(a Activation, z *big.Rat) *big.Rat {
	switch {
	case a == ReLU && z.Sign() < 0:
		return new(big.Rat)
	case a == Step:
		return big.NewRat(int64(b2i(z.Sign() >= 0)), 1)
	}
	return new(big.Rat).Set(z)
}

// refPre evaluates net on x in big.Rat and returns every layer's
// pre-activations (hidden layers, then the read-out).
func refPre(n *Network, x []float64) [][]*big.Rat {
	h := make([]*big.Rat, len(x))
	for i, v := range x {
		h[i] = new(big.Rat).SetFloat64(v)
	}
	var pres [][]*big.Rat
	for _, l := range n.Layers() {
		pre := make([]*big.Rat, l.Out())
		next := make([]*big.Rat, l.Out())
		for j := range l.W {
			z := new(big.Rat).Set(l.B[j])
			for i, w := range l.W[j] {
				z.Add(z, new(big.Rat).Mul(w, h[i]))
			}
			pre[j] = z
			next[j] = refAct(l.Act[j], z)
		}
		pres = append(pres, pre)
		h = next
	}
	return pres
}

// corners returns the points made of each coordinate's smallest or largest
// value in xs (all 2^d of them for d ≤ 8, else 256 random ones), the
// adversarial inputs of the range analysis.
func corners(xs [][]float64, rng *rand.Rand) [][]float64 {
	d := len(xs[0])
	lo, hi := append([]float64(nil), xs[0]...), append([]float64(nil), xs[0]...)
	for _, x := range xs {
		for i, v := range x {
			lo[i], hi[i] = min(lo[i], v), max(hi[i], v)
		}
	}
	var out [][]float64
	count := 1 << min(d, 8)
	for c := range count {
		x := make([]float64, d)
		for i := range d {
			bit := c>>i&1 == 1
			if d > 8 {
				bit = rng.IntN(2) == 1
			}
			if bit {
				x[i] = hi[i]
			} else {
				x[i] = lo[i]
			}
		}
		out = append(out, x)
	}
	return out
}

// checkWidths evaluates net on xs plus the corners of their box and checks
// (1) every output equals the big.Rat reference, (2) every pre-activation,
// written over the layer's denominator, fits the words the range analysis
// chose for its layer.
func checkWidths(t *testing.T, net *Network, xs [][]float64, rng *rand.Rand) {
	t.Helper()
	all := append(append([][]float64(nil), xs...), corners(xs, rng)...)
	e, err := CompileExact(net, all)
	if err != nil {
		t.Fatal(err)
	}
	outs, err := e.Outputs(context.Background(), all, nil)
	if err != nil {
		t.Fatal(err)
	}
	for p, x := range all {
		pres := refPre(net, x)
		for k, l := range e.layers {
			for j := range pres[k] {
				// the pre-activation's integer over the neuron's denominator
				den := l.preDens[j]
				z := new(big.Rat).Mul(pres[k][j], new(big.Rat).SetInt(den))
				if !z.IsInt() {
					t.Fatalf("layer %d neuron %d: pre-activation %s is not an integer over %s", k+1, j, pres[k][j].RatString(), den)
				}
				if sb := signedBits(z.Num()); sb > 64*l.neurons[j].words {
					t.Fatalf("point %v layer %d neuron %d: pre-activation needs %d bits, range analysis chose %d words", x, k+1, j, sb, l.neurons[j].words)
				}
			}
		}
		last := pres[len(pres)-1]
		for j := range last {
			if outs[p][j].Cmp(last[j]) != 0 {
				t.Fatalf("point %d output %d: engine %s, reference %s", p, j, outs[p][j].RatString(), last[j].RatString())
			}
		}
	}
}

// TestEngineWordBoundaries: pre-activations at ±2^63 and 2^63−1 exactly, at
// the ends of the data's range, get the widths they need, and the values
// are right.
func TestEngineWordBoundaries(t *testing.T) {
	p62 := new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), 62))
	cases := []struct {
		bias  *big.Rat
		words int
	}{
		{new(big.Rat).Sub(p62, big.NewRat(1, 1)), 1}, // max 2^63 − 1
		{p62, 2},                   // max 2^63
		{new(big.Rat).Neg(p62), 1}, // min −2^63
		{new(big.Rat).Sub(new(big.Rat).Neg(p62), big.NewRat(1, 1)), 2}, // min −2^63 − 1
	}
	xs := [][]float64{{-math.Ldexp(1, 61)}, {math.Ldexp(1, 61)}, {0.5}}
	for _, c := range cases {
		// x has one fractional bit: values are integers over 2, and the
		// pre-activation x + bias/2 is the integer 2x + bias (in ±2^62 + bias) over 2
		net := &Network{InputDim: 1, Hidden: []Layer{NewLayer(1, 1, Identity)}, Readout: NewLayer(1, 1, Identity)}
		net.Hidden[0].W[0][0].SetInt64(1)
		net.Hidden[0].B[0].Mul(c.bias, big.NewRat(1, 2))
		net.Readout.W[0][0].SetInt64(1)
		e, err := CompileExact(net, xs)
		if err != nil {
			t.Fatal(err)
		}
		if w := e.Words()[0]; w != c.words {
			t.Errorf("bias %s: %d words, want %d", c.bias.RatString(), w, c.words)
		}
		checkWidths(t, net, xs, rand.New(rand.NewPCG(1, 1)))
	}
}

// TestEngineRandom checks the engine against the big.Rat reference on
// random networks (dyadic, rational, float32-rounded weights; deep chains
// whose values grow far past one word; Park-shaped running values and ReLU
// pairs) at random inputs and at the corners
// of their range, and checks every chosen width against the reference.
// ENGINE_FUZZ=n sets the number of networks (default 600).
func TestEngineRandom(t *testing.T) {
	count := 600
	if s := os.Getenv("ENGINE_FUZZ"); s != "" {
		count, _ = strconv.Atoi(s)
	}
	rng := rand.New(rand.NewPCG(12, 34))
	for it := range count {
		d := 1 + rng.IntN(4)
		var net *Network
		switch it % 6 {
		case 0, 1:
			net = randomNetwork(rng, d, it%6 == 1)
		case 2:
			net = float32Network(rng, d)
		case 3:
			net = growingChain(rng, d)
		case 4:
			net = reluPairs(rng, d)
		default:
			net = runningValue(rng, d)
		}
		xs := make([][]float64, 1+rng.IntN(6))
		for p := range xs {
			xs[p] = randomInput(rng, d)
		}
		t.Run(fmt.Sprint(it), func(t *testing.T) { checkWidths(t, net, xs, rng) })
		if t.Failed() {
			return
		}
	}
}

// float32Network is an imported-style MLP: float32 weights, ReLU, several outputs.
func float32Network(rng *rand.Rand, d int) *Network {
	net := &Network{InputDim: d}
	in := d
	for range 1 + rng.IntN(5) {
		out := 1 + rng.IntN(6)
		l := NewLayer(in, out, ReLU)
		for j := range out {
			for i := range in {
				l.W[j][i].SetFloat64(float64(float32(rng.NormFloat64())))
			}
			l.B[j].SetFloat64(float64(float32(rng.NormFloat64() * 0.1)))
		}
		net.Hidden = append(net.Hidden, l)
		in = out
	}
	ro := NewLayer(in, 2+rng.IntN(3), Identity)
	for j := range ro.W {
		for i := range in {
			ro.W[j][i].SetFloat64(float64(float32(rng.NormFloat64())))
		}
	}
	net.Readout = ro
	return net
}

// growingChain is a deep width-2 network whose values grow by large factors
// per layer and cancel again, so that static bounds are loose and the
// per-chunk bound decides.
func growingChain(rng *rand.Rand, d int) *Network {
	net := &Network{InputDim: d}
	in := d
	for k := range 4 + rng.IntN(20) {
		l := NewLayer(in, 2, ReLU)
		for j := range 2 {
			for i := range in {
				e := rng.IntN(60) - 10
				l.W[j][i].SetFrac(big.NewInt(int64(rng.IntN(7)-3)), big.NewInt(1))
				l.W[j][i].Mul(l.W[j][i], new(big.Rat).SetFloat64(math.Ldexp(1, e)))
			}
			l.B[j].SetInt64(int64(rng.IntN(5) - 2))
			if k%3 == 2 {
				l.Act[j] = Activation(rng.IntN(3))
			}
		}
		net.Hidden = append(net.Hidden, l)
		in = 2
	}
	ro := NewLayer(in, 1, Identity)
	ro.W[0][0].SetInt64(1)
	ro.W[0][1].SetFrac64(-1, 3)
	net.Readout = ro
	return net
}

// runningValue is shaped like Park's and Vardi's chains: a wide running
// value w (dyadic weights down to 2^-400, so many words) and a narrow
// counter x pass through every layer by unit copies, w changes by a wide
// multiple of a STEP output (0 or 1), and STEP neurons compare w or x with
// thresholds, some as twins of an identity neuron with the same terms and
// another bias. It exercises slots taken over in place, copies, the 0/1
// kernels, twin and one-term comparisons, and the fused kernel.
func runningValue(rng *rand.Rand, d int) *Network {
	net := &Network{InputDim: d}
	pow := func(e int) *big.Rat {
		r := new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), uint(max(e, -e))))
		if e < 0 {
			r.Inv(r)
		}
		return r
	}
	// layer 1: x = Σ inputs, w = Σ_i 2^-e_i·input_i, s = STEP(x)
	l := NewLayer(d, 3, Identity)
	l.Act[2] = Step
	for i := range d {
		l.W[0][i].SetInt64(1)
		l.W[1][i].Set(pow(-rng.IntN(400)))
		l.W[2][i].SetInt64(1)
	}
	net.Hidden = append(net.Hidden, l)
	for range 3 + rng.IntN(25) {
		// inputs (x, w, s): x' = x + a·s, w' = w + c·s + b, s' = STEP(w' − t) or STEP(x − t)
		l := NewLayer(3, 4, Identity)
		c := new(big.Rat).Mul(big.NewRat(int64(rng.IntN(9)-4), 1), pow(-rng.IntN(400)))
		b := new(big.Rat).Mul(big.NewRat(int64(rng.IntN(9)-4), 1), pow(-rng.IntN(400)))
		l.W[0][0].SetInt64(1)
		l.W[0][2].SetInt64(int64(rng.IntN(5) - 2))
		l.W[1][1].SetInt64(1)
		l.W[1][2].Set(c)
		l.B[1].Set(b)
		l.Act[2], l.Act[3] = Step, Step
		if rng.IntN(2) == 0 { // a twin of neuron 1
			l.W[2][1].SetInt64(1)
			l.W[2][2].Set(c)
			l.B[2].Add(b, new(big.Rat).Mul(big.NewRat(int64(rng.IntN(5)-2), 1), pow(-rng.IntN(400))))
		} else { // one unit term: compared with −B
			l.W[2][0].SetInt64(1)
			l.B[2].SetInt64(int64(rng.IntN(5) - 2))
		}
		l.W[3][0].SetInt64(1) // a copy of x
		l.Act[3] = Activation(rng.IntN(3))
		net.Hidden = append(net.Hidden, l)
		// back to width 3: (x, w, s) with x = the copy when it is a copy
		m := NewLayer(4, 3, Identity)
		m.W[0][0].SetInt64(1)
		m.W[1][1].SetInt64(1)
		m.W[2][2].SetInt64(1)
		m.Act[2] = ReLU
		net.Hidden = append(net.Hidden, m)
	}
	ro := NewLayer(3, 2, Identity)
	ro.W[0][1].Set(pow(rng.IntN(400)))
	ro.W[1][0].SetInt64(1)
	ro.W[1][2].SetInt64(3)
	net.Readout = ro
	return net
}

// TestEngineMutants: for random networks and labels that they get right,
// every one-bit flip of a weight's float64 form (or numerator) that changes
// some point's class in the big.Rat reference is caught by the engine
// (and a flip that changes none is not reported).
func TestEngineMutants(t *testing.T) {
	rng := rand.New(rand.NewPCG(56, 78))
	caught, flips := 0, 0
	for range 60 {
		d := 1 + rng.IntN(3)
		net := randomNetwork(rng, d, false)
		if rng.IntN(2) == 0 {
			net = float32Network(rng, d)
		}
		xs := make([][]float64, 8)
		for p := range xs {
			xs[p] = randomInput(rng, d)
		}
		m := 3
		ref := func(n *Network) []int {
			cls := make([]int, len(xs))
			for p, x := range xs {
				cls[p] = ClassOfRat(refEval(n, x), m)
			}
			return cls
		}
		y := ref(net)
		for range 12 {
			mut := net.Clone()
			ls := mut.Layers()
			l := ls[rng.IntN(len(ls))]
			j := rng.IntN(l.Out())
			var r *big.Rat
			if i := rng.IntN(l.In() + 1); i < l.In() {
				r = l.W[j][i]
			} else {
				r = l.B[j]
			}
			flipBit(r, rng)
			want := ref(mut)
			e, err := CompileExact(mut, xs)
			if err != nil {
				t.Fatal(err)
			}
			got, _, err := e.Classes(context.Background(), xs, m, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			changed := false
			for p := range xs {
				if got[p] != want[p] {
					t.Fatalf("mutant point %d: engine class %d, reference %d", p, got[p], want[p])
				}
				if want[p] != y[p] {
					changed = true
				}
			}
			flips++
			if changed {
				caught++
			}
		}
	}
	if caught == 0 {
		t.Fatalf("no flip of %d changed a label: the test is not testing", flips)
	}
	t.Logf("%d of %d bit flips changed some label; the engine caught every one", caught, flips)
}

// flipBit flips one bit of r's float64 form when r is a float64, else of
// its numerator.
func flipBit(r *big.Rat, rng *rand.Rand) {
	if f, exact := r.Float64(); exact && f != 0 {
		b := math.Float64bits(f) ^ 1<<uint(rng.IntN(64))
		if g := math.Float64frombits(b); !math.IsNaN(g) && !math.IsInf(g, 0) {
			r.SetFloat64(g)
			return
		}
	}
	num := new(big.Int).Set(r.Num())
	num.Xor(num, new(big.Int).Lsh(big.NewInt(1), uint(rng.IntN(max(1, num.BitLen())+1))))
	r.SetFrac(num, r.Denom())
}

// FuzzEngine: the engine equals the big.Rat reference on networks and
// inputs drawn from the fuzzer's seed.
func FuzzEngine(f *testing.F) {
	f.Add(uint64(1), uint64(2))
	f.Add(uint64(7), uint64(9))
	f.Fuzz(func(t *testing.T, a, b uint64) {
		rng := rand.New(rand.NewPCG(a, b))
		d := 1 + rng.IntN(4)
		var net *Network
		switch rng.IntN(5) {
		case 0:
			net = float32Network(rng, d)
		case 1:
			net = growingChain(rng, d)
		case 2:
			net = reluPairs(rng, d)
		default:
			net = randomNetwork(rng, d, rng.IntN(2) == 0)
		}
		xs := make([][]float64, 1+rng.IntN(6))
		for p := range xs {
			xs[p] = randomInput(rng, d)
		}
		checkWidths(t, net, xs, rng)
	})
}

// TestEngineSplit: with any taint split (random layer, random per-point
// neurons; also on networks with ReLU pairs) the shared evaluation equals the big.Rat reference on every
// point, including points that share values (repeated coordinates, STEP
// units), and invalid splits are refused.
func TestEngineSplit(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	shared := 0
	for it := range 300 {
		d := 1 + rng.IntN(3)
		net := randomNetwork(rng, d, it%3 == 0)
		if it%4 == 1 {
			net = float32Network(rng, d)
		} else if it%5 == 4 {
			net = reluPairs(rng, d) // pairs evaluated as one clamped neuron (findPairs)
		}
		if len(net.Hidden) < 1 {
			continue
		}
		pool := make([][]float64, 3)
		for p := range pool {
			pool[p] = randomInput(rng, d)
		}
		xs := make([][]float64, 5+rng.IntN(60))
		for p := range xs {
			x := append([]float64(nil), pool[rng.IntN(len(pool))]...)
			if rng.IntN(3) == 0 {
				x[rng.IntN(d)] = randomInput(rng, 1)[0]
			}
			xs[p] = x
		}
		e, err := CompileExact(net, xs)
		if err != nil {
			t.Fatal(err)
		}
		S := rng.IntN(len(net.Hidden))
		pp := randomSplit(t, rng, e, net, S)
		if len(e.share.keyIdx) > 0 {
			shared++
		}
		checkSplitOutputs(t, e, net, xs, fmt.Sprintf("network %d split %d per-point %v", it, S, pp))
		if err := e.UseSplit(len(net.Hidden), nil); err == nil {
			t.Fatal("split at the read-out accepted")
		}
		if err := e.UseSplit(S, []int{net.Hidden[S].Out()}); err == nil {
			t.Fatal("per-point neuron out of range accepted")
		}
	}
	if shared == 0 {
		t.Fatal("no split had shared neurons")
	}
}
