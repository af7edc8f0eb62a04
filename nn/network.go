// Package nn holds memnet's feed-forward networks: affine layers with exact
// rational weights, each followed by a per-neuron activation, and a final
// affine read-out.
//
// Weights are stored as *big.Rat. Constructions use dyadic rationals
// (integer × power of two) wherever they can, because the exact evaluator
// then runs in integer fixed point (see Compile); general rationals are
// accepted and evaluated with exact rational arithmetic.
//
// Conventions (shared by every construction and by the papers' counts):
//   - Depth is the number of hidden (activation) layers; the read-out is not counted.
//   - Width is the largest number of neurons in a hidden layer.
//   - WeightsNonzero counts edges (nonzero weights, read-out included), the
//     papers' parameter count; BiasesNonzero counts nonzero biases.
package nn

import (
	"errors"
	"fmt"
	"math/big"
)

// Activation is the function a neuron applies to its pre-activation z.
type Activation uint8

const (
	// ReLU is max(z, 0).
	ReLU Activation = iota
	// Step is 1 for z ≥ 0 and 0 for z < 0 (STEP(0) = 1, as in Park et al.).
	Step
	// Identity passes z through.
	Identity
	// Sigmoid is 1/(1+e^{-z}); it has no exact rational evaluation.
	Sigmoid
)

var actCodes = [...]byte{ReLU: 'R', Step: 'S', Identity: 'I', Sigmoid: 'G'}
var actNames = [...]string{ReLU: "relu", Step: "step", Identity: "identity", Sigmoid: "sigmoid"}

// String returns the activation's lower-case name.
func (a Activation) String() string {
	if int(a) < len(actNames) {
		return actNames[a]
	}
	return fmt.Sprintf("activation(%d)", a)
}

// Code returns the one-letter code used in the file format.
func (a Activation) Code() byte { return actCodes[a] }

// ActivationFromCode is the inverse of Code.
func ActivationFromCode(c byte) (Activation, error) {
	for a, code := range actCodes {
		if code == c {
			return Activation(a), nil
		}
	}
	return 0, fmt.Errorf("unknown activation code %q", c)
}

// Layer is an affine map z = W h + b followed by Act[j] on neuron j.
// W has one row per output neuron and one column per input.
type Layer struct {
	W   [][]*big.Rat
	B   []*big.Rat
	Act []Activation
}

// NewLayer returns a layer of out neurons reading in inputs, all weights and
// biases zero and every activation act.
func NewLayer(in, out int, act Activation) Layer {
	l := Layer{W: make([][]*big.Rat, out), B: make([]*big.Rat, out), Act: make([]Activation, out)}
	for j := range out {
		l.W[j] = make([]*big.Rat, in)
		for i := range in {
			l.W[j][i] = new(big.Rat)
		}
		l.B[j] = new(big.Rat)
		l.Act[j] = act
	}
	return l
}

// In is the number of inputs of the layer.
func (l *Layer) In() int {
	if len(l.W) == 0 {
		return 0
	}
	return len(l.W[0])
}

// Out is the number of neurons of the layer.
func (l *Layer) Out() int { return len(l.B) }

// Network is a feed-forward network: hidden layers, then an affine read-out
// (its activations are all Identity).
type Network struct {
	InputDim int
	Hidden   []Layer
	Readout  Layer
}

// OutputDim is the number of outputs of the read-out.
func (n *Network) OutputDim() int { return n.Readout.Out() }

// Check verifies that the shapes chain and that every number is set.
func (n *Network) Check() error {
	if n.InputDim < 1 {
		return errors.New("network: input dimension must be at least 1")
	}
	in := n.InputDim
	check := func(name string, l *Layer) error {
		if l.Out() < 1 {
			return fmt.Errorf("network: %s has no neurons", name)
		}
		if len(l.W) != l.Out() || len(l.Act) != l.Out() {
			return fmt.Errorf("network: %s has %d weight rows, %d biases and %d activations", name, len(l.W), len(l.B), len(l.Act))
		}
		for j, row := range l.W {
			if len(row) != in {
				return fmt.Errorf("network: %s row %d has %d weights, want %d", name, j, len(row), in)
			}
			for i, w := range row {
				if w == nil {
					return fmt.Errorf("network: %s weight (%d,%d) is unset", name, j, i)
				}
			}
			if l.B[j] == nil {
				return fmt.Errorf("network: %s bias %d is unset", name, j)
			}
			if l.Act[j] > Sigmoid {
				return fmt.Errorf("network: %s neuron %d has unknown activation %d", name, j, l.Act[j])
			}
		}
		in = l.Out()
		return nil
	}
	for k := range n.Hidden {
		if err := check(fmt.Sprintf("layer %d", k+1), &n.Hidden[k]); err != nil {
			return err
		}
	}
	if err := check("read-out", &n.Readout); err != nil {
		return err
	}
	for j, a := range n.Readout.Act {
		if a != Identity {
			return fmt.Errorf("network: read-out neuron %d has activation %v, want identity", j, a)
		}
	}
	return nil
}

