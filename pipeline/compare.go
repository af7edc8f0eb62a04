package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/memnet/memnet/construct"
	"github.com/memnet/memnet/construct/ridge"
	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
)

// CompareOptions are the settings of Compare.
type CompareOptions struct {
	// Methods to build (all registered ones when empty).
	Methods []string
	Seed    int64
	// Params are per-method options by method name.
	Params map[string]map[string]string
	// Timeout bounds each method's build and verification (0: none). A
	// method over time is reported in its row; its verification, which
	// cannot be interrupted, is abandoned.
	Timeout time.Duration
	// FloatSample > 0 judges the float views on at most that many points,
	// evenly spaced (the exact verdict always covers every point).
	FloatSample int
	// Progress, when not nil, is told which method starts.
	Progress func(method string)
}

// CompareRow is one method built and verified on one dataset, beside the
// theorem's predicted counts.
type CompareRow struct {
	Method          string           `json:"method"`
	Dataset         string           `json:"dataset"`
	N               int              `json:"n"`
	D               int              `json:"d"`
	M               int              `json:"classes"`
	Width           int              `json:"width"`
	Depth           int              `json:"depth"`
	Params          int64            `json:"params"`
	Edges           int64            `json:"edges"`
	MaxWeightBits   int              `json:"max_weight_bits"`
	Exact           bool             `json:"exact"`
	ExactCorrect    int              `json:"exact_correct"`
	Float64Correct  int              `json:"float64_correct"`
	FloatChecked    int              `json:"float_checked"`
	Float32Correct  int              `json:"float32_correct"`
	BuildSeconds    float64          `json:"build_seconds"`
	VerifySeconds   float64          `json:"verify_seconds"`
	PredictedParams int64            `json:"predicted_params"`
	PredictedWidth  int64            `json:"predicted_width,omitempty"`
	PredictedDepth  int64            `json:"predicted_depth,omitempty"`
	TheoremParams   int64            `json:"theorem_params,omitempty"`
	Predicted       map[string]int64 `json:"predicted,omitempty"`
	Theorem         string           `json:"theorem,omitempty"`
	Evaluator       string           `json:"exact_evaluator,omitempty"`
	Error           string           `json:"error,omitempty"`
	// NotApplicable says why the method does not take this data (e.g.
	// floatexact and non-integer coordinates); such a row is not a failure.
	NotApplicable string `json:"not_applicable,omitempty"`
	// Float32Proven: nn.Certify proves every float32 evaluation, in any
	// summation order, exact on the data (see docs/floatexact.md).
	Float32Proven bool `json:"float32_proven"`
}

// PredictedCounts picks from a prediction the counts to set beside a built
// network: our realisation's count when the construction states one
// (…_construction), the theorem's bound otherwise; 0 when neither is given.
func PredictedCounts(b map[string]int64) (params, width, depth int64) {
	pick := func(keys ...string) int64 {
		for _, k := range keys {
			if v, ok := b[k]; ok {
				return v
			}
		}
		return 0
	}
	return pick("params_construction", "params_bound", "edges_bound"),
		pick("width_construction", "width_bound"),
		pick("depth_construction", "depth_bound")
}

// VCRow is the last row of a comparison: the parameter count below which
// no network memorizes every labelling of N points.
func VCRow(ds *data.Dataset) CompareRow {
	v := ridge.VCLowerBound(ds.N())
	return CompareRow{Method: "VC lower bound", Dataset: ds.Name, N: ds.N(), D: ds.D(), M: ds.M(), Params: v, PredictedParams: v,
		Theorem: "Goldberg–Jerrum / Bartlett et al.: VC dimension O(W²) for W weights, so memorizing N points needs Ω(√N) parameters; shown as ⌈√N⌉"}
}

// Compare builds and verifies ds with every chosen method, one after the
// other. A method that fails, times out or is not exact is reported in its
// row; the others go on.
func Compare(ctx context.Context, ds *data.Dataset, o CompareOptions) []CompareRow {
	methods := o.Methods
	if len(methods) == 0 {
		for _, m := range construct.Methods() {
			methods = append(methods, m.Name())
		}
	}
	var rows []CompareRow
	for _, name := range methods {
		if o.Progress != nil {
			o.Progress(name)
		}
		rows = append(rows, compareOne(ctx, ds, name, o))
	}
	return rows
}

