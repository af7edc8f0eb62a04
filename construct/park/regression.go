package park

import (
	"context"
	"fmt"
	"math"
	"math/big"
)

// Regression describes a network built by BuildRegression.
type Regression struct {
	// Eps is the requested tolerance, Step = 2^-E ≤ Eps the class width.
	Eps  float64 `json:"eps"`
	Step float64 `json:"step"`
	E    int     `json:"e"`
	// Classes is 2^E, the number of ε-classes (D = E label bits).
	Classes int `json:"classes"`
	// Labels are the class indices k_i = min(⌊y_i/Step⌋, 2^E − 1).
	Labels []int `json:"-"`
}

// BuildRegression memorizes real targets ys[i] ∈ [0,1] to within eps (spec
// §7.4, the paper's regression extension with our dyadic details): with
// Step = 2^-E, E = max(0, ⌈log2(1/eps)⌉), target y gets the class
// k = min(⌊y/Step⌋, 2^E − 1) ∈ [2^E], the classifier for these labels is
// built with cfg (Theorem 2, Theorem 1 or Theorem 3 widths; step, relu or
// sigmoid), and its read-out is rescaled to Step·f + Step/2. On the data
// the STEP/ReLU forms output exactly Step·k + Step/2, the centre of y's
// class, so |f(x) − y| ≤ Step/2 ≤ eps/2; the sigmoid form adds at most
// Step·OutTol = Step/4, so |f(x) − y| ≤ 3·Step/4 < eps. Sizes are the
// classification sizes with log2 C = E ≈ log2(1/eps). Verify with
// VerifyRegression.
//
// How the CLI would call it: the data loader maps label text to classes, so
// a regression build must read the targets as numbers, e.g.
// targets[i] = strconv.ParseFloat(ds.Classes[ds.Y[i]], 64) (after checking
// every class name parses and lies in [0,1]), then call
// BuildRegression(ctx, ds.X, targets, eps, cfg) and store the network with
// the option regression=true, eps=E; `memnet verify` would then report
// VerifyRegression's maximum error instead of classes.
func BuildRegression(ctx context.Context, xs [][]float64, ys []float64, eps float64, cfg Config) (*Built, *Regression, error) {
	if len(xs) != len(ys) {
		return nil, nil, fmt.Errorf("park: %d points and %d targets", len(xs), len(ys))
	}
	if !(eps > 0) || eps > 1 {
		return nil, nil, fmt.Errorf("park: eps = %g outside (0, 1]", eps)
	}
	e := max(0, int(math.Ceil(-math.Log2(eps)-1e-12)))
	for math.Ldexp(1, -e) > eps {
		e++
	}
	if e > 30 {
		return nil, nil, fmt.Errorf("park: eps = %g needs %d label bits (at most 30)", eps, e)
	}
	r := &Regression{Eps: eps, E: e, Step: math.Ldexp(1, -e), Classes: 1 << e, Labels: make([]int, len(ys))}
	for i, y := range ys {
		if !(y >= 0 && y <= 1) {
			return nil, nil, fmt.Errorf("park: target %d = %g outside [0,1]", i, y)
		}
		r.Labels[i] = min(int(math.Floor(math.Ldexp(y, e))), r.Classes-1)
	}
	b, err := Build(ctx, xs, r.Labels, r.Classes, cfg)
	if err != nil {
		return nil, nil, err
	}
	step := pow2(-e)
	ro := &b.Net.Readout
	for j := range ro.W {
		for i := range ro.W[j] {
			ro.W[j][i].Mul(ro.W[j][i], step)
		}
		ro.B[j].Mul(ro.B[j], step)
		ro.B[j].Add(ro.B[j], new(big.Rat).Quo(step, rat(2)))
	}
	return b, r, nil
}

// CheckEps refuses a regression tolerance that is not a finite number in
// (0, 1], the range BuildRegression accepts: a file's eps decides the
// verdict, so verification must not trust a wider one.
func CheckEps(eps float64) error {
	if !(eps > 0 && eps <= 1) {
		return fmt.Errorf("regression tolerance eps = %g is not in (0, 1]", eps)
	}
	return nil
}