// Layers returns the hidden layers followed by the read-out.
func (n *Network) Layers() []*Layer {
	ls := make([]*Layer, 0, len(n.Hidden)+1)
	for k := range n.Hidden {
		ls = append(ls, &n.Hidden[k])
	}
	return append(ls, &n.Readout)
}

// IsDyadic reports whether every weight and bias is an integer times a power
// of two, so that Compile can use integer fixed point.
func (n *Network) IsDyadic() bool {
	for _, l := range n.Layers() {
		for j := range l.W {
			for _, w := range l.W[j] {
				if !isDyadic(w) {
					return false
				}
			}
			if !isDyadic(l.B[j]) {
				return false
			}
		}
	}
	return true
}

// HasActivation reports whether any hidden neuron uses a.
func (n *Network) HasActivation(a Activation) bool {
	for k := range n.Hidden {
		for _, b := range n.Hidden[k].Act {
			if b == a {
				return true
			}
		}
	}
	return false
}

func isDyadic(r *big.Rat) bool {
	d := r.Denom()
	return d.BitLen() == int(d.TrailingZeroBits())+1
}

// Bits is the bit complexity of one exact number p/q in lowest terms:
// bitlen(|p|) plus, for q > 1, log2 q when q is a power of two (so a/2^b
// costs bitlen(a)+b, as in Vardi et al.) and bitlen(q) otherwise. Zero costs 0.
func Bits(r *big.Rat) int {
	if r.Sign() == 0 {
		return 0
	}
	b := r.Num().BitLen()
	q := r.Denom()
	if q.BitLen() > 1 || q.Bit(0) == 0 {
		if isDyadic(r) {
			b += q.BitLen() - 1
		} else {
			b += q.BitLen()
		}
	}
	return b
}

// Stats are a network's size and bit counts.
type Stats struct {
	Depth           int   `json:"depth"`
	Width           int   `json:"width"`
	Neurons         int   `json:"neurons"`
	WeightsNonzero  int64 `json:"weights_nonzero"`
	BiasesNonzero   int64 `json:"biases_nonzero"`
	Params          int64 `json:"params"`
	MaxWeightBits   int   `json:"max_weight_bits"`
	TotalWeightBits int64 `json:"total_weight_bits"`
	Dyadic          bool  `json:"dyadic"`
	// Norms are ‖θ‖₂² and ‖θ‖_∞ over every weight and bias (nn/norms.go).
	Norms
}

// Count is the count a theory record names by key (params, depth, width,
// bits, edges) under memnet's convention; false for other keys.
func (s Stats) Count(key string) (int64, bool) {
	switch key {
	case "params":
		return s.Params, true
	case "depth":
		return int64(s.Depth), true
	case "width":
		return int64(s.Width), true
	case "bits":
		return int64(s.MaxWeightBits), true
	case "edges":
		return s.WeightsNonzero, true
	}
	return 0, false
}

// Stats counts the network. Bits are over every nonzero weight and bias,
// read-out included.
func (n *Network) Stats() Stats {
	s := Stats{Depth: len(n.Hidden), Dyadic: true}
	for k := range n.Hidden {
		w := n.Hidden[k].Out()
		s.Neurons += w
		s.Width = max(s.Width, w)
	}
	count := func(r *big.Rat, edges *int64) {
		if r.Sign() == 0 {
			return
		}
		*edges++
		b := Bits(r)
		s.MaxWeightBits = max(s.MaxWeightBits, b)
		s.TotalWeightBits += int64(b)
		if !isDyadic(r) {
			s.Dyadic = false
		}
	}
	for _, l := range n.Layers() {
		for j := range l.W {
			for _, w := range l.W[j] {
				count(w, &s.WeightsNonzero)
			}
			count(l.B[j], &s.BiasesNonzero)
		}
	}
	s.Params = s.WeightsNonzero + s.BiasesNonzero
	s.Norms = n.Norms()
	return s
}

// Clone returns a deep copy of n (weights, biases, activations).
func (n *Network) Clone() *Network {
	c := &Network{InputDim: n.InputDim}
	cp := func(l *Layer) Layer {
		o := Layer{W: make([][]*big.Rat, len(l.W)), B: make([]*big.Rat, len(l.B)), Act: append([]Activation(nil), l.Act...)}
		for j := range l.W {
			o.W[j] = make([]*big.Rat, len(l.W[j]))
			for i, w := range l.W[j] {
				o.W[j][i] = new(big.Rat).Set(w)
			}
			o.B[j] = new(big.Rat).Set(l.B[j])
		}
		return o
	}
	for k := range n.Hidden {
		c.Hidden = append(c.Hidden, cp(&n.Hidden[k]))
	}
	c.Readout = cp(&n.Readout)
	return c
}
