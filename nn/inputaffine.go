package nn

import (
	"fmt"
	"math/big"
)

// FoldInputAffine returns a copy of net that reads x and computes
// net(scale ⊙ x + shift) exactly: the first layer's weights become
// W·diag(scale) and its biases b + W·shift (the read-out's, for a network
// without hidden layers). scale and shift hold one value for every input or
// d values; nil means 1 and 0.
func FoldInputAffine(net *Network, scale, shift []*big.Rat) (*Network, error) {
	d := net.InputDim
	at := func(v []*big.Rat, i int, def int64, what string) (*big.Rat, error) {
		switch len(v) {
		case 0:
			return big.NewRat(def, 1), nil
		case 1:
			return v[0], nil
		case d:
			return v[i], nil
		}
		return nil, fmt.Errorf("%s has %d values; the network reads %d inputs (give 1 or %d)", what, len(v), d, d)
	}
	out := net.Clone()
	l := &out.Readout
	if len(out.Hidden) > 0 {
		l = &out.Hidden[0]
	}
	for j := range l.W {
		b := new(big.Rat).Set(l.B[j])
		for i := range l.W[j] {
			s, err := at(scale, i, 1, "the input scale")
			if err != nil {
				return nil, err
			}
			t, err := at(shift, i, 0, "the input shift")
			if err != nil {
				return nil, err
			}
			w := l.W[j][i]
			b.Add(b, new(big.Rat).Mul(w, t))
			l.W[j][i] = new(big.Rat).Mul(w, s)
		}
		l.B[j] = b
	}
	return out, out.Check()
}
