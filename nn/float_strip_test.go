package nn

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// floatRefF is the scalar reference of a float view, independent of the
// view's code: one point at a time, each weight rounded to F from its exact
// value, each neuron's sum starting at its bias and adding every term
// (zero weights too, as a dense Gemm) in input order, each product rounded
// to F before the add, no FMA.
func floatRefF[F float32 | float64](n *Network, x []float64) []F {
	round := func(r *big.Rat) F {
		if _, ok := any(F(0)).(float32); ok {
			v, _ := r.Float32()
			return F(v)
		}
		v, _ := r.Float64()
		return F(v)
	}
	h := make([]F, len(x))
	for i, v := range x {
		h[i] = F(v)
	}
	for _, l := range n.Layers() {
		next := make([]F, l.Out())
		for j := range l.W {
			z := round(l.B[j])
			for i, w := range l.W[j] {
				z = z + F(round(w)*h[i])
			}
			switch l.Act[j] {
			case Sigmoid:
				z = F(1 / (1 + math.Exp(-float64(z))))
			default:
				z = refActFloat(l.Act[j], z)
			}
			next[j] = z
		}
		h = next
	}
	return h
}

// stripNetwork is a random network for the strip path: widths up to 40
// (tiles, partial tiles, row-mode layers of 1–3 neurons), layers dense or
// mostly zero (sparse), every activation, weights of mixed magnitudes.
func stripNetwork(rng *rand.Rand, d int) *Network {
	net := &Network{InputDim: d}
	in := d
	depth := 1 + rng.IntN(5)
	for k := range depth + 1 {
		out := 1 + rng.IntN(40)
		if rng.IntN(3) == 0 {
			out = 1 + rng.IntN(3)
		}
		if k == depth {
			out = 1 + rng.IntN(4)
		}
		l := NewLayer(in, out, ReLU)
		zeros := []int{6, 6, 1}[rng.IntN(3)] // 1/6 zero weights, or almost all
		for j := range out {
			for i := range in {
				if rng.IntN(zeros) == 0 && zeros > 1 || zeros == 1 && rng.IntN(8) != 0 {
					continue
				}
				l.W[j][i] = new(big.Rat).SetFloat64(math.Ldexp(rng.NormFloat64(), rng.IntN(8)-4))
			}
			l.B[j] = new(big.Rat).SetFloat64(rng.NormFloat64())
			l.Act[j] = Activation(rng.IntN(4))
			if rng.IntN(2) == 0 {
				l.Act[j] = ReLU
			}
		}
		if k == depth {
			net.Readout = l
		} else {
			net.Hidden = append(net.Hidden, l)
		}
		in = out
	}
	return net
}

// TestFloatStripBitIdentical: the strip evaluation (dense layers on the
// strip kernels, wide layers streamed in panels, sparse layers per strip)
// gives, in float32 and float64, bit for bit the outputs of the
// independent scalar reference, on random networks and inputs that
// include ±Inf, NaN and values beyond float32's range; with the thresholds
// lowered so that every path runs.
func TestFloatStripBitIdentical(t *testing.T) {
	defer func(a, b, c int) { stripStreamMin, stripPanel, rowModeMax = a, b, c }(stripStreamMin, stripPanel, rowModeMax)
	rng := rand.New(rand.NewPCG(21, 22))
	paths := map[string]bool{}
	for it := range 150 {
		stripStreamMin, stripPanel = []int{1024, 7, 13}[it%3], []int{6, 12, 240}[it%3]
		d := 1 + rng.IntN(12)
		net := stripNetwork(rng, d)
		xs := make([][]float64, 1+rng.IntN(150))
		for p := range xs {
			xs[p] = randomInput(rng, d)
			if rng.IntN(10) == 0 {
				xs[p][rng.IntN(d)] = []float64{math.Inf(1), math.Inf(-1), math.NaN(), 1e300}[rng.IntN(4)]
			}
		}
		checkStrip(t, net, xs, paths, func(f *FloatNet[float32], x []float64) []float32 { return floatRefF[float32](net, x) }, net.Float32())
		checkStrip(t, net, xs, paths, func(f *FloatNet[float64], x []float64) []float64 { return floatRefF[float64](net, x) }, net.Float64())
	}
	for _, p := range []string{"strip", "streamed", "rowMode", "sparse-in-strip", "scalar"} {
		if !paths[p] {
			t.Errorf("no random network took the %s path", p)
		}
	}
}

