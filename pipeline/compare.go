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
	// method over time is reported in its row; its verification (one
	// compilation of the engine) stops within a second, its build as soon
	// as the construction watches the context.
	Timeout time.Duration
	// FloatSample > 0 judges the float views on at most that many points,
	// evenly spaced (the exact verdict always covers every point).
	FloatSample int
	// Progress, when not nil, is told which method starts.
	Progress func(method string)
	// Geometry is the dataset's geometry for the theorems' formulas
	// (computed by Compare when nil).
	Geometry *construct.Geometry
	// Test and Radius add the held-out accuracy and robust-radius columns
	// (compare_heldout.go).
	Test   *data.Dataset
	Radius bool
}

// CompareRow is one method built and verified on one dataset, beside the
// theorem's form of its counts, our realisation's worst case and the lower
// bounds.
type CompareRow struct {
	Method         string  `json:"method"`
	Dataset        string  `json:"dataset"`
	N              int     `json:"n"`
	D              int     `json:"d"`
	M              int     `json:"classes"`
	Width          int     `json:"width"`
	Depth          int     `json:"depth"`
	Params         int64   `json:"params"`
	Edges          int64   `json:"edges"`
	MaxWeightBits  int     `json:"max_weight_bits"`
	Exact          bool    `json:"exact"`
	ExactCorrect   int     `json:"exact_correct"`
	Float64Correct int     `json:"float64_correct"`
	FloatChecked   int     `json:"float_checked"`
	Float32Correct int     `json:"float32_correct"`
	BuildSeconds   float64 `json:"build_seconds"`
	VerifySeconds  float64 `json:"verify_seconds"`
	// RealisationParams is our construction's worst-case params for this
	// dataset (0: none stated).
	RealisationParams int64 `json:"realisation_params,omitempty"`
	// TheoremParams is the theorem's formula for params (0: the theorem
	// states none); TheoremConstants says "paper" or "constants 1".
	TheoremParams    float64 `json:"theorem_params,omitempty"`
	TheoremConstants string  `json:"theorem_constants,omitempty"`
	Theorem          string  `json:"theorem,omitempty"`
	// Theory is the full record of a built network: every count against the
	// theorem's form and the realisation, and the lower bounds.
	Theory    *Accounting `json:"theory,omitempty"`
	Evaluator string      `json:"exact_evaluator,omitempty"`
	Error     string      `json:"error,omitempty"`
	// NormL2Squared and NormMax are ‖θ‖₂² and ‖θ‖_∞ of the built network.
	NormL2Squared float64 `json:"norm_l2_squared,omitempty"`
	NormMax       float64 `json:"norm_max,omitempty"`
	// Log2NormL2Squared and Log2NormMax are their base-2 logarithms (finite
	// when a norm is beyond float64 and shown as its largest value).
	Log2NormL2Squared float64 `json:"log2_norm_l2_squared,omitempty"`
	Log2NormMax       float64 `json:"log2_norm_max,omitempty"`
	// NotApplicable says why the method does not take this data (e.g.
	// floatexact and non-integer coordinates); such a row is not a failure.
	NotApplicable string `json:"not_applicable,omitempty"`
	// notApplicableShort is NotApplicable in a few words, for the table.
	notApplicableShort string
	// normMaxPow2: ‖θ‖∞ is exactly a power of two (compare_norms.go)
	normMaxPow2 bool
	// Float32Proven: nn.Certify proves every float32 evaluation, in any
	// summation order, exact on the data (see docs/floatexact.md).
	Float32Proven bool `json:"float32_proven"`
	HeldOut
}

// VCRow is the last row of a comparison: the parameter count below which
// no network of any depth memorizes every labelling of N points.
func VCRow(ds *data.Dataset) CompareRow {
	v := ridge.VCLowerBound(ds.N())
	return CompareRow{Method: "VC lower bound", Dataset: ds.Name, N: ds.N(), D: ds.D(), M: ds.M(), Params: v,
		Theorem: "Goldberg–Jerrum / Bartlett et al.: VC dimension O(W²) for W parameters at any depth, so memorizing N points needs Ω(√N) parameters; shown as ⌈√N⌉ (constants 1)"}
}

