package pipeline

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/memnet/memnet/construct"
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
	"realisation_params", "theorem_params", "theorem_constants", "params_over_theorem", "vc_lower_bound", "vc_depth_lower_bound", "bits_lower_bound",
	"w2l2", "n_log_inv_delta", "n_over_log_inv_delta", "exact", "float64_correct", "float_checked",
	"build_seconds", "verify_seconds", "error", "norm_l2_squared", "norm_max", "float32_proven",
	"robust_radius_kind", "robust_radius_lower", "robust_radius_upper"}

// lowerValue is the value of the row's lower bound key, "" when it has none.
func lowerValue(r CompareRow, key string) string {
	if lb, ok := r.lower(key); ok {
		return strconv.FormatFloat(lb.Value, 'g', 6, 64)
	}
	return ""
}

// WriteSweepCSV writes rows as CSV with SweepCSVHeader.
func WriteSweepCSV(w io.Writer, rows []CompareRow) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(SweepCSVHeader); err != nil {
		return err
	}
	for _, r := range rows {
		rec := []string{r.Method, strconv.Itoa(r.N), strconv.Itoa(r.D), strconv.Itoa(r.M), strconv.Itoa(r.Width), strconv.Itoa(r.Depth),
			strconv.FormatInt(r.Params, 10), strconv.FormatInt(r.Edges, 10), strconv.Itoa(r.MaxWeightBits),
			strconv.FormatInt(r.RealisationParams, 10), strconv.FormatFloat(r.TheoremParams, 'g', 6, 64), r.TheoremConstants, ratioField(r),
			strconv.FormatInt(ridge.VCLowerBound(r.N), 10), lowerValue(r, "vc_depth"), lowerValue(r, "bits"),
			wl2Field(r, func(w construct.WL2) float64 { return w.Product }), wl2Field(r, func(w construct.WL2) float64 { return w.Upper }),
			wl2Field(r, func(w construct.WL2) float64 { return w.Lower }),
			strconv.FormatBool(r.Exact), strconv.Itoa(r.Float64Correct), strconv.Itoa(r.FloatChecked),
			fmt.Sprintf("%.3f", r.BuildSeconds), fmt.Sprintf("%.3f", r.VerifySeconds), r.Error + r.NotApplicable,
			strconv.FormatFloat(r.NormL2Squared, 'g', 6, 64), strconv.FormatFloat(r.NormMax, 'g', 6, 64), strconv.FormatBool(r.Float32Proven)}
		rec = append(rec, radiusFields(r)...)
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// wl2Field is one W²L² quantity of a built row, "" for a row without a network.
func wl2Field(r CompareRow, f func(construct.WL2) float64) string {
	if r.Theory == nil {
		return ""
	}
	return strconv.FormatFloat(f(r.Theory.WL2), 'g', 6, 64)
}

// ratioField is params / the theorem's params formula, "" when either is missing.
func ratioField(r CompareRow) string {
	if v := r.Ratio(); !math.IsNaN(v) {
		return strconv.FormatFloat(v, 'g', 4, 64)
	}
	return ""
}
