package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/memnet/memnet/nn"
)

// Config are the settings of one training run.
type Config struct {
	Optimizer Optimizer
	Loss      Loss
	// Epochs are passes over the data (SGD, Adam) or iterations (L-BFGS).
	Epochs int
	// Batch is the mini-batch size; 0 or ≥ N is full batch (L-BFGS always is).
	Batch int
	// LR is the learning rate η (0: 0.1 for SGD, 10⁻³ for Adam).
	LR float64
	// Momentum μ of SGD (0 is plain SGD).
	Momentum float64
	// Milestones are the fractions of Epochs at which SGD's η is multiplied
	// by Decay.
	Milestones []float64
	Decay      float64
	// Lambda is λ of the regularizer λ‖θ‖²₂ (gradient 2λθ). PyTorch's
	// weight_decay w is λ = w/2.
	Lambda float64
	// Seed drives the shuffling of the data.
	Seed uint64
	// KeepBest returns the iterate of least J seen (full batch only: J is
	// then known exactly at every step).
	KeepBest bool
	// Progress, when not nil, is called after every epoch.
	Progress func(Progress)
	// Stop, when not nil, ends training after an epoch for which it
	// returns true (e.g. every point classified right).
	Stop func(Progress) bool
}

// Progress reports one finished epoch: its mean loss E over the batches (at
// the parameters each batch saw) and the fraction of points classified right.
type Progress struct {
	Epoch, Epochs int
	Loss          float64
	Accuracy      float64
}

// Result is the outcome of Train, measured on all points at the returned
// parameters.
type Result struct {
	Epochs int `json:"epochs"`
	// Loss is E(θ), J is E(θ) + λ‖θ‖², Norm2 is ‖θ‖².
	Loss  float64 `json:"loss"`
	J     float64 `json:"objective"`
	Norm2 float64 `json:"norm2"`
	// FloatCorrect counts points the float network classifies right.
	FloatCorrect int     `json:"float_correct"`
	Seconds      float64 `json:"seconds"`
	// EpochSeconds is the mean wall time of an epoch.
	EpochSeconds float64 `json:"epoch_seconds"`
}

func (c *Config) defaults(n int) error {
	if c.Optimizer == "" {
		c.Optimizer = Adam
	}
	if _, err := ParseOptimizer(string(c.Optimizer)); err != nil {
		return err
	}
	if c.LR == 0 {
		c.LR = 1e-3
		if c.Optimizer == SGD {
			c.LR = 0.1
		}
	}
	if c.Epochs < 0 || c.LR < 0 || c.Lambda < 0 || c.Batch < 0 || math.IsNaN(c.LR+c.Lambda) {
		return fmt.Errorf("training: epochs %d, learning rate %g, λ %g and batch %d must not be negative", c.Epochs, c.LR, c.Lambda, c.Batch)
	}
	if c.Batch == 0 || c.Batch > n || c.Optimizer == LBFGS {
		c.Batch = n
	}
	if c.Decay == 0 {
		c.Decay = 0.1
	}
	return nil
}

// Train minimizes J(θ) = E(θ) + λ‖θ‖² over net's parameters (changed in
// place) on the points xs with class indices y.
func Train[F Float](ctx context.Context, net *Net[F], xs [][]float64, y []int, cfg Config) (*Result, error) {
	n := len(xs)
	if n == 0 || n != len(y) {
		return nil, errors.New("training: no points, or points and labels differ in number")
	}
	for _, x := range xs {
		if len(x) != net.In {
			return nil, fmt.Errorf("training: a point has %d coordinates, the network reads %d", len(x), net.In)
		}
	}
	if cfg.Loss == CrossEntropy && net.Out < 2 {
		return nil, errors.New("training: cross-entropy needs one output per class; use the squared loss for a single output")
	}
	if err := cfg.defaults(n); err != nil {
		return nil, err
	}
	t0 := time.Now()
	x := net.inputs(xs)
	ev := newEvaluator(net, cfg.Loss, cfg.Batch)
	res := &Result{Epochs: cfg.Epochs}
	lambda := cfg.Lambda
	var best []F
	bestJ := math.Inf(1)
	consider := func(e float64) {
		if !cfg.KeepBest {
			return
		}
		if j := e + lambda*net.Norm2(); j < bestJ {
			bestJ = j
			best = append(best[:0], net.Params...)
		}
	}
	if cfg.Optimizer == LBFGS {
		if err := runLBFGS(ctx, net, ev, x, y, cfg, consider, &res.Epochs); err != nil {
			return nil, err
		}
	} else if err := runFirstOrder(ctx, net.Params, net.In, ev, x, y, cfg, consider, &res.Epochs); err != nil {
		return nil, err
	}
	if cfg.KeepBest {
		// the final iterate too
		s, _ := ev.step(x, y, false)
		consider(s / float64(n))
		copy(net.Params, best)
	}
	s, k := ev.step(x, y, false)
	res.Loss = s / float64(n)
	res.Norm2 = net.Norm2()
	res.J = res.Loss + lambda*res.Norm2
	res.FloatCorrect = k
	res.Seconds = time.Since(t0).Seconds()
	if res.Epochs > 0 {
		res.EpochSeconds = res.Seconds / float64(res.Epochs)
	}
	return res, nil
}

