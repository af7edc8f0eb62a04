package vardi

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/memnet/memnet/construct"
	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
)

// randomDataset returns n distinct points in R^d with labels in [0, c).
// kind: "gauss" (float64 Gaussian), "grid" (Gaussian snapped to 2^-20),
// "int" (integers 0..255), "ties" (near-ties: values k/2 and k/2 + ~1e-9).
func randomDataset(n, d, c int, kind string, seed uint64) *data.Dataset {
	rng := rand.New(rand.NewPCG(seed, 17))
	ds := &data.Dataset{Name: fmt.Sprintf("%s-%d-%d-%d", kind, n, d, c)}
	seen := map[uint64]bool{}
	for len(ds.X) < n {
		x := make([]float64, d)
		for k := range x {
			switch kind {
			case "int":
				x[k] = float64(rng.IntN(256))
			case "grid":
				x[k] = math.Round(rng.NormFloat64()*(1<<20)) / (1 << 20)
			case "ties":
				base := float64(rng.IntN(n+1)) * 0.5
				if rng.IntN(2) == 0 {
					base += 1e-9 * float64(1+rng.IntN(3))
				}
				x[k] = base
			default:
				x[k] = rng.NormFloat64()
			}
		}
		key := uint64(14695981039346656037)
		for _, v := range x {
			key = (key ^ math.Float64bits(v)) * 1099511628211
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		ds.X = append(ds.X, x)
		ds.Y = append(ds.Y, rng.IntN(c))
	}
	for k := range c {
		ds.Classes = append(ds.Classes, strconv.Itoa(k))
	}
	return ds
}

// checkBuilt verifies b on ds with the exact engine, without and with the
// taint split of the network's hints, and checks the sizes against the
// plan's (theorem) bounds.
func checkBuilt(t *testing.T, name string, b *Built, ds *data.Dataset, maxWidth int) {
	t.Helper()
	st := b.Net.Stats()
	pr := prediction(b.Plan, construct.Sizes(ds.N(), ds.D(), ds.M()), 0, true)
	if st.Width > maxWidth {
		t.Errorf("%s: width %d > %d", name, st.Width, maxWidth)
	}
	if int64(st.Depth) != pr.Realisation["depth"] || st.Depth != b.Plan.Depth {
		t.Errorf("%s: depth %d, realisation %d", name, st.Depth, pr.Realisation["depth"])
	}
	if int64(st.Width) != pr.Realisation["width"] {
		t.Errorf("%s: width %d, realisation %d", name, st.Width, pr.Realisation["width"])
	}
	if st.WeightsNonzero != pr.Realisation["edges"] {
		t.Errorf("%s: %d nonzero weights, realisation exactly %d", name, st.WeightsNonzero, pr.Realisation["edges"])
	}
	if st.Params > pr.Realisation["params"] {
		t.Errorf("%s: params %d > realisation %d", name, st.Params, pr.Realisation["params"])
	}
	l1 := 0
	for _, w := range append([]*big.Rat{b.Net.Hidden[0].B[0]}, b.Net.Hidden[0].W[0]...) {
		l1 = max(l1, nn.Bits(w))
	}
	if want := max(b.Plan.CraftBits, l1); st.MaxWeightBits > want {
		t.Errorf("%s: max weight bits %d > bound %d", name, st.MaxWeightBits, want)
	}
	g, err := nn.Verify(context.Background(), b.Net, ds.X, ds.Y, ds.M(), nn.ExactOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !g.Exact || g.ExactEqual != ds.N() {
		t.Fatalf("%s: generic exact verifier: %d/%d correct, %d equal, wrong %v", name, g.ExactCorrect, g.Points, g.ExactEqual, g.Wrong)
	}
	r, err := nn.ExactVerdict(context.Background(), b.Net, ds.X, ds.Y, ds.M(), nn.ExactOptions{Hints: b.Layout.Hints()})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Exact || r.ExactEqual != ds.N() {
		t.Fatalf("%s: exact engine with the hints' split: %+v", name, r)
	}
	if !strings.Contains(r.ExactEvaluator, "share the work") {
		t.Fatalf("%s: the hints' split was not used: %s", name, r.ExactEvaluator)
	}
}

// TestProperty builds hundreds of random small datasets (N 1..2000, C up to
// 1000, d = 1 with near-ties, integer and real data) and checks each network
// exactly (with and without the hints' taint split) and against the bounds.
func TestProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	kinds := []string{"gauss", "grid", "int", "ties"}
	count := 160
	if testing.Short() {
		count = 40
	}
	for it := range count {
		n := 1 + rng.IntN(1+rng.IntN(2000))
		if it < 4 {
			n = 1 + it // N = 1..4
		}
		c := []int{1, 2, 3, 10, 100, 1000}[rng.IntN(6)]
		kind := kinds[it%4]
		d := 1 + rng.IntN(8)
		if kind == "ties" {
			d = 1
		}
		if kind == "int" && d == 1 {
			n = min(n, 256)
		}
		ds := randomDataset(n, d, c, kind, uint64(it))
		cfg := Config{Objective: []string{"params", "depth"}[rng.IntN(2)]}
		b, err := BuildNetwork(context.Background(), ds, cfg, int64(it))
		if err != nil {
			t.Fatalf("%s: %v", ds.Name, err)
		}
		checkBuilt(t, ds.Name, b, ds, 12)
	}
}

// TestLabelsWiderThanValues covers c > ρ (few points, many classes), where
// the label pipeline is the longer one.
func TestLabelsWiderThanValues(t *testing.T) {
	for n := 1; n <= 6; n++ {
		ds := randomDataset(n, 1, 1000, "int", uint64(n))
		for i := range ds.Y {
			ds.Y[i] = 999 - i
		}
		b, err := BuildNetwork(context.Background(), ds, Config{}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if b.Plan.C <= b.Plan.Rho && n < 3 {
			t.Logf("n=%d: c=%d ρ=%d", n, b.Plan.C, b.Plan.Rho)
		}
		checkBuilt(t, ds.Name, b, ds, 12)
	}
	// ρ = 1 or 2: two points at 0 and 1 scaled to gap 2
	ds := &data.Dataset{X: [][]float64{{0}, {1}}, Y: []int{7, 3}, Classes: make([]string, 8)}
	b, err := BuildNetwork(context.Background(), ds, Config{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("two points: ρ=%d c=%d depth %d", b.Plan.Rho, b.Plan.C, b.Plan.Depth)
	checkBuilt(t, "two points", b, ds, 12)
}

// TestCraftDecode checks spec §8.3: the software tent decoder returns the
// packed chunks from the crafted integer (prefix-XOR + trailing 1), and the
// key lemma's "never on the fold" exhaustively for M ≤ 10.
func TestCraftDecode(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		width := 1 + rng.IntN(20)
		n := 1 + rng.IntN(8)
		k := 1 + rng.IntN(n)
		vals := make([]*big.Int, k)
		for i := range vals {
			vals[i] = new(big.Int).SetUint64(rng.Uint64() & (1<<width - 1))
		}
		u, err := Craft(vals, width, n)
		if err != nil {
			t.Fatal(err)
		}
		if u.Bit(0) != 1 || u.BitLen() > width*n+1 {
			t.Fatalf("crafted %v: not odd or too long", u)
		}
		got := DecodeTent(u, width, n)
		for i := range n {
			want := big.NewInt(0)
			if i < k {
				want = vals[i]
			}
			if got[i].Cmp(want) != 0 {
				t.Fatalf("width %d n %d chunk %d: got %v want %v", width, n, i, got[i], want)
			}
		}
	}
	for m := 1; m <= 10; m++ {
		half := int64(1) << m
		for s := int64(0); s < 1<<m; s++ {
			z := 2*PrefixXOR(big.NewInt(s), m).Int64() + 1
			for k := range m {
				if z == half {
					t.Fatalf("M=%d s=%b: Z_%d on the fold", m, s, k)
				}
				if bit := (s >> (m - 1 - k)) & 1; (z > half) != (bit == 1) {
					t.Fatalf("M=%d s=%b: bit %d read wrong", m, s, k+1)
				}
				if z <= half {
					z = 2 * z
				} else {
					z = 4*half - 2*z
				}
			}
		}
	}
}

// TestStageI checks the separation invariant and that the stored weights
// give the recorded floors.
func TestStageI(t *testing.T) {
	for _, kind := range []string{"gauss", "int", "ties", "grid"} {
		ds := randomDataset(500, 3, 2, kind, 3)
		if kind == "ties" {
			ds = randomDataset(500, 1, 2, kind, 3)
		}
		s, err := StageI(context.Background(), ds.X, 1, 0)
		if err != nil {
			t.Fatal(err)
		}
		for k := 1; k < len(s.Order); k++ {
			g := new(big.Int).Sub(s.Floor[s.Order[k]], s.Floor[s.Order[k-1]])
			if g.Cmp(big.NewInt(2)) < 0 {
				t.Fatalf("%s: floors %d apart", kind, g)
			}
		}
		for i, x := range ds.X {
			v := new(big.Rat).Set(s.Bias)
			for k, w := range s.W {
				v.Add(v, new(big.Rat).Mul(w, new(big.Rat).SetFloat64(x[k])))
			}
			fl := new(big.Int).Div(v.Num(), v.Denom())
			if v.Sign() <= 0 || fl.Cmp(s.Floor[i]) != 0 {
				t.Fatalf("%s point %d: t = %v, floor recorded %v", kind, i, v.FloatString(3), s.Floor[i])
			}
		}
		t.Logf("%s: ρ=%d σ=%d draws=%d dirbits=%d", kind, s.Rho, s.Sigma, s.Draws, s.DirBits)
	}
	// duplicates cannot be separated: a clear error, not a hang
	if _, err := StageI(context.Background(), [][]float64{{1, 2}, {1, 2}}, 1, 0); err == nil {
		t.Fatal("duplicate points accepted")
	}
}

// flipBit returns w with bit k of its numerator flipped.
func flipBit(w *big.Rat, k int) *big.Rat {
	num := new(big.Int).Set(w.Num())
	num.SetBit(num, k, 1-num.Bit(k))
	return new(big.Rat).SetFrac(num, w.Denom())
}

// sameOutputs checks the exact engine with the taint split of the layout's
// hints against the engine without it, point by point, and returns the
// number of points whose output is not their label.
func sameOutputs(t *testing.T, net *nn.Network, lay *Layout, ds *data.Dataset) int {
	t.Helper()
	gen, err := nn.EvalExact(context.Background(), net, ds.X, nil)
	if err != nil {
		t.Fatal(err)
	}
	e, err := nn.CompileExact(net, ds.X)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.UseSplit(lay.Split, lay.PerPoint); err != nil {
		t.Fatal(err)
	}
	got, err := e.Outputs(context.Background(), ds.X, nil)
	if err != nil {
		t.Fatal(err)
	}
	wrong := 0
	for i := range got {
		if got[i][0].Cmp(gen[i][0]) != 0 {
			t.Fatalf("point %d: with split %v, without %v", i, got[i][0], gen[i][0])
		}
		if gen[i][0].Cmp(new(big.Rat).SetInt64(int64(ds.Y[i]))) != 0 {
			wrong++
		}
	}
	return wrong
}

// TestMutation flips single bits of crafted weights (and of other weights
// and biases): the exact engine with the hints' taint split must agree with
// the engine without it on every point, and a flip inside a real point's
// packed label must be caught.
func TestMutation(t *testing.T) {
	for _, P := range []int{1, 3} {
		ds := randomDataset(250, 3, 10, "grid", 5)
		b, err := BuildNetwork(context.Background(), ds, Config{Blocks: P}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if w := sameOutputs(t, b.Net, b.Layout, ds); w != 0 {
			t.Fatalf("unmutated network has %d wrong points", w)
		}
		rng := rand.New(rand.NewPCG(9, uint64(P)))
		c, n := b.Plan.C, b.Plan.NPer
		caught := 0
		tried := 0
		for _, cw := range b.Layout.Crafted {
			if rng.IntN(6) != 0 && cw.Interval != 0 {
				continue
			}
			row := b.Net.Hidden[cw.Layer].W[cw.Row]
			orig := row[cw.Col]
			var k int
			switch {
			case cw.Kind == "W" && cw.Chunks > 0:
				// a bit of a real point's label: Gray bit i (1-based from the
				// most significant of n·c bits) sits at position n·c − i + 1.
				i := 1 + rng.IntN(cw.Chunks*c)
				k = n*c - i + 1
			default:
				k = rng.IntN(orig.Num().BitLen() + 1)
			}
			row[cw.Col] = flipBit(orig, k)
			wrong := sameOutputs(t, b.Net, b.Layout, ds)
			r, err := nn.ExactVerdict(context.Background(), b.Net, ds.X, ds.Y, ds.M(), nn.ExactOptions{Hints: b.Layout.Hints()})
			if err != nil {
				t.Fatal(err)
			}
			if r.ExactEqual != ds.N()-wrong {
				t.Fatalf("Verify counts %d equal, evaluator %d wrong", r.ExactEqual, wrong)
			}
			if cw.Kind == "W" && cw.Chunks > 0 {
				tried++
				if wrong == 0 || r.Exact {
					t.Errorf("flip of bit %d of W' (block %d interval %d) not caught", k, cw.Block, cw.Interval)
				} else {
					caught++
				}
			}
			row[cw.Col] = orig
		}
		// other weights and biases: agreement with and without the split
		for range 20 {
			l := 1 + rng.IntN(len(b.Net.Hidden)-1)
			L := &b.Net.Hidden[l]
			j := rng.IntN(L.Out())
			var nz []int
			for i, w := range L.W[j] {
				if w.Sign() != 0 {
					nz = append(nz, i)
				}
			}
			if len(nz) == 0 || rng.IntN(3) == 0 {
				ob := L.B[j]
				L.B[j] = flipBit(ob, rng.IntN(ob.Num().BitLen()+2))
				sameOutputs(t, b.Net, b.Layout, ds)
				L.B[j] = ob
				continue
			}
			i := nz[rng.IntN(len(nz))]
			ow := L.W[j][i]
			L.W[j][i] = flipBit(ow, rng.IntN(ow.Num().BitLen()+1))
			sameOutputs(t, b.Net, b.Layout, ds)
			L.W[j][i] = ow
		}
		t.Logf("P=%d: %d/%d label-bit flips caught", P, caught, tried)
		if tried == 0 {
			t.Fatal("no crafted label weight mutated")
		}
	}
}

// TestVariants: Theorem 5.1 (blocks / max-depth) and Theorem 6.2 (max-bits).
func TestVariants(t *testing.T) {
	ds := randomDataset(600, 4, 10, "grid", 11)
	base, err := BuildNetwork(context.Background(), ds, Config{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	checkBuilt(t, "base", base, ds, 12)
	for _, P := range []int{2, 4, 8} {
		b, err := BuildNetwork(context.Background(), ds, Config{Blocks: P}, 1)
		if err != nil {
			t.Fatal(err)
		}
		checkBuilt(t, fmt.Sprintf("blocks=%d", P), b, ds, 1+11*P)
		if b.Plan.Depth >= base.Plan.Depth {
			t.Errorf("blocks=%d: depth %d not below %d", P, b.Plan.Depth, base.Plan.Depth)
		}
	}
	for _, D := range []int{150, 100, 70} {
		b, err := BuildNetwork(context.Background(), ds, Config{MaxDepth: D}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if b.Plan.Depth > D {
			t.Errorf("max-depth %d: depth %d", D, b.Plan.Depth)
		}
		checkBuilt(t, fmt.Sprintf("max-depth=%d", D), b, ds, 1+11*b.Plan.P)
	}
	for _, B := range []int{64, 128, 256} {
		b, err := BuildNetwork(context.Background(), ds, Config{MaxBits: B}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if st := b.Net.Stats(); st.MaxWeightBits > B {
			t.Errorf("max-bits %d: %d-bit weight", B, st.MaxWeightBits)
		}
		checkBuilt(t, fmt.Sprintf("max-bits=%d", B), b, ds, 12)
	}
	if _, err := BuildNetwork(context.Background(), ds, Config{MaxBits: 10}, 1); err == nil {
		t.Error("max-bits 10 accepted")
	}
	if _, err := BuildNetwork(context.Background(), ds, Config{MaxDepth: 5}, 1); err == nil {
		t.Error("max-depth 5 accepted")
	}
}

// TestMethod exercises the construct.Method interface and options.
func TestMethod(t *testing.T) {
	m, err := construct.Lookup("vardi")
	if err != nil {
		t.Fatal(err)
	}
	pr, err := m.Predict(construct.Sizes(10000, 10, 10), construct.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"depth", "width", "params", "bits"} {
		if pr.Realisation[k] <= 0 || pr.TheoremForm[k].Value <= 0 {
			t.Errorf("count %s missing: %v %v", k, pr.Realisation, pr.TheoremForm)
		}
	}
	if pr.Realisation["width"] != 12 || pr.TheoremForm["width"].Value != 12 || pr.TheoremForm["depth"].Constants != "constants 1" {
		t.Errorf("prediction %v %v", pr.Realisation, pr.TheoremForm)
	}
	// Theorem 3.1's depth form with log R estimated by ρ = ⌈log2(N²√10)⌉+2 = 31:
	// √(N log N) + √(N/log N)·31 for N = 10⁴.
	ln := math.Log2(10000)
	if want := math.Sqrt(10000*ln) + math.Sqrt(10000/ln)*31; math.Abs(pr.TheoremForm["depth"].Value-want) > 1e-9 {
		t.Errorf("depth form %v, want %v", pr.TheoremForm["depth"].Value, want)
	}
	for opt, th := range map[string]string{"max-depth": "Theorem 5.1", "max-bits": "Theorem 6.2"} {
		p, err := m.Predict(construct.Sizes(10000, 10, 10), construct.Options{Params: map[string]string{opt: "200"}})
		if err != nil || !strings.Contains(p.Theorem, th) || p.TheoremForm["params"].Value != 10000.0/200 {
			t.Errorf("%s=200: theorem %q, params form %v (%v)", opt, p.Theorem, p.TheoremForm["params"], err)
		}
	}
	ds := randomDataset(300, 5, 3, "gauss", 4)
	res, err := m.Build(context.Background(), ds, construct.Options{Seed: 3, Params: map[string]string{"objective": "depth"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Options["objective"] != "depth" || res.Prediction.Realisation["depth"] != int64(len(res.Net.Hidden)) {
		t.Errorf("result %v %v", res.Options, res.Prediction.Realisation)
	}
	for _, bad := range []map[string]string{{"objective": "x"}, {"nope": "1"}, {"max-depth": "-1"}, {"max-depth": "100", "blocks": "2"}} {
		if _, err := m.Build(context.Background(), ds, construct.Options{Params: bad}); err == nil {
			t.Errorf("options %v accepted", bad)
		}
	}
}
