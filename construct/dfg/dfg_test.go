package dfg

import (
	"context"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/memnet/memnet/construct"
	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
)

// checkBuilt verifies res exactly on ds and checks its counts against the
// realisation's worst case.
func checkBuilt(t *testing.T, ds *data.Dataset, res *construct.Result) {
	t.Helper()
	if err := res.Net.Check(); err != nil {
		t.Fatal(err)
	}
	rep, err := nn.ExactVerdict(context.Background(), res.Net, ds.X, ds.Y, ds.M(), nn.ExactOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.ExactCorrect != ds.N() {
		t.Fatalf("%s: exact %d/%d correct (wrong %v), notes %v", ds.Name, rep.ExactCorrect, ds.N(), rep.Wrong, res.Notes)
	}
	st := res.Net.Stats()
	for k, v := range res.Prediction.Realisation {
		if b, ok := st.Count(k); ok && b > v {
			t.Errorf("%s: %s = %d exceeds the realisation's %d", ds.Name, k, b, v)
		}
	}
	if !res.Net.IsDyadic() {
		t.Errorf("%s: weights are not dyadic", ds.Name)
	}
}

func TestDFGMemorizes(t *testing.T) {
	for _, tt := range []struct {
		ds   *data.Dataset
		opts map[string]string
	}{
		{data.Moons(2000, 0.05, 1), map[string]string{"n": "200"}},
		{data.Moons(2000, 0.05, 2), map[string]string{"n": "200", "activation": "relu"}},
		{data.Spirals(400, 3), map[string]string{"n": "300"}},
		{data.Gaussian(300, 4, 5, 4), map[string]string{"n": "300", "lambda": "0.5"}},
		{data.Gaussian(300, 4, 5, 5), map[string]string{"n": "300", "activation": "relu"}},
		{data.Lattice(200, 3, 3, 6), map[string]string{"n": "200", "lambda": "2"}},
		{data.Lattice(200, 3, 3, 8), map[string]string{"n": "200", "lambda": "2", "center": "true"}},
		{data.Gaussian(10, 2, 1, 7), map[string]string{"n": "8"}}, // one class
		{data.Moons(2000, 0.05, 3), map[string]string{"n": "200", "and": "full"}},
		{data.Gaussian(300, 4, 5, 9), map[string]string{"n": "300", "lambda": "0", "and": "full"}},
	} {
		res, err := Method{}.Build(context.Background(), tt.ds, construct.Options{Seed: 1, Params: tt.opts})
		if err != nil {
			t.Fatalf("%s %v: %v", tt.ds.Name, tt.opts, err)
		}
		checkBuilt(t, tt.ds, res)
	}
}

// TestDFGHeavisideAtZero: with λ = 0 every first-layer hyperplane passes
// through the origin, where the paper's units are all off (heaviside(0) = 0).
// A point at the origin of class 1 is then covered by a unit reading every
// first-layer unit, and the stored network (complemented STEP units) must
// agree exactly. Labelled 0 instead, the origin turns on no unit, so no AND
// unit can fire at a class-1 point and not at it: every restart fails and
// the build says so.
func TestDFGHeavisideAtZero(t *testing.T) {
	// points on 12 directions (λ = 0 units see only directions)
	x := [][]float64{{0, 0}}
	for k := range 12 {
		a := 2 * math.Pi * float64(k) / 12
		x = append(x, []float64{math.Cos(a), math.Sin(a)})
	}
	mk := func(originLabel string) *data.Dataset {
		labels := make([]string, len(x))
		for i := range labels {
			labels[i] = strconv.Itoa(i % 2)
		}
		labels[0] = originLabel
		ds, err := data.FromRaw("origin", x, labels, nil)
		if err != nil {
			t.Fatal(err)
		}
		return ds
	}
	opts := construct.Options{Seed: 3, Params: map[string]string{"n": "64", "lambda": "0", "restarts": "10"}}
	ds := mk("1")
	res, err := Method{}.Build(context.Background(), ds, opts)
	if err != nil {
		t.Fatal(err)
	}
	checkBuilt(t, ds, res)
	_, err = Method{}.Build(context.Background(), mk("0"), opts)
	if err == nil || !strings.Contains(err.Error(), "none of 10 first layers") {
		t.Fatalf("origin of class 0 with λ = 0: err = %v, want no interpolating layer", err)
	}
	// and=full reads the whole pattern: the origin's (every unit off)
	// differs from every class-1 point's, so the same data interpolates
	opts.Params["and"] = "full"
	ds = mk("0")
	if res, err = (Method{}).Build(context.Background(), ds, opts); err != nil {
		t.Fatalf("and=full, origin of class 0: %v", err)
	}
	checkBuilt(t, ds, res)
	opts.Params["activation"] = "relu"
	if _, err = (Method{}).Build(context.Background(), ds, opts); err == nil || !strings.Contains(err.Error(), "threshold units only") {
		t.Fatalf("and=full with ReLU: err = %v, want a refusal", err)
	}
}

// TestDFGTryAll: try-all draws every restart and reports each.
func TestDFGTryAll(t *testing.T) {
	ds := data.Moons(500, 0.05, 4)
	res, err := Method{}.Build(context.Background(), ds, construct.Options{Seed: 2, Params: map[string]string{"n": "100", "restarts": "4", "try-all": "true"}})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, n := range res.Notes {
		if strings.HasPrefix(n, "try-all: ") && strings.Contains(n, " of 4 restarts interpolate") {
			found = true
		}
	}
	if !found {
		t.Fatalf("no try-all summary in %v", res.Notes)
	}
	checkBuilt(t, ds, res)
}

func TestDFGOptions(t *testing.T) {
	ds := data.Moons(20, 0.05, 1)
	for _, p := range []map[string]string{{"n": "0"}, {"lambda": "-1"}, {"activation": "tanh"}, {"restarts": "0"}, {"bits": "40"}, {"nope": "1"}} {
		if _, err := (Method{}).Build(context.Background(), ds, construct.Options{Params: p}); err == nil {
			t.Errorf("%v accepted", p)
		}
	}
}

// TestDFGContext: a cancelled context stops the build.
func TestDFGContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := (Method{}).Build(ctx, data.Moons(1000, 0.05, 1), construct.Options{}); err == nil {
		t.Fatal("cancelled build succeeded")
	}
}

