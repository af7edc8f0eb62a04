package park

import (
	"errors"
	"fmt"

	"github.com/memnet/memnet/nn"
)

// VerifyExact implements construct.ExactVerifier: sigmoid networks are
// checked by the interval verifier (VerifyInterval: every output proven to
// round to its label), other networks with VerifyFast, falling back to the
// generic exact evaluator for networks not of the shape it reads (ReLU
// forms, hand-edited networks).
func (method) VerifyExact(net *nn.Network, _ map[string]string, xs [][]float64, y []int, m int, progress func(done int64)) (*nn.Report, error) {
	if net.HasActivation(nn.Sigmoid) {
		s, err := VerifyInterval(net, xs, y, nil, 0)
		if err != nil {
			return nil, err
		}
		if progress != nil {
			progress(int64(len(xs)))
		}
		return &nn.Report{Points: s.Points, ExactCorrect: s.Proven, Exact: s.Proven == s.Points, Wrong: s.Wrong, ExactSeconds: s.Seconds,
			ExactEvaluator: fmt.Sprintf("park interval (outward-rounded big.Float, %d bits): %d/%d outputs proven to round to their label, max |output − label| ≤ %.4g (rounding margin ≥ ½ − that)",
				s.Prec, s.Proven, s.Points, s.MaxError)}, nil
	}
	r, err := VerifyFast(net, xs, y, m, false)
	if errors.Is(err, ErrNotTyped) {
		return nn.VerifyExact(net, xs, y, m, progress)
	}
	if err == nil && progress != nil {
		progress(int64(len(xs)))
	}
	return r, err
}
