package nn

import (
	"context"
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
)

// gemm32 evaluates net as a float32 framework does, emulated exactly: every
// coordinate converted to float32 (beyond the range: ±Inf), every column a
// product (zero weights included), each product rounded to float32, the
// terms and the bias added in the order perm gives (a fresh permutation per
// neuron from rng), each sum rounded to float32; with ftz, subnormal inputs,
// products and sums are flushed to zero (FTZ/DAZ).
func gemm32(net *Network, x []float64, rng *rand.Rand, ftz bool) []float32 {
	flush := func(v float32) float32 {
		if ftz && v != 0 && math.Abs(float64(v)) < 0x1p-126 {
			return 0
		}
		return v
	}
	h := make([]float32, len(x))
	for i, v := range x {
		h[i] = flush(float32(v))
	}
	for _, l := range net.Layers() {
		next := make([]float32, l.Out())
		for j := range l.W {
			terms := make([]float32, 0, len(l.W[j])+1)
			for i, w := range l.W[j] {
				wf, _ := w.Float32()
				terms = append(terms, flush(wf*h[i]))
			}
			b, _ := l.B[j].Float32()
			terms = append(terms, flush(b))
			var z float32
			for _, k := range rng.Perm(len(terms)) {
				z = flush(z + terms[k])
			}
			next[j] = refActFloat(l.Act[j], z)
		}
		h = next
	}
	return h
}

// certCase draws a small network with dyadic weights (some zero, some
// tiny) and points whose coordinates include huge (past float32's range),
// tiny, subnormal and unused ones.
func certCase(rng *rand.Rand) (*Network, [][]float64) {
	d := 1 + rng.IntN(4)
	dyadic := func() *big.Rat {
		if rng.IntN(4) == 0 {
			return new(big.Rat)
		}
		r := big.NewRat(int64(rng.IntN(9)-4), 1)
		e := rng.IntN(12) - 6
		if rng.IntN(10) == 0 {
			e = -130 - rng.IntN(20) // tiny weights
		}
		if e >= 0 {
			return r.Mul(r, new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), uint(e))))
		}
		return r.Quo(r, new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), uint(-e))))
	}
	net := &Network{InputDim: d}
	in := d
	for range 1 + rng.IntN(2) {
		out := 1 + rng.IntN(3)
		l := NewLayer(in, out, ReLU)
		for j := range out {
			for i := range in {
				l.W[j][i] = dyadic()
			}
			l.B[j] = dyadic()
			l.Act[j] = []Activation{ReLU, Identity, Step}[rng.IntN(3)]
		}
		net.Hidden = append(net.Hidden, l)
		in = out
	}
	ro := NewLayer(in, 1+rng.IntN(2), Identity)
	for j := range ro.W {
		for i := range in {
			ro.W[j][i] = dyadic()
		}
		ro.B[j] = dyadic()
	}
	net.Readout = ro
	// unused columns: zero in every first-layer row
	for i := range d {
		if rng.IntN(3) == 0 {
			for j := range net.Hidden[0].W {
				net.Hidden[0].W[j][i].SetInt64(0)
			}
		}
	}
	specials := []float64{1e39, -1e39, 3.4028235e38, 3.5e38, 1e-45, 0x1p-140, 0x1p-149, 0x1p-126, 1e-300, 0.1, 1e20}
	xs := make([][]float64, 1+rng.IntN(4))
	for p := range xs {
		xs[p] = make([]float64, d)
		for i := range d {
			if rng.IntN(4) == 0 {
				xs[p][i] = specials[rng.IntN(len(specials))]
			} else {
				xs[p][i] = float64(rng.IntN(17) - 8)
			}
		}
	}
	return net, xs
}

// checkCertGemm: when the float32 certificate is proven, every emulated
// float32 Gemm evaluation (random orders, with and without FTZ) returns the
// exact outputs at every point; it reports whether the certificate was proven.
func checkCertGemm(t *testing.T, net *Network, xs [][]float64, rng *rand.Rand) bool {
	t.Helper()
	c, err := certify(net, xs, CertFloat32)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Proven {
		return false
	}
	for p, x := range xs {
		exact := refEval(net, x)
		for trial := range 4 {
			got := gemm32(net, x, rng, trial%2 == 1)
			for j, e := range exact {
				if ef, _ := e.Float64(); float64(got[j]) != ef || math.IsNaN(float64(got[j])) {
					t.Fatalf("certificate %q proven, yet a float32 Gemm (ftz %v) gives %v at point %d output %d, exact %s (x = %v)",
						c.Summary(), trial%2 == 1, got[j], p, j, e.RatString(), x)
				}
			}
		}
	}
	return true
}

