package data

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// bruteGeometry returns the minimum and maximum pairwise distances.
func bruteGeometry(x [][]float64) (lo, hi float64) {
	lo = math.Inf(1)
	for i := range x {
		for j := i + 1; j < len(x); j++ {
			d := dist(x[i], x[j])
			lo, hi = min(lo, d), max(hi, d)
		}
	}
	return lo, hi
}

// rawDataset builds a dataset from rows, labelling them alternately.
func rawDataset(t *testing.T, x [][]float64) *Dataset {
	t.Helper()
	labels := make([]string, len(x))
	for i := range labels {
		labels[i] = []string{"a", "b"}[i%2]
	}
	ds, err := FromRaw("t", x, labels, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func TestGeometryAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	scaled := func(n, d int, scale float64) [][]float64 {
		x := make([][]float64, n)
		for i := range x {
			x[i] = make([]float64, d)
			for k := range x[i] {
				x[i][k] = rng.NormFloat64() * scale
			}
		}
		return x
	}
	withClosePair := func(x [][]float64, gap float64) [][]float64 {
		p := append([]float64(nil), x[0]...)
		p[0] += gap
		return append(x, p)
	}
	tests := []struct {
		name string
		ds   *Dataset
	}{
		{"gaussian 2-D", Gaussian(400, 2, 3, 1)},
		{"gaussian 1-D", Gaussian(300, 1, 2, 2)},
		{"gaussian 10-D", Gaussian(300, 10, 4, 3)},
		{"gaussian 200-D", Gaussian(150, 200, 2, 4)},
		{"lattice 2-D (ties)", Lattice(500, 2, 3, 5)},
		{"lattice 1-D", Lattice(200, 1, 2, 6)},
		{"lattice 6-D", Lattice(300, 6, 5, 7)},
		{"spirals", Spirals(500, 8)},
		{"close pair", rawDataset(t, withClosePair(scaled(300, 5, 1), 1e-12))},
		{"huge coordinates", rawDataset(t, scaled(200, 3, 1e300))},
		{"overflowing coordinates", rawDataset(t, [][]float64{{1e308, 1e308}, {-1e308, -1e308}, {1e308, -1e308}, {0, 1}})},
		{"tiny coordinates", rawDataset(t, scaled(100, 3, 1e-310))},
		{"subnormal pair", rawDataset(t, [][]float64{{5e-324, 0}, {0, 0}, {1, 1}, {0, 1e-323}})},
		{"mixed scales", rawDataset(t, append(scaled(100, 4, 1e-3), scaled(100, 4, 1e6)...))},
		{"two points", rawDataset(t, [][]float64{{0, 0}, {3, 4}})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := geometryOf(tt.ds)
			lo, rawHi := bruteGeometry(tt.ds.X)
			hi := min(rawHi, math.MaxFloat64)
			if g.MinDist != lo {
				t.Errorf("MinDist = %v, brute force %v", g.MinDist, lo)
			}
			if g.MaxDist != hi || g.MaxDistUpper != hi {
				t.Errorf("MaxDist = %v (upper %v), brute force %v", g.MaxDist, g.MaxDistUpper, hi)
			}
			if !g.MinDistExact || !g.MaxDistExact || g.MinDist <= 0 {
				t.Errorf("report %+v", g)
			}
			r := 0.0
			for _, x := range tt.ds.X {
				r = max(r, norm(x))
			}
			if g.MaxNorm != min(r, math.MaxFloat64) || g.N != tt.ds.N() || g.D != tt.ds.D() || g.M != tt.ds.M() {
				t.Errorf("report %+v", g)
			}
			if want := min(rawHi/lo, math.MaxFloat64); g.Delta != want {
				t.Errorf("Delta = %v, want %v", g.Delta, want)
			}
			if _, err := json.Marshal(g); err != nil {
				t.Errorf("JSON: %v", err)
			}
		})
	}
}

func TestGeometryPrunes(t *testing.T) {
	ds := Gaussian(3000, 2, 2, 9)
	g := geometryOf(ds)
	all := int64(3000 * 2999 / 2)
	minEvals := g.PairsEvaluated - all // the rest are the all-pairs diameter
	if minEvals > all/20 {
		t.Errorf("the k-d tree evaluated %d of %d pairs", minEvals, all)
	}
	if !strings.Contains(g.Method, "k-d tree") {
		t.Errorf("Method = %q", g.Method)
	}
	best, evals := minDistanceSweep(context.Background(), ds.X, 5)
	if evals > all/20 || best != g.MinDist {
		t.Errorf("the sweep evaluated %d of %d pairs, min %v (k-d tree %v)", evals, all, best, g.MinDist)
	}
	g = geometryOf(Gaussian(1000, 40, 2, 9))
	if !strings.Contains(g.Method, "sweep") {
		t.Errorf("d = 40: Method = %q", g.Method)
	}
}

// TestMinDistanceKD checks the k-d tree search against brute force on sets
// large enough for deep trees: Gaussian, clustered (many near-duplicates),
// lattices (ties and equal coordinates), duplicated points, every dimension
// up to kdMaxDim; the sweep must agree too.
func TestMinDistanceKD(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for trial := range 40 {
		d := 1 + trial%kdMaxDim
		n := 200 + rng.IntN(1200)
		var x [][]float64
		switch trial % 4 {
		case 0:
			x = Gaussian(n, d, 2, uint64(trial)).X
		case 1:
			x = Lattice(n, d, 2, uint64(trial)).X
		case 2: // clusters of near-duplicates
			for i := range n {
				p := make([]float64, d)
				for c := range p {
					p[c] = float64(i%7) + rng.NormFloat64()*1e-9
				}
				x = append(x, p)
			}
		case 3: // exact duplicates among Gaussian points
			x = Gaussian(n, d, 2, uint64(trial)).X
			x = append(x, append([]float64(nil), x[n/2]...))
		}
		lo, _ := bruteGeometry(x)
		got, evals := minDistanceKD(context.Background(), x)
		if got != lo {
			t.Fatalf("trial %d (n=%d d=%d): k-d tree %v, brute force %v", trial, len(x), d, got, lo)
		}
		if all := int64(len(x)) * int64(len(x)-1) / 2; evals > all {
			t.Fatalf("trial %d: %d evaluations for %d pairs", trial, evals, all)
		}
		if sw, _ := minDistanceSweep(context.Background(), x, 1e9); sw != lo {
			t.Fatalf("trial %d: sweep %v, brute force %v", trial, sw, lo)
		}
	}
}