func addDecay[F Float](g, theta []F, lambda float64) {
	if lambda == 0 {
		return
	}
	l2 := F(2 * lambda)
	for i, v := range theta {
		g[i] += l2 * v
	}
}

// batchEvaluator evaluates a batch of standardized rows (step) and holds
// the batch mean loss's gradient afterwards (gradient): the dense
// evaluator and the convolutional one.
type batchEvaluator[F Float] interface {
	step(x []F, y []int, withGrad bool) (float64, int)
	gradient() []F
}

func (ev *evaluator[F]) gradient() []F { return ev.grad }

// runFirstOrder runs SGD or Adam on params (the parameters ev reads) over
// the rows x of d values each.
func runFirstOrder[F Float](ctx context.Context, params []F, d int, ev batchEvaluator[F], x []F, y []int, cfg Config, consider func(float64), epochsRun *int) error {
	n, b := len(y), cfg.Batch
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x6d656d6e6574))
	st := newStepper[F](cfg.Optimizer, len(params), cfg.Momentum)
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	bx := make([]F, b*d)
	by := make([]int, b)
	full := b == n
	for ep := range cfg.Epochs {
		if err := ctx.Err(); err != nil {
			return err
		}
		lr := cfg.LR
		if cfg.Optimizer == SGD {
			for _, m := range cfg.Milestones {
				if float64(ep) >= m*float64(cfg.Epochs) {
					lr *= cfg.Decay
				}
			}
		}
		if !full {
			rng.Shuffle(n, func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		}
		var sum float64
		var correct int
		for lo := 0; lo < n; lo += b {
			if err := ctx.Err(); err != nil {
				return err // within a batch of the end, not an epoch
			}
			hi := min(n, lo+b)
			xb, yb := x, y
			if !full {
				for r, i := range perm[lo:hi] {
					copy(bx[r*d:(r+1)*d], x[i*d:(i+1)*d])
					by[r] = y[i]
				}
				xb, yb = bx[:(hi-lo)*d], by[:hi-lo]
			}
			s, k := ev.step(xb, yb, true)
			sum += s
			correct += k
			if full {
				consider(s / float64(n))
			}
			addDecay(ev.gradient(), params, cfg.Lambda)
			st.update(params, ev.gradient(), lr)
		}
		p := Progress{Epoch: ep + 1, Epochs: cfg.Epochs, Loss: sum / float64(n), Accuracy: float64(correct) / float64(n)}
		if cfg.Progress != nil {
			cfg.Progress(p)
		}
		if cfg.Stop != nil && cfg.Stop(p) {
			*epochsRun = ep + 1
			return nil
		}
	}
	*epochsRun = cfg.Epochs
	return nil
}

func runLBFGS[F Float](ctx context.Context, net *Net[F], ev *evaluator[F], x []F, y []int, cfg Config, consider func(float64), iters *int) error {
	n := len(y)
	theta := make([]float64, len(net.Params))
	for i, v := range net.Params {
		theta[i] = float64(v)
	}
	var last Progress
	fg := func(th, g []float64) float64 {
		for i, v := range th {
			net.Params[i] = F(v)
		}
		s, k := ev.step(x, y, true)
		e := s / float64(n)
		consider(e)
		j := e + cfg.Lambda*net.Norm2()
		for i, v := range ev.grad {
			g[i] = float64(v) + 2*cfg.Lambda*float64(net.Params[i])
		}
		last = Progress{Epochs: cfg.Epochs, Loss: e, Accuracy: float64(k) / float64(n)}
		return j
	}
	_, *iters = lbfgs(theta, cfg.Epochs, fg, func(it int, _ float64) bool {
		if cfg.Progress != nil {
			last.Epoch = it
			cfg.Progress(last)
		}
		return ctx.Err() == nil
	})
	for i, v := range theta {
		net.Params[i] = F(v)
	}
	return ctx.Err()
}

// Exact is the exact verdict on a trained network.
type Exact struct {
	Correct   int     `json:"exact_correct"`
	Points    int     `json:"points"`
	Exact     bool    `json:"exact"`
	Seconds   float64 `json:"exact_seconds"`
	Evaluator string  `json:"exact_evaluator"`
}

// Verify writes net as a memnet network and evaluates it on every point in
// exact arithmetic with nn's verifier: the exact training accuracy.
func Verify[F Float](net *Net[F], xs [][]float64, y []int, classes int) (*nn.Network, *Exact, error) {
	return verify(net, xs, y, classes, nil)
}

func verify[F Float](net *Net[F], xs [][]float64, y []int, classes int, progress func(int64)) (*nn.Network, *Exact, error) {
	nw, err := net.ToNetwork()
	if err != nil {
		return nil, nil, err
	}
	ex, err := verifyNetwork(nw, xs, y, classes, progress)
	return nw, ex, err
}

// verifyNetwork is the exact verdict on a written network.
func verifyNetwork(nw *nn.Network, xs [][]float64, y []int, classes int, progress func(int64)) (*Exact, error) {
	r, err := nn.ExactVerdict(context.Background(), nw, xs, y, classes, nn.ExactOptions{Progress: progress})
	if err != nil {
		return nil, err
	}
	return &Exact{Correct: r.ExactCorrect, Points: r.Points, Exact: r.Exact, Seconds: r.ExactSeconds, Evaluator: r.ExactEvaluator}, nil
}
