package train

import (
	"context"
	"math"
	"math/big"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/memnet/memnet/nn"
)

// images returns n random h×w×c images of integer pixels 0…255 and labels
// drawn uniformly from m classes.
func images(n, h, w, c, m int, seed uint64) ([][]float64, []int) {
	rng := rand.New(rand.NewPCG(seed, 17))
	xs := make([][]float64, n)
	y := make([]int, n)
	for i := range xs {
		xs[i] = make([]float64, h*w*c)
		for j := range xs[i] {
			xs[i][j] = float64(rng.IntN(256))
		}
		y[i] = rng.IntN(m)
	}
	return xs, y
}

func convObjective(net *ConvNet[float64], xs [][]float64, y []int, loss Loss) float64 {
	ev := newConvEvaluator(net, loss)
	s, _ := ev.step(net.inputs(xs), y, false)
	return s / float64(len(y))
}

// TestConvGradient compares the backward pass with central differences:
// several channel counts (our loops where 9·in·out < 64, the GEMM above),
// both losses, non-square images, several input channels, batches cut into
// chunks; and the backward pass that recomputes the im2col rows with the
// one that keeps them from the forward pass (the same numbers).
func TestConvGradient(t *testing.T) {
	cases := []struct {
		name string
		arch ConvArch
		n    int
		loss Loss
	}{
		{"stem-only", ConvArch{H: 4, W: 5, Cin: 2, C: 3, B: 0, Out: 3}, 7, CrossEntropy},
		{"blocks-ce", ConvArch{H: 5, W: 4, Cin: 1, C: 3, B: 2, Out: 4}, 40, CrossEntropy},
		{"blocks-sq", ConvArch{H: 3, W: 3, Cin: 3, C: 2, B: 3, Out: 2}, 9, Squared},
		{"gemm", ConvArch{H: 4, W: 4, Cin: 1, C: 11, B: 1, Out: 3}, 6, CrossEntropy},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			xs, y := images(c.n, c.arch.H, c.arch.W, c.arch.Cin, c.arch.Out, 3)
			net, err := NewConv[float64](c.arch, rand.New(rand.NewPCG(1, 2)))
			if err != nil {
				t.Fatal(err)
			}
			net.Standardize(xs)
			ev := newConvEvaluator(net, c.loss)
			ev.step(net.inputs(xs), y, true)
			rng := rand.New(rand.NewPCG(5, 6))
			checked := map[int]bool{}
			for range 40 {
				i := rng.IntN(len(net.Params))
				checked[i] = true
				old := net.Params[i]
				const h = 1e-6
				net.Params[i] = old + h
				fp := convObjective(net, xs, y, c.loss)
				net.Params[i] = old - h
				fm := convObjective(net, xs, y, c.loss)
				net.Params[i] = old
				num := (fp - fm) / (2 * h)
				if d := math.Abs(num - ev.grad[i]); d > 1e-5*(1+math.Abs(num)) {
					t.Errorf("parameter %d: backward %.9g, finite difference %.9g", i, ev.grad[i], num)
				}
			}
			if len(checked) < 20 {
				t.Fatalf("only %d parameters checked", len(checked))
			}
			var grads [2][]float64
			for k, keep := range []bool{true, false} {
				wk := net.newWork(c.n, keep)
				wk.grad = make([]float64, len(net.Params))
				copy(wk.x, net.inputs(xs))
				o := net.forward(c.n, wk)
				lossGrad(c.loss, c.n, c.arch.Out, o, y, 1/float64(c.n), wk.dout)
				net.backward(c.n, wk)
				grads[k] = wk.grad
			}
			for i, v := range grads[0] {
				if grads[1][i] != v || math.Abs(v-ev.grad[i]) > 1e-12*(1+math.Abs(v)) {
					t.Fatalf("parameter %d: gradient %.17g with the im2col rows kept, %.17g recomputed, %.17g in chunks", i, v, grads[1][i], ev.grad[i])
				}
			}
		})
	}
}

// directConv is the 3×3 same-padded convolution computed from its
// definition (a reference for im2col + affine).
func directConv(h, w, cin, cout int, img, wt, b []float64) []float64 {
	out := make([]float64, h*w*cout)
	for y := range h {
		for x := range w {
			for o := range cout {
				s := b[o]
				for ky := -1; ky <= 1; ky++ {
					for kx := -1; kx <= 1; kx++ {
						yy, xx := y+ky, x+kx
						if yy < 0 || yy >= h || xx < 0 || xx >= w {
							continue
						}
						for i := range cin {
							s += img[(yy*w+xx)*cin+i] * wt[(((ky+1)*3+kx+1)*cin+i)*cout+o]
						}
					}
				}
				out[(y*w+x)*cout+o] = s
			}
		}
	}
	return out
}