func compareOne(ctx context.Context, ds *data.Dataset, name string, o CompareOptions) CompareRow {
	row := CompareRow{Method: name, Dataset: ds.Name, N: ds.N(), D: ds.D(), M: ds.M()}
	opts := construct.Options{Seed: o.Seed, Params: o.Params[name]}
	if m, err := construct.Lookup(name); err == nil {
		if p, err := m.Predict(ds.N(), ds.D(), ds.M(), opts); err == nil {
			row.Predicted, row.Theorem = p.Bounds, p.Theorem
			row.PredictedParams, row.PredictedWidth, row.PredictedDepth = PredictedCounts(p.Bounds)
			row.TheoremParams = p.Bounds["params_bound"]
		}
	}
	cctx, cancel := ctx, context.CancelFunc(func() {})
	if o.Timeout > 0 {
		cctx, cancel = context.WithTimeout(ctx, o.Timeout)
	}
	defer cancel()
	var stage atomic.Value
	stage.Store("build")
	var partial atomic.Pointer[CompareRow]
	done := make(chan CompareRow, 1)
	go func() {
		r := row
		defer func() {
			if p := recover(); p != nil {
				r.Error = fmt.Sprintf("panic: %v", p)
				done <- r
			}
		}()
		b, err := Build(cctx, ds, name, opts)
		var na interface{ NotApplicable() bool }
		if errors.As(err, &na) && na.NotApplicable() {
			r.NotApplicable = err.Error()
			done <- r
			return
		}
		if err != nil {
			r.Error = err.Error()
			done <- r
			return
		}
		st := b.Stats
		r.Width, r.Depth, r.Params, r.Edges, r.MaxWeightBits = st.Width, st.Depth, st.Params, st.WeightsNonzero, st.MaxWeightBits
		r.BuildSeconds = b.Seconds
		r.Theorem = b.Model.Theorem
		if b.Model.Predicted != nil {
			r.Predicted = b.Model.Predicted
			r.PredictedParams, r.PredictedWidth, r.PredictedDepth = PredictedCounts(b.Model.Predicted)
			r.TheoremParams = b.Model.Predicted["params_bound"]
		}
		built := r
		partial.Store(&built)
		stage.Store("verification")
		t0 := time.Now()
		y := classIndex(b.Model, ds)
		rep, err := verifyChunked(cctx, b.Model, ds.X, y)
		if err != nil {
			r.Error = "verify: " + err.Error()
			done <- r
			return
		}
		xs, ys := ds.X, y
		if o.FloatSample > 0 && len(xs) > o.FloatSample {
			xs, ys = make([][]float64, o.FloatSample), make([]int, o.FloatSample)
			for k := range xs {
				i := int(int64(k) * int64(len(ds.X)) / int64(o.FloatSample))
				xs[k], ys[k] = ds.X[i], y[i]
			}
		}
		fc := nn.FloatCounts(b.Model.Net, xs, ys, len(b.Model.Classes))
		r.VerifySeconds = time.Since(t0).Seconds()
		r.Exact, r.ExactCorrect, r.Evaluator = rep.Exact, rep.ExactCorrect, rep.ExactEvaluator
		r.Float64Correct, r.Float32Correct, r.FloatChecked = fc.Float64Correct, fc.Float32Correct, len(xs)
		if c, err := nn.Certify(b.Model.Net, ds.X, nn.CertFloat32); err == nil {
			r.Float32Proven = c.Proven
		}
		done <- r
	}()
	select {
	case r := <-done:
		return r
	case <-cctx.Done():
		what := stage.Load().(string)
		if p := partial.Load(); p != nil {
			row = *p // the build's counts, without a verdict
		}
		if errors.Is(cctx.Err(), context.DeadlineExceeded) {
			row.Error = fmt.Sprintf("timeout: %s did not finish within %s", what, o.Timeout)
		} else {
			row.Error = fmt.Sprintf("%s interrupted: %v", what, cctx.Err())
		}
		return row
	}
}

// verifyChunked verifies in up to 16 slices of the points, so that a
// cancelled context stops the work after the current slice.
func verifyChunked(ctx context.Context, model *nn.Model, xs [][]float64, y []int) (*nn.Report, error) {
	n := len(xs)
	parts := 1
	if n >= 4096 {
		parts = 16
	}
	var total *nn.Report
	for p := range parts {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		lo, hi := p*n/parts, (p+1)*n/parts
		r, err := verifyExact(model, xs[lo:hi], y[lo:hi], nil)
		if err != nil {
			return nil, err
		}
		if total == nil {
			total = &nn.Report{ExactEvaluator: r.ExactEvaluator}
		}
		total.Points += r.Points
		total.ExactCorrect += r.ExactCorrect
		total.ExactEqual += r.ExactEqual
		total.ExactSeconds += r.ExactSeconds
		for _, w := range r.Wrong {
			if len(total.Wrong) < 20 {
				total.Wrong = append(total.Wrong, lo+w)
			}
		}
	}
	total.Exact = total.ExactCorrect == n
	return total, nil
}

