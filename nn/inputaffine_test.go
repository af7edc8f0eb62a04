package nn

import (
	"math/big"
	"testing"
)

// FoldInputAffine: net'(x) = net(s⊙x + t) on a one-layer network, per-input
// and broadcast values, and the copy leaves net unchanged.
func TestFoldInputAffine(t *testing.T) {
	ro := NewLayer(2, 1, Identity)
	ro.W[0][0], ro.W[0][1], ro.B[0] = big.NewRat(3, 1), big.NewRat(-1, 2), big.NewRat(1, 4)
	net := &Network{InputDim: 2, Readout: ro}
	f, err := FoldInputAffine(net, []*big.Rat{big.NewRat(1, 255), big.NewRat(2, 1)}, []*big.Rat{big.NewRat(-1, 10)})
	if err != nil {
		t.Fatal(err)
	}
	// 3(x0/255 − 1/10) − (2x1 − 1/10)/2 + 1/4 = x0/85 − x1 − 3/10 + 1/20 + 1/4
	l := f.Readout
	if l.W[0][0].Cmp(big.NewRat(1, 85)) != 0 || l.W[0][1].Cmp(big.NewRat(-1, 1)) != 0 || l.B[0].Cmp(new(big.Rat)) != 0 {
		t.Errorf("folded: %v %v", l.W, l.B)
	}
	if net.Readout.W[0][0].Cmp(big.NewRat(3, 1)) != 0 || net.Readout.B[0].Cmp(big.NewRat(1, 4)) != 0 {
		t.Error("the original changed")
	}
	if _, err := FoldInputAffine(net, []*big.Rat{big.NewRat(1, 1), big.NewRat(1, 1), big.NewRat(1, 1)}, nil); err == nil {
		t.Error("3 scales for 2 inputs accepted")
	}
}
