package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"math/big"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/memnet/memnet/construct"
	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
)

// ratForward is a plain big.Rat evaluation of net at x: its exact outputs.
func ratForward(net *nn.Network, x []float64) []*big.Rat {
	h := make([]*big.Rat, len(x))
	for i, v := range x {
		h[i] = new(big.Rat).SetFloat64(v)
	}
	for _, l := range net.Layers() {
		next := make([]*big.Rat, l.Out())
		for j := range l.W {
			z := new(big.Rat).Set(l.B[j])
			for i, w := range l.W[j] {
				z.Add(z, new(big.Rat).Mul(w, h[i]))
			}
			switch l.Act[j] {
			case nn.ReLU:
				if z.Sign() < 0 {
					z.SetInt64(0)
				}
			case nn.Step:
				z.SetInt64(int64(map[bool]int{true: 1, false: 0}[z.Sign() >= 0]))
			}
			next[j] = z
		}
		h = next
	}
	return h
}

// ratReference evaluates net on x with plain big.Rat arithmetic, every term,
// no shortcuts, and returns the class its outputs stand for (the rule of
// the docs: one output rounds to the nearest class index, an exact half
// stands for none; several outputs: the strictly largest).
func ratReference(net *nn.Network, x []float64, m int) int {
	h := ratForward(net, x)
	if len(h) == 1 {
		for k := range m {
			d := new(big.Rat).Sub(h[0], big.NewRat(int64(k), 1))
			if d.Abs(d).Cmp(big.NewRat(1, 2)) < 0 {
				return k
			}
		}
		return -1
	}
	best := -1
	for j := range h {
		strict := true
		for k := range h {
			if k != j && h[k].Cmp(h[j]) >= 0 {
				strict = false
			}
		}
		if strict {
			best = j
		}
	}
	if best >= m {
		return -1
	}
	return best
}

// fileRoundTrip writes model as a .mnet file and reads it back, as verify
// would get it from a stranger.
func fileRoundTrip(t *testing.T, model *nn.Model) *nn.Model {
	t.Helper()
	var buf bytes.Buffer
	if err := model.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := nn.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return back
}

func rats(t *testing.T, ss ...string) []*big.Rat {
	out := make([]*big.Rat, len(ss))
	for i, s := range ss {
		r, ok := new(big.Rat).SetString(s)
		if !ok {
			t.Fatalf("bad number %q", s)
		}
		out[i] = r
	}
	return out
}

// handMade builds a network from rows of weight strings: each layer is
// (activations, rows "w1 w2 ... | b").
func handMade(t *testing.T, d int, acts []string, rows [][][]string) *nn.Network {
	net := &nn.Network{InputDim: d}
	in := d
	for k, layer := range rows {
		l := nn.NewLayer(in, len(layer), nn.Identity)
		for j, row := range layer {
			ws := rats(t, row...)
			copy(l.W[j], ws[:in])
			l.B[j] = ws[in]
			a, err := nn.ActivationFromCode(acts[k][j])
			if err != nil {
				t.Fatal(err)
			}
			l.Act[j] = a
		}
		if k == len(rows)-1 {
			net.Readout = l
		} else {
			net.Hidden = append(net.Hidden, l)
		}
		in = len(layer)
	}
	if err := net.Check(); err != nil {
		t.Fatal(err)
	}
	return net
}

// checkNameIndependent verifies the same weights under every method name
// (through a file round trip, with and without forged hints) and checks
// that every verdict equals the big.Rat reference's.
func checkNameIndependent(t *testing.T, what string, net *nn.Network, ds *data.Dataset) {
	checkNames(t, what, net, ds, []string{"park", "vardi", "hz", "zhang", "ysj", "import", "no-such-method"},
		[]map[string]string{nil, {"split": "0", "per_point": "0"}, {"split": "x", "per_point": "-3,99"}})
}

// checkFewNames is checkNameIndependent with three names and no hints.
func checkFewNames(t *testing.T, what string, net *nn.Network, ds *data.Dataset) {
	checkNames(t, what, net, ds, []string{"park", "vardi", "zhang"}, []map[string]string{nil})
}

