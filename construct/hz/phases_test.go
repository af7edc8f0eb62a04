package hz

import (
	"context"
	"math/big"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/memnet/memnet/construct"
	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
)

var phasesOpt = map[string]string{"variant": "phases"}

// checkPhases builds the phases variant, verifies it exactly, and checks
// the depth term by term and the phase states: after the compression
// phase every point of a class is in exactly the same state, the M states
// are distinct, and after sorting class m sits at (0, m).
func checkPhases(t *testing.T, ds *data.Dataset, seed int64, states bool) {
	t.Helper()
	res, rep := buildAndVerify(t, ds, phasesOpt, seed)
	n, m := ds.N(), ds.M()
	if rep.ExactEqual != n {
		t.Fatalf("%s: %d of %d outputs equal the label exactly", ds.Name, rep.ExactEqual, n)
	}
	if m < 2 {
		return
	}
	st := res.Net.Stats()
	if st.Depth != PhasesDepth(n, m) || st.Depth != (2*n-1+m)+(2*m-1) || st.Depth > PaperDepth(n, m) {
		t.Fatalf("%s: depth %d, want (2N−1+M)+(2M−1) = %d ≤ %d", ds.Name, st.Depth, PhasesDepth(n, m), PaperDepth(n, m))
	}
	if r := res.Prediction.Realisation["depth"]; r != int64(st.Depth) {
		t.Errorf("%s: realisation depth %d, built %d", ds.Name, r, st.Depth)
	}
	ranges := strings.Split(res.Hints["phases"], ";")
	if len(ranges) != 4 {
		t.Fatalf("%s: phases hint %q", ds.Name, res.Hints["phases"])
	}
	last := 0
	for _, r := range ranges {
		i := strings.LastIndex(r, ":")
		lo, hi, _ := strings.Cut(r[i+1:], "-")
		a, _ := strconv.Atoi(lo)
		z, _ := strconv.Atoi(hi)
		if a != last+1 || z < a-1 {
			t.Fatalf("%s: phase ranges %q not contiguous", ds.Name, res.Hints["phases"])
		}
		last = z
	}
	if last != st.Depth {
		t.Fatalf("%s: phases end at %d, depth %d", ds.Name, last, st.Depth)
	}
	if !states {
		return
	}
	collapse := 2*n - 1 + m
	prefix := func(depth int) *nn.Network {
		p := &nn.Network{InputDim: ds.D(), Hidden: res.Net.Hidden[:depth], Readout: nn.NewLayer(2, 2, nn.Identity)}
		p.Readout.W[0][0].SetInt64(1)
		p.Readout.W[1][1].SetInt64(1)
		return p
	}
	after, err := nn.EvalExact(context.Background(), prefix(collapse), ds.X, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep0 := map[int]string{}
	seen := map[string]int{}
	for i, o := range after {
		key := o[0].RatString() + "," + o[1].RatString()
		if k, ok := rep0[ds.Y[i]]; ok && k != key {
			t.Fatalf("%s: class %d not collapsed after layer %d: %s and %s", ds.Name, ds.Y[i], collapse, k, key)
		}
		rep0[ds.Y[i]] = key
		if c, ok := seen[key]; ok && c != ds.Y[i] {
			t.Fatalf("%s: classes %d and %d share the representative %s", ds.Name, c, ds.Y[i], key)
		}
		seen[key] = ds.Y[i]
	}
	final, err := nn.EvalExact(context.Background(), prefix(st.Depth), ds.X, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range final {
		if o[0].Sign() != 0 || o[1].Cmp(big.NewRat(int64(ds.Y[i]), 1)) != 0 {
			t.Fatalf("%s: point %d of class %d ends at (%s, %s), want (0, %d)", ds.Name, i, ds.Y[i], o[0].RatString(), o[1].RatString(), ds.Y[i])
		}
	}
}

func loadTestdata(t *testing.T, name string) *data.Dataset {
	t.Helper()
	ds, err := data.Load(data.LoadOptions{Path: "../../testdata/" + name})
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func TestPhasesIrisDigits(t *testing.T) {
	checkPhases(t, loadTestdata(t, "iris.csv"), 1, true)
	checkPhases(t, loadTestdata(t, "digits.csv.gz"), 1, false)
}

// TestPhasesProperty: 300 small random datasets (N ≤ 60, d ≤ 20, M ≤ 12;
// Gaussian, lattices forcing projection ties, near-duplicates) memorized
// exactly within 2N + 4M − 1, every class collapsed onto its own point.
func TestPhasesProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	kinds := []string{"gauss", "lattice", "near"}
	for i := range 300 {
		n := 1 + rng.IntN(60)
		d := 1 + rng.IntN(20)
		m := 1 + rng.IntN(min(12, n))
		ds := randomDataset(t, kinds[i%3], n, d, m, uint64(1000+i))
		checkPhases(t, ds, int64(i), i%10 == 0)
	}
}

// hz-phases is hz with variant=phases, and bad variants are refused.
func TestPhasesMethod(t *testing.T) {
	ds := randomDataset(t, "gauss", 30, 3, 4, 5)
	a, err := PhasesMethod{}.Build(context.Background(), ds, construct.Options{Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Method{}.Build(context.Background(), ds, construct.Options{Seed: 2, Params: phasesOpt})
	if err != nil {
		t.Fatal(err)
	}
	if a.Net.Stats() != b.Net.Stats() || a.Options["variant"] != "phases" {
		t.Error("hz-phases differs from hz variant=phases")
	}
	for _, p := range []map[string]string{{"variant": "nope"}, {"variant": "phases", "snap": "false"}} {
		if _, err := (Method{}).Build(context.Background(), ds, construct.Options{Params: p}); err == nil {
			t.Errorf("%v accepted", p)
		}
	}
	if _, err := (PhasesMethod{}).Build(context.Background(), ds, construct.Options{Params: map[string]string{"variant": "sweep"}}); err == nil {
		t.Error("hz-phases accepted variant=sweep")
	}
	if a.Hints["norm_l2_squared_spec"] == "" || a.Hints["norm_lambda_max_bound"] == "" {
		t.Errorf("no §2.6 norm hints: %v", a.Hints)
	}
}

// The §2.6 formula for ‖θ‖² is the measured norm of the exact-rational
// sweep without snap, and the λ bound holds.
func TestNormSpec26(t *testing.T) {
	for i, kind := range []string{"gauss", "lattice"} {
		ds := randomDataset(t, kind, 40, 3, 4, uint64(i))
		res, _ := buildAndVerify(t, ds, map[string]string{"weights": "rational", "snap": "false"}, 1)
		spec, _ := strconv.ParseFloat(res.Hints["norm_l2_squared_spec"], 64)
		got := res.Net.Norms().NormL2Squared
		if d := (got - spec) / spec; d > 1e-5 || d < -1e-5 {
			t.Errorf("%s: measured ‖θ‖² %g, spec §2.6 %g", kind, got, spec)
		}
		bound, _ := strconv.ParseFloat(res.Hints["norm_lambda_max_bound"], 64)
		for k := 1; k < len(res.Net.Hidden); k += 2 { // S layers: W[1][0] = −λ
			if l, _ := res.Net.Hidden[k].W[1][0].Float64(); -l > bound*(1+1e-5) {
				t.Errorf("%s: λ = %g above the §2.6 bound %g", kind, -l, bound)
			}
		}
	}
}
