package park

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/memnet/memnet/construct"
	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
)

// check builds, verifies with both exact verifiers, checks the counts of
// the prediction, and checks that a single corrupted label is rejected
// exactly once.
func check(t *testing.T, xs [][]float64, ys []int, c int, cfg Config, generic bool) *Built {
	t.Helper()
	b, err := Build(context.Background(), xs, ys, c, cfg)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	n := len(xs)
	st := b.Net.Stats()
	pr := predict(n, len(xs[0]), c, b.Sizes.K0, 2, cfg)
	// every activation form: built ≤ realisation (depth, width, nonzero and
	// dense params), and the width the form promises
	if int64(st.Depth) > pr.Realisation["depth"] {
		t.Errorf("N=%d C=%d %+v: depth %d > realisation %d", n, c, cfg, st.Depth, pr.Realisation["depth"])
	}
	if int64(st.Width) > pr.Realisation["width"] {
		t.Errorf("N=%d C=%d %+v: width %d > realisation %d", n, c, cfg, st.Width, pr.Realisation["width"])
	}
	if dp := DenseParams(b.Net); dp > pr.Realisation["params"] || st.Params > dp {
		t.Errorf("N=%d C=%d %+v: params %d, dense %d > realisation %d", n, c, cfg, st.Params, dp, pr.Realisation["params"])
	}
	if cfg.Theorem != 1 {
		want := 3
		if cfg.Activation == "relu" {
			want = 5
		}
		if st.Width > want || pr.Realisation["width"] != int64(want) {
			t.Errorf("%s form: width %d, realisation %d, want ≤ %d", cfg.Activation, st.Width, pr.Realisation["width"], want)
		}
	}
	if cfg.Activation == "relu" && (b.Net.HasActivation(nn.Step) || b.Net.HasActivation(nn.Identity)) {
		t.Errorf("ReLU form still has STEP or identity neurons")
	}
	if !st.Dyadic {
		t.Errorf("non-dyadic weights")
	}
	r, err := nn.ExactVerdict(context.Background(), b.Net, xs, ys, c, nn.ExactOptions{})
	if err != nil {
		t.Fatalf("fast verify: %v", err)
	}
	if !r.Exact || r.ExactEqual != n {
		t.Fatalf("N=%d C=%d %+v: fast verifier: %d/%d correct, %d equal, wrong %v", n, c, cfg, r.ExactCorrect, n, r.ExactEqual, r.Wrong)
	}
	if generic {
		g, err := nn.Verify(context.Background(), b.Net, xs, ys, c, nn.ExactOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !g.Exact || g.ExactEqual != n {
			t.Fatalf("N=%d C=%d %+v: nn.Verify: %d/%d correct, wrong %v", n, c, cfg, g.ExactCorrect, n, g.Wrong)
		}
	}
	if c > 1 {
		bad := append([]int(nil), ys...)
		i := n / 2
		bad[i] = (bad[i] + 1) % c
		r, err := nn.ExactVerdict(context.Background(), b.Net, xs, bad, c, nn.ExactOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if r.ExactCorrect != n-1 || len(r.Wrong) != 1 || r.Wrong[0] != i {
			t.Fatalf("corrupted label: %d/%d correct, wrong %v", r.ExactCorrect, n, r.Wrong)
		}
	}
	return b
}

func TestTheorem2(t *testing.T) {
	for _, tc := range []struct {
		n, d, c int
		integer bool
	}{
		{1, 1, 1, false}, {1, 3, 2, false}, {2, 1, 2, false}, {3, 2, 3, false}, {5, 4, 2, true},
		{10, 3, 2, false}, {50, 10, 10, false}, {100, 784, 10, true}, {200, 10, 1000, false},
		{500, 10, 2, false}, {1000, 10, 10, false}, {1000, 20, 1000, true}, {2000, 10, 2, false}, {2000, 10, 10, true},
	} {
		t.Run(fmt.Sprintf("N%d_d%d_C%d", tc.n, tc.d, tc.c), func(t *testing.T) {
			xs, ys := randomData(tc.n, tc.d, tc.c, uint64(tc.n*7+tc.c), tc.integer)
			for _, g := range []Grouping{GroupPaper, GroupAdaptive, GroupSearch} {
				check(t, xs, ys, tc.c, Config{Grouping: g, Seed: int64(tc.d)}, tc.n <= 1000)
			}
		})
	}
}

func TestReLU(t *testing.T) {
	for _, tc := range []struct {
		n, d, c int
		cfg     Config
	}{
		{1, 2, 2, Config{}}, {7, 2, 3, Config{}}, {100, 10, 10, Config{}}, {1000, 10, 2, Config{}},
		{1000, 10, 10, Config{Grouping: GroupSearch}}, {300, 10, 10, Config{Theorem: 1, W: 0.8}},
	} {
		xs, ys := randomData(tc.n, tc.d, tc.c, uint64(tc.n+3), false)
		tc.cfg.Activation = "relu"
		b := check(t, xs, ys, tc.c, tc.cfg, true)
		tc.cfg.Activation = "step"
		s, err := Build(context.Background(), xs, ys, tc.c, tc.cfg)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Net.Hidden) != len(b.Net.Hidden) {
			t.Errorf("ReLU conversion changed depth: %d vs %d", len(b.Net.Hidden), len(s.Net.Hidden))
		}
	}
}

func TestTheorem1(t *testing.T) {
	xs, ys := randomData(2000, 10, 10, 11, false)
	for _, w := range []float64{2.0 / 3, 0.6667, 0.75, 0.9, 1} {
		b := check(t, xs, ys, 10, Config{Theorem: 1, W: w}, false)
		t.Logf("w=%.4f layers=%d width=%d params=%d dense=%d", w, len(b.Net.Hidden), b.Net.Stats().Width, b.Net.Stats().Params, DenseParams(b.Net))
	}
	// issue 11: w = 0.6667, N = 1000 gave depth 814 > 807 (seed 3: 817 > 809)
	// when the table was shaped for the measured range instead of V
	for _, seed := range []uint64{1, 3} {
		xs, ys := randomData(1000, 10, 10, seed, false)
		check(t, xs, ys, 10, Config{Theorem: 1, W: 0.6667, Seed: int64(seed)}, false)
	}
	for _, n := range []int{1, 2, 5, 40, 300} {
		xs, ys := randomData(n, 3, 5, uint64(n), false)
		for _, w := range []float64{2.0 / 3, 0.8, 1} {
			check(t, xs, ys, 5, Config{Theorem: 1, W: w}, true)
		}
	}
}

// TestProperty builds hundreds of random small datasets with random
// variants and checks every network exactly and against its counts.
func TestProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(42, 1))
	for it := range 300 {
		n := 1 + rng.IntN(60)
		d := 1 + rng.IntN(6)
		c := 1 + rng.IntN(40)
		cfg := Config{Grouping: Grouping(rng.IntN(3)), Seed: int64(it)}
		if rng.IntN(3) == 0 {
			cfg.Activation = "relu"
		}
		if rng.IntN(4) == 0 {
			cfg.Theorem, cfg.W = 1, 2.0/3+rng.Float64()/3
		}
		xs, ys := randomData(n, d, c, uint64(it), rng.IntN(2) == 0)
		check(t, xs, ys, c, cfg, it%10 == 0)
	}
}

