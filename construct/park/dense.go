package park

import "github.com/memnet/memnet/nn"

// DenseParams is the parameter count the paper's O(·) statements use (spec
// §0): Σ_ℓ (d_{ℓ−1}·d_ℓ + d_ℓ) over hidden layers plus the read-out, zeros
// included, with d_0 the input dimension.
func DenseParams(net *nn.Network) int64 {
	p := int64(0)
	prev := int64(net.InputDim)
	for _, l := range net.Hidden {
		w := int64(l.Out())
		p += prev*w + w
		prev = w
	}
	return p + prev*int64(net.Readout.Out()) + int64(net.Readout.Out())
}
