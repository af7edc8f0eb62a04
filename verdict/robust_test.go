package verdict

import (
	"context"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/memnet/memnet/nn"
)

// refAct is the activation a (ReLU, STEP or identity) of the
// pre-activation z, in a new big.Rat.
func refAct(a nn.Activation, z *big.Rat) *big.Rat {
	switch {
	case a == nn.ReLU && z.Sign() < 0:
		return new(big.Rat)
	case a == nn.Step && z.Sign() >= 0:
		return big.NewRat(1, 1)
	case a == nn.Step:
		return new(big.Rat)
	}
	return new(big.Rat).Set(z)
}

// classAt evaluates net at the rational point x in big.Rat and returns the
// class its outputs stand for.
func classAt(net *nn.Network, x []*big.Rat, m int) int {
	h := x
	for _, l := range net.Layers() {
		next := make([]*big.Rat, l.Out())
		for j := range l.W {
			z := new(big.Rat).Set(l.B[j])
			for i, w := range l.W[j] {
				z.Add(z, new(big.Rat).Mul(w, h[i]))
			}
			next[j] = refAct(l.Act[j], z)
		}
		h = next
	}
	return nn.ClassOfRat(h, m)
}

// randomProjectionNet draws a network whose first layer is one projection:
// rows c_j·w, then 1–2 hidden layers of nn.ReLU/STEP units, read-out of 1–3
// outputs.
func randomProjectionNet(rng *rand.Rand, d int) *nn.Network {
	small := func() *big.Rat {
		return big.NewRat(int64(rng.IntN(9)-4), int64(1+rng.IntN(2)))
	}
	w := make([]*big.Rat, d)
	for i := range w {
		w[i] = big.NewRat(int64(rng.IntN(7)-3), 1)
	}
	w[0] = big.NewRat(int64(1+rng.IntN(3)), 1)
	acts := []nn.Activation{nn.ReLU, nn.Step, nn.ReLU}
	net := &nn.Network{InputDim: d}
	k := 1 + rng.IntN(4)
	l1 := nn.NewLayer(d, k, nn.ReLU)
	for j := range k {
		c := small()
		if c.Sign() == 0 {
			c.SetInt64(1)
		}
		for i := range d {
			l1.W[j][i].Mul(c, w[i])
		}
		l1.B[j] = small()
		l1.Act[j] = acts[rng.IntN(3)]
	}
	net.Hidden = append(net.Hidden, l1)
	in := k
	for range 1 + rng.IntN(2) {
		k = 1 + rng.IntN(4)
		l := nn.NewLayer(in, k, nn.ReLU)
		for j := range k {
			for i := range in {
				l.W[j][i] = small()
			}
			l.B[j] = small()
			l.Act[j] = acts[rng.IntN(3)]
		}
		net.Hidden = append(net.Hidden, l)
		in = k
	}
	outs := 1 + rng.IntN(3)
	if outs == 2 {
		outs = 1
	}
	ro := nn.NewLayer(in, outs, nn.Identity)
	for j := range outs {
		for i := range in {
			ro.W[j][i] = small()
		}
		ro.B[j] = small()
	}
	net.Readout = ro
	return net
}

