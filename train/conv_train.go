package train

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// TrainConv minimizes J(θ) = E(θ) + λ‖θ‖² over the convolutional network's
// parameters (changed in place) with SGD or Adam on the images xs (raw, in
// the network's height-width-channel order) with class indices y. The
// result is measured on all images at the final parameters.
func TrainConv[F Float](ctx context.Context, net *ConvNet[F], xs [][]float64, y []int, cfg Config) (*Result, error) {
	n := len(xs)
	if n == 0 || n != len(y) {
		return nil, errors.New("training: no images, or images and labels differ in number")
	}
	for _, x := range xs {
		if len(x) != net.In() {
			return nil, fmt.Errorf("training: an image has %d values, the network reads %d×%d×%d = %d", len(x), net.Arch.H, net.Arch.W, net.Arch.Cin, net.In())
		}
	}
	if net.Arch.Out < 2 && cfg.Loss == CrossEntropy {
		return nil, errors.New("training: cross-entropy needs one output per class")
	}
	if err := cfg.defaults(n); err != nil {
		return nil, err
	}
	if cfg.Optimizer == LBFGS {
		return nil, errors.New("training: convolutional networks train with sgd or adam")
	}
	t0 := time.Now()
	x := net.inputs(xs)
	ev := newConvEvaluator(net, cfg.Loss)
	res := &Result{Epochs: cfg.Epochs}
	if err := runFirstOrder(ctx, net.Params, net.In(), ev, x, y, cfg, func(float64) {}, &res.Epochs); err != nil {
		return nil, err
	}
	var s float64
	var k int
	for lo := 0; lo < n; lo += 256 {
		hi := min(n, lo+256)
		sb, kb := ev.step(x[lo*net.In():hi*net.In()], y[lo:hi], false)
		s += sb
		k += kb
	}
	res.Loss = s / float64(n)
	res.Norm2 = net.Norm2()
	res.J = res.Loss + cfg.Lambda*res.Norm2
	res.FloatCorrect = k
	res.Seconds = time.Since(t0).Seconds()
	if res.Epochs > 0 {
		res.EpochSeconds = res.Seconds / float64(res.Epochs)
	}
	return res, nil
}
