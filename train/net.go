// Package train trains ReLU networks by gradient descent, for comparison with
// memnet's constructions, and for the training experiments of the papers
// (Hernández–Zuazua §4 regularized training; Park et al. §6 depth–width).
//
// Architectures: MLPs of any per-layer hidden widths (ReLU), optionally
// followed by residual blocks h ↦ ReLU(W₂ ReLU(W₁h + b₁) + b₂ + h) of
// constant width (Park et al., Appendix A, with dense layers in place of
// convolutions), and an affine read-out; and convolutional residual
// networks (ConvNet: 3×3 stem, residual blocks, global average pooling,
// read-out: Park et al.'s Appendix A, see conv.go), written to .mnet as
// their dense unrolling. A network warm-started from a
// .mnet keeps that file's layers and per-neuron activations (ReLU or
// identity).
//
// Objective: J(θ) = E(θ) + λ‖θ‖²₂, with E the mean over the points of the
// squared error or the cross-entropy, and ‖θ‖² the sum of squares of every
// weight and bias, read-out included (Hernández–Zuazua §4's J_λ).
//
// Numerics: float32 or float64 throughout. Layers with in·out ≥ 64 multiply
// with gemm (internal/gemm: packed, blocked, AVX2+FMA micro-kernel on amd64, Go
// elsewhere; bias and ReLU fused); the narrowest layers use our own loops,
// which skip zero inputs and avoid per-call overhead. A batch is cut into chunks whose number depends only
// on the batch size; each chunk's gradient is computed by one goroutine and
// the chunk gradients are added in chunk order, so a given seed gives
// byte-identical networks at any GOMAXPROCS.
//
// Saving: every float weight is a dyadic rational, so the trained network is
// written to .mnet exactly (big.Rat SetFloat64), and nn's exact verifier then
// gives the network's exact training accuracy. Inputs are standardized inside
// the first layer: x' = (x − μ)/s with s a power of two per coordinate, folded
// into the first layer's weights in exact arithmetic when saving, so the saved
// network reads raw data and computes exactly what was trained.
package train

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"

	"github.com/memnet/memnet/nn"
)

// Float is the element type of training: float32 or float64.
type Float interface{ ~float32 | ~float64 }

type layerKind uint8

const (
	dense layerKind = iota
	block
)

// layer is a dense layer z = h·W + b (W stored in×out, row-major, so that
// the forward product skips zero inputs) followed by per-neuron ReLU or
// identity, or a residual block of width in = out.
type layer struct {
	kind    layerKind
	in, out int
	w, b    int    // offsets into the parameters (block: W₁, b₁)
	w2, b2  int    // block: W₂, b₂
	ident   []bool // dense: neuron j is identity (nil: every neuron ReLU, or the read-out)
	readout bool
}

func (l *layer) size() int {
	if l.kind == block {
		return 2 * (l.in*l.in + l.in)
	}
	return l.in*l.out + l.out
}

// Net is a trainable network: the layers, one flat parameter vector, and the
// input standardization.
type Net[F Float] struct {
	In, Out int
	layers  []layer
	// Params holds every weight and bias, layer after layer.
	Params []F
	// Mean and Scale standardize the inputs: the first layer reads
	// (x − Mean)/Scale. Scale entries are powers of two. Nil: raw inputs.
	Mean, Scale []float64
	// orig holds, for a warm-started network, the file's exact parameters;
	// a parameter whose value still equals its float rounding is saved as
	// the original rational (see ToNetwork).
	orig []*big.Rat
}

// Arch describes a new network.
type Arch struct {
	In, Out int
	// Hidden are the widths of the ReLU layers after the input.
	Hidden []int
	// Blocks residual blocks of width Hidden[len-1] follow the hidden layers.
	Blocks int
}

// Validate checks the architecture.
func (a Arch) Validate() error {
	if a.In < 1 || a.Out < 1 {
		return fmt.Errorf("architecture: %d inputs and %d outputs; want at least 1 each", a.In, a.Out)
	}
	for i, w := range a.Hidden {
		if w < 1 {
			return fmt.Errorf("architecture: hidden layer %d has width %d; want at least 1", i+1, w)
		}
	}
	if a.Blocks < 0 {
		return fmt.Errorf("architecture: %d residual blocks", a.Blocks)
	}
	if a.Blocks > 0 && len(a.Hidden) == 0 {
		return errors.New("architecture: residual blocks need a hidden layer before them (their width)")
	}
	return nil
}

// Params is the number of parameters (weights and biases) of the architecture.
func (a Arch) Params() int {
	n, in := 0, a.In
	for _, w := range a.Hidden {
		n += in*w + w
		in = w
	}
	n += a.Blocks * 2 * (in*in + in)
	return n + in*a.Out + a.Out
}

