package nn

import (
	"context"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// refActFloat applies a (not sigmoid) in floating point.
func refActFloat[F float32 | float64](a Activation, z F) F {
	switch a {
	case ReLU:
		if z < 0 {
			return 0
		}
	case Step:
		if z >= 0 {
			return 1
		}
		return 0
	}
	return z
}

// floatRef is the float64 reference: one point at a time, bias first, then
// every weight in input order (zero weights too, as a dense Gemm), each
// product rounded.
func floatRef(n *Network, x []float64) []float64 {
	h := append([]float64(nil), x...)
	for _, l := range n.Layers() {
		next := make([]float64, l.Out())
		for j := range l.W {
			z, _ := l.B[j].Float64()
			for i, w := range l.W[j] {
				wf, _ := w.Float64()
				z += float64(wf * h[i]) // every column, as a dense Gemm: 0·Inf is NaN
			}
			next[j] = refActFloat(l.Act[j], z)
		}
		h = next
	}
	return h
}

// TestFloatLayerMajorBitIdentical: the batched, points-innermost float64
// pass gives bit for bit the outputs of the point-at-a-time reference.
func TestFloatLayerMajorBitIdentical(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		d := 1 + rng.IntN(4)
		net := randomNetwork(rng, d, rng.IntN(2) == 0)
		xs := make([][]float64, 1+rng.IntN(40))
		for p := range xs {
			xs[p] = randomInput(rng, d)
		}
		outs := make([][]float64, len(xs))
		for p := range outs {
			outs[p] = make([]float64, net.OutputDim())
		}
		if err := net.Float64().EvalBatch(xs, outs); err != nil {
			t.Fatal(err)
		}
		for p, x := range xs {
			want := floatRef(net, x)
			for j := range want {
				if math.Float64bits(outs[p][j]) != math.Float64bits(want[j]) && !(math.IsNaN(outs[p][j]) && math.IsNaN(want[j])) {
					t.Fatalf("point %d output %d: batch %v, reference %v", p, j, outs[p][j], want[j])
				}
			}
		}
	}
}

func huge(sign int64) *big.Rat {
	return new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(sign), 1100))
}

// TestFloatHopeless: an overflowing weight that reaches the output makes the
// float64 view 0/N with a reason and no evaluation; one that a ReLU can
// clip (−Inf) or a STEP absorbs does not, and the counts are then those of
// an actual evaluation.
func TestFloatHopeless(t *testing.T) {
	xs := [][]float64{{0}, {1}, {-2}, {0.5}}
	y := []int{0, 1, 0, 1}
	mk := func(w *big.Rat, act Activation) *Network {
		net := &Network{InputDim: 1, Hidden: []Layer{NewLayer(1, 1, act)}, Readout: NewLayer(1, 1, Identity)}
		net.Hidden[0].W[0][0].Set(w)
		net.Readout.W[0][0].SetInt64(1)
		return net
	}
	// +Inf·x is NaN at 0, ±Inf elsewhere: the identity passes it on
	net := mk(huge(1), Identity)
	f := net.Float64()
	if ok, why := f.Hopeless(); !ok || why == "" {
		t.Fatalf("identity +Inf weight: hopeless %v %q", ok, why)
	}
	fc := FloatCounts(context.Background(), net, xs, y, 2, FloatOptions{})
	if fc.Float64Correct != 0 || fc.Float64Overflow != 1 || fc.Float64Rounded != 1 || fc.Float64Note == "" {
		t.Fatalf("identity +Inf weight: %+v", fc)
	}
	// float32 overflows too; both skipped
	if fc.Float32Overflow != 1 || fc.Float32Note == "" {
		t.Fatalf("float32: %+v", fc)
	}
	// −Inf through ReLU is 0 and STEP absorbs anything: nothing provable;
	// the counts are those of the point-at-a-time reference
	for _, act := range []Activation{ReLU, Step} {
		net := mk(huge(-1), act)
		if ok, _ := net.Float64().Hopeless(); ok {
			t.Fatalf("%v −Inf weight judged hopeless", act)
		}
		fc := FloatCounts(context.Background(), net, xs, y, 2, FloatOptions{})
		want := 0
		for p, x := range xs {
			if ClassOfFloat(floatRef(net, x), 2) == y[p] {
				want++
			}
		}
		if fc.Float64Correct != want {
			t.Fatalf("%v: float64 correct %d, reference %d", act, fc.Float64Correct, want)
		}
	}
}

// TestFloatProofsSound: on random networks with some weights past the
// float64 range, whenever the view is judged hopeless (or a batch stops
// early) no point is right in an actual evaluation, and FloatCounts equals
// the count of a full point-at-a-time evaluation.
func TestFloatProofsSound(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	hopeless := 0
	for range 200 {
		d := 1 + rng.IntN(3)
		net := randomNetwork(rng, d, false)
		for _, l := range net.Layers() {
			for j := range l.W {
				for i := range l.W[j] {
					if rng.IntN(6) == 0 {
						l.W[j][i] = huge(int64(2*rng.IntN(2) - 1))
					}
				}
				if rng.IntN(10) == 0 {
					l.B[j] = huge(int64(2*rng.IntN(2) - 1))
				}
			}
		}
		xs := make([][]float64, 150)
		y := make([]int, len(xs))
		for p := range xs {
			xs[p] = randomInput(rng, d)
			y[p] = rng.IntN(3)
		}
		want := 0
		for p, x := range xs {
			if ClassOfFloat(floatRef(net, x), 3) == y[p] {
				want++
			}
		}
		fc := FloatCounts(context.Background(), net, xs, y, 3, FloatOptions{})
		if fc.Float64Correct != want {
			t.Fatalf("float64 correct %d, point-at-a-time reference %d (note %q)", fc.Float64Correct, want, fc.Float64Note)
		}
		if fc.Float64Note != "" {
			hopeless++
		}
	}
	if hopeless == 0 {
		t.Fatal("no random network was judged hopeless: the proof is not exercised")
	}
	t.Logf("%d of 200 networks judged 0/N from their weights; every count equals the full evaluation", hopeless)
}
