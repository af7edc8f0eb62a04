package train

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// ConvArch is a convolutional residual network in the family of Park et
// al.'s experiments (§6, Appendix A):
//
//	stem:    h₀ = ReLU(conv(x))                      Cin → C channels
//	block k: h_k = ReLU(conv₂(ReLU(conv₁(h_{k−1}))) + h_{k−1})   C → C
//	read-out: o = V · avgpool(h_B) + c                C → Out
//
// Every convolution is 3×3, stride 1, zero ("same") padding, with a bias per
// output channel, so the feature maps keep the image's H×W size.
//
// What the paper states (Appendix A): "a convolutional layer and ReLU maps a
// 3-channel input image to a c-channel feature map" of the input's size;
// "b residual blocks where each residual block maps x ↦ ReLU(CONV ∘ RELU ∘
// CONV(x) + x)"; "an average pooling layer and a fully-connected layer".
// What we reconstructed (not stated there): the kernel size 3×3, stride 1
// and same padding (the feature map keeps the input's size, as the paper
// says, and 3×3 is He et al.'s ResNet convolution); biases in every
// convolution; the average pooling is global (over the whole map, as in He
// et al.'s CIFAR ResNets); no batch normalization (none is named); and the
// initialization, PyTorch's default for Conv2d and Linear (weights and
// biases uniform on ±1/√fan-in), which is what a PyTorch model without
// explicit initialization gets.
type ConvArch struct {
	// H, W are the image's height and width, Cin its channels; a point is
	// the image in height-width-channel order (x[(y·W + x)·Cin + ch]), which
	// for one channel is the usual row-major image.
	H, W, Cin int
	// C channels in every feature map, B residual blocks, Out outputs.
	C, B, Out int
}

// Validate checks the architecture's sizes.
func (a ConvArch) Validate() error {
	if a.H < 1 || a.W < 1 || a.Cin < 1 || a.C < 1 || a.Out < 1 || a.B < 0 {
		return fmt.Errorf("convolutional network: image %d×%d×%d, %d channels, %d blocks, %d outputs; want positive sizes and blocks ≥ 0", a.H, a.W, a.Cin, a.C, a.B, a.Out)
	}
	if a.H > 4096 || a.W > 4096 || a.Cin > 4096 || a.C > 4096 || a.B > 1<<16 || a.Out > 1<<16 {
		return fmt.Errorf("convolutional network: image %d×%d×%d, %d channels, %d blocks, %d outputs: a size is out of range", a.H, a.W, a.Cin, a.C, a.B, a.Out)
	}
	return nil
}

// Params is the number of weights and biases: the stem 9·Cin·C + C, each
// block 2(9C² + C), the read-out C·Out + Out.
func (a ConvArch) Params() int {
	return 9*a.Cin*a.C + a.C + a.B*2*(9*a.C*a.C+a.C) + a.C*a.Out + a.Out
}

// Depth is the number of ReLU layers: the stem and two per block.
func (a ConvArch) Depth() int { return 1 + 2*a.B }

// convOffsets locates one convolution's weights (9·in × out, row-major:
// row (ky·3 + kx)·in + ch_in, column ch_out) and biases in the parameters.
type convOffsets struct{ w, b, in, out int }

// ConvNet is a trainable convolutional residual network.
type ConvNet[F Float] struct {
	Arch ConvArch
	// Params: stem, then per block conv₁ and conv₂, then the read-out
	// (C × Out, row-major) and its bias.
	Params []F
	// Mean and Scale standardize each input channel: the stem reads
	// (x − Mean[ch])/Scale[ch] (Scale a power of two); padding is zero in
	// the standardized image. Nil: raw inputs.
	Mean, Scale []float64
	stem        convOffsets
	blocks      [][2]convOffsets
	readW       int // read-out weights (C × Out)
	readB       int
}

