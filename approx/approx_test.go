package approx

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/memnet/memnet/plot"
)

func build(t testing.TB, name string, d, n int, theta float64) (*Approx, Target) {
	t.Helper()
	f, err := Named(name, d)
	if err != nil {
		t.Fatal(err)
	}
	a, err := Build(context.Background(), f, Config{N: n, Theta: theta}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return a, f
}

// The specification's prototype (§3): gauss on [−1,1]², width 3, depth
// d·n + 2n^d − 1, Φ = c_j exactly on the cores, and ‖f − Φ‖₂ ≈ ‖f − f_n‖₂
// when θ is small, halving when n doubles.
func TestPrototypeGauss2D(t *testing.T) {
	var prev float64
	for _, n := range []int{4, 8, 16} {
		a, f := build(t, "gauss", 2, n, 1e-4)
		st := a.Net.Stats()
		if st.Width != 3 || int64(st.Depth) != Depth(n, 2) || st.Depth != 2*n+2*n*n-1 {
			t.Fatalf("n=%d: width %d depth %d, want 3 and %d", n, st.Width, st.Depth, Depth(n, 2))
		}
		if !st.Dyadic {
			t.Fatalf("n=%d: weights not dyadic", n)
		}
		cc, err := CheckCores(a, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !cc.Exact || cc.Points < 3*n*n-n*n || cc.Cells != n*n {
			t.Fatalf("n=%d: core check %+v", n, cc)
		}
		e, err := Measure(context.Background(), a, f, 4, []float64{1, 2}, nil)
		if err != nil {
			t.Fatal(err)
		}
		l2 := e.Total[1]
		if math.Abs(l2-e.FN[1]) > 0.02*e.FN[1] || e.Strip[1] > e.StripBound[1] {
			t.Fatalf("n=%d: total %g, f−f_n %g, strip %g (bound %g)", n, l2, e.FN[1], e.Strip[1], e.StripBound[1])
		}
		if e.MaxCoreDeviation > 1e-6 {
			t.Fatalf("n=%d: float64 core deviation %g", n, e.MaxCoreDeviation)
		}
		t.Logf("n=%d depth %d L1 %.4g L2 %.4g (f−f_n %.4g, strip %.3g ≤ %.3g) nodes %d", n, st.Depth, e.Total[0], l2, e.FN[1], e.Strip[1], e.StripBound[1], e.Nodes)
		if prev > 0 {
			r := prev / l2
			if r < 1.8 || r > 2.2 {
				t.Fatalf("n=%d: L2 error ratio %.3f when n doubles, want ≈ 2 (first order)", n, r)
			}
		}
		prev = l2
	}
}

// Every built-in function in d = 1, 2, 3 builds with the promised width and
// depth, is exact on the cores and its measured error splits as promised.
func TestAllFunctionsAllDims(t *testing.T) {
	for _, name := range Names() {
		for d, n := range map[int]int{1: 16, 2: 8, 3: 4} {
			a, f := build(t, name, d, n, 1.0/64)
			st := a.Net.Stats()
			if st.Width != d+1 || int64(st.Depth) != Depth(n, d) {
				t.Errorf("%s d=%d: width %d depth %d, want %d and %d", name, d, st.Width, st.Depth, d+1, Depth(n, d))
			}
			cc, err := CheckCores(a, nil)
			if err != nil || !cc.Exact {
				t.Fatalf("%s d=%d: cores %+v %v", name, d, cc, err)
			}
			e, err := Measure(context.Background(), a, f, 2, []float64{1, 2}, nil)
			if err != nil {
				t.Fatal(err)
			}
			for i := range e.P {
				if e.Total[i] > e.FN[i]+e.Strip[i]+1e-12 || e.Strip[i] > e.StripBound[i] {
					t.Errorf("%s d=%d p=%g: total %g > f−f_n %g + strip %g, or strip above its bound %g", name, d, e.P[i], e.Total[i], e.FN[i], e.Strip[i], e.StripBound[i])
				}
			}
		}
	}
}

// The L² error halves when n doubles (first order) for the W^{1,p}
// functions with a kink, as for the Gaussian.
func TestFirstOrderKink(t *testing.T) {
	f, _ := Named("kink", 2)
	var prev float64
	for _, n := range []int{8, 16, 32} {
		e, err := FnError(context.Background(), f, f.Box(), n, 2, 8)
		if err != nil {
			t.Fatal(err)
		}
		if prev > 0 {
			if r := prev / e; r < 1.8 || r > 2.2 {
				t.Errorf("n=%d: ‖f − f_n‖₂ ratio %.3f, want ≈ 2", n, r)
			}
		}
		prev = e
	}
}

// Depth against ε on d = 2: the fitted log-log slope is within 0.2 of −2
// for the W^{1,p} functions (n from 8 to 64).
func TestDepthVsEpsSlope(t *testing.T) {
	for _, name := range []string{"gauss", "kink"} {
		f, _ := Named(name, 2)
		eps, err := EpsRange(context.Background(), f, f.Box(), 2, 8, 64, 6)
		if err != nil {
			t.Fatal(err)
		}
		pts, err := Scaling(context.Background(), f, f.Box(), 2, eps, 1e6, nil)
		if err != nil {
			t.Fatal(err)
		}
		s := plot.Series{}
		for _, p := range pts {
			if p.Depth != p.DepthFormula || p.Width != 3 {
				t.Errorf("%s ε=%g n=%d: built depth %d width %d, formula depth %d, width d+1 = 3", name, p.Eps, p.N, p.Depth, p.Width, p.DepthFormula)
			}
			s.X, s.Y = append(s.X, p.Eps), append(s.Y, float64(p.Depth))
			if p.FnErr > p.Eps/2 {
				t.Errorf("%s ε=%g: n=%d has ‖f − f_n‖ = %g > ε/2", name, p.Eps, p.N, p.FnErr)
			}
		}
		fit, ok := plot.FitPowerLaw(s)
		t.Logf("%s: slope %.3f, n %d..%d", name, fit.Exponent, pts[0].N, pts[len(pts)-1].N)
		if !ok || math.Abs(fit.Exponent+2) > 0.2 {
			t.Errorf("%s: slope %.3f (points %+v), want −2 ± 0.2", name, fit.Exponent, pts)
		}
	}
}

// With --eps, Run picks n and θ so that the measured error is below ε.
func TestRunEps(t *testing.T) {
	f, _ := Named("kink", 2)
	r := &Request{Target: f, Eps: 0.1}
	rep, _, err := Run(context.Background(), r, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.L2Error > 0.1 || rep.FnChoiceError > 0.05 || !rep.Cores.Exact || int64(rep.Depth) != rep.DepthFormula {
		t.Errorf("ε=0.1: %+v", rep)
	}
	if rep.L2Strip > rep.L2StripBound || rep.L2StripBound > 0.05+1e-12 {
		t.Errorf("strip term %g, bound %g: want ≤ ε/2", rep.L2Strip, rep.L2StripBound)
	}
}

func writeGrid(t *testing.T, name string, nx, ny int, vals func(x, y float64) []float64) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("x1,x2,f\n")
	for i := range nx {
		for j := range ny {
			x, y := float64(i)/float64(nx-1)*2, float64(j)/float64(ny-1)-0.5
			b.WriteString(fmt.Sprintf("%v,%v", x, y))
			for _, v := range vals(x, y) {
				b.WriteString(fmt.Sprintf(",%v", v))
			}
			b.WriteString("\n")
		}
	}
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// A user grid that is signed and R²-valued: the shift is reported and
// undone, the width is max(d+1, m+1), and Φ = c_j exactly on the cores.
func TestGridSignedVector(t *testing.T) {
	p := writeGrid(t, "g.csv", 9, 7, func(x, y float64) []float64 { return []float64{x*y - 0.3, math.Sin(x) + y} })
	g, err := LoadGrid(p, 2)
	if err != nil {
		t.Fatal(err)
	}
	if g.Dim() != 2 || g.Outputs() != 2 || g.Min >= 0 {
		t.Fatalf("grid d=%d m=%d min=%g", g.Dim(), g.Outputs(), g.Min)
	}
	r := &Request{Target: g, N: 6}
	if _, _, err := Run(context.Background(), r, nil); err == nil || !strings.Contains(err.Error(), "--signed") {
		t.Fatalf("negative samples without signed: %v", err)
	}
	r = &Request{Target: g, N: 6, Signed: true}
	rep, a, err := Run(context.Background(), r, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Shift <= 0 || rep.Width != 3 || rep.M != 2 || !rep.Cores.Exact || rep.Box[0] != [2]float64{0, 2} {
		t.Fatalf("signed R² grid: %+v", rep)
	}
	// R³-valued in d = 1 needs width m+1 = 4 > d+1.
	p3 := filepath.Join(t.TempDir(), "g3.csv")
	os.WriteFile(p3, []byte("0,1,2,3\n0.5,2,2,2\n1,0,1,0\n"), 0o644)
	g3, err := LoadGrid(p3, 3)
	if err != nil {
		t.Fatal(err)
	}
	rep3, _, err := Run(context.Background(), &Request{Target: g3, N: 5}, nil)
	if err != nil || rep3.Width != 4 || !rep3.Cores.Exact {
		t.Fatalf("R³ in d=1: %+v %v", rep3, err)
	}
	// The multilinear interpolant reproduces the samples.
	out := make([]float64, 2)
	g.Eval([]float64{1, 0}, out)
	if math.Abs(out[0]-(-0.3)) > 1e-12 || math.Abs(out[1]-math.Sin(1)) > 1e-12 {
		t.Errorf("interpolant at a sample: %v", out)
	}
	_ = a
}

// An NPY grid (float64, 2-D) loads like the CSV one.
func TestGridNPY(t *testing.T) {
	var rows []float64
	for i := range 5 {
		x := float64(i) / 4
		rows = append(rows, x, x*x)
	}
	hdr := "{'descr': '<f8', 'fortran_order': False, 'shape': (5, 2), }"
	for (10+len(hdr)+1)%64 != 0 {
		hdr += " "
	}
	hdr += "\n"
	buf := []byte("\x93NUMPY\x01\x00")
	buf = append(buf, byte(len(hdr)), byte(len(hdr)>>8))
	buf = append(buf, hdr...)
	for _, v := range rows {
		buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
	}
	p := filepath.Join(t.TempDir(), "g.npy")
	os.WriteFile(p, buf, 0o644)
	g, err := LoadGrid(p, 1)
	if err != nil {
		t.Fatal(err)
	}
	rep, _, err := Run(context.Background(), &Request{Target: g, N: 8}, nil)
	if err != nil || !rep.Cores.Exact || rep.Box[0] != [2]float64{0, 1} {
		t.Fatalf("%+v %v", rep, err)
	}
}

// Bad input is refused with a clear error before any work.
func TestBadInput(t *testing.T) {
	f, _ := Named("gauss", 2)
	cases := []struct {
		r    Request
		want string
	}{
		{Request{Target: f, N: 4, Box: Box{{0, 1}, {1, 1}}}, "zero or negative width"},
		{Request{Target: f, N: 4, P: 0.5}, "1 ≤ p"},
		{Request{Target: f, N: 4, Box: Box{{0, 1}}}, "1 axes"},
		{Request{Target: f, Eps: 1e-9}, "too small"},
		{Request{Target: f, N: 1000}, "over the limit"},
		{Request{Target: f, N: 4, Theta: 0.5}, "θ"},
		{Request{Target: f, N: 4, Eps: 0.1}, "not both"},
		{Request{Target: f}, "--n"},
	}
	for _, c := range cases {
		r := c.r
		_, _, err := Run(context.Background(), &r, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want %q", c.r, err, c.want)
		}
	}
	if _, err := ParseBox("0:1,2:2"); err == nil {
		t.Error("zero-width --box accepted")
	}
	if _, err := Named("nope", 2); err == nil {
		t.Error("unknown function accepted")
	}
	dir := t.TempDir()
	for name, body := range map[string]string{
		"ragged.csv":  "0,1\n1,2,3\n",
		"notgrid.csv": "0,0,1\n1,0,1\n0,1,1\n",
		"single.csv":  "0,1\n0,2\n",
		"nan.csv":     "0,1\n1,nan\n",
		"text.csv":    "0,1\n1,x\n",
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o644)
		if _, err := LoadGrid(p, 1); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %v, want one naming the file", name, err)
		}
	}
}

// The exact core check catches a changed weight in either block.
func TestCheckCoresCatchesMutation(t *testing.T) {
	for _, layer := range []string{"memorize", "flatten"} {
		a, _ := build(t, "kink", 2, 6, 1.0/16)
		switch layer {
		case "memorize": // κ of lattice point 10 in C_11
			w := a.Net.Hidden[a.Flat+2*10].W[1][0]
			w.Add(w, big.NewRat(1, 1<<20))
		case "flatten": // the flatten threshold of core 3 on axis 0
			b := a.Net.Hidden[3].B[0]
			b.Add(b, big.NewRat(1, 1<<30))
		}
		cc, err := CheckCores(a, nil)
		if err != nil {
			t.Fatal(err)
		}
		if cc.Exact || cc.FirstWrong == "" {
			t.Errorf("%s mutation not caught: %+v", layer, cc)
		}
	}
}

// TestMonteCarloAgrees: approx's L² error at n = 32, d = 2 (Monte Carlo on
// its own points) agrees with an independent Monte Carlo estimate made
// here (other points, each evaluated alone) within the 95% interval of
// their difference; and each interval contains its estimate.
func TestMonteCarloAgrees(t *testing.T) {
	f, _ := Named("gauss", 2)
	const samples = 20000
	r := &Request{Target: f, N: 32, Samples: samples, Seed: 7, NoCheck: true}
	rep, a, err := Run(context.Background(), r, nil)
	if err != nil {
		t.Fatal(err)
	}
	mc := rep.MC
	if mc == nil || mc.Samples != samples || rep.L2Error != mc.Estimate[1] || !(mc.Lo[1] <= rep.L2Error && rep.L2Error <= mc.Hi[1]) || !(mc.Lo[1] < mc.Hi[1]) {
		t.Fatalf("report: L2 %g, Monte Carlo %+v", rep.L2Error, mc)
	}
	box := f.Box()
	vol := box.Volume()
	rng := rand.New(rand.NewPCG(99, 1))
	f64 := a.Net.Float64()
	out := make([]float64, 1)
	val := make([]float64, 1)
	x := make([]float64, 2)
	var s, s2 float64
	for range samples {
		for k, iv := range box {
			x[k] = iv.Lo + rng.Float64()*(iv.Hi-iv.Lo)
		}
		if err := f64.Eval(x, out); err != nil {
			t.Fatal(err)
		}
		f.Eval(x, val)
		y := (val[0] - out[0]) * (val[0] - out[0])
		s += y
		s2 += y * y
	}
	mean := s / samples
	se := vol * math.Sqrt((s2/samples-mean*mean)/(samples-1))
	mine := vol * mean // ‖f − Φ‖₂²
	theirs := rep.L2Error * rep.L2Error
	if d := math.Abs(mine - theirs); d > 1.96*math.Hypot(se, mc.StdErr[1]) {
		t.Errorf("‖f − Φ‖₂²: approx %.6g (± %.2g), independent %.6g (± %.2g): differ by %.3g", theirs, mc.StdErr[1], mine, se, d)
	}
	t.Logf("L2: approx MC %.5g [%.5g, %.5g], independent %.5g, cell quadrature %.5g", rep.L2Error, mc.Lo[1], mc.Hi[1], math.Sqrt(mine), rep.L2Quadrature)
}
