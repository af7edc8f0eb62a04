package park

import (
	"fmt"
	"math/big"

	"github.com/memnet/memnet/nn"
)

// expr is an affine expression Σ w_k·h_k + c over the outputs h of the most
// recently emitted layer (or, before any layer, over the single virtual
// input z = v·x + b of the projection, index 0).
type expr struct {
	idx []int
	w   []*big.Rat
	c   *big.Rat
}

func rat(n int64) *big.Rat { return new(big.Rat).SetInt64(n) }

// pow2 returns 2^e as an exact rational (e may be negative).
func pow2(e int) *big.Rat {
	if e >= 0 {
		return new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), uint(e)))
	}
	return new(big.Rat).SetFrac(big.NewInt(1), new(big.Int).Lsh(big.NewInt(1), uint(-e)))
}

func ref(i int) expr        { return expr{idx: []int{i}, w: []*big.Rat{rat(1)}, c: new(big.Rat)} }
func konst(r *big.Rat) expr { return expr{c: new(big.Rat).Set(r)} }

// add returns e + s·f.
func (e expr) add(f expr, s *big.Rat) expr {
	out := expr{idx: append([]int(nil), e.idx...), c: new(big.Rat).Set(e.c)}
	for _, w := range e.w {
		out.w = append(out.w, new(big.Rat).Set(w))
	}
	for k, i := range f.idx {
		t := new(big.Rat).Mul(f.w[k], s)
		found := false
		for m, j := range out.idx {
			if j == i {
				out.w[m].Add(out.w[m], t)
				found = true
				break
			}
		}
		if !found {
			out.idx = append(out.idx, i)
			out.w = append(out.w, t)
		}
	}
	out.c.Add(out.c, new(big.Rat).Mul(f.c, s))
	// drop zero coefficients
	k := 0
	for m := range out.idx {
		if out.w[m].Sign() != 0 {
			out.idx[k], out.w[k] = out.idx[m], out.w[m]
			k++
		}
	}
	out.idx, out.w = out.idx[:k], out.w[:k]
	return out
}

// substitute returns e with every reference h_i replaced by the expression
// img[i] (e over the new layer's neurons), in time linear in the terms;
// terms keep first-seen order as with add, and zero coefficients are dropped.
func (e expr) substitute(img []expr) expr {
	acc := map[int]*big.Rat{}
	var order []int
	c := new(big.Rat).Set(e.c)
	for k, i := range e.idx {
		f, w := img[i], e.w[k]
		c.Add(c, new(big.Rat).Mul(f.c, w))
		for m, j := range f.idx {
			t := new(big.Rat).Mul(f.w[m], w)
			if a, ok := acc[j]; ok {
				a.Add(a, t)
			} else {
				acc[j] = t
				order = append(order, j)
			}
		}
	}
	out := expr{c: c}
	for _, j := range order {
		if acc[j].Sign() != 0 {
			out.idx = append(out.idx, j)
			out.w = append(out.w, acc[j])
		}
	}
	return out
}

// plusConst returns e + r.
func (e expr) plusConst(r *big.Rat) expr { return e.add(konst(r), rat(1)) }

// unit is one hidden neuron of the STEP+ID construction, with what the
// construction proves about its pre-activation on the data (needed by the
// exact ReLU conversion, Lemma 12 style):
//   - STEP: margin > 0 with pre ≤ −margin whenever pre < 0;
//   - ID: pre ≥ lo on every data point.
type unit struct {
	act    nn.Activation
	pre    expr
	margin *big.Rat
	lo     *big.Rat
}

func idUnit(e expr) unit { return unit{act: nn.Identity, pre: e, lo: new(big.Rat)} }
func stepUnit(e expr, margin *big.Rat) unit {
	return unit{act: nn.Step, pre: e, margin: margin}
}

// program is a network under construction: hidden layers of units, the
// projection feeding the first layer, and an affine read-out.
type program struct {
	v      []*big.Rat // projection direction (dyadic)
	b      *big.Rat   // projection offset
	zmax   float64    // projected values lie in [0, zmax) (sigmoid budget)
	layers [][]unit
	out    expr
	// stage records, per hidden layer, which part of the pipeline emitted it.
	stage []string
}

// emit appends a hidden layer and returns references to its neurons.
func (p *program) emit(stage string, us ...unit) []expr {
	p.layers = append(p.layers, us)
	p.stage = append(p.stage, stage)
	refs := make([]expr, len(us))
	for k := range us {
		refs[k] = ref(k)
	}
	return refs
}

// network turns the program into an nn.Network. The first hidden layer's
// weights are α·v (a rank-one matrix: the projection folded into layer 1,
// §3 of the spec) and its biases α·b + c.
func (p *program) network() (*nn.Network, error) {
	net := &nn.Network{InputDim: len(p.v)}
	in := 1
	for li, us := range p.layers {
		width := in
		if li == 0 {
			width = len(p.v)
		}
		l := nn.NewLayer(width, len(us), nn.Identity)
		for j, u := range us {
			l.Act[j] = u.act
			if err := p.fill(&l, j, u.pre, li == 0, in); err != nil {
				return nil, fmt.Errorf("layer %d neuron %d: %w", li+1, j, err)
			}
		}
		net.Hidden = append(net.Hidden, l)
		in = len(us)
	}
	width := in
	if len(p.layers) == 0 {
		width = len(p.v)
	}
	r := nn.NewLayer(width, 1, nn.Identity)
	if err := p.fill(&r, 0, p.out, len(p.layers) == 0, in); err != nil {
		return nil, fmt.Errorf("read-out: %w", err)
	}
	net.Readout = r
	return net, net.Check()
}

func (p *program) fill(l *nn.Layer, j int, e expr, first bool, in int) error {
	l.B[j] = new(big.Rat).Set(e.c)
	for k, i := range e.idx {
		if first {
			if i != 0 {
				return fmt.Errorf("first layer reads input %d of the projection", i)
			}
			for c, vc := range p.v {
				l.W[j][c] = new(big.Rat).Mul(e.w[k], vc)
			}
			l.B[j].Add(l.B[j], new(big.Rat).Mul(e.w[k], p.b))
			continue
		}
		if i < 0 || i >= in {
			return fmt.Errorf("reads neuron %d of a layer of %d", i, in)
		}
		l.W[j][i] = new(big.Rat).Set(e.w[k])
	}
	return nil
}
