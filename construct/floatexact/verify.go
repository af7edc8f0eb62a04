package floatexact

import (
	"errors"
	"time"

	"github.com/memnet/memnet/nn"
)

// VerifyExact implements construct.ExactVerifier. It evaluates the stored
// network with the float-exactness certificate's integer pass (nn.Certify in
// float64): when the certificate holds, that pass computes every neuron
// exactly in int64, so its outputs are the exact outputs. When it does not
// hold (a forged or altered file), the generic exact evaluator is used.
func (Method) VerifyExact(net *nn.Network, _ map[string]string, xs [][]float64, y []int, m int, progress func(done int64)) (*nn.Report, error) {
	if len(xs) != len(y) {
		return nil, errors.New("verify: points and labels differ in number")
	}
	t0 := time.Now()
	cert, err := nn.Certify(net, xs, nn.CertFloat64)
	if err != nil {
		return nil, err
	}
	if !cert.Proven {
		return nn.VerifyExact(net, xs, y, m, progress)
	}
	r := &nn.Report{Points: len(xs), ExactEvaluator: "int64 pass of the float64 certificate (every partial sum ≤ 2^53 checked)"}
	for i, o := range cert.Outputs {
		if nn.ClassOfFloat(o, m) == y[i] {
			r.ExactCorrect++
		} else if len(r.Wrong) < 20 {
			r.Wrong = append(r.Wrong, i)
		}
		if len(o) == 1 && o[0] == float64(y[i]) {
			r.ExactEqual++
		}
	}
	if progress != nil {
		progress(int64(len(xs)))
	}
	r.Exact = r.ExactCorrect == len(xs)
	r.ExactSeconds = time.Since(t0).Seconds()
	return r, nil
}