// Format selects how PrintCompare lays out the table.
type Format int

const (
	// Text is an aligned plain-text table.
	Text Format = iota
	// Markdown is a GitHub-flavoured Markdown table.
	Markdown
)

func count(v int64) string {
	if v == 0 {
		return "-"
	}
	return fmt.Sprint(v)
}

// compareCells returns the header and one row of cells per row.
func compareCells(rows []CompareRow) ([]string, [][]string) {
	head := []string{"method", "N", "width", "depth", "params", "predicted", "theorem", "edges", "max bits", "float64", "float32 proven", "build s", "verify s", "exact"}
	var out [][]string
	for _, r := range rows {
		if r.Method == "VC lower bound" {
			out = append(out, []string{r.Method + " ⌈√N⌉", fmt.Sprint(r.N), "", "", fmt.Sprint(r.Params), "", "", "", "", "", "", "", "", ""})
			continue
		}
		if r.NotApplicable != "" {
			out = append(out, []string{r.Method, fmt.Sprint(r.N), "", "", "", "", "", "", "", "", "", "", "", "n/a: " + oneLine(r.NotApplicable)})
			continue
		}
		if r.Error != "" && r.Params == 0 {
			out = append(out, []string{r.Method, fmt.Sprint(r.N), "", "", "", count(r.PredictedParams), count(r.TheoremParams), "", "", "", "", "", "", "FAILED: " + oneLine(r.Error)})
			continue
		}
		if r.Error != "" { // built, not verified
			out = append(out, []string{r.Method, fmt.Sprint(r.N), fmt.Sprint(r.Width), fmt.Sprint(r.Depth), fmt.Sprint(r.Params), count(r.PredictedParams), count(r.TheoremParams),
				fmt.Sprint(r.Edges), fmt.Sprint(r.MaxWeightBits), "", "", fmt.Sprintf("%.3f", r.BuildSeconds), "", "NOT VERIFIED: " + oneLine(r.Error)})
			continue
		}
		verdict := "yes"
		if !r.Exact {
			verdict = fmt.Sprintf("NO (%d/%d)", r.ExactCorrect, r.N)
		}
		f64 := fmt.Sprintf("%d/%d", r.Float64Correct, r.FloatChecked)
		if r.FloatChecked < r.N {
			f64 += " (sample)"
		}
		out = append(out, []string{r.Method, fmt.Sprint(r.N), fmt.Sprint(r.Width), fmt.Sprint(r.Depth), fmt.Sprint(r.Params), count(r.PredictedParams), count(r.TheoremParams),
			fmt.Sprint(r.Edges), fmt.Sprint(r.MaxWeightBits), f64, yesNo(r.Float32Proven), fmt.Sprintf("%.3f", r.BuildSeconds), fmt.Sprintf("%.3f", r.VerifySeconds), verdict})
	}
	return head, out
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func oneLine(s string) string {
	s = strings.NewReplacer("\n", " ", "\t", " ", "|", "/").Replace(s)
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return s
}

// PrintCompare writes rows (the VC row included, if the caller appended it)
// as a table. "predicted" is the construction's own count for our
// realisation (or the theorem's when it states none), "theorem" the
// theorem's params_bound.
func PrintCompare(w io.Writer, rows []CompareRow, f Format) error {
	head, cells := compareCells(rows)
	if f == Markdown {
		fmt.Fprintln(w, "| "+strings.Join(head, " | ")+" |")
		sep := make([]string, len(head))
		for i := range sep {
			sep[i] = "---"
			if i > 0 {
				sep[i] = "---:"
			}
		}
		fmt.Fprintln(w, "|"+strings.Join(sep, "|")+"|")
		for _, c := range cells {
			fmt.Fprintln(w, "| "+strings.Join(c, " | ")+" |")
		}
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	for _, c := range cells {
		fmt.Fprintln(tw, strings.Join(c, "\t")+"\t")
	}
	return tw.Flush()
}

// AllExact reports whether every method row (the VC row aside) is exact.
func AllExact(rows []CompareRow) bool {
	for _, r := range rows {
		if r.Method != "VC lower bound" && r.NotApplicable == "" && (r.Error != "" || !r.Exact) {
			return false
		}
	}
	return true
}

// Ratio is params/predicted, NaN when either is missing.
func (r CompareRow) Ratio() float64 {
	if r.PredictedParams <= 0 || r.Params <= 0 {
		return math.NaN()
	}
	return float64(r.Params) / float64(r.PredictedParams)
}
