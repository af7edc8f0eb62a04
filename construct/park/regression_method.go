package park

import (
	"context"
	"fmt"
	"math"
	"strconv"

	"github.com/memnet/memnet/construct"
	"github.com/memnet/memnet/data"
)

// Targets reads a dataset's labels as real regression targets in [0, 1]
// (the loader keeps every label's text, so "0.25" stays 0.25). A label that
// is not such a number is reported as "FILE: row R: ..." for the first row
// that carries it.
func Targets(ds *data.Dataset) ([]float64, error) {
	vals := make([]float64, len(ds.Classes))
	bad := make([]bool, len(ds.Classes))
	for k, c := range ds.Classes {
		v, err := strconv.ParseFloat(c, 64)
		bad[k] = err != nil || !(v >= 0 && v <= 1)
		vals[k] = v
	}
	ts := make([]float64, ds.N())
	for i, y := range ds.Y {
		if bad[y] {
			row := i + 1
			if len(ds.Rows) == ds.N() {
				row = ds.Rows[i]
			}
			return nil, fmt.Errorf("%s: row %d: label %q is not a number in [0, 1] (--regression reads the labels as real targets in [0, 1])", ds.Name, row, ds.Classes[y])
		}
		ts[i] = vals[y]
	}
	return ts, nil
}

// buildRegression is the method's build with regression=true: the targets
// are the labels read as numbers in [0, 1], memorized to within eps by
// ε-classes (BuildRegression).
func buildRegression(ctx context.Context, ds *data.Dataset, opts construct.Options, cfg Config) (*construct.Result, error) {
	eps, _ := opts.Float("eps", 0.01)
	if !(eps > 0 && eps <= 1) {
		return nil, fmt.Errorf("option eps=%g: want a number in (0, 1]", eps)
	}
	ts, err := Targets(ds)
	if err != nil {
		return nil, err
	}
	b, r, err := BuildRegression(ctx, ds.X, ts, eps, cfg)
	if err != nil {
		return nil, err
	}
	used := map[string]string{"activation": cfg.Activation, "regression": "true", "eps": strconv.FormatFloat(eps, 'g', -1, 64)}
	g := opts.GeometryFor(ds)
	pred := predict(ds.N(), ds.D(), max(2, r.Classes), b.Sizes.K0, math.Max(2, g.Delta), cfg)
	res := &construct.Result{Net: b.Net, Options: used, Prediction: pred}
	res.Notes = append(res.Notes, fmt.Sprintf("regression: %d ε-classes of width 2^-%d; outputs are class centres, so |f(x) − y| ≤ %g on the data", r.Classes, r.E, r.Step/2))
	return res, nil
}
