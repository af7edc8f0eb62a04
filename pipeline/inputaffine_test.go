package pipeline

import (
	"context"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
)

func affineTestNet(r *rand.Rand, d int) *nn.Network {
	l := func(in, out int, act nn.Activation) nn.Layer {
		x := nn.NewLayer(in, out, act)
		for j := range x.W {
			for i := range x.W[j] {
				x.W[j][i] = big.NewRat(int64(r.IntN(21)-10), int64(1+r.IntN(7)))
			}
			x.B[j] = big.NewRat(int64(r.IntN(21)-10), 3)
		}
		return x
	}
	return &nn.Network{InputDim: d, Hidden: []nn.Layer{l(d, 4, nn.ReLU)}, Readout: l(4, 3, nn.Identity)}
}

// Apply computes net(scale·x + shift) exactly, composes with a preprocessing
// folded before, and Unfolded gives back the network it was folded into.
func TestInputAffine(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	net := affineTestNet(r, 3)
	m := &nn.Model{Net: net, Classes: []string{"a", "b", "c"}}
	a, err := ParseInputAffine("1/255", "-0.1307,0.5,2e-1")
	if err != nil {
		t.Fatal(err)
	}
	fm, err := a.Apply(m)
	if err != nil {
		t.Fatal(err)
	}
	xs := [][]float64{{0, 128, 255}, {3, 7, 1}, {-1, 0.5, 200}}
	pre := make([][]float64, len(xs))
	shift := []*big.Rat{big.NewRat(-1307, 10000), big.NewRat(1, 2), big.NewRat(1, 5)}
	// evaluate net at the rational scale·x + shift by folding it into a copy at x = 0
	got, err := nn.EvalExact(context.Background(), fm.Net, xs, nil)
	if err != nil {
		t.Fatal(err)
	}
	for p, x := range xs {
		y := make([]*big.Rat, 3)
		for i, v := range x {
			y[i] = new(big.Rat).Add(new(big.Rat).Mul(new(big.Rat).SetFloat64(v), big.NewRat(1, 255)), shift[i])
		}
		at, err := nn.FoldInputAffine(net, []*big.Rat{new(big.Rat)}, y)
		if err != nil {
			t.Fatal(err)
		}
		pre[p] = make([]float64, 3)
		want, err := nn.EvalExact(context.Background(), at, pre[p:p+1], nil)
		if err != nil {
			t.Fatal(err)
		}
		for j := range want[0] {
			if got[p][j].Cmp(want[0][j]) != 0 {
				t.Fatalf("point %d output %d: %s, want %s", p, j, got[p][j].RatString(), want[0][j].RatString())
			}
		}
	}
	if fm.Options[OptInputScale] != "1/255" || fm.Options[OptInputShift] != "-1307/10000,1/2,1/5" {
		t.Errorf("options %v", fm.Options)
	}
	back, err := a.Unfolded(fm.Net)
	if err != nil {
		t.Fatal(err)
	}
	for k, l := range back.Layers() {
		for j := range l.W {
			for i := range l.W[j] {
				if l.W[j][i].Cmp(net.Layers()[k].W[j][i]) != 0 {
					t.Fatalf("unfolded weight %d/%d/%d differs", k, j, i)
				}
			}
			if l.B[j].Cmp(net.Layers()[k].B[j]) != 0 {
				t.Fatalf("unfolded bias %d/%d differs", k, j)
			}
		}
	}
	// a second preprocessing composes: m(s2·(s·x + t) + t2)
	b, _ := ParseInputAffine("2", "1")
	gm, err := b.Apply(fm)
	if err != nil {
		t.Fatal(err)
	}
	if gm.Options[OptInputScale] != "2/255,2/255,2/255" {
		t.Errorf("composed scale %q", gm.Options[OptInputScale])
	}
	wantShift := []*big.Rat{new(big.Rat).Add(big.NewRat(1, 255), shift[0]), new(big.Rat).Add(big.NewRat(1, 255), shift[1]), new(big.Rat).Add(big.NewRat(1, 255), shift[2])}
	var ws []string
	for _, s := range wantShift {
		ws = append(ws, s.RatString())
	}
	if gm.Options[OptInputShift] != strings.Join(ws, ",") {
		t.Errorf("composed shift %q, want %q", gm.Options[OptInputShift], strings.Join(ws, ","))
	}
	for _, bad := range [][2]string{{"0", ""}, {"1/0", ""}, {"x", ""}, {"1,2", "1,2,3"}, {"1e99999", ""}} {
		if _, err := ParseInputAffine(bad[0], bad[1]); err == nil {
			t.Errorf("%q %q accepted", bad[0], bad[1])
		}
	}
}

// CompareFloat32 lists the points where float32 rounding changes the class,
// with the exact margin.
func TestCompareFloat32(t *testing.T) {
	// outputs x and (1 + 2^-30)·x: exactly the second is larger for x > 0
	// and the first for x < 0; in float32 the weights are equal and the
	// outputs tie (no class). Labels: b, b, a.
	ro := nn.NewLayer(1, 2, nn.Identity)
	ro.W[0][0], ro.W[1][0] = big.NewRat(1, 1), new(big.Rat).Add(big.NewRat(1, 1), big.NewRat(1, 1<<30))
	ro.B[0], ro.B[1] = new(big.Rat), new(big.Rat)
	m := &nn.Model{Net: &nn.Network{InputDim: 1, Readout: ro}, Method: "import", Classes: []string{"a", "b"}}
	ds := &data.Dataset{X: [][]float64{{1}, {-1}, {4}}, Y: []int{0, 0, 1}, Classes: []string{"b", "a"}, Rows: []int{1, 2, 3}}
	c, err := CompareFloat32(context.Background(), m, ds)
	if err != nil {
		t.Fatal(err)
	}
	if c.ExactCorrect != 1 || c.Float32Correct != 0 || len(c.Diffs) != 3 {
		t.Fatalf("%+v", c)
	}
	if d := c.Diffs[2]; d.Row != 3 || d.Label != "a" || d.Exact != "b" || d.Float32 != "?" || d.ExactMargin != "-1/268435456" {
		t.Errorf("%+v", d)
	}
	if d := c.Diffs[0]; d.ExactMargin != "1/1073741824" || !d.ExactRight || d.FloatRight {
		t.Errorf("%+v", d)
	}
}
