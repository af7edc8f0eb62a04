package park

import (
	"context"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/memnet/memnet/nn"
)

// TestFastMutations flips single bits of stored weights and biases (table
// rows, label-chain constants, x-chain jumps, first layer) and checks that
// the layer-major evaluator gives exactly the outputs of nn.EvalExact on the
// mutated network, and that a mutation the generic evaluator sees as
// breaking a point is caught.
func TestFastMutations(t *testing.T) {
	for _, act := range []string{"step", "relu"} {
		xs, ys := randomData(300, 6, 10, 99, false)
		b, err := Build(context.Background(), xs, ys, 10, Config{Activation: act})
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(5, 6))
		caught, compared := 0, 0
		for it := range 40 {
			net := cloneNet(b.Net)
			layers := append(append([]nn.Layer(nil), net.Hidden...), net.Readout)
			// pick a nonzero weight or bias; every fourth try one with a long
			// mantissa (a label-row constant), flipping a random bit
			var r *big.Rat
			for r == nil {
				li := rng.IntN(len(layers))
				l := &layers[li]
				j := rng.IntN(l.Out())
				var c *big.Rat
				if i := rng.IntN(l.In() + 1); i == l.In() {
					c = l.B[j]
				} else {
					c = l.W[j][i]
				}
				if c.Sign() == 0 || (it%4 == 0 && c.Num().BitLen() < 64) {
					continue
				}
				r = c
			}
			num := new(big.Int).Set(r.Num())
			bit := rng.IntN(num.BitLen())
			num.SetBit(num, bit, num.Bit(bit)^1)
			r.SetFrac(num, new(big.Int).Set(r.Denom()))
			want, err := nn.EvalExact(net, xs, nil)
			if err != nil {
				t.Fatal(err)
			}
			got, err := EvalFast(net, xs)
			if err != nil {
				continue // outside the typed evaluator's scope: nn.Verify is used then
			}
			compared++
			broken := false
			for i := range xs {
				if got[i].Cmp(want[i][0]) != 0 {
					t.Fatalf("%s mutation %d: point %d: fast %v, exact %v", act, it, i, got[i], want[i][0])
				}
				if nn.ClassOfRat(want[i], 10) != ys[i] {
					broken = true
				}
			}
			if broken {
				r, err := VerifyFast(net, xs, ys, 10, false)
				if err != nil || r.Exact {
					t.Fatalf("%s mutation %d: broken network verified (%v)", act, it, err)
				}
				caught++
			}
		}
		t.Logf("%s: %d of 40 one-bit mutations in the typed evaluator's scope, all outputs equal to nn.EvalExact; %d change some class, all caught", act, compared, caught)
		if caught == 0 || compared < 20 {
			t.Errorf("%s: no mutation changed a class", act)
		}
	}
}

func cloneNet(n *nn.Network) *nn.Network {
	cl := func(l nn.Layer) nn.Layer {
		c := nn.NewLayer(l.In(), l.Out(), nn.Identity)
		copy(c.Act, l.Act)
		for j := range l.W {
			for i := range l.W[j] {
				c.W[j][i] = new(big.Rat).Set(l.W[j][i])
			}
			c.B[j] = new(big.Rat).Set(l.B[j])
		}
		return c
	}
	out := &nn.Network{InputDim: n.InputDim, Readout: cl(n.Readout)}
	for _, l := range n.Hidden {
		out.Hidden = append(out.Hidden, cl(l))
	}
	return out
}

// TestFastUnsorted checks the path without the global sort (taken when the
// state before the first dyadic layer is too wide) against nn.EvalExact.
func TestFastUnsorted(t *testing.T) {
	defer func(l int64) { sortLimit = l }(sortLimit)
	for _, cfg := range []Config{{}, {Activation: "relu"}, {Theorem: 1, W: 1}} {
		xs, ys := randomData(500, 4, 10, 3, false)
		b, err := Build(context.Background(), xs, ys, 10, cfg)
		if err != nil {
			t.Fatal(err)
		}
		want, err := nn.EvalExact(b.Net, xs, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, lim := range []int64{0, 1 << 40} {
			sortLimit = lim
			got, err := EvalFast(b.Net, xs)
			if err != nil {
				t.Fatal(err)
			}
			for i := range xs {
				if got[i].Cmp(want[i][0]) != 0 {
					t.Fatalf("%+v sortLimit %d: point %d: %v, want %v", cfg, lim, i, got[i], want[i][0])
				}
			}
		}
	}
}