// lower returns the row's lower bound with the given key, if it has one.
func (r CompareRow) lower(key string) (construct.LowerBound, bool) {
	if r.Theory != nil {
		for _, lb := range r.Theory.LowerBounds {
			if lb.Key == key {
				return lb, true
			}
		}
	}
	return construct.LowerBound{}, false
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
	if o.Geometry == nil {
		o.Geometry = geometryOf(ctx, ds)
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

// geometryOf is ds's geometry, or only its sizes when ctx ends the
// computation (the rows then report the interruption).
func geometryOf(ctx context.Context, ds *data.Dataset) *construct.Geometry {
	g, err := construct.GeometryOf(ctx, ds)
	if err != nil {
		g = construct.Sizes(ds.N(), ds.D(), ds.M())
	}
	return &g
}

// setPrediction copies a prediction's params counts into the row.
func (r *CompareRow) setPrediction(p *nn.Theory) {
	if p == nil {
		return
	}
	r.Theorem = p.Theorem
	r.RealisationParams = p.Realisation["params"]
	if f, ok := p.TheoremForm["params"]; ok {
		r.TheoremParams, r.TheoremConstants = f.Value, f.Constants
		if f.Value > math.MaxFloat64 {
			// the formula's value overflows float64 (Δ near 2^2000): JSON
			// has no +Inf, so the row says so and keeps a finite lower bound
			r.TheoremParams, r.TheoremConstants = math.MaxFloat64, f.Constants+"; beyond float64, shown as its largest value (the formula's value is larger)"
		}
	}
}

func compareOne(ctx context.Context, ds *data.Dataset, name string, o CompareOptions) CompareRow {
	row := CompareRow{Method: name, Dataset: ds.Name, N: ds.N(), D: ds.D(), M: ds.M()}
	opts := construct.Options{Seed: o.Seed, Params: o.Params[name]}
	if o.Geometry == nil {
		o.Geometry = geometryOf(ctx, ds)
	}
	opts.Geometry = o.Geometry
	if m, err := construct.Lookup(name); err == nil {
		if p, err := m.Predict(*o.Geometry, opts); err == nil {
			row.setPrediction(&p)
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
			r.NotApplicable, r.notApplicableShort = err.Error(), err.Error()
			var short interface{ Short() string }
			if errors.As(err, &short) {
				r.notApplicableShort = short.Short()
			}
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
		r.NormL2Squared, r.NormMax = st.NormL2Squared, st.NormMax
		r.Log2NormL2Squared, r.Log2NormMax = st.Log2L2Squared, st.Log2Max
		r.normMaxPow2 = maxAbsPow2(b.Model.Net)
		r.BuildSeconds = b.Seconds
		r.Theorem = b.Model.Theorem
		r.setPrediction(b.Model.Theory)
		r.Theory = Account(b.Model)
		built := r
		partial.Store(&built)
		stage.Store("verification")
		t0 := time.Now()
		// the one verify flow: one compilation of the engine; a cancelled
		// context stops its workers
		v, err := Verify(cctx, b.Model, ds, VerifyOptions{FloatSample: o.FloatSample})
		if err != nil {
			r.Error = "verify: " + err.Error()
			done <- r
			return
		}
		r.VerifySeconds = time.Since(t0).Seconds()
		r.Exact, r.ExactCorrect, r.Evaluator = v.Exact, v.ExactCorrect, v.Evaluator
		r.Float64Correct, r.Float32Correct, r.FloatChecked = v.Float64Correct, v.Float32Correct, ds.N()
		if v.FloatChecked > 0 {
			r.FloatChecked = v.FloatChecked
		}
		if c, err := nn.CertifyPoints(cctx, b.Model.Net, ds.X, nil, nn.CertFloat32); err == nil {
			r.Float32Proven = c.Proven
		}
		r.HeldOut = heldOut(cctx, b.Model, ds, classIndex(b.Model, ds), o)
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

// lowerRatio prints params / a lower bound, "trivial" when the bound is 0
// (e.g. the depth-aware VC bound for depth L ≥ N).
func lowerRatio(lb construct.LowerBound, ok bool) string {
	if ok && lb.Value <= 0 {
		return "trivial"
	}
	return ratio(lb.Ratio, ok)
}

// ratio prints a ratio to two or three significant digits, "-" when missing.
func ratio(v float64, ok bool) string {
	if !ok || v <= 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return "-"
	}
	return fmt.Sprintf("%.3g", v)
}

// CompareColumn is one column of the comparison table: its header, its
// cell for a row that was built (built), and its line in the legend. A row
// that failed before building shows only the columns with Always set.
type CompareColumn struct {
	Head   string
	Legend string
	Cell   func(r CompareRow) string
	// Always marks columns filled for rows without a network (method, N,
	// the predictions).
	Always bool
}

// CompareColumns are the table's columns in order; a column is added by
// appending (or inserting) one entry, and the legend follows.
var CompareColumns = []CompareColumn{
	{Head: "method", Always: true, Legend: "construction (memnet methods)", Cell: func(r CompareRow) string { return r.Method }},
	{Head: "N", Always: true, Legend: "distinct points", Cell: func(r CompareRow) string { return fmt.Sprint(r.N) }},
	{Head: "width", Legend: "largest hidden layer", Cell: func(r CompareRow) string { return fmt.Sprint(r.Width) }},
	{Head: "depth", Legend: "hidden layers", Cell: func(r CompareRow) string { return fmt.Sprint(r.Depth) }},
	{Head: "params", Legend: "nonzero weights + nonzero biases of the built network (memnet's one count, docs/theory.md)", Cell: func(r CompareRow) string { return fmt.Sprint(r.Params) }},
	{Head: "realisation", Always: true, Legend: "our construction's worst-case params for this N, d, C (built ≤ realisation)", Cell: func(r CompareRow) string { return count(r.RealisationParams) }},
	{Head: "theorem", Always: true, Legend: "the theorem's params formula for this data (* = constants 1, the paper states only O(·); plain = the paper's constants)", Cell: func(r CompareRow) string {
		if r.TheoremParams <= 0 {
			return "-"
		}
		s := num(math.Ceil(r.TheoremParams))
		if r.TheoremConstants != "paper" {
			s += "*"
		}
		return s
	}},
	{Head: "built/thm", Legend: "params / theorem", Cell: func(r CompareRow) string {
		return ratio(float64(r.Params)/r.TheoremParams, r.TheoremParams > 0)
	}},
	{Head: "/VC(L)", Legend: "params / depth-aware VC lower bound (N−L)/(L·log2(8e·U)) (Bartlett–Harvey–Liaw–Mehrabian 2019; L = depth, U = units; not for sigmoid); trivial = bound ≤ 0 (L ≥ N)", Cell: func(r CompareRow) string {
		return lowerRatio(r.lower("vc_depth"))
	}},
	{Head: "/bits LB", Legend: "params / bit-complexity lower bound (N·log2 C − a·U)/(B + 1 + ⌈log2(B+1)⌉ + 2⌈log2(U+d+2)⌉) (Vardi–Yehudai–Shamir Thm 6.1 counting; B = max bits, a = activation bits per unit); trivial = bound ≤ 0", Cell: func(r CompareRow) string {
		return lowerRatio(r.lower("bits"))
	}},
	{Head: "w/2", Legend: "width / 2, the smallest width that memorizes every dataset (Hernández–Zuazua: width-1 ReLU chains are monotone along a line)", Cell: func(r CompareRow) string {
		return lowerRatio(r.lower("width"))
	}},
	{Head: "W²L²/NlgΔ", Legend: "width²·depth² / (N·log2(2r/δ)) (Yang & Yang 2026: O(N log δ⁻¹) suffices, Ω(N/log δ⁻¹) needed; constants 1)", Cell: func(r CompareRow) string {
		if r.Theory == nil || r.Theory.WL2.Upper <= 0 {
			return "-"
		}
		return ratio(r.Theory.WL2.Product/r.Theory.WL2.Upper, true)
	}},
	{Head: "max bits", Legend: "largest bit length of a nonzero weight or bias", Cell: func(r CompareRow) string { return fmt.Sprint(r.MaxWeightBits) }},
	{Head: "float64", Legend: "points float64 evaluation labels right / points checked (sample when fewer than N)", Cell: func(r CompareRow) string {
		if r.FloatChecked == 0 {
			return ""
		}
		f64 := fmt.Sprintf("%d/%d", r.Float64Correct, r.FloatChecked)
		if r.FloatChecked < r.N {
			f64 += " (sample)"
		}
		return f64
	}},
	{Head: "float32 proven", Legend: "yes when the float-exactness certificate proves every float32 evaluation, in any summation order, exact on the data (docs/floatexact.md)", Cell: func(r CompareRow) string { return yesNo(r.Float32Proven) }},
	{Head: "build s", Legend: "construction time", Cell: func(r CompareRow) string { return fmt.Sprintf("%.3f", r.BuildSeconds) }},
	{Head: "verify s", Legend: "exact and float verification time", Cell: func(r CompareRow) string {
		if r.Error != "" {
			return ""
		}
		return fmt.Sprintf("%.3f", r.VerifySeconds)
	}},
	{Head: "exact", Always: true, Legend: "exact verdict on every point: yes, NO (right/N), NOT VERIFIED or FAILED with the reason; n/a = the method does not take this data (why)", Cell: func(r CompareRow) string {
		switch {
		case r.Error != "" && r.Params == 0:
			return "FAILED: " + oneLine(r.Error)
		case r.Error != "":
			return "NOT VERIFIED: " + oneLine(r.Error)
		case !r.Exact:
			return fmt.Sprintf("NO (%d/%d)", r.ExactCorrect, r.N)
		}
		return "yes"
	}},
}

// compareCells returns the header and one row of cells per row.
func compareCells(rows []CompareRow) ([]string, [][]string) {
	var head []string
	for _, c := range CompareColumns {
		head = append(head, c.Head)
	}
	var out [][]string
	for _, r := range rows {
		cells := make([]string, len(CompareColumns))
		for i, c := range CompareColumns {
			switch {
			case r.NotApplicable != "":
				switch c.Head {
				case "method":
					cells[i] = r.Method
				case "N":
					cells[i] = fmt.Sprint(r.N)
				case "exact":
					cells[i] = "n/a: " + oneLine(r.notApplicableShort) + " (--json gives why)"
				}
			case r.Method == "VC lower bound":
				switch c.Head {
				case "method":
					cells[i] = r.Method + " ⌈√N⌉"
				case "N":
					cells[i] = fmt.Sprint(r.N)
				case "params":
					cells[i] = fmt.Sprint(r.Params)
				}
			case c.Always || !(r.Error != "" && r.Params == 0):
				cells[i] = c.Cell(r)
			}
		}
		out = append(out, cells)
	}
	return head, out
}

// PrintCompareLegend writes one line per column saying what it holds.
func PrintCompareLegend(w io.Writer, f Format) {
	lines := [][2]string{}
	for _, c := range CompareColumns {
		lines = append(lines, [2]string{c.Head, c.Legend})
	}
	lines = append(lines, [2]string{"VC lower bound ⌈√N⌉", "params no network of any depth can go below (VC dimension O(W²), constants 1)"})
	if f == Markdown {
		fmt.Fprint(w, "\nColumns:\n\n")
		for _, l := range lines {
			fmt.Fprintf(w, "- **%s**: %s\n", l[0], l[1])
		}
		return
	}
	fmt.Fprintln(w, "\ncolumns:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, l := range lines {
		fmt.Fprintf(tw, "  %s\t%s\n", l[0], l[1])
	}
	tw.Flush()
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
// as a table with CompareColumns, followed by its legend.
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
		PrintCompareLegend(w, Markdown)
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	for _, c := range cells {
		fmt.Fprintln(tw, strings.Join(c, "\t")+"\t")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	PrintCompareLegend(w, Text)
	return nil
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

// Ratio is params / the theorem's params formula, NaN when either is missing.
func (r CompareRow) Ratio() float64 {
	if r.TheoremParams <= 0 || r.Params <= 0 {
		return math.NaN()
	}
	return float64(r.Params) / r.TheoremParams
}
