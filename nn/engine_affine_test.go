package nn

import (
	"context"
	"fmt"
	"math/big"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
)

// selectorNetwork draws a network shaped like Vardi's interval search: one
// neuron t = ReLU(w·x + β) in layer 1, then layers carrying t and computing
// h1 = ReLU(a_k − t), h2 = ReLU(t − b_k), the indicator g = ReLU(δ − h1 − h2)
// of the previous layer's interval, a running sum Y = ReLU(Y + U·g) with a
// wide U, a STEP(t − c) and an identity 2t − c + 5·s; then one or two
// random layers and the read-out. The intervals' ends are anchors of the
// points xs (so some points lie inside, on the ends, and outside).
func selectorNetwork(rng *rand.Rand, xs [][]float64) *Network {
	d := len(xs[0])
	net := &Network{InputDim: d}
	l := NewLayer(d, 1, ReLU)
	for i := range d {
		l.W[0][i].SetFrac64(int64(rng.IntN(9)-4), 1<<rng.IntN(6))
	}
	l.B[0].SetInt64(int64(rng.IntN(5)))
	net.Hidden = append(net.Hidden, l)
	ts := make([]*big.Rat, len(xs))
	for p, x := range xs {
		ts[p] = refEval(&Network{InputDim: d, Hidden: nil, Readout: l}, x)[0]
		if ts[p].Sign() < 0 {
			ts[p] = new(big.Rat)
		}
	}
	slices.SortFunc(ts, func(a, b *big.Rat) int { return a.Cmp(b) })
	const w = 7 // t, Y, h1, h2, g, s, q
	in := 1
	for k := range 3 + rng.IntN(16) {
		l := NewLayer(in, w, ReLU)
		l.W[0][0].SetInt64(1)
		a := ts[rng.IntN(len(ts))]
		b := new(big.Rat).Set(a)
		if rng.IntN(3) > 0 {
			b = ts[rng.IntN(len(ts))]
		}
		if a.Cmp(b) > 0 {
			a, b = b, a
		}
		l.W[2][0].SetInt64(-1)
		l.B[2].Set(a)
		l.W[3][0].SetInt64(1)
		l.B[3].Neg(b)
		l.W[5][0].SetInt64(1)
		l.B[5].Neg(ts[rng.IntN(len(ts))])
		l.Act[5] = Step
		l.W[6][0].SetInt64(2)
		l.B[6].Neg(ts[rng.IntN(len(ts))])
		l.Act[6] = Identity
		if k > 0 {
			U := randBits(rng, rng.IntN(400))
			l.W[1][1].SetInt64(1)
			l.W[1][4].SetInt(U)
			l.W[4][2].SetInt64(-1)
			l.W[4][3].SetInt64(-1)
			l.B[4].SetFrac64(1, 1<<rng.IntN(3))
			l.W[6][5].SetInt64(5)
		}
		net.Hidden = append(net.Hidden, l)
		in = w
	}
	for range 1 + rng.IntN(2) {
		out := 1 + rng.IntN(4)
		l := NewLayer(in, out, Activation(rng.IntN(3)))
		for j := range out {
			for i := range in {
				if rng.IntN(2) == 0 {
					l.W[j][i].SetFrac64(int64(rng.IntN(7)-3), 1<<rng.IntN(4))
				}
			}
		}
		net.Hidden = append(net.Hidden, l)
		in = out
	}
	ro := NewLayer(in, 2, Identity)
	for j := range 2 {
		for i := range in {
			ro.W[j][i].SetInt64(int64(rng.IntN(5) - 2))
		}
	}
	net.Readout = ro
	return net
}