// New returns a network of architecture a with random initial weights drawn
// from rng: He normal N(0, 2/fan-in) for the hidden layers and W₁ of each
// block, N(0, 2/(fan-in·B)) for W₂ of each of the B blocks (so the residual
// branch adds variance O(1) over the whole stack, our choice: Park et al.
// do not state their initialization), N(0, 1/fan-in) for the read-out, and
// zero biases.
func New[F Float](a Arch, rng *rand.Rand) (*Net[F], error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	n := &Net[F]{In: a.In, Out: a.Out}
	in := a.In
	off := 0
	for _, w := range a.Hidden {
		n.layers = append(n.layers, layer{kind: dense, in: in, out: w, w: off, b: off + in*w})
		off += in*w + w
		in = w
	}
	for range a.Blocks {
		l := layer{kind: block, in: in, out: in, w: off, b: off + in*in}
		l.w2, l.b2 = l.b+in, l.b+in+in*in
		n.layers = append(n.layers, l)
		off += l.size()
	}
	n.layers = append(n.layers, layer{kind: dense, in: in, out: a.Out, w: off, b: off + in*a.Out, readout: true})
	off += in*a.Out + a.Out
	n.Params = make([]F, off)
	normal := func(w []F, sd float64) {
		for i := range w {
			w[i] = F(rng.NormFloat64() * sd)
		}
	}
	for _, l := range n.layers {
		switch {
		case l.kind == block:
			normal(n.Params[l.w:l.w+l.in*l.in], math.Sqrt(2/float64(l.in)))
			normal(n.Params[l.w2:l.w2+l.in*l.in], math.Sqrt(2/float64(l.in*a.Blocks)))
		case l.readout:
			normal(n.Params[l.w:l.w+l.in*l.out], math.Sqrt(1/float64(l.in)))
		default:
			normal(n.Params[l.w:l.w+l.in*l.out], math.Sqrt(2/float64(l.in)))
		}
	}
	return n, nil
}

// Depth is the number of hidden (activation) layers of the saved network:
// each residual block is two.
func (n *Net[F]) Depth() int {
	d := 0
	for _, l := range n.layers {
		switch {
		case l.kind == block:
			d += 2
		case !l.readout:
			d++
		}
	}
	return d
}

// Clone returns a deep copy of n.
func (n *Net[F]) Clone() *Net[F] {
	c := *n
	c.layers = append([]layer(nil), n.layers...)
	c.Params = append([]F(nil), n.Params...)
	return &c
}

// Norm2 is ‖θ‖², every parameter included, summed in float64.
func (n *Net[F]) Norm2() float64 {
	s := 0.0
	for _, v := range n.Params {
		s += float64(v) * float64(v)
	}
	return s
}

// Standardize sets the input standardization from the points: μ is the
// coordinate's mean rounded to float64, s the power of two nearest its
// standard deviation (1 for a constant coordinate).
func (n *Net[F]) Standardize(xs [][]float64) {
	d := n.In
	n.Mean, n.Scale = make([]float64, d), make([]float64, d)
	for i := range d {
		var s, s2 float64
		for _, x := range xs {
			s += x[i]
		}
		mu := s / float64(len(xs))
		for _, x := range xs {
			s2 += (x[i] - mu) * (x[i] - mu)
		}
		sd := math.Sqrt(s2 / float64(len(xs)))
		n.Mean[i], n.Scale[i] = mu, 1
		if sd > 0 && !math.IsInf(sd, 0) {
			n.Scale[i] = math.Exp2(math.Round(math.Log2(sd)))
		}
	}
}

// inputs converts raw points to the standardized float matrix the first
// layer reads (row-major, one row per point).
func (n *Net[F]) inputs(xs [][]float64) []F {
	out := make([]F, len(xs)*n.In)
	for p, x := range xs {
		for i, v := range x {
			if n.Mean != nil {
				v = (v - n.Mean[i]) / n.Scale[i]
			}
			out[p*n.In+i] = F(v)
		}
	}
	return out
}

// FromNetwork turns a memnet network into a trainable one: every layer
// becomes a dense layer (weights rounded to F) whose neurons keep their
// activation, which must be ReLU or identity. The inputs are not
// standardized. The exact parameters are kept: ToNetwork writes a parameter
// unchanged by training as its original rational, so a warm start saved at
// step 0 is the file's network.
func FromNetwork[F Float](net *nn.Network) (*Net[F], error) {
	if err := net.Check(); err != nil {
		return nil, err
	}
	n := &Net[F]{In: net.InputDim, Out: net.OutputDim()}
	ls := net.Layers()
	off := 0
	for k, src := range ls {
		l := layer{kind: dense, in: src.In(), out: src.Out(), w: off, b: off + src.In()*src.Out(), readout: k == len(ls)-1}
		if !l.readout {
			for j, a := range src.Act {
				switch a {
				case nn.ReLU:
				case nn.Identity:
					if l.ident == nil {
						l.ident = make([]bool, l.out)
					}
					l.ident[j] = true
				default:
					return nil, fmt.Errorf("layer %d neuron %d has activation %v; training supports relu and identity", k+1, j+1, a)
				}
			}
		}
		n.layers = append(n.layers, l)
		off += l.size()
	}
	n.Params = make([]F, off)
	n.orig = make([]*big.Rat, off)
	for k, src := range ls {
		l := n.layers[k]
		for j := range src.W {
			for i, w := range src.W[j] {
				n.orig[l.w+i*l.out+j] = w
			}
			n.orig[l.b+j] = src.B[j]
		}
	}
	for i, r := range n.orig {
		n.Params[i] = roundRat[F](r)
	}
	return n, nil
}

