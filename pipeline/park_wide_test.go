package pipeline

import (
	"context"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/memnet/memnet/construct"
	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
)

// TestParkReLUWideMutants: Park's exact ReLU network, whose later layers
// are several words wide (its ReLU pairs read as differences, see
// nn.findPairs; a flip of a reader's weight breaks a pair, whose two wide
// ReLUs are then evaluated in full), as built and with one bit of a
// weight's or bias's numerator flipped: the engine's outputs equal those of the
// plain big.Rat evaluation (ratForward), its class of every point the
// big.Rat reference's, and some flips change a label.
func TestParkReLUWideMutants(t *testing.T) {
	ds := data.Gaussian(100, 2, 10, 5)
	b, err := Build(context.Background(), ds, "park", construct.Options{Seed: 1, Params: map[string]string{"activation": "relu"}})
	if err != nil {
		t.Fatal(err)
	}
	net := b.Model.Net
	m := len(b.Model.Classes)
	check := func(what string, n *nn.Network) (changed bool) {
		t.Helper()
		e, err := nn.CompileExact(n, ds.X)
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := e.Classes(context.Background(), ds.X, m, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		outs, err := e.Outputs(context.Background(), ds.X, nil)
		if err != nil {
			t.Fatal(err)
		}
		for p, x := range ds.X {
			ref := ratForward(n, x)
			for j := range ref {
				if outs[p][j].Cmp(ref[j]) != 0 {
					t.Fatalf("%s: point %d output %d: engine %s, big.Rat reference %s", what, p, j, outs[p][j].RatString(), ref[j].RatString())
				}
			}
			want := ratReference(n, x, m)
			if got[p] != want {
				t.Fatalf("%s: point %d: engine class %d, big.Rat reference %d", what, p, got[p], want)
			}
			if want != ds.Y[p] {
				changed = true
			}
		}
		return changed
	}
	e, err := nn.CompileExact(net, ds.X)
	if err != nil {
		t.Fatal(err)
	}
	wide := 0
	for _, w := range e.Words() {
		if w > 2 {
			wide++
		}
	}
	if wide == 0 {
		t.Fatalf("no layer wider than 2 words (%s): the multi-word kernels are not exercised", e.Describe())
	}
	if check("as built", net) {
		t.Fatal("the network as built misclassifies a point")
	}
	rng := rand.New(rand.NewPCG(12, 3))
	ls := net.Layers()
	caught := 0
	const flips = 16
	for k := range flips {
		l := ls[len(ls)-1-rng.IntN(min(len(ls), 40))] // the widest layers are last
		j := rng.IntN(l.Out())
		r := l.B[j]
		if i := rng.IntN(l.In() + 1); i < l.In() {
			r = l.W[j][i]
		}
		old := new(big.Rat).Set(r)
		num := new(big.Int).Set(r.Num())
		num.Xor(num, new(big.Int).Lsh(big.NewInt(1), uint(rng.IntN(num.BitLen()+1))))
		r.SetFrac(num, r.Denom())
		if check("flip "+string(rune('a'+k)), net) {
			caught++
		}
		r.Set(old)
	}
	if caught == 0 {
		t.Fatalf("no flip of %d changed a label: the test is not testing", flips)
	}
	t.Logf("%d wide layers; %d of %d flips changed a label, the engine agreed with big.Rat on every point", wide, caught, flips)
}
