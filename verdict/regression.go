package verdict

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"

	"github.com/memnet/memnet/nn"
)

// Regression judges net as a regression network on the points xs with the
// real targets ts and tolerance eps: it returns an upper bound of the
// largest |f(x) − t| rounded up to a float64 (the exact largest error for
// networks without sigmoid units, evaluated by the exact engine; for
// sigmoid networks the largest distance from a target to the ends of the
// outward-rounded output interval, VerifyInterval), and whether that bound
// is ≤ eps, compared exactly (as rationals; never after rounding). The
// evaluator is chosen from the weights alone.
func Regression(ctx context.Context, net *nn.Network, xs [][]float64, ts []float64, eps float64) (maxErr float64, within bool, err error) {
	if len(xs) != len(ts) {
		return 0, false, errors.New("regression: points and targets differ in number")
	}
	if !(eps > 0 && eps <= 1) {
		return 0, false, fmt.Errorf("regression tolerance eps = %g is not in (0, 1]", eps)
	}
	if net.OutputDim() != 1 {
		return 0, false, fmt.Errorf("regression: the network has %d outputs, a regression network one", net.OutputDim())
	}
	for i, t := range ts {
		if math.IsNaN(t) || math.IsInf(t, 0) {
			return 0, false, fmt.Errorf("regression: target %d is %v, not a finite number", i+1, t)
		}
	}
	epsR := new(big.Rat).SetFloat64(eps)
	if net.HasActivation(nn.Sigmoid) {
		rep, err := VerifyInterval(ctx, net, xs, make([]int, len(xs)), ts, 0)
		if err != nil {
			return 0, false, err
		}
		if rep.MaxRegError == nil {
			return 0, true, nil
		}
		return ratUp(rep.MaxRegError), rep.MaxRegError.Cmp(epsR) <= 0, nil
	}
	e, err := nn.CompileExact(net, xs)
	if err != nil {
		return 0, false, err
	}
	outs, err := e.Outputs(ctx, xs, nil)
	if err != nil {
		return 0, false, err
	}
	worst, d := new(big.Rat), new(big.Rat)
	for i, o := range outs {
		d.SetFloat64(ts[i])
		d.Sub(o[0], d)
		if d.Abs(d).Cmp(worst) > 0 {
			worst.Set(d)
		}
	}
	return ratUp(worst), worst.Cmp(epsR) <= 0, nil
}
