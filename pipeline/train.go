package pipeline

import (
	"context"
	"fmt"
	"time"

	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
	"github.com/memnet/memnet/train"
)

// TrainCompareOptions are the settings of the trained rows of a comparison.
type TrainCompareOptions struct {
	// Layers lists the hidden-layer counts to search (one row each).
	Layers []int
	// Epochs bounds each training run; Budget the whole search of one row.
	Epochs int
	Budget time.Duration
	Seed   uint64
	// Progress, when not nil, is told each row's method and width as it starts.
	Progress func(method string, width int)
}

// TrainRows adds trained networks to a comparison: for each hidden-layer
// count L, the smallest MLP with L hidden layers of equal width h found to
// reach 100% training accuracy by the exact verifier (train.Smallest:
// doubling h, then bisection; Adam, learning rate 3·10⁻³, batch N/16 within
// [16, 128], no
// regularization, stopped at the first epoch with every point right). Its
// row, method "train-mlpL", has the network's counts, the whole search's
// wall time as the build time, the exact verification time and verdict.
func TrainRows(ctx context.Context, ds *data.Dataset, o TrainCompareOptions) []CompareRow {
	if len(o.Layers) == 0 {
		o.Layers = []int{1, 2}
	}
	if o.Epochs == 0 {
		o.Epochs = 200
	}
	var rows []CompareRow
	for _, l := range o.Layers {
		name := fmt.Sprintf("train-mlp%d", l)
		row := CompareRow{Method: name, Dataset: ds.Name, N: ds.N(), D: ds.D(), M: ds.M()}
		batch := min(128, max(16, ds.N()/16))
		so := train.SearchOptions{Layers: l, Epochs: o.Epochs, Budget: o.Budget,
			Config: train.Config{Optimizer: train.Adam, LR: 3e-3, Batch: batch, Seed: o.Seed}}
		if o.Progress != nil {
			so.Progress = func(w int) { o.Progress(name, w) }
		}
		res, err := train.Smallest(ctx, ds, so)
		switch {
		case err != nil:
			row.Error = err.Error()
		case res.Best == nil:
			row.Error = res.Reason
			row.BuildSeconds = res.Seconds
		default:
			b := res.Best
			st := b.Model.Net.Stats()
			row.Width, row.Depth, row.Params, row.Edges, row.MaxWeightBits = st.Width, st.Depth, st.Params, st.WeightsNonzero, st.MaxWeightBits
			row.BuildSeconds = res.Seconds
			row.VerifySeconds = b.Exact.Seconds
			row.Exact, row.ExactCorrect, row.Evaluator = b.Exact.Exact, b.Exact.Correct, b.Exact.Evaluator
			fc := nn.FloatCounts(ctx, b.Model.Net, ds.X, ds.Y, ds.M(), nn.FloatOptions{})
			row.Float64Correct, row.Float32Correct, row.FloatChecked = fc.Float64Correct, fc.Float32Correct, ds.N()
			row.Theorem = fmt.Sprintf("trained, not constructed: smallest width found with %d hidden layer(s) (tried %s)", l, triedString(res.Tried))
		}
		rows = append(rows, row)
	}
	return rows
}

func triedString(ts []train.Tried) string {
	s := ""
	for i, t := range ts {
		if i > 0 {
			s += ", "
		}
		v := fmt.Sprint(t.ExactCorrect)
		if t.Exact {
			v = "all"
		}
		s += fmt.Sprintf("h=%d: %s in %d epochs", t.Width, v, t.Epochs)
	}
	return s
}