// TestConvForward checks the stem's feature map against the convolution's
// definition, and the exported .mnet's exact outputs against the float64
// network on random images (standardization folded in, border pixels,
// several input channels, the pooled read-out).
func TestConvForward(t *testing.T) {
	a := ConvArch{H: 5, W: 6, Cin: 2, C: 3, B: 2, Out: 3}
	xs, _ := images(12, a.H, a.W, a.Cin, a.Out, 8)
	net, err := NewConv[float64](a, rand.New(rand.NewPCG(4, 4)))
	if err != nil {
		t.Fatal(err)
	}
	net.Standardize(xs)
	wk := net.newWork(len(xs), false)
	in := net.inputs(xs)
	copy(wk.x, in)
	net.forward(len(xs), wk)
	P := a.H * a.W
	for p := range xs {
		want := directConv(a.H, a.W, a.Cin, a.C, in[p*P*a.Cin:(p+1)*P*a.Cin], net.Params[net.stem.w:net.stem.b], net.Params[net.stem.b:net.stem.b+a.C])
		for i, v := range want {
			v = max(v, 0)
			// want is pixel-major (pixel·C + channel); the map is channel-major.
			q, o := i/a.C, i%a.C
			if got := wk.acts[0][o*len(xs)*P+p*P+q]; math.Abs(got-v) > 1e-12*(1+math.Abs(v)) {
				t.Fatalf("image %d stem value %d: %g, definition %g", p, i, got, v)
			}
		}
	}
	nw, err := net.ToNetwork()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(nw.Hidden), a.Depth(); got != want {
		t.Fatalf("exported depth %d, want %d", got, want)
	}
	e, err := nn.CompileExact(nw, xs)
	if err != nil {
		t.Fatal(err)
	}
	exact, err := e.Outputs(context.Background(), xs, nil)
	if err != nil {
		t.Fatal(err)
	}
	fl := net.Outputs(xs)
	for p := range xs {
		for m := range a.Out {
			v, _ := exact[p][m].Float64()
			if math.Abs(v-fl[p][m]) > 1e-9*(1+math.Abs(v)) {
				t.Fatalf("image %d output %d: exact %.15g, float %.15g", p, m, v, fl[p][m])
			}
		}
	}
	big := ConvArch{H: 28, W: 28, Cin: 1, C: 16, B: 1, Out: 10}
	bn, err := NewConv[float32](big, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bn.ToNetwork(); err == nil {
		t.Fatalf("28×28, 16 channels: %.3g dense entries written; want a refusal", big.UnrolledWeights())
	}
}

// TestConvTrainedExport: a small convolutional residual network trained in
// Go on random-label images is written to .mnet, read back, verified
// exactly, and its exact class equals its float32 class on every training
// image.
func TestConvTrainedExport(t *testing.T) {
	a := ConvArch{H: 6, W: 6, Cin: 1, C: 4, B: 1, Out: 3}
	xs, y := images(24, a.H, a.W, a.Cin, a.Out, 11)
	net, err := NewConv[float32](a, rand.New(rand.NewPCG(7, 7)))
	if err != nil {
		t.Fatal(err)
	}
	net.Standardize(xs)
	cfg := Config{Optimizer: Adam, LR: 0.01, Epochs: 300, Batch: 8, Seed: 3}
	res, err := TrainConv(context.Background(), net, xs, y, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.FloatCorrect != len(xs) {
		t.Fatalf("training reached %d/%d (float32)", res.FloatCorrect, len(xs))
	}
	nw, err := net.ToNetwork()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "conv.mnet")
	if err := (&nn.Model{Net: nw, Method: "train", Classes: []string{"a", "b", "c"}, Points: len(xs)}).Save(path); err != nil {
		t.Fatal(err)
	}
	m, err := nn.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := nn.ExactVerdict(context.Background(), m.Net, xs, y, a.Out, nn.ExactOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Exact || rep.ExactCorrect != len(xs) {
		t.Fatalf("exact verifier: %d/%d", rep.ExactCorrect, len(xs))
	}
	e, err := nn.CompileExact(m.Net, xs)
	if err != nil {
		t.Fatal(err)
	}
	cls, _, err := e.Classes(context.Background(), xs, a.Out, y, nil)
	if err != nil {
		t.Fatal(err)
	}
	fl := net.Outputs(xs)
	for p := range xs {
		if f := argmaxStrict(fl[p]); cls[p] != f {
			t.Errorf("image %d: exact class %d, float32 class %d", p, cls[p], f)
		}
	}
	// the saved weights are the float32 weights, exactly (the stem's over
	// the standardization's power-of-two scale)
	w := new(big.Rat).Mul(m.Net.Hidden[0].W[0][0], new(big.Rat).SetFloat64(net.Scale[0]))
	if f, exact := w.Float32(); !exact || f != net.Params[net.stem.w+4*a.C] {
		t.Fatalf("saved stem weight ×scale %s is not the trained float32 %g", w.RatString(), net.Params[net.stem.w+4*a.C])
	}
}

// TestConvTrainStops: training returns the context's error within a second
// of its end (checked before every batch).
func TestConvTrainStops(t *testing.T) {
	a := ConvArch{H: 8, W: 8, Cin: 1, C: 8, B: 2, Out: 3}
	xs, y := images(256, a.H, a.W, a.Cin, a.Out, 1)
	net, err := NewConv[float32](a, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	t0 := time.Now()
	_, err = TrainConv(ctx, net, xs, y, Config{Optimizer: SGD, Epochs: 100000, Batch: 64, LR: 0.01})
	if err == nil || time.Since(t0) > 1100*time.Millisecond {
		t.Fatalf("err %v after %v; want the context's error within a second", err, time.Since(t0))
	}
}