func roundRat[F Float](r *big.Rat) F {
	if _, ok := any(F(0)).(float32); ok {
		v, _ := r.Float32()
		return F(v)
	}
	v, _ := r.Float64()
	return F(v)
}

// exactParam is parameter i as an exact rational: the float value, or the
// warm start's original rational when the float value is still its rounding.
func (n *Net[F]) exactParam(i int) (*big.Rat, error) {
	v := float64(n.Params[i])
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil, fmt.Errorf("parameter %d is %v (training diverged)", i, v)
	}
	if n.orig != nil && roundRat[F](n.orig[i]) == n.Params[i] {
		return new(big.Rat).Set(n.orig[i]), nil
	}
	return new(big.Rat).SetFloat64(v), nil
}

// ToNetwork writes n as a memnet network with exact rational weights. The
// input standardization is folded into the first layer exactly: weight
// w/s and bias b − Σ w μ/s, all dyadic. A residual block becomes two layers:
// the first of width 2c holds ReLU(W₁h + b₁) and an identity copy of h, the
// second computes ReLU(W₂r + b₂ + h).
func (n *Net[F]) ToNetwork() (*nn.Network, error) {
	net := &nn.Network{InputDim: n.In}
	var firstErr error
	p := func(i int) *big.Rat {
		r, err := n.exactParam(i)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			return new(big.Rat)
		}
		return r
	}
	for k, l := range n.layers {
		switch l.kind {
		case dense:
			act := nn.ReLU
			if l.readout {
				act = nn.Identity
			}
			out := nn.NewLayer(l.in, l.out, act)
			for j := range l.out {
				for i := range l.in {
					out.W[j][i] = p(l.w + i*l.out + j)
				}
				out.B[j] = p(l.b + j)
				if l.ident != nil && l.ident[j] {
					out.Act[j] = nn.Identity
				}
			}
			if k == 0 && n.Mean != nil {
				foldStandardization(&out, n.Mean, n.Scale)
			}
			if l.readout {
				net.Readout = out
			} else {
				net.Hidden = append(net.Hidden, out)
			}
		case block:
			c := l.in
			a := nn.NewLayer(c, 2*c, nn.ReLU)
			b := nn.NewLayer(2*c, c, nn.ReLU)
			for j := range c {
				for i := range c {
					a.W[j][i] = p(l.w + i*c + j)
					b.W[j][i] = p(l.w2 + i*c + j)
				}
				a.B[j] = p(l.b + j)
				a.W[c+j][j].SetInt64(1)
				a.Act[c+j] = nn.Identity
				b.B[j] = p(l.b2 + j)
				b.W[j][c+j].SetInt64(1)
			}
			net.Hidden = append(net.Hidden, a, b)
		}
	}
	if firstErr != nil {
		return nil, firstErr
	}
	return net, net.Check()
}

// foldStandardization rewrites z = W((x − μ)/s) + b as z = W' x + b'.
func foldStandardization(l *nn.Layer, mean, scale []float64) {
	mu := make([]*big.Rat, len(mean))
	inv := make([]*big.Rat, len(scale))
	for i := range mean {
		mu[i] = new(big.Rat).SetFloat64(mean[i])
		inv[i] = new(big.Rat).Inv(new(big.Rat).SetFloat64(scale[i]))
	}
	t := new(big.Rat)
	for j := range l.W {
		for i, w := range l.W[j] {
			w.Mul(w, inv[i])
			l.B[j].Sub(l.B[j], t.Mul(w, mu[i]))
		}
	}
}

// DropOriginal forgets a warm start's exact parameters, so that ToNetwork
// writes every parameter as its float value.
func (n *Net[F]) DropOriginal() { n.orig = nil }

// Outputs evaluates the network (float F) on raw points.
func (n *Net[F]) Outputs(xs [][]float64) [][]float64 {
	acts := n.Activations(xs)
	o := acts[len(acts)-1]
	out := make([][]float64, len(xs))
	for p := range out {
		out[p] = o[p*n.Out : (p+1)*n.Out]
	}
	return out
}

// Activations returns every layer's outputs on raw points, layer by layer
// (point-major within a layer; a residual block's output only), the
// read-out last.
func (n *Net[F]) Activations(xs [][]float64) [][]float64 {
	wk := n.newWork(len(xs))
	copy(wk.x, n.inputs(xs))
	n.forward(len(xs), wk)
	out := make([][]float64, len(n.layers))
	for k, a := range wk.acts {
		out[k] = make([]float64, len(a))
		for i, v := range a {
			out[k][i] = float64(v)
		}
	}
	return out
}