// TestEngineAffine: with a one-neuron layer before the split, phase 1 runs
// on affine forms of that neuron over points sorted by it
// (engine_affine.go); every output equals the big.Rat reference — on
// Vardi-shaped selector networks (interval ends on data points, ties,
// repeated points, wide running sums) and on random networks whose first
// layer has one neuron. ENGINE_FUZZ=n sets the number of networks
// (default 80).
func TestEngineAffine(t *testing.T) {
	count := 80
	if s := os.Getenv("ENGINE_FUZZ"); s != "" {
		count, _ = strconv.Atoi(s)
	}
	rng := rand.New(rand.NewPCG(25, 26))
	anchored := 0
	for it := range count {
		d := 1 + rng.IntN(3)
		n := 20 + rng.IntN(200)
		xs := make([][]float64, n)
		for p := range xs {
			if p > 0 && rng.IntN(4) == 0 {
				xs[p] = xs[rng.IntN(p)]
				continue
			}
			xs[p] = make([]float64, d)
			for i := range xs[p] {
				xs[p][i] = float64(rng.IntN(64)) / float64(int(1)<<rng.IntN(4))
			}
		}
		var net *Network
		if it%2 == 0 {
			net = selectorNetwork(rng, xs)
		} else {
			inner := randomNetwork(rng, 1, it%3 == 0)
			l := NewLayer(d, 1, Activation(rng.IntN(3)))
			for i := range d {
				l.W[0][i].SetFrac64(int64(rng.IntN(9)-4), 1<<rng.IntN(8))
			}
			l.B[0].SetFrac64(int64(rng.IntN(9)-4), 3)
			net = &Network{InputDim: d, Hidden: append([]Layer{l}, inner.Hidden...), Readout: inner.Readout}
		}
		if len(net.Hidden) < 2 {
			continue
		}
		e, err := CompileExact(net, xs)
		if err != nil {
			t.Fatal(err)
		}
		S := 1 + rng.IntN(len(net.Hidden)-1)
		pp := randomSplit(t, rng, e, net, S)
		if e.anchorLayer(S) >= 0 {
			anchored++
		}
		checkSplitOutputs(t, e, net, xs, fmt.Sprintf("network %d split %d per-point %v", it, S, pp))
	}
	if anchored < count*3/4 {
		t.Fatalf("only %d networks ran on forms", anchored)
	}
}

// TestMaterializeForm: α + β·a written point by point equals math/big for
// random α, β and anchors of every sign and width.
func TestMaterializeForm(t *testing.T) {
	rng := rand.New(rand.NewPCG(27, 28))
	rnd := func(bits int) *big.Int {
		x := randBits(rng, bits)
		if rng.IntN(2) == 0 {
			x.Neg(x)
		}
		return x
	}
	for range 500 {
		K := 1 + rng.IntN(3)
		P := 1 + rng.IntN(20)
		s := &xscratch{ancK: K, anc: make([]uint64, P*K)}
		as := make([]*big.Int, P)
		for p := range P {
			as[p] = rnd(rng.IntN(64*K - 1))
			setBig(s.anc[p*K:p*K+K], as[p])
		}
		α, β := rnd(rng.IntN(300)), rnd(rng.IntN(200))
		if rng.IntN(4) == 0 {
			β.SetInt64(0)
		}
		v := new(big.Int)
		most := 0
		for _, a := range as {
			v.Mul(β, a).Add(v, α)
			most = max(most, signedBits(v))
		}
		W := (most+63)/64 + rng.IntN(2)
		z := make([]uint64, P*W)
		s.materializeForm(z, W, α, β, P)
		for p, a := range as {
			v.Mul(β, a).Add(v, α)
			if got := toBig(z[p*W:p*W+W], new(big.Int)); got.Cmp(v) != 0 {
				t.Fatalf("α=%v β=%v a=%v W=%d: %v, want %v", α, β, a, W, got, v)
			}
		}
	}
}

// randBits returns a random integer in [0, 2^bits).
func randBits(rng *rand.Rand, bits int) *big.Int {
	x := new(big.Int)
	for range (bits + 63) / 64 {
		x.Lsh(x, 64).Or(x, new(big.Int).SetUint64(rng.Uint64()))
	}
	return x.Rsh(x, uint((64-bits%64)%64))
}