func checkNames(t *testing.T, what string, net *nn.Network, ds *data.Dataset, names []string, hints []map[string]string) {
	t.Helper()
	var wantCorrect int
	for i, x := range ds.X {
		if ratReference(net, x, ds.M()) == ds.Y[i] {
			wantCorrect++
		}
	}
	for _, name := range names {
		for _, h := range hints {
			model := fileRoundTrip(t, &nn.Model{Net: net, Method: name, Classes: ds.Classes, Points: ds.N(), Options: map[string]string{}, Hints: h})
			v, err := Verify(context.Background(), model, ds, VerifyOptions{})
			if err != nil {
				t.Fatalf("%s labelled %q, hints %v: verify: %v", what, name, h, err)
			}
			if v.ExactCorrect != wantCorrect || v.Exact != (wantCorrect == ds.N()) {
				t.Fatalf("%s labelled %q, hints %v: %d/%d correct (exact %v), big.Rat reference %d/%d",
					what, name, h, v.ExactCorrect, ds.N(), v.Exact, wantCorrect, ds.N())
			}
		}
	}
}

// TestVerdictIgnoresMethodName: a hand-made 3-layer network that the former
// park-only typed evaluator judged EXACT (it computed 21/8 instead of 9/4 at
// (2, 1)) is NOT EXACT under every name, as the big.Rat reference says; the
// other crafted files of the hostile-input report get reference verdicts too.
func TestVerdictIgnoresMethodName(t *testing.T) {
	ds, err := data.FromRaw("crafted", [][]float64{{2, 1}, {-1.5, -0.5}}, []string{"3", "0"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ds.Classes = []string{"0", "1", "2", "3"}
	ds.Y = []int{3, 0}
	net := handMade(t, 2, []string{"R", "R", "I"}, [][][]string{
		{{"2", "4", "1/2"}},
		{{"1", "1/2"}},
		{{"1/4", "0"}},
	})
	if got := ratReference(net, ds.X[0], 4); got != 2 {
		t.Fatalf("reference class at (2,1) = %d, want 2 (output 9/4)", got)
	}
	checkNameIndependent(t, "park-shaped ReLU network", net, ds)

	// A first-layer bias of 2^62 and a later weight of 2^-22 (verify used to
	// panic with makeslice in the park evaluator).
	big62 := new(big.Int).Lsh(big.NewInt(1), 62).String()
	net2 := handMade(t, 1, []string{"S", "RI", "I"}, [][][]string{
		{{"1", big62}},
		{{"1/4194304", "0"}, {"3", "-1"}},
		{{"1", "1", "-1"}},
	})
	ds2, err := data.FromRaw("crafted", [][]float64{{0}, {1}, {-3}}, []string{"0", "1", "0"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkNameIndependent(t, "bias 2^62, weight 2^-22", net2, ds2)

	// Networks of the ridge shape (verified by the sorted sweep, chosen
	// from the weights): zhang's and ysj's, as built and with flipped bits.
	ds3 := data.Gaussian(40, 2, 3, 8)
	for _, method := range []string{"zhang", "ysj"} {
		b, err := Build(context.Background(), ds3, method, construct.Options{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		checkNameIndependent(t, method+" network", b.Model.Net, ds3)
		for k := range 4 {
			mut := b.Model.Net
			l := &mut.Readout
			if k%2 == 1 {
				l = &mut.Hidden[0]
			}
			j := k % l.Out()
			i := (7 * k) % l.In()
			old := new(big.Rat).Set(l.W[j][i])
			l.W[j][i].Add(l.W[j][i], big.NewRat(int64(1+k), 4))
			checkFewNames(t, fmt.Sprintf("%s network, weight (%d,%d) changed", method, j, i), mut, ds3)
			l.W[j][i].Set(old)
		}
	}

	// Many small random networks, including STEP and rank-one first layers.
	for seed := range uint64(30) {
		net, ds := randomCase(seed)
		checkFewNames(t, fmt.Sprintf("random network %d", seed), net, ds)
	}
}

// randomCase draws a small network with a rank-one first layer (the shape
// the former park evaluator took for its own) and a dataset for it.
func randomCase(seed uint64) (*nn.Network, *data.Dataset) {
	ds := data.Gaussian(12, 2, 3, seed+100)
	r := func(k uint64) *big.Rat {
		v := int64((seed*7919+k*104729)%9) - 4
		return big.NewRat(v, int64(1)<<((seed+k)%3))
	}
	net := &nn.Network{InputDim: 2}
	l1 := nn.NewLayer(2, 3, nn.Step)
	for j := range 3 {
		a := big.NewRat(int64(j+1), 1)
		l1.W[j][0].Mul(a, r(1))
		l1.W[j][1].Mul(a, r(2))
		l1.B[j] = r(uint64(10 + j))
		l1.Act[j] = nn.Activation((seed + uint64(j)) % 3)
	}
	l2 := nn.NewLayer(3, 2, nn.ReLU)
	for j := range 2 {
		for i := range 3 {
			l2.W[j][i] = r(uint64(20 + 3*j + i))
		}
		l2.B[j] = r(uint64(30 + j))
	}
	ro := nn.NewLayer(2, 1, nn.Identity)
	ro.W[0][0], ro.W[0][1], ro.B[0] = r(40), r(41), big.NewRat(1, 1)
	net.Hidden = []nn.Layer{l1, l2}
	net.Readout = ro
	return net, ds
}

// TestWrongVardiHints: a vardi network verified with forged hints gets the
// same verdict (EXACT) as with its own; hints never decide a value.
func TestWrongVardiHints(t *testing.T) {
	ds := data.Gaussian(60, 3, 3, 5)
	b, err := Build(context.Background(), ds, "vardi", construct.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	forged := []map[string]string{
		b.Model.Hints,
		{"split": "0", "per_point": ""},
		{"split": "1", "per_point": "0,1,2"},
		{"split": "999999", "per_point": "x"},
		{"split": "-1"},
	}
	for _, h := range forged {
		m := *b.Model
		m.Hints = h
		v, err := Verify(context.Background(), fileRoundTrip(t, &m), ds, VerifyOptions{})
		if err != nil {
			t.Fatalf("hints %v: %v", h, err)
		}
		if !v.Exact || v.ExactCorrect != ds.N() {
			t.Fatalf("hints %v: %d/%d correct", h, v.ExactCorrect, ds.N())
		}
	}
}

// TestSplitWithoutHints: a Vardi network whose file lost its hints (an
// import, a hand-made copy) still shares work: the engine finds a taint
// split from the weights and a sample of the points, at the layer the hints
// name (or next to it), and its classes equal those of the engine without
// any split — for the network and for bit-flip mutants of its shared part.
func TestSplitWithoutHints(t *testing.T) {
	ds := data.Gaussian(2500, 10, 10, 9)
	b, err := Build(context.Background(), ds, "vardi", construct.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	hinted, _ := strconv.Atoi(b.Model.Hints["split"])
	y := classIndex(b.Model, ds)
	net := b.Model.Net
	check := func(net *nn.Network, name string, wantExact bool) {
		t.Helper()
		plain, err := nn.CompileExact(net, ds.X)
		if err != nil {
			t.Fatal(err)
		}
		want, _, err := plain.Classes(context.Background(), ds.X, len(b.Model.Classes), y, nil)
		if err != nil {
			t.Fatal(err)
		}
		e, _ := nn.CompileExact(net, ds.X)
		S, pp, ok := e.FindSplit(ds.X)
		if !ok {
			t.Fatalf("%s: no split found (the hints name layer %d)", name, hinted)
		}
		if S < hinted-2 || S > hinted+2 {
			t.Errorf("%s: split at layer %d, the hints name %d", name, S, hinted)
		}
		if err := e.UseSplit(S, pp); err != nil {
			t.Fatal(err)
		}
		got, _, err := e.Classes(context.Background(), ds.X, len(b.Model.Classes), y, nil)
		if err != nil {
			t.Fatal(err)
		}
		exact := true
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%s: point %d: class %d with the found split, %d without", name, i, got[i], want[i])
			}
			exact = exact && got[i] == y[i]
		}
		if wantExact && !exact {
			t.Fatalf("%s: not exact", name)
		}
	}
	check(net, "network", true)
	// flip bits of weights after the split (the shared bit extraction)
	rng := rand.New(rand.NewPCG(4, 4))
	for m := range 3 {
		mut := net.Clone()
		k := hinted + 1 + rng.IntN(len(mut.Hidden)-hinted-1)
		l := &mut.Hidden[k]
		j := rng.IntN(l.Out())
		for i := range l.W[j] {
			if l.W[j][i].Sign() != 0 {
				num := new(big.Int).Set(l.W[j][i].Num())
				num.SetBit(num, rng.IntN(num.BitLen()+1), num.Bit(0)^1)
				l.W[j][i].SetFrac(num, l.W[j][i].Denom())
				break
			}
		}
		check(mut, fmt.Sprintf("mutant %d (layer %d)", m, k), false)
	}
}
