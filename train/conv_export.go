package train

import (
	"fmt"
	"math"
	"math/big"

	"github.com/memnet/memnet/nn"
)

// UnrolledWeights is the number of weight entries of the dense network
// ToNetwork writes (the .mnet format stores every layer as a full matrix):
// with P = H·W pixels, the stem P·Cin × P·C, each block P·C × 2P·C and
// 2P·C × P·C, the read-out P·C × Out. It grows as P², which is why a
// full-size image network cannot be written: 28×28 with C = 16 needs
// 3.1·10⁸ entries per block layer.
func (a ConvArch) UnrolledWeights() float64 {
	p := float64(a.H) * float64(a.W)
	c := float64(a.C)
	return p*float64(a.Cin)*p*c + float64(a.B)*4*(p*c)*(p*c) + p*c*float64(a.Out)
}

// MaxUnrolledWeights bounds UnrolledWeights for ToNetwork: each entry is a
// big.Rat (about 72 bytes even when zero), so 2.5·10⁷ entries are about
// 1.8 GB.
const MaxUnrolledWeights = 25e6

// ToNetwork writes n as a memnet network with exact rational weights: a
// convolution is an affine map of the whole feature map, so each becomes a
// dense layer whose neuron (pixel q, channel o) reads the 3×3 neighbourhood
// of q with the kernel's weights (zero padding: border neurons read fewer
// pixels). Neurons are numbered q·C + o (pixels row-major), inputs
// (y·W + x)·Cin + ch, as the network reads its points.
//
//   - the stem: one ReLU layer; the input standardization is folded in
//     exactly (weight w/s, bias b − Σ w·μ/s over the pixels the neuron
//     reads, so border neurons get their own bias);
//   - a block: two layers, as a dense residual block: the first holds
//     ReLU(conv₁(h) + b₁) and an identity copy of h, the second
//     ReLU(conv₂(r) + b₂ + h);
//   - the average pooling and the read-out: one identity layer with weights
//     V[o][m]/(H·W) (rational, exact).
//
// The float network and the written one compute the same function in exact
// arithmetic (the float network rounds; the verifier does not).
func (n *ConvNet[F]) ToNetwork() (*nn.Network, error) {
	a := n.Arch
	if u := a.UnrolledWeights(); u > MaxUnrolledWeights {
		return nil, fmt.Errorf("convolutional network %d×%d×%d, %d channels, %d blocks: its dense form has %.3g weight entries, over the %.3g memnet writes (each is an exact rational)", a.H, a.W, a.Cin, a.C, a.B, u, float64(MaxUnrolledWeights))
	}
	for i, v := range n.Params {
		if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("parameter %d is %v (training diverged)", i, f)
		}
	}
	p := func(i int) *big.Rat { return new(big.Rat).SetFloat64(float64(n.Params[i])) }
	P := a.H * a.W
	pc := P * a.C
	net := &nn.Network{InputDim: n.In()}
	stem := nn.NewLayer(P*a.Cin, pc, nn.ReLU)
	n.unrollConv(&stem, n.stem, p)
	if n.Mean != nil {
		mu := make([]float64, P*a.Cin)
		sc := make([]float64, P*a.Cin)
		for i := range mu {
			mu[i], sc[i] = n.Mean[i%a.Cin], n.Scale[i%a.Cin]
		}
		foldStandardization(&stem, mu, sc)
	}
	net.Hidden = append(net.Hidden, stem)
	for _, b := range n.blocks {
		first := nn.NewLayer(pc, 2*pc, nn.ReLU)
		n.unrollConv(&first, b[0], p)
		second := nn.NewLayer(2*pc, pc, nn.ReLU)
		n.unrollConv(&second, b[1], p)
		for j := range pc {
			first.W[pc+j][j].SetInt64(1)
			first.Act[pc+j] = nn.Identity
			second.W[j][pc+j].SetInt64(1)
		}
		net.Hidden = append(net.Hidden, first, second)
	}
	read := nn.NewLayer(pc, a.Out, nn.Identity)
	inv := big.NewRat(1, int64(P))
	for m := range a.Out {
		for q := range P {
			for o := range a.C {
				read.W[m][q*a.C+o].Mul(p(n.readW+o*a.Out+m), inv)
			}
		}
		read.B[m] = p(n.readB + m)
	}
	net.Readout = read
	return net, net.Check()
}

// unrollConv writes convolution c into the layer's first neurons (pixel q,
// channel o → neuron q·out + o) reading its first inputs (pixel q',
// channel i → input q'·in + i), and the bias.
func (n *ConvNet[F]) unrollConv(l *nn.Layer, c convOffsets, p func(int) *big.Rat) {
	h, w := n.Arch.H, n.Arch.W
	for y := range h {
		for x := range w {
			q := y*w + x
			for o := range c.out {
				j := q*c.out + o
				l.B[j] = p(c.b + o)
				for ky := range 3 {
					yy := y + ky - 1
					for kx := range 3 {
						xx := x + kx - 1
						if yy < 0 || yy >= h || xx < 0 || xx >= w {
							continue
						}
						for i := range c.in {
							if wv := n.Params[c.w+((ky*3+kx)*c.in+i)*c.out+o]; wv != 0 {
								l.W[j][(yy*w+xx)*c.in+i] = p(c.w + ((ky*3+kx)*c.in+i)*c.out + o)
							}
						}
					}
				}
			}
		}
	}
}

// VerifyConv writes net as a memnet network and evaluates it on every image
// in exact arithmetic with nn's verifier: the exact training accuracy.
func VerifyConv[F Float](net *ConvNet[F], xs [][]float64, y []int, classes int, progress func(int64)) (*nn.Network, *Exact, error) {
	nw, err := net.ToNetwork()
	if err != nil {
		return nil, nil, err
	}
	ex, err := verifyNetwork(nw, xs, y, classes, progress)
	return nw, ex, err
}