// checkSplitOutputs fails unless e's outputs on xs equal the big.Rat
// reference's on every point.
func checkSplitOutputs(t *testing.T, e *Exact, net *Network, xs [][]float64, what string) {
	t.Helper()
	outs, err := e.Outputs(context.Background(), xs, nil)
	if err != nil {
		t.Fatal(err)
	}
	compareOutputs(t, net, xs, outs, what)
}

// randomSplit sets a taint split at layer S of e with a random set of
// per-point neurons and returns the set.
func randomSplit(t *testing.T, rng *rand.Rand, e *Exact, net *Network, S int) []int {
	t.Helper()
	var pp []int
	for j := range net.Hidden[S].Out() {
		if rng.IntN(2) == 0 {
			pp = append(pp, j)
		}
	}
	if err := e.UseSplit(S, pp); err != nil {
		t.Fatal(err)
	}
	return pp
}

// TestAnchoredBounds: on forms, every bound a neuron's values carry on a
// chunk (vals.bnd: a form's, a sign-changing neuron's from its form, a
// known 0, the width bound's) is at least the bit length of every value,
// and the values equal the plain evaluation's, layer by layer, on
// Vardi-shaped selector networks over chunks of points sorted by t.
func TestAnchoredBounds(t *testing.T) {
	rng := rand.New(rand.NewPCG(33, 34))
	for it := range 40 {
		d := 1 + rng.IntN(2)
		xs := make([][]float64, 30+rng.IntN(200))
		for p := range xs {
			xs[p] = make([]float64, d)
			for i := range xs[p] {
				xs[p][i] = float64(rng.IntN(64)) / float64(int(1)<<rng.IntN(4))
			}
		}
		net := selectorNetwork(rng, xs)
		e, err := CompileExact(net, xs)
		if err != nil {
			t.Fatal(err)
		}
		S := len(net.Hidden) - 1
		av, K, order, err := e.anchors(context.Background(), xs, 0)
		if err != nil {
			t.Fatal(err)
		}
		P := 1 + rng.IntN(len(xs))
		for lo := 0; lo < len(xs); lo += P {
			pts := order[lo:min(len(xs), lo+P)]
			Pc := len(pts)
			s, plain := &xscratch{}, &xscratch{}
			chunk := make([][]float64, Pc)
			for p, i := range pts {
				chunk[p] = xs[i]
			}
			if err := e.loadInputs(chunk, plain); err != nil {
				t.Fatal(err)
			}
			e.evalLayer(&e.layers[0], false, &plain.a, Pc, &plain.b, nil, 0, plain)
			plain.a, plain.b = plain.b, plain.a
			s.anchorInput(av, K, pts)
			for k := 1; k <= S; k++ {
				e.evalLayer(&e.layers[k], false, &s.a, Pc, &s.b, nil, 0, s)
				s.a, s.b = s.b, s.a
				e.evalLayer(&e.layers[k], false, &plain.a, Pc, &plain.b, nil, 0, plain)
				plain.a, plain.b = plain.b, plain.a
				for j := range e.layers[k].out {
					got, want := new(big.Int), new(big.Int)
					s.a.neuron(j, Pc) // a form's values, materialized
					for p := range Pc {
						toBig(s.a.at(j, p), got)
						toBig(plain.a.at(j, p), want)
						if got.Cmp(want) != 0 {
							t.Fatalf("network %d layer %d neuron %d point %d: %v on forms, %v plain", it, k, j, p, got, want)
						}
						if b := s.a.bnd[j]; b >= 0 && got.BitLen() > b {
							t.Fatalf("network %d layer %d neuron %d point %d: |%v| has %d bits, bound %d", it, k, j, p, got, got.BitLen(), b)
						}
					}
				}
			}
		}
	}
}
