package train

import (
	"bytes"
	"context"
	"math"
	"math/big"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/memnet/memnet/construct"
	_ "github.com/memnet/memnet/construct/hz"
	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
)

// objective is E(θ) on all points, in float64.
func objective(net *Net[float64], xs [][]float64, y []int, loss Loss) float64 {
	ev := newEvaluator(net, loss, len(y))
	s, _ := ev.step(net.inputs(xs), y, false)
	return s / float64(len(y))
}

// TestGradient compares the backward pass with central differences on MLPs,
// residual blocks, identity neurons, both losses, wide (BLAS) and narrow
// (own loops) layers.
func TestGradient(t *testing.T) {
	ds := data.Gaussian(40, 6, 3, 1)
	cases := []struct {
		name string
		arch Arch
		loss Loss
	}{
		{"mlp-ce", Arch{In: 6, Out: 3, Hidden: []int{5, 4}}, CrossEntropy},
		{"mlp-sq", Arch{In: 6, Out: 3, Hidden: []int{2, 2, 2}}, Squared},
		{"scalar", Arch{In: 6, Out: 1, Hidden: []int{3}}, Squared},
		{"residual", Arch{In: 6, Out: 3, Hidden: []int{4}, Blocks: 3}, CrossEntropy},
		{"wide", Arch{In: 6, Out: 3, Hidden: []int{200}, Blocks: 1}, CrossEntropy},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			net, err := New[float64](c.arch, rand.New(rand.NewPCG(3, 4)))
			if err != nil {
				t.Fatal(err)
			}
			net.Standardize(ds.X)
			// nonzero biases: with zero biases a point whose layer input is
			// all zero sits exactly on a kink, where differences are one-sided
			rb := rand.New(rand.NewPCG(9, 9))
			for i := range net.Params {
				if net.Params[i] == 0 {
					net.Params[i] = 0.1 * rb.NormFloat64()
				}
			}
			if c.name == "mlp-ce" {
				net.layers[0].ident = []bool{false, true, false, true, false}
			}
			ev := newEvaluator(net, c.loss, len(ds.Y))
			ev.step(net.inputs(ds.X), ds.Y, true)
			rng := rand.New(rand.NewPCG(5, 6))
			for range 30 {
				i := rng.IntN(len(net.Params))
				old := net.Params[i]
				const h = 1e-6
				net.Params[i] = old + h
				fp := objective(net, ds.X, ds.Y, c.loss)
				net.Params[i] = old - h
				fm := objective(net, ds.X, ds.Y, c.loss)
				net.Params[i] = old
				num := (fp - fm) / (2 * h)
				if d := math.Abs(num - ev.grad[i]); d > 1e-5*(1+math.Abs(num)) {
					t.Errorf("parameter %d: backward %.9g, finite difference %.9g", i, ev.grad[i], num)
				}
			}
		})
	}
}

func encode(t *testing.T, nw *nn.Network) []byte {
	t.Helper()
	var buf bytes.Buffer
	m := &nn.Model{Net: nw, Method: "train", Classes: []string{"0", "1", "2"}}
	if err := m.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestDeterministic trains twice with the same seed, on one and on two
// threads, and wants byte-identical networks; a different seed differs.
func TestDeterministic(t *testing.T) {
	ds := data.Gaussian(300, 8, 3, 2)
	run := func(procs int, seed uint64, dtype string) []byte {
		old := runtime.GOMAXPROCS(procs)
		defer runtime.GOMAXPROCS(old)
		cfg := Config{Optimizer: SGD, Epochs: 3, Batch: 64, Momentum: 0.9, LR: 0.05, Lambda: 1e-4, Seed: seed, Milestones: []float64{0.5}}
		a := Arch{In: 8, Out: 3, Hidden: []int{40, 40}, Blocks: 2}
		if dtype == "float32" {
			net, _ := New[float32](a, rand.New(rand.NewPCG(seed, 1)))
			net.Standardize(ds.X)
			if _, err := Train(context.Background(), net, ds.X, ds.Y, cfg); err != nil {
				t.Fatal(err)
			}
			nw, err := net.ToNetwork()
			if err != nil {
				t.Fatal(err)
			}
			return encode(t, nw)
		}
		net, _ := New[float64](a, rand.New(rand.NewPCG(seed, 1)))
		net.Standardize(ds.X)
		if _, err := Train(context.Background(), net, ds.X, ds.Y, cfg); err != nil {
			t.Fatal(err)
		}
		nw, err := net.ToNetwork()
		if err != nil {
			t.Fatal(err)
		}
		return encode(t, nw)
	}
	for _, dt := range []string{"float64", "float32"} {
		a, b := run(1, 7, dt), run(2, 7, dt)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: same seed, 1 vs 2 threads: networks differ", dt)
		}
		if bytes.Equal(a, run(2, 8, dt)) {
			t.Errorf("%s: seeds 7 and 8 give the same network", dt)
		}
	}
}

