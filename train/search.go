package train

import (
	"context"
	"fmt"
	"time"

	"github.com/memnet/memnet/data"
)

// SearchOptions bound the search for the smallest MLP that memorizes.
type SearchOptions struct {
	// Layers is the number of hidden layers, all of the same width.
	Layers int
	// Epochs is the most epochs of one training run; a run stops early
	// once an epoch classifies every point right.
	Epochs int
	// Budget bounds the wall time of the whole search (0: none).
	Budget   time.Duration
	MaxWidth int
	Config   Config
	Float32  bool
	// Progress, when not nil, is told each width as it starts.
	Progress func(width int)
}

// SearchResult is the outcome of Smallest.
type SearchResult struct {
	// Best is the smallest network found that memorizes every point by the
	// exact verifier (nil when none did within the budget).
	Best *Outcome
	// Tried lists the widths trained with their exact verdicts.
	Tried []Tried
	// Seconds is the wall time of the whole search; BestSeconds that of
	// the run that produced Best.
	Seconds float64
	// Reason says why the search ended without Best.
	Reason string
}

// Tried is one width of the search.
type Tried struct {
	Width, Epochs, ExactCorrect int
	Exact                       bool
	Seconds                     float64
}

// Smallest searches the hidden width h of an MLP with o.Layers hidden
// layers of width h for the smallest one whose trained network memorizes
// every point of ds by the exact verifier: h = 2, 4, 8, … until one
// memorizes, then bisection between the last failure and the first success.
// Training (with the options of o.Config, stopped at the first epoch with
// every point right) is not monotone in h; the result is the smallest width
// found to memorize, not a proof that no smaller one can.
func Smallest(ctx context.Context, ds *data.Dataset, o SearchOptions) (*SearchResult, error) {
	if o.Layers < 1 {
		o.Layers = 1
	}
	if o.MaxWidth < 1 {
		o.MaxWidth = 4096
	}
	t0 := time.Now()
	res := &SearchResult{}
	try := func(h int) (*Outcome, error) {
		if o.Progress != nil {
			o.Progress(h)
		}
		hidden := make([]int, o.Layers)
		for i := range hidden {
			hidden[i] = h
		}
		cfg := o.Config
		cfg.Epochs = o.Epochs
		cfg.Stop = func(p Progress) bool {
			return p.Accuracy == 1 || (o.Budget > 0 && time.Since(t0) > o.Budget)
		}
		out, err := Fit(ctx, ds, Spec{Hidden: hidden, Float32: o.Float32, Config: cfg})
		if err != nil {
			return nil, err
		}
		res.Tried = append(res.Tried, Tried{Width: h, Epochs: out.Result.Epochs, ExactCorrect: out.Exact.Correct, Exact: out.Exact.Exact, Seconds: out.Result.Seconds + out.Exact.Seconds})
		return out, nil
	}
	over := func() bool { return o.Budget > 0 && time.Since(t0) > o.Budget }
	lo := 0 // largest width known to fail
	hi := 0 // smallest width known to memorize
	for h := 2; h <= o.MaxWidth; h *= 2 {
		if over() {
			res.Reason = fmt.Sprintf("budget %s spent before any width up to %d memorized", o.Budget, lo)
			break
		}
		out, err := try(h)
		if err != nil {
			return nil, err
		}
		if out.Exact.Exact {
			res.Best, hi = out, h
			break
		}
		lo = h
	}
	if res.Best == nil && res.Reason == "" {
		res.Reason = fmt.Sprintf("no width up to %d memorized within %d epochs", o.MaxWidth, o.Epochs)
	}
	for res.Best != nil && hi-lo > 1 && hi-lo > hi/8 && !over() {
		mid := (lo + hi) / 2
		out, err := try(mid)
		if err != nil {
			return nil, err
		}
		if out.Exact.Exact {
			res.Best, hi = out, mid
		} else {
			lo = mid
		}
	}
	res.Seconds = time.Since(t0).Seconds()
	return res, nil
}
