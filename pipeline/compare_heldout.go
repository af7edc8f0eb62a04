package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
	"github.com/memnet/memnet/verdict"
)

// HeldOut are the columns every later paper asks for: exact accuracy on
// held-out data (Yu, Gao, Zhang & Miao, NeurIPS 2024: parameter-optimal
// memorizers cannot generalize) and the robust radius on the training
// points (Kim, Moon & Yun, NeurIPS 2025; Yu, Gao & Zhang, ICLR 2024).
type HeldOut struct {
	// TestCorrect of TestN held-out points are classified right in exact
	// arithmetic (a label the network does not know counts as wrong).
	TestCorrect int    `json:"test_correct,omitempty"`
	TestN       int    `json:"test_points,omitempty"`
	TestError   string `json:"test_error,omitempty"`
	// Radius is the robust radius (verdict.RobustRadius): exact for networks
	// whose first layer is one projection, bounds otherwise.
	Radius      *verdict.Radius `json:"robust_radius,omitempty"`
	RadiusError string          `json:"robust_radius_error,omitempty"`
}

// RadiusTimeout bounds the robust-radius computation of one network; over
// it the column says so and the row keeps its verdict.
var RadiusTimeout = 2 * time.Minute

// heldOut computes the columns o asks for on a built model (y: the
// training labels as the model's class indices).
func heldOut(ctx context.Context, model *nn.Model, ds *data.Dataset, y []int, o CompareOptions) HeldOut {
	var h HeldOut
	if o.Test != nil && ctx.Err() == nil {
		if o.Test.D() != ds.D() {
			h.TestError = fmt.Sprintf("test data has d = %d, the network reads %d", o.Test.D(), ds.D())
		} else {
			ty := classIndex(model, o.Test)
			cls, err := verdict.HeldOutClasses(ctx, model.Net, o.Test.X, len(model.Classes))
			if err != nil {
				h.TestError = err.Error()
			} else {
				h.TestN = len(ty)
				for i, c := range cls {
					if c >= 0 && c == ty[i] {
						h.TestCorrect++
					}
				}
			}
		}
	}
	if o.Radius && ctx.Err() == nil {
		rctx, cancel := context.WithTimeout(ctx, RadiusTimeout)
		defer cancel()
		r, err := verdict.RobustRadius(rctx, model.Net, ds.X, y, len(model.Classes))
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			err = fmt.Errorf("not computed within %s", RadiusTimeout)
		}
		if err != nil {
			h.RadiusError = err.Error()
		} else {
			h.Radius = r
		}
	}
	return h
}

func init() {
	CompareColumns = append(CompareColumns,
		CompareColumn{Head: "test acc", Legend: "compare --test: exact accuracy on the held-out data (right/points; a label the network does not know counts as wrong)", Cell: func(r CompareRow) string {
			switch {
			case r.TestError != "":
				return "error: " + oneLine(r.TestError)
			case r.TestN == 0:
				return ""
			}
			return fmt.Sprintf("%.4f (%d/%d)", float64(r.TestCorrect)/float64(r.TestN), r.TestCorrect, r.TestN)
		}},
		CompareColumn{Head: "robust μ", Legend: "compare --radius: largest ℓ∞ radius μ with the label constant on every training point's μ-box; exact when the first layer is one projection τ = w·x (the box maps to τ ± μ‖w‖₁), else [lower, upper] (lower: distance to the nearest STEP hyperplane of an all-STEP first layer, else 0; upper: ½·min ‖x_i − x_j‖∞ over different labels)", Cell: func(r CompareRow) string {
			switch {
			case r.RadiusError != "":
				return "error: " + oneLine(r.RadiusError)
			case r.Radius == nil:
				return ""
			case r.Radius.Kind == verdict.RadiusExact:
				return fmt.Sprintf("%.4g exact", r.Radius.ValueF)
			case r.Radius.Infinite:
				return "- (one label)"
			}
			return fmt.Sprintf("[%.3g, %.3g]", r.Radius.Lower, r.Radius.Upper)
		}},
	)
}

// radiusFields are the sweep CSV's robust-radius fields: kind (exact,
// bounds, or empty when not computed), lower and upper (equal when exact).
func radiusFields(r CompareRow) []string {
	if r.Radius == nil {
		return []string{"", "", ""}
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
	return []string{string(r.Radius.Kind), f(r.Radius.Lower), f(r.Radius.Upper)}
}
