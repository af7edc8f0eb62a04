package export

import (
	"context"
	"math/big"
	"testing"

	"github.com/memnet/memnet/nn"
)

// TestCheckData: a network the float32 certificate proves (weights 1 on
// small integers) is checked on every point by the certificate; one it
// cannot prove (weight 1/3, read-out 3) is checked point by point, and a
// cancelled context stops the certificate.
func TestCheckData(t *testing.T) {
	xs := [][]float64{{0}, {1}, {2}}
	mk := func(w, r *big.Rat) *nn.Network {
		h := nn.NewLayer(1, 1, nn.ReLU)
		h.W[0][0].Set(w)
		ro := nn.NewLayer(1, 1, nn.Identity)
		ro.W[0][0].Set(r)
		return &nn.Network{InputDim: 1, Hidden: []nn.Layer{h}, Readout: ro}
	}
	proven := mk(big.NewRat(1, 1), big.NewRat(1, 1))
	v := CheckWeights(proven, Float32)
	cert, err := CheckData(context.Background(), proven, 3, xs, Float32, v, nil)
	if err != nil || !cert.Proven || !v.Checked || v.Points != 3 {
		t.Errorf("proven network: cert %+v, verdict %+v, %v", cert, v, err)
	}
	third := mk(big.NewRat(1, 3), big.NewRat(3, 1))
	v = CheckWeights(third, Float32)
	var phases []string
	cert, err = CheckData(context.Background(), third, 3, xs, Float32, v, func(p string, _, _ int64) { phases = append(phases, p) })
	if err != nil || cert.Proven || !v.Checked || v.Points != 3 {
		t.Errorf("1/3 network: cert %+v, verdict %+v, %v", cert, v, err)
	}
	if len(phases) == 0 || phases[0] != "float-exactness certificate" || phases[len(phases)-1] != "float outputs" {
		t.Errorf("phases reported: %q", phases)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := CheckData(ctx, proven, 3, xs, Float32, CheckWeights(proven, Float32), nil); err == nil {
		t.Error("a cancelled context: no error")
	}
}