// TestTrainVerify trains an MLP to memorize a small set and checks that the
// exact verdict on the saved network (standardization folded in) agrees
// with the float accuracy, and that the saved network's float64 outputs
// are the trained network's outputs.
func TestTrainVerify(t *testing.T) {
	ds := data.Gaussian(120, 5, 3, 3)
	for i := range ds.X { // raw data far from standardized
		for k := range ds.X[i] {
			ds.X[i][k] = 300 + 70*ds.X[i][k]
		}
	}
	for _, opt := range []Optimizer{Adam, SGD, LBFGS} {
		net, err := New[float64](Arch{In: 5, Out: 3, Hidden: []int{32, 32}}, rand.New(rand.NewPCG(1, 1)))
		if err != nil {
			t.Fatal(err)
		}
		net.Standardize(ds.X)
		cfg := Config{Optimizer: opt, Epochs: 300, Batch: 32, Momentum: 0.9, LR: 0.01, Seed: 1}
		if opt == Adam {
			cfg.LR = 0.01
		}
		res, err := Train(context.Background(), net, ds.X, ds.Y, cfg)
		if err != nil {
			t.Fatal(err)
		}
		nw, ex, err := Verify(net, ds.X, ds.Y, 3)
		if err != nil {
			t.Fatal(err)
		}
		if res.FloatCorrect != len(ds.Y) || !ex.Exact {
			t.Errorf("%s: float %d/%d, exact %d/%d; want all (loss %.3g)", opt, res.FloatCorrect, len(ds.Y), ex.Correct, ex.Points, res.Loss)
		}
		if !nw.Stats().Dyadic || !strings.HasPrefix(ex.Evaluator, "exact engine, layer-major integer words") {
			t.Errorf("%s: dyadic %v, exact evaluator %q; trained weights are dyadic and run in integer words", opt, nw.Stats().Dyadic, ex.Evaluator)
		}
		// the saved network computes what was trained
		f := nw.Float64()
		ev := newEvaluator(net, CrossEntropy, len(ds.Y))
		wk := ev.works[0]
		copy(wk.x, net.inputs(ds.X[:1]))
		o := net.forward(1, wk)
		out := make([]float64, 3)
		if err := f.Eval(ds.X[0], out); err != nil {
			t.Fatal(err)
		}
		for j := range out {
			if math.Abs(out[j]-o[j]) > 1e-9*(1+math.Abs(o[j])) {
				t.Errorf("%s: saved output %d is %v, trained %v", opt, j, out[j], o[j])
			}
		}
	}
}

