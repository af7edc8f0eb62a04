package hz

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/memnet/memnet/construct"
	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
)

// randomDataset returns n distinct points in dimension d with labels in
// 0..m-1 (all m used when n ≥ m). kind: "gauss", "lattice" (small integer
// coordinates, so integer projections tie often), "near" (Gaussian plus
// pairs 1e-12 apart).
func randomDataset(t testing.TB, kind string, n, d, m int, seed uint64) *data.Dataset {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	seen := map[string]bool{}
	ds := &data.Dataset{Name: fmt.Sprintf("%s(n=%d,d=%d,m=%d,seed=%d)", kind, n, d, m, seed)}
	for c := range m {
		ds.Classes = append(ds.Classes, fmt.Sprint(c))
	}
	side := int(math.Ceil(math.Pow(float64(2*n), 1/float64(d)))) + 1
	for len(ds.X) < n {
		x := make([]float64, d)
		for k := range x {
			switch kind {
			case "lattice":
				x[k] = float64(rng.IntN(side))
			default:
				x[k] = rng.NormFloat64()
			}
		}
		if kind == "near" && len(ds.X) > 0 && rng.IntN(3) == 0 {
			copy(x, ds.X[rng.IntN(len(ds.X))])
			k := rng.IntN(d)
			x[k] += 1e-12 * (1 + math.Abs(x[k]))
		}
		key := fmt.Sprint(x)
		if seen[key] {
			continue
		}
		seen[key] = true
		ds.X = append(ds.X, x)
		y := rng.IntN(m)
		if len(ds.X) <= m {
			y = len(ds.X) - 1
		}
		ds.Y = append(ds.Y, y)
		ds.Rows = append(ds.Rows, len(ds.X))
	}
	return ds
}

func buildAndVerify(t *testing.T, ds *data.Dataset, params map[string]string, seed int64) (*construct.Result, *nn.Report) {
	t.Helper()
	res, err := Method{}.Build(context.Background(), ds, construct.Options{Seed: seed, Params: params})
	if err != nil {
		t.Fatalf("%s: build: %v", ds.Name, err)
	}
	rep, err := nn.Verify(context.Background(), res.Net, ds.X, ds.Y, ds.M(), nn.ExactOptions{})
	if err != nil {
		t.Fatalf("%s: verify: %v", ds.Name, err)
	}
	if !rep.Exact {
		t.Fatalf("%s %v: exact verification failed on %d of %d points (first %v)", ds.Name, params, rep.Points-rep.ExactCorrect, rep.Points, rep.Wrong)
	}
	st := res.Net.Stats()
	n, d, m := ds.N(), ds.D(), ds.M()
	if m > 1 && st.Width != 2 {
		t.Errorf("%s: width %d, want 2", ds.Name, st.Width)
	}
	if st.Depth > PaperDepth(n, m) {
		t.Errorf("%s: depth %d exceeds the theorem's 2N+4M−1 = %d", ds.Name, st.Depth, PaperDepth(n, m))
	}
	c, _ := parseConfig(construct.Options{Params: params})
	if st.Depth != c.Depth(n, m) {
		t.Errorf("%s: depth %d, HZ2 predicts %d", ds.Name, st.Depth, c.Depth(n, m))
	}
	if st.Params > c.ParamsBound(n, d, m) && m > 1 {
		t.Errorf("%s: %d params exceed the bound %d", ds.Name, st.Params, c.ParamsBound(n, d, m))
	}
	return res, rep
}

func TestSmallCases(t *testing.T) {
	for _, tc := range []struct {
		kind    string
		n, d, m int
	}{
		{"gauss", 1, 1, 1}, {"gauss", 2, 1, 2}, {"gauss", 2, 3, 1}, {"gauss", 3, 1, 3},
		{"gauss", 10, 2, 2}, {"gauss", 10, 2, 10}, {"lattice", 30, 1, 5}, {"lattice", 50, 2, 3},
		{"near", 40, 3, 4}, {"gauss", 200, 784, 10},
	} {
		for _, params := range []map[string]string{nil, {"snap": "false"}, {"weights": "rational"}, {"weights": "rational", "snap": "false"}, {"pad": "true"}} {
			ds := randomDataset(t, tc.kind, tc.n, tc.d, tc.m, 1)
			_, rep := buildAndVerify(t, ds, params, 3)
			snap := params["snap"] != "false"
			rational := params["weights"] == "rational"
			if (snap || rational) && rep.ExactEqual != ds.N() {
				t.Errorf("%s %v: %d of %d outputs exactly equal to the label", ds.Name, params, rep.ExactEqual, ds.N())
			}
			if snap && tc.m > 1 && rep.Float64BitExact != ds.N() {
				t.Errorf("%s %v: float64 bit-exact on %d of %d with the snap block", ds.Name, params, rep.Float64BitExact, ds.N())
			}
		}
	}
}

