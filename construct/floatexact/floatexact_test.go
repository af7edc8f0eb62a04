package floatexact

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/memnet/memnet/construct"
	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
)

// testData is n distinct random integer points in [0, span)^d with labels in
// 0..m−1.
func testData(n, d, m, span int, seed uint64) *data.Dataset {
	if span == 0 {
		span = 256
	}
	rng := rand.New(rand.NewPCG(seed, 7))
	ds := &data.Dataset{Name: fmt.Sprintf("random(%d,%d,%d)", n, d, m)}
	seen := map[string]bool{}
	for len(ds.X) < n {
		x := make([]float64, d)
		for j := range x {
			x[j] = float64(rng.IntN(span))
		}
		k := fmt.Sprint(x)
		if seen[k] {
			continue
		}
		seen[k] = true
		ds.X = append(ds.X, x)
		ds.Y = append(ds.Y, rng.IntN(m))
		ds.Rows = append(ds.Rows, len(ds.X))
	}
	for k := range m {
		ds.Classes = append(ds.Classes, fmt.Sprint(k))
	}
	return ds
}

// checkNet checks a built network on ds: the float32 certificate holds with
// every partial sum ≤ 2^24, its exact outputs are the labels' one-hot
// vectors, and the float32 and float64 views (our summation order, an
// evaluator independent of the certificate) give exactly the same outputs.
func checkNet(t *testing.T, name string, net *nn.Network, ds *data.Dataset) *nn.Certificate {
	t.Helper()
	cert, err := certify(net, ds.X, nn.CertFloat32)
	if err != nil {
		t.Fatalf("%s: certify: %v", name, err)
	}
	if !cert.Proven {
		t.Fatalf("%s: not proven: %s", name, cert.Reason)
	}
	if cert.MaxPositive > Limit || cert.MaxNegative > Limit || cert.MaxUnits > Limit {
		t.Fatalf("%s: partial sums %v / %v exceed 2^24", name, cert.MaxPositive, cert.MaxNegative)
	}
	// the float32 view on every point, or on 2000 spread over large sets
	step := max(1, ds.N()/2000)
	var xs [][]float64
	for i := 0; i < ds.N(); i += step {
		xs = append(xs, ds.X[i])
	}
	f32 := net.Float32()
	out := make([][]float32, len(xs))
	for i := range out {
		out[i] = make([]float32, net.OutputDim())
	}
	if err := f32.EvalBatch(xs, out); err != nil {
		t.Fatal(err)
	}
	for i, o := range cert.Outputs {
		f := out[0]
		if i%step == 0 {
			f = out[i/step]
		}
		for j, v := range o {
			want := 0.0
			if len(o) == 1 {
				want = float64(ds.Y[i])
			} else if j == ds.Y[i] {
				want = 1
			}
			if v != want || (i%step == 0 && float64(f[j]) != want) {
				t.Fatalf("%s: point %d output %d: exact %v, float32 %v, want %v", name, i+1, j, v, f[j], want)
			}
		}
	}
	return cert
}

func TestProperty(t *testing.T) {
	cases := []struct {
		n, d, c, span int
		opts          map[string]string
	}{
		{1, 3, 2, 0, nil},
		{2, 1, 2, 5, nil},
		{1, 1, 1, 0, nil},        // one class: the single output is the index
		{40, 2, 3, 7, nil},       // few distinct projections: ties in z_0
		{600, 6, 4, 3, nil},      // C = 4 is not squarefree: base 5; values 0..2 force ties
		{300, 3, 12, 10, nil},    // base 13
		{2000, 8, 10, 256, nil},  // base 10 = GF(2)×GF(5)
		{1200, 5, 1000, 50, nil}, // base 1009, two digits per word
		{500, 4, 30, 20, nil},    // base 30 = GF(2)×GF(3)×GF(5)
		{800, 3, 10, 40, map[string]string{"output": "index", "lookups": "2"}},
		{700, 64, 10, 17, map[string]string{"q1": "2", "q2": "3", "digits": "5"}},
		{100000, 8, 10, 256, nil},
	}
	for k, tc := range cases {
		ds := testData(tc.n, tc.d, tc.c, tc.span, uint64(k+1))
		name := fmt.Sprintf("N=%d d=%d C=%d span=%d %v", tc.n, tc.d, tc.c, tc.span, tc.opts)
		res, err := Method{}.Build(context.Background(), ds, construct.Options{Seed: int64(k), Params: tc.opts})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		checkNet(t, name, res.Net, ds)
		if tc.n <= 2000 { // the generic exact evaluator agrees
			r, err := nn.ExactVerdict(context.Background(), res.Net, ds.X, ds.Y, ds.M(), nn.ExactOptions{})
			if err != nil || !r.Exact {
				t.Fatalf("%s: generic exact verify: %v %+v", name, err, r)
			}
		}
	}
}