// FuzzDFG: any valid dataset is memorized exactly, or the build reports
// that no restart interpolates.
func FuzzDFG(f *testing.F) {
	f.Add(uint64(1), uint8(20), uint8(2), uint8(2), uint8(16), false)
	f.Add(uint64(2), uint8(40), uint8(3), uint8(4), uint8(64), true)
	f.Add(uint64(3), uint8(5), uint8(1), uint8(3), uint8(1), false)
	f.Fuzz(func(t *testing.T, seed uint64, n, d, c, width uint8, relu bool) {
		N, D, C := 1+int(n%60), 1+int(d%6), 1+int(c%6)
		rng := rand.New(rand.NewPCG(seed, 1))
		var ds *data.Dataset
		if rng.IntN(2) == 0 {
			ds = data.Gaussian(N, D, C, seed)
		} else {
			ds = data.Lattice(N, D, C, seed)
		}
		opts := map[string]string{"n": strconv.Itoa(1 + int(width)), "restarts": "2", "lambda": strconv.Itoa(rng.IntN(3))}
		if relu {
			opts["activation"] = "relu"
		}
		res, err := Method{}.Build(context.Background(), ds, construct.Options{Seed: int64(seed), Params: opts})
		if err != nil {
			if !strings.Contains(err.Error(), "first layers of n") {
				t.Fatalf("%s %v: %v", ds.Name, opts, err)
			}
			return
		}
		checkBuilt(t, ds, res)
	})
}