// TestProperty memorizes hundreds of random datasets exactly, each within the
// depth bound (N 1..2000, d 1..50, M 1..20, lattices forcing projection ties,
// near-duplicates 1e-12 apart).
func TestProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(42, 42))
	count := 300
	if testing.Short() {
		count = 60
	}
	kinds := []string{"gauss", "lattice", "near"}
	for i := range count {
		n := 1 + rng.IntN(60)
		if i%25 == 0 {
			n = 1 + rng.IntN(2000)
		}
		d := 1 + rng.IntN(50)
		m := 1 + rng.IntN(min(20, n))
		ds := randomDataset(t, kinds[i%3], n, d, m, uint64(i))
		buildAndVerify(t, ds, nil, int64(i))
	}
}

func TestSameSeedSameNetwork(t *testing.T) {
	ds := randomDataset(t, "gauss", 100, 5, 3, 9)
	var enc [2][]byte
	for k := range 2 {
		res, err := Method{}.Build(context.Background(), ds, construct.Options{Seed: 5})
		if err != nil {
			t.Fatal(err)
		}
		var b bytesBuffer
		if err := (&nn.Model{Net: res.Net, Method: "hz", Classes: ds.Classes, Points: ds.N()}).Encode(&b); err != nil {
			t.Fatal(err)
		}
		enc[k] = b.data
	}
	if string(enc[0]) != string(enc[1]) {
		t.Fatal("the same seed gave different network files")
	}
}

// TestMutationCaught changes one weight of a built network and checks that
// exact verification notices: a one-unit change in the last place of a
// rational weight breaks exact equality f(x_i) = y_i, and negating a weight of
// the default network breaks the classification itself.
func TestMutationCaught(t *testing.T) {
	ds := randomDataset(t, "gauss", 60, 3, 4, 11)
	for _, tc := range []struct {
		params map[string]string
		mutate func(w *big.Rat)
		judge  func(r *nn.Report) bool
	}{
		{map[string]string{"weights": "rational", "snap": "false"},
			func(w *big.Rat) { w.Add(w, new(big.Rat).SetFrac(big.NewInt(1), w.Denom())) },
			func(r *nn.Report) bool { return r.ExactEqual < ds.N() }},
		{nil, func(w *big.Rat) { w.Neg(w) }, func(r *nn.Report) bool { return !r.Exact }},
	} {
		res, _ := buildAndVerify(t, ds, tc.params, 1)
		net := res.Net
		rng := rand.New(rand.NewPCG(1, 2))
		tried, caught := 0, 0
		for tried < 20 {
			k := rng.IntN(2*ds.N() - 1) // a layer of the sweep
			l := &net.Hidden[k]
			j, i := rng.IntN(l.Out()), rng.IntN(l.In())
			w := l.W[j][i]
			if w.Sign() == 0 {
				continue
			}
			tried++
			old := new(big.Rat).Set(w)
			tc.mutate(w)
			rep, err := nn.Verify(context.Background(), net, ds.X, ds.Y, ds.M(), nn.ExactOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if tc.judge(rep) {
				caught++
			}
			w.Set(old)
		}
		if caught < tried/2 {
			t.Errorf("%v: only %d of %d mutations caught", tc.params, caught, tried)
		}
	}
}

type bytesBuffer struct{ data []byte }

func (b *bytesBuffer) Write(p []byte) (int, error) { b.data = append(b.data, p...); return len(p), nil }

func benchSizes() []int { return []int{1000, 5000, 10000} }

func BenchmarkBuild(b *testing.B) {
	for _, n := range benchSizes() {
		ds := randomDataset(b, "gauss", n, 10, 10, 1)
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := (Method{}).Build(context.Background(), ds, construct.Options{Seed: 1}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerifyExact(b *testing.B) {
	for _, n := range benchSizes() {
		ds := randomDataset(b, "gauss", n, 10, 10, 1)
		res, err := Method{}.Build(context.Background(), ds, construct.Options{Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			for b.Loop() {
				outs, err := nn.EvalExact(context.Background(), res.Net, ds.X, nil)
				if err != nil || len(outs) != n {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerifyFloat64(b *testing.B) {
	for _, n := range benchSizes() {
		ds := randomDataset(b, "gauss", n, 10, 10, 1)
		res, err := Method{}.Build(context.Background(), ds, construct.Options{Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			for b.Loop() {
				nn.FloatCounts(context.Background(), res.Net, ds.X, ds.Y, ds.M(), nn.FloatOptions{})
			}
		})
	}
}