// TestCertificateFrameworkInputs: the three ways the certificate used to
// claim too much. A coordinate no neuron reads but that overflows float32
// (1e39 becomes +Inf, 0·Inf = NaN in every framework) refuses the float32
// certificate (float64 holds); a read subnormal coordinate refuses it (a
// runtime that flushes subnormals computes another value); an unread
// subnormal or tiny coordinate does not.
func TestCertificateFrameworkInputs(t *testing.T) {
	net := oneNeuron(ints(1, 0), new(big.Rat))
	for _, c := range []struct {
		x      []float64
		proven bool
		reason string
	}{
		{[]float64{3, 1e39}, false, "±Inf"},
		{[]float64{3, -1e39}, false, "±Inf"},
		{[]float64{3, 3.4028235e38}, true, ""},
		{[]float64{0x1p-140, 1}, false, "not a float32 number"},
		{[]float64{3, 0x1p-140}, true, ""},
		{[]float64{3, 1e-300}, true, ""},
	} {
		cert, err := certify(net, [][]float64{c.x}, CertFloat32)
		if err != nil {
			t.Fatal(err)
		}
		if cert.Proven != c.proven || !strings.Contains(cert.Reason, c.reason) {
			t.Errorf("x = %v: proven %v (%q), want %v (%q)", c.x, cert.Proven, cert.Reason, c.proven, c.reason)
		}
		if c.proven {
			checkCertGemm(t, net, [][]float64{c.x}, rand.New(rand.NewPCG(1, 2)))
		}
	}
	if c64, _ := certify(net, [][]float64{{3, 1e39}}, CertFloat64); !c64.Proven {
		t.Errorf("float64: %s", c64.Reason)
	}
}

// TestFloatViewGemm: the float32 view evaluates every column, so the
// unread 1e39 coordinate makes its output NaN (no class), as onnxruntime
// does, while float64 classifies the point; a hidden value that overflows
// float32 meets a zero weight in the next layer and gives NaN too.
func TestFloatViewGemm(t *testing.T) {
	net := oneNeuron(ints(1, 0), new(big.Rat))
	xs, y := [][]float64{{1, 1e39}, {1, 2}}, []int{1, 1}
	fc := FloatCounts(context.Background(), net, xs, y, 2, FloatOptions{})
	if fc.Float32Correct != 1 || fc.Float64Correct != 2 {
		t.Errorf("counts %+v, want float32 1 (the 1e39 point is NaN) and float64 2", fc)
	}
	out := make([]float32, 1)
	if err := net.Float32().Eval(xs[0], out); err != nil || !math.IsNaN(float64(out[0])) {
		t.Errorf("float32 output %v (%v), want NaN", out[0], err)
	}
	// x ↦ h = ReLU(2^100·x) (+Inf in float32 at x = 2^30), read-out 0·h + 1
	h := NewLayer(1, 2, ReLU)
	h.W[0][0].SetFrac(new(big.Int).Lsh(big.NewInt(1), 100), big.NewInt(1))
	h.W[1][0].SetInt64(1)
	ro := NewLayer(2, 1, Identity)
	ro.W[0][1].SetInt64(0)
	ro.B[0].SetInt64(1)
	deep := &Network{InputDim: 1, Hidden: []Layer{h}, Readout: ro}
	if err := deep.Float32().Eval([]float64{0x1p30}, out); err != nil || !math.IsNaN(float64(out[0])) {
		t.Errorf("float32 output %v (%v), want NaN (0·Inf)", out[0], err)
	}
	if err := deep.Float32().Eval([]float64{0}, out); err != nil || out[0] != 1 {
		t.Errorf("float32 output at 0: %v (%v), want 1", out[0], err)
	}
}

// TestCertificateGemmRandom: on random small networks and points with
// huge, tiny, subnormal and unused coordinates, a proven float32
// certificate is never contradicted by an emulated float32 Gemm.
func TestCertificateGemmRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 20))
	proven := 0
	for range 3000 {
		net, xs := certCase(rng)
		if checkCertGemm(t, net, xs, rng) {
			proven++
		}
	}
	if proven < 300 {
		t.Fatalf("only %d of 3000 random cases proven: the check is hardly exercised", proven)
	}
}

// FuzzCertificateGemm is TestCertificateGemmRandom driven by the fuzzer's seeds.
func FuzzCertificateGemm(f *testing.F) {
	for s := range uint64(8) {
		f.Add(s, s*7+1)
	}
	f.Fuzz(func(t *testing.T, a, b uint64) {
		rng := rand.New(rand.NewPCG(a, b))
		net, xs := certCase(rng)
		checkCertGemm(t, net, xs, rng)
	})
}