// NewConv returns a network of architecture a with PyTorch's default
// initialization drawn from rng: every weight and bias uniform on
// ±1/√fan-in, fan-in 9·(input channels) for a convolution and C for the
// read-out.
func NewConv[F Float](a ConvArch, rng *rand.Rand) (*ConvNet[F], error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	n := &ConvNet[F]{Arch: a}
	off := 0
	conv := func(in, out int) convOffsets {
		o := convOffsets{w: off, b: off + 9*in*out, in: in, out: out}
		off += 9*in*out + out
		return o
	}
	n.stem = conv(a.Cin, a.C)
	for range a.B {
		n.blocks = append(n.blocks, [2]convOffsets{conv(a.C, a.C), conv(a.C, a.C)})
	}
	n.readW, n.readB = off, off+a.C*a.Out
	off += a.C*a.Out + a.Out
	n.Params = make([]F, off)
	uniform := func(lo, hi, fanIn int) {
		bound := 1 / math.Sqrt(float64(fanIn))
		for i := lo; i < hi; i++ {
			n.Params[i] = F((2*rng.Float64() - 1) * bound)
		}
	}
	for _, c := range n.convs() {
		uniform(c.w, c.b+c.out, 9*c.in)
	}
	uniform(n.readW, off, a.C)
	return n, nil
}

// convs lists every convolution in order: the stem, then conv₁, conv₂ of
// each block.
func (n *ConvNet[F]) convs() []convOffsets {
	out := []convOffsets{n.stem}
	for _, b := range n.blocks {
		out = append(out, b[0], b[1])
	}
	return out
}

// In is the number of inputs, H·W·Cin.
func (n *ConvNet[F]) In() int { return n.Arch.H * n.Arch.W * n.Arch.Cin }

// Norm2 is ‖θ‖², every parameter included.
func (n *ConvNet[F]) Norm2() float64 {
	s := 0.0
	for _, v := range n.Params {
		s += float64(v) * float64(v)
	}
	return s
}

// Standardize sets each input channel's mean (rounded to float64) and the
// power of two nearest its standard deviation over all points and pixels.
func (n *ConvNet[F]) Standardize(xs [][]float64) {
	c := n.Arch.Cin
	n.Mean, n.Scale = make([]float64, c), make([]float64, c)
	for ch := range c {
		var s, s2 float64
		var k int
		for _, x := range xs {
			for i := ch; i < len(x); i += c {
				s += x[i]
				k++
			}
		}
		mu := s / float64(max(k, 1))
		for _, x := range xs {
			for i := ch; i < len(x); i += c {
				s2 += (x[i] - mu) * (x[i] - mu)
			}
		}
		sd := math.Sqrt(s2 / float64(max(k, 1)))
		n.Mean[ch], n.Scale[ch] = mu, 1
		if sd > 0 && !math.IsInf(sd, 0) {
			n.Scale[ch] = math.Exp2(math.Round(math.Log2(sd)))
		}
	}
}

// inputs converts raw points to the standardized rows the stem reads.
func (n *ConvNet[F]) inputs(xs [][]float64) []F {
	d, c := n.In(), n.Arch.Cin
	out := make([]F, len(xs)*d)
	for p, x := range xs {
		for i, v := range x {
			if n.Mean != nil {
				v = (v - n.Mean[i%c]) / n.Scale[i%c]
			}
			out[p*d+i] = F(v)
		}
	}
	return out
}

// Outputs evaluates the network in float F on raw points.
func (n *ConvNet[F]) Outputs(xs [][]float64) [][]float64 {
	out := make([][]float64, len(xs))
	const chunk = 64
	for lo := 0; lo < len(xs); lo += chunk {
		hi := min(len(xs), lo+chunk)
		wk := n.newWork(hi-lo, false)
		copy(wk.x, n.inputs(xs[lo:hi]))
		o := n.forward(hi-lo, wk)
		for p := lo; p < hi; p++ {
			out[p] = make([]float64, n.Arch.Out)
			for j := range out[p] {
				out[p][j] = float64(o[(p-lo)*n.Arch.Out+j])
			}
		}
	}
	return out
}