func TestDigits(t *testing.T) {
	xs, ys := loadDigits(t)
	b := check(t, xs, ys, 10, Config{}, true)
	t.Logf("digits N=%d: layers %d, dense params %d, max weight bits %d", len(xs), len(b.Net.Hidden), DenseParams(b.Net), b.Net.Stats().MaxWeightBits)
	check(t, xs, ys, 10, Config{Activation: "relu", Grouping: GroupSearch}, false)
}

func TestMethod(t *testing.T) {
	m, err := construct.Lookup("park")
	if err != nil {
		t.Fatal(err)
	}
	xs, ys := randomData(200, 5, 4, 5, false)
	ds := &data.Dataset{Name: "random", X: xs, Y: ys, Classes: []string{"a", "b", "c", "d"}}
	for _, p := range []map[string]string{nil, {"activation": "relu"}, {"w": "0.8"}, {"grouping": "search"}} {
		res, err := m.Build(context.Background(), ds, construct.Options{Seed: 3, Params: p})
		if err != nil {
			t.Fatal(err)
		}
		r, err := nn.Verify(context.Background(), res.Net, xs, ys, 4, nn.ExactOptions{})
		if err != nil || !r.Exact {
			t.Fatalf("%v: not exact (%v)", p, err)
		}
		if int64(len(res.Net.Hidden)) > res.Prediction.Realisation["depth"] {
			t.Errorf("%v: depth above realisation", p)
		}
	}
	for _, p := range []map[string]string{{"w": "0.5"}, {"activation": "tanh"}, {"bogus": "1"}, {"grouping": "x"}} {
		if _, err := m.Build(context.Background(), ds, construct.Options{Params: p}); err == nil {
			t.Errorf("%v accepted", p)
		}
	}
	pr, err := m.Predict(construct.Sizes(100000, 10, 10), construct.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"depth", "width", "params"} {
		if pr.Realisation[k] <= 0 || pr.TheoremForm[k].Value <= 0 {
			t.Errorf("count %s missing", k)
		}
	}
	t.Logf("N=1e5 d=10 C=10 prediction: %v %v", pr.Realisation, pr.TheoremForm)
	// Theorem 1's form with constants 1: d + log Δ + N^w + N^{1−w/2}·log C
	p1, err := m.Predict(construct.Geometry{N: 10000, D: 10, C: 16, Delta: 8}, construct.Options{Params: map[string]string{"w": "0.8"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := 10 + 3 + math.Pow(1e4, 0.8) + math.Pow(1e4, 0.6)*4; math.Abs(p1.TheoremForm["params"].Value-want) > 1e-6 || p1.TheoremForm["params"].Constants != "constants 1" {
		t.Errorf("Theorem 1 params form %v, want %v", p1.TheoremForm["params"], want)
	}
}

func BenchmarkBuild(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		xs, ys := randomData(n, 10, 10, 1, false)
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := Build(context.Background(), xs, ys, 10, Config{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		xs, ys := randomData(n, 10, 10, 1, false)
		bt, err := Build(context.Background(), xs, ys, 10, Config{})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("exact/N=%d", n), func(b *testing.B) {
			for b.Loop() {
				if r, err := nn.ExactVerdict(context.Background(), bt.Net, xs, ys, 10, nn.ExactOptions{}); err != nil || !r.Exact {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("exact+float/N=%d", n), func(b *testing.B) {
			for b.Loop() {
				if r, err := nn.Verify(context.Background(), bt.Net, xs, ys, 10, nn.ExactOptions{}); err != nil || !r.Exact {
					b.Fatal(err)
				}
			}
		})
	}
}
