package pipeline

import (
	"context"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/memnet/memnet/nn"
	"github.com/memnet/memnet/vnnlib"
)

// EvalRat is exact at float points and at points no float holds (1/3).
func TestEvalRat(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	net := affineTestNet(r, 3)
	xs := [][]*big.Rat{
		{big.NewRat(1, 2), big.NewRat(-3, 1), big.NewRat(5, 4)},
		{big.NewRat(1, 3), big.NewRat(-1, 10), big.NewRat(7, 1)},
		{big.NewRat(0, 1), big.NewRat(2, 7), big.NewRat(-1, 1)},
	}
	got, err := EvalRat(context.Background(), net, xs)
	if err != nil {
		t.Fatal(err)
	}
	for p, x := range xs {
		want := ratForwardRat(net, x)
		for j := range want {
			if got[p][j].Cmp(want[j]) != 0 {
				t.Errorf("point %d output %d: %s, want %s", p, j, got[p][j].RatString(), want[j].RatString())
			}
		}
	}
	if _, err := EvalRat(context.Background(), net, [][]*big.Rat{{big.NewRat(1, 1)}}); err == nil {
		t.Error("a point of the wrong size is accepted")
	}
}

// CheckPoints judges exactly and in float32; BoxCandidates gives the centre
// and corners of a small box.
func TestCheckPoints(t *testing.T) {
	// y = x0 − x1: the property Y_0 ≥ 1/3 on the box [0, 1]²
	ro := nn.NewLayer(2, 1, nn.Identity)
	ro.W[0][0], ro.W[0][1], ro.B[0] = big.NewRat(1, 1), big.NewRat(-1, 1), new(big.Rat)
	net := &nn.Network{InputDim: 2, Readout: ro}
	p, err := vnnlib.Parse([]byte(`(declare-const X_0 Real)(declare-const X_1 Real)(declare-const Y_0 Real)
(assert (>= X_0 0))(assert (<= X_0 1))(assert (>= X_1 0))(assert (<= X_1 1))(assert (>= Y_0 0.33333332))`))
	if err != nil {
		t.Fatal(err)
	}
	xs, skipped := BoxCandidates(p)
	if len(xs) != 5 || skipped != 0 {
		t.Fatalf("%d candidates, %d skipped", len(xs), skipped)
	}
	cs, err := CheckPoints(context.Background(), net, p, xs)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	for _, c := range cs {
		if c.Counterexample() {
			n++
			if c.X[0].Cmp(big.NewRat(1, 1)) != 0 || c.X[1].Sign() != 0 {
				t.Errorf("counterexample at %v", c.X)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d counterexamples, want the corner (1, 0)", n)
	}
	// x = (0.33333332 + 1e-21, 0): Y_0 holds exactly, and in float32 x0
	// rounds to 0.3333333134… below the bound and the constraint fails
	x0, _ := new(big.Rat).SetString("0.333333320000000000001")
	cs, err = CheckPoints(context.Background(), net, p, [][]*big.Rat{{x0, new(big.Rat)}})
	if err != nil {
		t.Fatal(err)
	}
	if !cs[0].Counterexample() || cs[0].Float32Counterexample() {
		t.Errorf("exact %v float32 %v (float32 x %v)", cs[0].Counterexample(), cs[0].Float32Counterexample(), cs[0].Float32X)
	}
}
