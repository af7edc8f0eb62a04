package train

import (
	"fmt"

	"github.com/memnet/memnet/limits"
)

// ratBytes is the memory of one weight of the exact network a trained one
// is written to: a big.Rat of a dyadic float (two big.Ints, a one-word
// numerator and denominator, and the pointer to it).
const ratBytes = 120

// maxChunks is the most chunks a batch is cut into (see chunking), each
// with its own gradient.
const maxChunks = 16

// elemBytes is the size of F.
func elemBytes[F Float]() int {
	if _, ok := any(F(0)).(float32); ok {
		return 4
	}
	return 8
}

// sat converts a size to int64, saturating (sizes come from flags).
func sat(xs ...int) int64 {
	p := int64(1)
	for _, x := range xs {
		p = limits.Mul(p, int64(x))
	}
	return p
}

// params64 is Params without overflow (saturating at math.MaxInt64).
func (a Arch) params64() int64 {
	n, in := int64(0), a.In
	for _, w := range a.Hidden {
		n = limits.Add(n, limits.Add(sat(in, w), int64(w)))
		in = w
	}
	n = limits.Add(n, limits.Mul(int64(a.Blocks), sat(2, in+1, in)))
	return limits.Add(n, sat(in+1, a.Out))
}

// CheckMemory refuses, with a limits error, training architecture a on
// points points in batches of batch with elements of elem bytes (4 or 8)
// when the estimate exceeds limits.Memory: the parameters, their gradient,
// a gradient per chunk and the optimizer's two buffers, every layer's
// activations and backward buffers for the points (a full-batch evaluation
// holds them all), and the exact network written for verification.
func (a Arch) CheckMemory(points, batch, elem int) error {
	if err := a.Validate(); err != nil {
		return err
	}
	p := a.params64()
	need := limits.Mul(p, int64(elem*(4+maxChunks)+ratBytes))
	width := int64(a.In)
	var acts int64
	for _, w := range a.Hidden {
		acts = limits.Add(acts, int64(w))
		width = max(width, int64(w))
	}
	if len(a.Hidden) > 0 {
		acts = limits.Add(acts, limits.Mul(int64(a.Blocks), sat(2, a.Hidden[len(a.Hidden)-1])))
	}
	acts = limits.Add(acts, limits.Add(int64(a.Out), limits.Mul(3, width)))
	need = limits.Add(need, limits.Mul(limits.Mul(acts, int64(max(points, batch))), int64(elem)))
	return limits.CheckMemory(fmt.Sprintf("training a network of %d inputs, hidden widths %s, %d residual blocks (%s parameters)", a.In, widthsString(a.Hidden), a.Blocks, countString(p)), need)
}

// CheckMemory is Arch.CheckMemory for a convolutional network: the
// parameters as there, and per image of a chunk the feature maps
// (2B + 1 of H·W·C), three backward maps and the im2col buffers
// (2 · 9·max(Cin, C) per pixel), for the largest of a batch and a
// 256-image evaluation, and per image of a training batch every
// convolution's im2col rows, kept for the backward pass (9·(Cin + 2B·C)
// per pixel).
func (a ConvArch) CheckMemory(batch, elem int) error {
	if err := a.Validate(); err != nil {
		return err
	}
	p := int64(a.Params())
	need := limits.Mul(p, int64(elem*(4+maxChunks)))
	pix := sat(a.H, a.W)
	perImage := limits.Add(limits.Mul(pix, sat(2*a.B+4, a.C)), limits.Mul(pix, sat(18, max(a.Cin, a.C))))
	need = limits.Add(need, limits.Mul(limits.Mul(perImage, int64(max(batch, 256))), int64(elem)))
	kept := limits.Mul(pix, limits.Add(sat(9, a.Cin), limits.Mul(sat(18, a.B), int64(a.C))))
	need = limits.Add(need, limits.Mul(limits.Mul(kept, int64(batch)), int64(elem)))
	return limits.CheckMemory(fmt.Sprintf("training a convolutional network of %d×%d×%d images, %d channels, %d blocks", a.H, a.W, a.Cin, a.C, a.B), need)
}

func widthsString(ws []int) string {
	if len(ws) > 4 {
		return fmt.Sprintf("%d,%d,…,%d (%d layers)", ws[0], ws[1], ws[len(ws)-1], len(ws))
	}
	s := ""
	for i, w := range ws {
		if i > 0 {
			s += ","
		}
		s += fmt.Sprint(w)
	}
	return s
}

func countString(p int64) string {
	if p >= 1e6 {
		return fmt.Sprintf("%.3g", float64(p))
	}
	return fmt.Sprint(p)
}