func checkStrip[F float32 | float64](t *testing.T, net *Network, xs [][]float64, paths map[string]bool, ref func(*FloatNet[F], []float64) []F, f *FloatNet[F]) {
	t.Helper()
	if f.strips == nil {
		paths["scalar"] = true
	} else {
		paths["strip"] = true
		for k, d := range f.strips.dense {
			paths["streamed"] = paths["streamed"] || f.strips.streamed[k]
			paths["rowMode"] = paths["rowMode"] || d != nil && d.rowMode
			paths["sparse-in-strip"] = paths["sparse-in-strip"] || d == nil
		}
	}
	outs := make([][]F, len(xs))
	for p := range outs {
		outs[p] = make([]F, net.OutputDim())
	}
	if err := f.EvalBatch(xs, outs); err != nil {
		t.Fatal(err)
	}
	for p, x := range xs {
		want := ref(f, x)
		for j := range want {
			got := outs[p][j]
			if math.Float64bits(float64(got)) != math.Float64bits(float64(want[j])) && !(got != got && want[j] != want[j]) {
				t.Fatalf("%T point %d output %d: view %v, reference %v (strip plan %v)", got, p, j, got, want[j], f.strips != nil)
			}
		}
	}
}

// TestFloatViewUnreadInputs: on the layer path, a batch whose coordinates
// all convert to finite numbers loads only the coordinates the first layer
// reads (loadRead); the outputs are still bit for bit those of the
// independent dense reference, in float32 and float64, and a non-finite
// value in an unread coordinate (1e39 is +Inf in float32, or ±Inf, NaN)
// still makes every first-layer neuron NaN at that point (0·Inf), in
// batches of finite points and of mixed ones; 2^128 − 2^103 (+Inf in
// float32, rounding to even) counts as non-finite and the float64 just
// below it (MaxFloat32) as finite.
func TestFloatViewUnreadInputs(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	for range 20 {
		d := 20 + rng.IntN(40)
		first := NewLayer(d, 4+rng.IntN(8), ReLU)
		for j := range first.W {
			for range 1 + rng.IntN(2) {
				first.W[j][rng.IntN(d/4)].SetInt64(int64(rng.IntN(9) - 4))
			}
			first.B[j].SetInt64(int64(rng.IntN(5)))
		}
		ro := NewLayer(first.Out(), 3, Identity)
		for j := range ro.W {
			for i := range ro.W[j] {
				ro.W[j][i].SetInt64(int64(rng.IntN(5) - 2))
			}
		}
		net := &Network{InputDim: d, Hidden: []Layer{first}, Readout: ro}
		xs := make([][]float64, 600)
		for p := range xs {
			xs[p] = randomInput(rng, d)
			if p >= 550 && rng.IntN(3) == 0 {
				xs[p][rng.IntN(d)] = []float64{math.Inf(1), math.Inf(-1), math.NaN(), 1e39, -(0x1p128 - 0x1p103)}[rng.IntN(5)]
			}
			if rng.IntN(20) == 0 { // the largest float64 that stays finite in float32
				xs[p][rng.IntN(d)] = math.Nextafter(0x1p128-0x1p103, 0)
			}
		}
		f32, f64 := net.Float32(), net.Float64()
		if f32.strips != nil || f32.readIn == nil || len(f32.readIn) >= d {
			t.Fatalf("d=%d: the case does not take the layer path with unread inputs (strips %v, %d read)", d, f32.strips != nil, len(f32.readIn))
		}
		checkStrip(t, net, xs, map[string]bool{}, func(f *FloatNet[float32], x []float64) []float32 { return floatRefF[float32](net, x) }, f32)
		checkStrip(t, net, xs, map[string]bool{}, func(f *FloatNet[float64], x []float64) []float64 { return floatRefF[float64](net, x) }, f64)
	}
}