// TestForcedCollisions uses data where every projection sees only a few
// distinct values, so most points share z_0 with others and many share
// cells: equal labels within a shared cell set must still be solvable and
// the solver must never return a wrong table.
func TestForcedCollisions(t *testing.T) {
	for seed := range 6 {
		ds := &data.Dataset{Name: "collide", Classes: []string{"a", "b", "c"}}
		// x = (a, b): the label depends on a only, so points sharing a
		// share their label; b varies within a label
		for a := range 12 {
			for b := range 20 {
				ds.X = append(ds.X, []float64{float64(a), float64(b)})
				ds.Y = append(ds.Y, a%3)
				ds.Rows = append(ds.Rows, len(ds.X))
			}
		}
		res, err := Method{}.Build(context.Background(), ds, construct.Options{Seed: int64(seed), Params: map[string]string{"pixels": "1"}})
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		checkNet(t, "collide", res.Net, ds)
	}
}

// TestFatalCollisionRetry: with one pixel per projection on x = (a, b) and
// labels b, a seed whose three projections all read a puts points that differ
// only in b (and label) on the same row and cells: fatal. With one seed
// allowed the build reports it; with retries it moves on to another seed.
func TestFatalCollisionRetry(t *testing.T) {
	ds := &data.Dataset{Name: "fatal", Classes: []string{"0", "1"}}
	for a := range 10 {
		for b := range 2 {
			ds.X = append(ds.X, []float64{float64(a), float64(b)})
			ds.Y = append(ds.Y, b)
			ds.Rows = append(ds.Rows, len(ds.X))
		}
	}
	found := false
	for seed := int64(0); seed < 64 && !found; seed++ {
		_, err := Method{}.Build(context.Background(), ds, construct.Options{Seed: seed, Params: map[string]string{"pixels": "1", "retries": "1"}})
		if err == nil {
			continue
		}
		if !strings.Contains(err.Error(), "fatal") {
			t.Fatalf("seed %d: unexpected error %v", seed, err)
		}
		found = true
		res, err := Method{}.Build(context.Background(), ds, construct.Options{Seed: seed, Params: map[string]string{"pixels": "1", "retries": "20"}})
		if err != nil {
			t.Fatalf("seed %d with retries: %v", seed, err)
		}
		if !strings.Contains(strings.Join(res.Notes, "\n"), "retrying with seed") || res.Options["seed"] == fmt.Sprint(seed) {
			t.Fatalf("retry not reported: %v %v", res.Notes, res.Options)
		}
		checkNet(t, "retried", res.Net, ds)
	}
	if !found {
		t.Fatal("no seed produced the fatal collision")
	}
}

func TestSolveReportsCollision(t *testing.T) {
	cells := [][]int32{{0, 5, 9}, {0, 5, 9}}
	_, err := solveTable(context.Background(), [][]int32{{0, 1}}, []int64{7, 7}, cells, []int{1, 2}, 10, []int{2, 5}, 12, nil)
	var ce *collisionError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "points 1 and 2") {
		t.Fatalf("got %v", err)
	}
}