// TestRobustRadiusBruteForce: on random one-projection networks, with the
// training points labelled by the network itself, every point strictly
// inside the exact radius's box keeps its label (random points and the
// box's corners), and at the point attaining the radius the label changes
// at the box's corner toward sign(w) or −sign(w), at or just beyond μ*.
func TestRobustRadiusBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const m = 3
	tested := 0
	for it := 0; it < 400 && tested < 150; it++ {
		d := 1 + rng.IntN(2)
		net := randomProjectionNet(rng, d)
		var xs [][]float64
		var ys []int
		seen := map[[2]float64]bool{}
		for range 12 {
			x := make([]float64, d)
			var key [2]float64
			for i := range x {
				x[i] = float64(rng.IntN(65)-32) / 8
				key[i] = x[i]
			}
			if seen[key] {
				continue
			}
			seen[key] = true
			c := classAt(net, ratVec(x), m)
			if c < 0 {
				continue
			}
			xs, ys = append(xs, x), append(ys, c)
		}
		labels := map[int]bool{}
		for _, c := range ys {
			labels[c] = true
		}
		if len(labels) < 2 {
			continue
		}
		r, err := RobustRadius(context.Background(), net, xs, ys, m)
		if err != nil {
			t.Fatal(err)
		}
		if r.Kind != RadiusExact {
			t.Fatalf("one-projection network: kind %s (%s)", r.Kind, r.Note)
		}
		if r.ValueF > r.Upper*(1+1e-9) {
			t.Fatalf("exact radius %v above the data bound %v", r.ValueF, r.Upper)
		}
		tested++
		mu := r.Value
		inside := new(big.Rat).Mul(mu, big.NewRat(255, 256))
		for i, x := range xs {
			for range 20 {
				p := ratVec(x)
				for k := range p {
					u := big.NewRat(int64(rng.IntN(2001)-1000), 1000)
					if rng.IntN(3) == 0 {
						u.SetInt64(int64(2*rng.IntN(2) - 1)) // a corner coordinate
					}
					p[k].Add(p[k], u.Mul(u, inside))
				}
				if c := classAt(net, p, m); c != ys[i] {
					t.Fatalf("it %d: point %d (label %d) has class %d at ‖Δ‖∞ < μ* = %s", it, i, ys[i], c, mu.RatString())
				}
			}
		}
		// just outside: the corner toward ±sign(w) at μ*(1+ε)
		w := net.Hidden[0].W[0]
		i := r.Argmin
		changed := false
		for _, s := range []int64{1, -1} {
			for _, eps := range []*big.Rat{new(big.Rat), big.NewRat(1, 1<<20), big.NewRat(1, 1<<40)} {
				step := new(big.Rat).Mul(mu, new(big.Rat).Add(big.NewRat(1, 1), eps))
				if mu.Sign() == 0 {
					step = eps
				}
				p := ratVec(xs[i])
				for k := range p {
					sg := big.NewRat(int64(w[k].Sign())*s, 1)
					// every row is c·w with a common w up to sign: use row 0's signs
					p[k].Add(p[k], new(big.Rat).Mul(sg, step))
				}
				if classAt(net, p, m) != ys[i] {
					changed = true
				}
			}
		}
		if !changed {
			t.Fatalf("it %d: no change of label just outside μ* = %s at point %d", it, mu.RatString(), i)
		}
	}
	if tested < 50 {
		t.Fatalf("only %d networks tested", tested)
	}
}

func ratVec(x []float64) []*big.Rat {
	p := make([]*big.Rat, len(x))
	for i, v := range x {
		p[i] = new(big.Rat).SetFloat64(v)
	}
	return p
}

// TestRobustRadiusBounds: a network whose first layer is not one projection
// gets bounds, and an all-STEP first layer a positive lower bound no larger
// than the data's upper bound when it memorizes.
func TestRobustRadiusBounds(t *testing.T) {
	net := &nn.Network{InputDim: 2}
	l1 := nn.NewLayer(2, 2, nn.Step)
	l1.W[0][0].SetInt64(1)
	l1.W[1][1].SetInt64(1)
	l1.B[0].SetFrac64(-1, 2)
	l1.B[1].SetFrac64(-1, 2)
	ro := nn.NewLayer(2, 1, nn.Identity)
	ro.W[0][0].SetInt64(1) // class = [x0 ≥ 1/2]
	net.Hidden, net.Readout = []nn.Layer{l1}, ro
	xs := [][]float64{{0, 0}, {1, 0}, {0, 1}, {1, 1}}
	ys := []int{0, 1, 0, 1}
	r, err := RobustRadius(context.Background(), net, xs, ys, 2)
	if err != nil {
		t.Fatal(err)
	}
	if r.Kind != RadiusBounds || r.Lower != 0.5*(1-1e-12) && !(r.Lower > 0.49 && r.Lower <= 0.5) || r.Upper < 0.5 {
		t.Fatalf("radius %+v: want bounds [~0.5, ≥ 0.5]", r)
	}
}