// TestWarmStartHZ loads a Hernández–Zuazua network into the trainer: at step
// 0 it memorizes exactly, in its exact file form and after rounding every
// weight to float64; a few epochs of regularized training keep it exact.
func TestWarmStartHZ(t *testing.T) {
	ds := data.Spirals(30, 1)
	m, _ := construct.Lookup("hz")
	res, err := m.Build(context.Background(), ds, construct.Options{Seed: 1, Params: map[string]string{"snap": "false"}})
	if err != nil {
		t.Fatal(err)
	}
	net, err := FromNetwork[float64](res.Net)
	if err != nil {
		t.Fatal(err)
	}
	nw, ex, err := Verify(net, ds.X, ds.Y, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !ex.Exact {
		t.Fatalf("step 0: exact %d/%d", ex.Correct, ex.Points)
	}
	if !bytes.Equal(encode(t, nw), encode(t, res.Net)) {
		t.Error("step 0: the saved network is not the file's network")
	}
	rounded := net.Clone()
	rounded.orig = nil
	if _, ex, err := Verify(rounded, ds.X, ds.Y, 2); err != nil || !ex.Exact {
		t.Errorf("float64-rounded HZ network: %v %+v", err, ex)
	}
	r, err := Train(context.Background(), net, ds.X, ds.Y, Config{Optimizer: Adam, Loss: Squared, Epochs: 50, LR: 1e-4, Lambda: 1e-6, KeepBest: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, ex, err := Verify(net, ds.X, ds.Y, 2); err != nil || !ex.Exact || r.FloatCorrect != len(ds.Y) {
		t.Errorf("after 50 steps: %v %+v, float %d", err, ex, r.FloatCorrect)
	}
	if r.Loss > 1e-3 {
		t.Errorf("after 50 steps from θ*: loss %g", r.Loss)
	}
}

func TestExactParamRejectsNaN(t *testing.T) {
	net, _ := New[float32](Arch{In: 2, Out: 2, Hidden: []int{2}}, rand.New(rand.NewPCG(1, 1)))
	net.Params[3] = float32(math.NaN())
	if _, err := net.ToNetwork(); err == nil {
		t.Error("NaN parameter saved")
	}
	if r := new(big.Rat).SetFloat64(0.1); r.Denom().BitLen() != 56 {
		t.Errorf("0.1 as a dyadic: %v", r)
	}
}

// TestResidualSave checks that a residual network's saved form (each block
// as a width-2c layer with identity copies, then a width-c layer) computes
// the trained network's outputs, exactly as the float evaluation of the
// file and after a warm start from it.
func TestResidualSave(t *testing.T) {
	ds := data.Gaussian(50, 7, 4, 5)
	net, err := New[float64](Arch{In: 7, Out: 4, Hidden: []int{6}, Blocks: 3}, rand.New(rand.NewPCG(2, 2)))
	if err != nil {
		t.Fatal(err)
	}
	net.Standardize(ds.X)
	if _, err := Train(context.Background(), net, ds.X, ds.Y, Config{Optimizer: Adam, Epochs: 20, Batch: 16, LR: 0.01}); err != nil {
		t.Fatal(err)
	}
	nw, err := net.ToNetwork()
	if err != nil {
		t.Fatal(err)
	}
	if len(nw.Hidden) != 1+2*3 || nw.Hidden[1].Out() != 12 || nw.Hidden[1].Act[6] != nn.Identity || net.Depth() != 7 {
		t.Fatalf("saved shape: %d layers, layer 2 width %d", len(nw.Hidden), nw.Hidden[1].Out())
	}
	warm, err := FromNetwork[float64](nw)
	if err != nil {
		t.Fatal(err)
	}
	want := net.Outputs(ds.X)
	got := warm.Outputs(ds.X)
	f := nw.Float64()
	out := make([]float64, 4)
	for i := range want {
		if err := f.Eval(ds.X[i], out); err != nil {
			t.Fatal(err)
		}
		for j := range out {
			if math.Abs(got[i][j]-want[i][j]) > 1e-9*(1+math.Abs(want[i][j])) || math.Abs(out[j]-want[i][j]) > 1e-9*(1+math.Abs(want[i][j])) {
				t.Fatalf("point %d output %d: trained %v, warm start %v, file %v", i, j, want[i][j], got[i][j], out[j])
			}
		}
	}
}
