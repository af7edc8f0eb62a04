package verdict

import (
	"context"

	"github.com/memnet/memnet/nn"
)

// HeldOutClasses returns the class the exact outputs of net stand for at
// each point of xs among m classes (−1 for none; nn.ClassOfRat's rule), with
// the exact engine: the test-set accuracy of a memorizing network.
func HeldOutClasses(ctx context.Context, net *nn.Network, xs [][]float64, m int) ([]int, error) {
	if len(xs) == 0 {
		return nil, nil
	}
	e, err := nn.CompileExact(net, xs)
	if err != nil {
		return nil, err
	}
	cls, _, err := e.Classes(ctx, xs, m, nil, nil)
	return cls, err
}
