package park

import (
	"errors"

	"github.com/memnet/memnet/nn"
)

// VerifyExact implements construct.ExactVerifier with VerifyFast, falling
// back to the generic exact evaluator for networks not of the shape it reads
// (ReLU forms, hand-edited networks).
func (method) VerifyExact(net *nn.Network, _ map[string]string, xs [][]float64, y []int, m int, progress func(done int64)) (*nn.Report, error) {
	r, err := VerifyFast(net, xs, y, m, false)
	if errors.Is(err, ErrNotTyped) {
		return nn.VerifyExact(net, xs, y, m, progress)
	}
	if err == nil && progress != nil {
		progress(int64(len(xs)))
	}
	return r, err
}
