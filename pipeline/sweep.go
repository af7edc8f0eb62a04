package pipeline

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/memnet/memnet/construct/ridge"
	"github.com/memnet/memnet/data"
)

// SweepOptions are the settings of Sweep.
type SweepOptions struct {
	Ns         []int
	D, Classes int
	Seed       int64
	// Lattice draws integer lattice points (data.Lattice) instead of
	// Gaussian ones, so constructions for integer data (floatexact) apply.
	Lattice bool
	// Compare holds the methods, timeout and float sampling for every point.
	Compare CompareOptions
	// Progress, when not nil, is told which (N, method) starts.
	Progress func(n int, method string)
}

// Sweep builds and verifies every method on random Gaussian datasets
// (data.Gaussian) of each size N and returns one row per (N, method).
func Sweep(ctx context.Context, o SweepOptions) []CompareRow {
	var rows []CompareRow
	for _, n := range o.Ns {
		if ctx.Err() != nil {
			break
		}
		ds := data.Gaussian(n, o.D, o.Classes, uint64(o.Seed))
		if o.Lattice {
			ds = data.Lattice(n, o.D, o.Classes, uint64(o.Seed))
		}
		co := o.Compare
		co.Seed = o.Seed
		if o.Progress != nil {
			co.Progress = func(m string) { o.Progress(n, m) }
		}
		rows = append(rows, Compare(ctx, ds, co)...)
	}
	return rows
}

// SweepCSVHeader are the columns WriteSweepCSV writes.
var SweepCSVHeader = []string{"method", "n", "d", "classes", "width", "depth", "params", "edges", "max_weight_bits",
	"predicted_params", "theorem_params", "vc_lower_bound", "exact", "float64_correct", "float_checked",
	"build_seconds", "verify_seconds", "error", "float32_proven"}

// WriteSweepCSV writes rows as CSV with SweepCSVHeader.
func WriteSweepCSV(w io.Writer, rows []CompareRow) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(SweepCSVHeader); err != nil {
		return err
	}
	for _, r := range rows {
		rec := []string{r.Method, strconv.Itoa(r.N), strconv.Itoa(r.D), strconv.Itoa(r.M), strconv.Itoa(r.Width), strconv.Itoa(r.Depth),
			strconv.FormatInt(r.Params, 10), strconv.FormatInt(r.Edges, 10), strconv.Itoa(r.MaxWeightBits),
			strconv.FormatInt(r.PredictedParams, 10), strconv.FormatInt(r.TheoremParams, 10), strconv.FormatInt(ridge.VCLowerBound(r.N), 10),
			strconv.FormatBool(r.Exact), strconv.Itoa(r.Float64Correct), strconv.Itoa(r.FloatChecked),
			fmt.Sprintf("%.3f", r.BuildSeconds), fmt.Sprintf("%.3f", r.VerifySeconds), r.Error + r.NotApplicable, strconv.FormatBool(r.Float32Proven)}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