func TestGeometryDiameterBounds(t *testing.T) {
	defer func(v float64) { maxDistBrute = v }(maxDistBrute)
	maxDistBrute = 0
	for _, ds := range []*Dataset{Gaussian(500, 3, 2, 10), Lattice(400, 2, 2, 11), Spirals(300, 12)} {
		g := geometryOf(ds)
		lo, hi := bruteGeometry(ds.X)
		if g.MaxDistExact || g.MaxDist > hi || g.MaxDistUpper < hi || g.MaxDist < hi/2 {
			t.Errorf("%s: MaxDist = %v, upper %v, exact %v; true %v", ds.Name, g.MaxDist, g.MaxDistUpper, g.MaxDistExact, hi)
		}
		if g.MinDist != lo || !g.MinDistExact || g.Delta != g.MaxDist/g.MinDist {
			t.Errorf("%s: %+v", ds.Name, g)
		}
		if !strings.Contains(g.Method, "lower bound") {
			t.Errorf("Method = %q", g.Method)
		}
	}
}

func TestGeometrySmall(t *testing.T) {
	g := geometryOf(rawDataset(t, [][]float64{{3, 4}}))
	if g.N != 1 || g.MaxNorm != 5 || g.MinDist != 0 || g.MaxDist != 0 || g.Delta != 0 || !strings.Contains(g.Method, "fewer than two") {
		t.Errorf("%+v", g)
	}
	if g := geometryOf(&Dataset{}); g.N != 0 || g.D != 0 {
		t.Errorf("%+v", g)
	}
	b, err := json.Marshal(g)
	if err != nil || !strings.Contains(string(b), `"min_dist_exact":true`) || !strings.Contains(string(b), `"pairs_evaluated":0`) {
		t.Errorf("JSON %s, %v", b, err)
	}
}

func TestGeometryIris(t *testing.T) {
	ds, err := Load(LoadOptions{Path: sharedFile(t, "iris.csv")})
	if err != nil {
		t.Fatal(err)
	}
	g := geometryOf(ds)
	lo, hi := bruteGeometry(ds.X)
	if g.MinDist != lo || g.MaxDist != hi {
		t.Errorf("%+v, brute force %v %v", g, lo, hi)
	}
}

// TestGeometryRandomConfigurations checks the exact minimum distance on many
// small random datasets, including ties, huge, tiny and subnormal values.
func TestGeometryRandomConfigurations(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for trial := 0; trial < 3000; trial++ {
		n := 2 + rng.IntN(60)
		d := 1 + rng.IntN(12)
		kind := rng.IntN(6)
		x := make([][]float64, n)
		for i := range x {
			x[i] = make([]float64, d)
			for c := range x[i] {
				switch kind {
				case 0:
					x[i][c] = rng.NormFloat64()
				case 1:
					x[i][c] = float64(rng.IntN(3))
				case 2:
					x[i][c] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(600)-300))
				case 3:
					x[i][c] = 1 + float64(rng.IntN(4))*0x1p-52
				case 4:
					x[i][c] = float64(rng.IntN(2)) * 1e308 * float64(1-2*rng.IntN(2))
				case 5:
					x[i][c] = float64(rng.IntN(5)) * 5e-324
				}
			}
		}
		labels := make([]string, n)
		for i := range labels {
			labels[i] = "a"
		}
		ds, err := FromRaw("s", x, labels, nil)
		if err != nil {
			t.Fatal(err)
		}
		if ds.N() < 2 {
			continue
		}
		g := geometryOf(ds)
		lo, _ := bruteGeometry(ds.X)
		if g.MinDist != min(lo, math.MaxFloat64) {
			t.Fatalf("trial %d kind %d: %v vs %v", trial, kind, g.MinDist, lo)
		}
		maxAbs := 0.0
		for _, xi := range ds.X {
			for _, v := range xi {
				maxAbs = max(maxAbs, math.Abs(v))
			}
		}
		if sw, _ := minDistanceSweep(context.Background(), ds.X, maxAbs); sw != lo { // both methods, whichever Geometry chose
			t.Fatalf("trial %d kind %d: sweep %v vs %v", trial, kind, sw, lo)
		}
		if maxAbs <= 0x1p400 {
			if kd, _ := minDistanceKD(context.Background(), ds.X); kd != lo {
				t.Fatalf("trial %d kind %d: k-d tree %v vs %v", trial, kind, kd, lo)
			}
		}
	}
}

// geometryOf is Geometry without a deadline.
func geometryOf(ds *Dataset) GeometryReport {
	g, _ := Geometry(context.Background(), ds)
	return g
}

// TestGeometryCancel: a cancelled context stops the searches; Geometry
// returns its error.
func TestGeometryCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, d := range []int{3, 40} { // the k-d tree and the sweep
		if _, err := Geometry(ctx, Gaussian(2000, d, 2, 1)); !errors.Is(err, context.Canceled) {
			t.Errorf("d = %d: Geometry with a cancelled context returned %v", d, err)
		}
	}
}
