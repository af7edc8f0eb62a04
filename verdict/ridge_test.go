package verdict

import (
	"context"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/memnet/memnet/nn"
)

func dy(rng *rand.Rand) *big.Rat {
	if rng.IntN(5) == 0 {
		return new(big.Rat)
	}
	return new(big.Rat).SetFrac(big.NewInt(rng.Int64N(41)-20), new(big.Int).Lsh(big.NewInt(1), uint(rng.IntN(6))))
}

// randomRidge builds a random network of shape A (projection neuron) or B
// (equal rows), with an optional ReLU layer before the read-out.
func randomRidge(rng *rand.Rand, d int, shapeA, post bool) *nn.Network {
	w := make([]*big.Rat, d)
	for i := range w {
		w[i] = dy(rng)
	}
	net := &nn.Network{InputDim: d}
	k := 1 + rng.IntN(8)
	var ridge nn.Layer
	if shapeA {
		p := nn.NewLayer(d, 1, nn.ReLU)
		p.W[0] = w
		p.B[0] = dy(rng)
		net.Hidden = append(net.Hidden, p)
		ridge = nn.NewLayer(1, k, nn.ReLU)
		for j := range k {
			ridge.W[j][0] = dy(rng)
			ridge.B[j] = dy(rng)
		}
	} else {
		ridge = nn.NewLayer(d, k, nn.ReLU)
		for j := range k {
			for i := range d {
				ridge.W[j][i].Set(w[i])
			}
			ridge.B[j] = dy(rng)
		}
	}
	net.Hidden = append(net.Hidden, ridge)
	in := k
	if post {
		q := 1 + rng.IntN(5)
		l := nn.NewLayer(in, q, nn.ReLU)
		for j := range q {
			for i := range in {
				l.W[j][i] = dy(rng)
			}
			l.B[j] = dy(rng)
		}
		net.Hidden = append(net.Hidden, l)
		in = q
	}
	outs := 1 + rng.IntN(2)
	ro := nn.NewLayer(in, outs, nn.Identity)
	for j := range outs {
		for i := range in {
			ro.W[j][i] = dy(rng)
		}
		ro.B[j] = dy(rng)
	}
	net.Readout = ro
	return net
}

// TestSweepMatchesGeneric compares the sweep with the generic exact
// evaluator on random networks of every recognized shape and random labels.
func TestSweepMatchesGeneric(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 400 {
		d := 1 + rng.IntN(3)
		net := randomRidge(rng, d, trial%2 == 0, trial%3 == 0)
		if !IsRidge(net) {
			t.Fatalf("trial %d: shape not recognized", trial)
		}
		n := 1 + rng.IntN(60)
		xs := make([][]float64, n)
		y := make([]int, n)
		for i := range xs {
			xs[i] = make([]float64, d)
			for k := range xs[i] {
				xs[i][k] = float64(rng.IntN(9)-4) / float64(int(1)<<rng.IntN(3))
			}
			y[i] = rng.IntN(3)
		}
		m := 3
		want, err := nn.ExactVerdict(context.Background(), net, xs, y, m, nn.ExactOptions{})
		if err != nil {
			t.Fatal(err)
		}
		got, err := VerifyRidge(context.Background(), net, xs, y, m, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got.ExactEvaluator != RidgeEvaluator {
			t.Fatalf("trial %d: sweep not used", trial)
		}
		slices.Sort(want.Wrong)
		if got.ExactCorrect != want.ExactCorrect || got.ExactEqual != want.ExactEqual || got.Exact != want.Exact || (n <= 20 && !slices.Equal(got.Wrong, want.Wrong)) {
			t.Fatalf("trial %d: sweep %d correct %d equal %v, generic %d correct %d equal %v", trial, got.ExactCorrect, got.ExactEqual, got.Wrong, want.ExactCorrect, want.ExactEqual, want.Wrong)
		}
	}
}

// TestOtherShapesFallBack checks that a network the sweep does not cover is
// evaluated by the generic evaluator.
func TestOtherShapesFallBack(t *testing.T) {
	net := &nn.Network{InputDim: 2, Hidden: []nn.Layer{nn.NewLayer(2, 2, nn.ReLU)}, Readout: nn.NewLayer(2, 1, nn.Identity)}
	net.Hidden[0].W[0][0].SetInt64(1)
	net.Hidden[0].W[1][1].SetInt64(1)
	if IsRidge(net) {
		t.Fatal("rows differ, yet recognized")
	}
	r, err := VerifyRidge(context.Background(), net, [][]float64{{1, 2}}, []int{0}, 2, nil)
	if err != nil || r.ExactEvaluator == RidgeEvaluator || !r.Exact {
		t.Fatalf("%+v %v", r, err)
	}
}