func TestRefusesNonInteger(t *testing.T) {
	ds := testData(20, 3, 2, 0, 9)
	ds.X[4][1] = 12.25
	_, err := Method{}.Build(context.Background(), ds, construct.Options{})
	if err == nil || !strings.Contains(err.Error(), "coordinate 2") || !strings.Contains(err.Error(), "10^2") {
		t.Fatalf("got %v", err)
	}
	var na interface{ NotApplicable() bool }
	if !errors.As(err, &na) {
		t.Fatal("the refusal is not marked not-applicable")
	}
	ds.X[4][1] = 1 << 25
	if _, err := (Method{}).Build(context.Background(), ds, construct.Options{}); err == nil || !strings.Contains(err.Error(), "2^24") {
		t.Fatalf("got %v", err)
	}
	wide := &data.Dataset{Name: "wide", Classes: []string{"0", "1"}, X: [][]float64{{0}, {1 << 24}}, Y: []int{0, 1}, Rows: []int{1, 2}}
	if _, err := (Method{}).Build(context.Background(), wide, construct.Options{}); err == nil || !strings.Contains(err.Error(), "too wide") {
		t.Fatalf("wide range: %v", err)
	}
	if _, err := (Method{}).Build(context.Background(), ds, construct.Options{Params: map[string]string{"output": "bits"}}); err == nil {
		t.Fatal("bad option accepted")
	}
}

// TestMutations: a built network altered by one weight +1 no longer matches
// its certificate (another network hash) and gets some label wrong; one
// partial sum pushed past 2^24, or one weight that float32 cannot hold, and
// the certificate is refused.
func TestMutations(t *testing.T) {
	ds := testData(400, 6, 10, 0, 3)
	res, err := Method{}.Build(context.Background(), ds, construct.Options{Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	orig := checkNet(t, "original", res.Net, ds)
	// the largest payload weight: a gate weight W − M or M
	var lk, lj, li int
	var big0 int64
	for k, l := range res.Net.Layers() {
		for j := range l.W {
			for i, w := range l.W[j] {
				if v := w.Num().Int64(); w.IsInt() && abs(v) > big0 {
					big0, lk, lj, li = abs(v), k, j, i
				}
			}
		}
	}
	mutate := func(f func(net *nn.Network)) *nn.Network {
		var buf bytes.Buffer
		if err := (&nn.Model{Net: res.Net, Method: "floatexact", Classes: ds.Classes}).Encode(&buf); err != nil {
			t.Fatal(err)
		}
		m, err := nn.Decode(&buf)
		if err != nil {
			t.Fatal(err)
		}
		f(m.Net)
		return m.Net
	}
	// one weight +1
	plus := mutate(func(net *nn.Network) {
		w := net.Layers()[lk].W[lj][li]
		w.Add(w, big.NewRat(1, 1))
	})
	c, err := certify(plus, ds.X, nn.CertFloat32)
	if err != nil {
		t.Fatal(err)
	}
	if c.NetworkSHA256 == orig.NetworkSHA256 {
		t.Fatal("a mutated network has the original's hash")
	}
	wrong := 0
	if c.Proven {
		for i, o := range c.Outputs {
			if nn.ClassOfFloat(o, ds.M()) != ds.Y[i] {
				wrong++
			}
		}
	}
	if c.Proven && wrong == 0 {
		t.Fatalf("weight %d+1 changed no label", big0)
	}
	// a partial sum past 2^24: raise the bias of the neuron with the largest one
	pushed := mutate(func(net *nn.Network) {
		l := net.Layers()[lk]
		l.B[lj] = new(big.Rat).Add(l.B[lj], big.NewRat(Limit, 1))
	})
	c, err = certify(pushed, ds.X, nn.CertFloat32)
	if err != nil {
		t.Fatal(err)
	}
	if c.Proven || !strings.Contains(c.Reason, "exceeds 2^24") {
		t.Fatalf("pushed partial sum still certified: %+v", c)
	}
	// a weight float32 cannot hold
	odd := mutate(func(net *nn.Network) {
		net.Layers()[lk].W[lj][li] = big.NewRat(Limit+1, 1)
	})
	if c, _ := certify(odd, ds.X, nn.CertFloat32); c.Proven || !strings.Contains(c.Reason, "not a float32 number") {
		t.Fatalf("unrepresentable weight certified: %+v", c)
	}
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// certify is nn.CertifyPoints on every point of xs, without a deadline.
func certify(net *nn.Network, xs [][]float64, f nn.CertFormat) (*nn.Certificate, error) {
	return nn.CertifyPoints(context.Background(), net, xs, nil, f)
}
