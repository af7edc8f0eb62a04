// Package pipeline holds the steps the command line strings together: build
// a network from a dataset, verify a network on a dataset, describe a network,
// predict labels. Each step returns a plain struct that prints as JSON.
package pipeline

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/memnet/memnet/construct"
	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
	"github.com/memnet/memnet/verdict"
)

// Built is the outcome of Build.
type Built struct {
	Model   *nn.Model
	Result  *construct.Result
	Stats   nn.Stats
	Seconds float64
}

// Build constructs a network with the named method and wraps it in a model
// that records the method, its options, the class labels and the theorem's
// predicted counts.
func Build(ctx context.Context, ds *data.Dataset, method string, opts construct.Options) (*Built, error) {
	m, err := construct.Lookup(method)
	if err != nil {
		return nil, err
	}
	method = m.Name()
	if opts.Geometry == nil {
		g, err := construct.GeometryOf(ctx, ds)
		if err != nil {
			return nil, err
		}
		opts.Geometry = &g
	}
	t0 := time.Now()
	res, err := withContext(ctx, func() (*construct.Result, error) { return m.Build(ctx, ds, opts) })
	if err != nil {
		return nil, err
	}
	secs := time.Since(t0).Seconds()
	recordGeometry(&res.Prediction, *opts.Geometry)
	if err := res.Net.Check(); err != nil {
		return nil, fmt.Errorf("%s built an invalid network: %v", method, err)
	}
	if res.ClaimsFloat32 {
		if err := checkFloat32Claim(ctx, res, ds); err != nil {
			return nil, fmt.Errorf("%s: %v", method, err)
		}
	}
	model := &nn.Model{
		Net: res.Net, Method: method, Options: res.Options, Classes: ds.Classes,
		Points: ds.N(), Theorem: res.Prediction.Theorem, Theory: &res.Prediction,
		Hints: res.Hints,
	}
	return &Built{Model: model, Result: res, Stats: res.Net.Stats(), Seconds: secs}, nil
}

// checkFloat32Claim checks a construction's claim that float32 evaluates
// its network exactly, in any order, on the data (nn.Certify), and that the
// certificate's exact outputs are the labels; it adds the certificate to
// the build notes. A claim that fails is an internal error.
func checkFloat32Claim(ctx context.Context, res *construct.Result, ds *data.Dataset) error {
	t0 := time.Now()
	cert, err := withContext(ctx, func() (*nn.Certificate, error) { return nn.CertifyPoints(ctx, res.Net, ds.X, nil, nn.CertFloat32) })
	if err != nil {
		return err
	}
	if !cert.Proven {
		return fmt.Errorf("internal error: the built network is not float32-certified: %s", cert.Reason)
	}
	for i, o := range cert.Outputs {
		if nn.ClassOfFloat(o, ds.M()) != ds.Y[i] {
			return fmt.Errorf("internal error: point %d gets the wrong label in exact arithmetic", i+1)
		}
	}
	res.Notes = append(res.Notes,
		fmt.Sprintf("PROVEN exact in float32 (any summation order) on the %d points: largest positive partial sum %s, largest negative %s (limit 2^24 = %d)",
			ds.N(), strconv.FormatFloat(cert.MaxPositive, 'f', -1, 64), strconv.FormatFloat(cert.MaxNegative, 'f', -1, 64), cert.Limit),
		fmt.Sprintf("certificate (exact check of every neuron at every point) %.2f s", time.Since(t0).Seconds()))
	return nil
}

// recordGeometry puts the data's r, δ and Δ among the prediction's inputs
// (the lower bounds read r and δ from there); unknown values are left out.
func recordGeometry(p *construct.Prediction, g construct.Geometry) {
	if p.Inputs == nil {
		p.Inputs = map[string]float64{}
	}
	for k, v := range map[string]float64{"r": g.MaxNorm, "delta_min": g.MinDist, "Delta": g.Delta} {
		if _, set := p.Inputs[k]; !set && v > 0 && !math.IsInf(v, 0) && v < math.MaxFloat64 {
			p.Inputs[k] = v
		}
	}
}

// Verified is the outcome of Verify (verdict.Result).
type Verified = verdict.Result

// WrongPoint is a point the exact evaluation gets wrong (verdict.WrongPoint).
type WrongPoint = verdict.WrongPoint

// classIndex maps the dataset's classes onto the model's by label text;
// labels the model does not know map to -1 (never right).
func classIndex(model *nn.Model, ds *data.Dataset) []int {
	y, _ := ModelClasses(model, ds)
	for i, k := range y {
		if k >= len(model.Classes) {
			y[i] = -1
		}
	}
	return y
}

// ModelClasses maps the data's labels onto the model's class indices (by
// the labels' names) and returns them with the class names: a label the
// model does not know gets a class of its own after the model's (in order
// of first appearance), so every point has a colour in a picture.
func ModelClasses(model *nn.Model, ds *data.Dataset) ([]int, []string) {
	classes := append([]string{}, model.Classes...)
	pos := map[string]int{}
	for i, c := range classes {
		pos[c] = i
	}
	y := make([]int, ds.N())
	for i, c := range ds.Y {
		lbl := ds.Classes[c]
		k, ok := pos[lbl]
		if !ok {
			k = len(classes)
			pos[lbl] = k
			classes = append(classes, lbl)
		}
		y[i] = k
	}
	return y, classes
}

// The phases Verify reports (VerifyOptions.Report).
const (
	PhaseExact = "exact"
	PhaseFloat = "float64/float32"
)

// VerifyOptions change how Verify judges a network.
type VerifyOptions struct {
	// Criterion is what the network is judged by: classification unless it
	// says regression (with a tolerance in (0, 1]). It comes from the
	// caller (the command line) only; what the network file records is
	// reported as the file's claim (Verified.FileClaim) and decides nothing.
	Criterion verdict.Criterion
	// Report, when not nil, is told the progress as (phase, points done,
	// points in all) for the exact phase (PhaseExact) and then the float
	// phase (PhaseFloat), from several goroutines.
	Report func(phase string, done, total int64)
	// FloatSample > 0 judges the float views on at most that many points,
	// evenly spaced (Result.FloatChecked says how many); the exact verdict
	// always covers every point.
	FloatSample int
	// Views, when not nil, are the network's float views built once
	// (nn.Network.FloatViews), so that calls on many shards share them.
	Views *nn.FloatViews
}

// Verify checks model on every distinct point of ds by opt's criterion:
// exactly (the evaluator chosen from the weights), then the float64 and
// float32 views. It refuses, before evaluating anything, a verification
// whose estimated memory exceeds limits.Memory, and returns ctx's error
// within a second of ctx being done (every worker stops).
func Verify(ctx context.Context, model *nn.Model, ds *data.Dataset, opt VerifyOptions) (*Verified, error) {
	if ds.D() != model.Net.InputDim {
		return nil, dimError(model, ds)
	}
	if err := CheckEvalMemory(model.Net, ds.N()); err != nil {
		return nil, err
	}
	return withContext(ctx, func() (*Verified, error) { return verify(ctx, model, ds, opt.Report, opt) })
}

func dimError(model *nn.Model, ds *data.Dataset) error {
	return fmt.Errorf("%s has %d features per point; the network reads %d", ds.Name, ds.D(), model.Net.InputDim)
}

// withContext runs f and returns its result, or ctx's error as soon as ctx
// is done (f then runs on, unobserved). A panic in f is returned as an
// "internal error".
func withContext[T any](ctx context.Context, f func() (T, error)) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		defer func() {
			// A file from anyone must not crash the program: a panic in an
			// evaluator becomes a one-line error (and a bug to report).
			if p := recover(); p != nil {
				ch <- result{err: fmt.Errorf("internal error (please report it with the files): %v", p)}
			}
		}()
		v, err := f()
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}

func verify(ctx context.Context, model *nn.Model, ds *data.Dataset, report func(phase string, done, total int64), opt VerifyOptions) (*Verified, error) {
	var progress func(done int64)
	if report != nil {
		report(PhaseExact, 0, int64(ds.N()))
		progress = func(done int64) { report(PhaseExact, done, int64(ds.N())) }
	}
	t0 := time.Now()
	if opt.Criterion.Regression {
		v, err := verifyRegression(ctx, model, ds, t0, opt.Criterion.Eps)
		if v != nil {
			v.FileClaim = FileClaim(model)
		}
		return v, err
	}
	y := classIndex(model, ds)
	r, err := verifyExact(ctx, model, ds.X, y, progress)
	if err != nil {
		return nil, err
	}
	fx, fy := ds.X, y
	if opt.FloatSample > 0 && len(fx) > opt.FloatSample {
		fx, fy = make([][]float64, opt.FloatSample), make([]int, opt.FloatSample)
		for k := range fx {
			i := int(int64(k) * int64(ds.N()) / int64(opt.FloatSample))
			fx[k], fy[k] = ds.X[i], y[i]
		}
	}
	addFloat(ctx, r, model.Net, fx, fy, len(model.Classes), report, opt.Views)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	v := &Verified{
		Points: ds.N() + ds.Duplicates, DistinctPoints: ds.N(),
		ExactCorrect: r.ExactCorrect, ExactEqual: r.ExactEqual, Exact: r.Exact,
		Float64Correct: r.Float64Correct, Float32Correct: r.Float32Correct, Float64BitExact: r.Float64BitExact,
		Float64: r.Float64Correct == len(fx), Float32: r.Float32Correct == len(fx),
		ExactSeconds: r.ExactSeconds, FloatSeconds: r.FloatSeconds, Evaluator: r.ExactEvaluator,
		Proof:        "exact arithmetic",
		FloatWeights: r.Float,
		FileClaim:    FileClaim(model),
	}
	if len(fx) < ds.N() {
		v.FloatChecked = len(fx)
	}
	interval := model.Net.HasActivation(nn.Sigmoid)
	if interval {
		v.Proof = "interval arithmetic"
	}
	unknown := map[string]bool{}
	for i, k := range y {
		if l := ds.Classes[ds.Y[i]]; k < 0 && !unknown[l] {
			unknown[l] = true
			v.UnknownLabels = append(v.UnknownLabels, l)
		}
	}
	sort.Strings(v.UnknownLabels)
	if len(r.Wrong) > 0 {
		outs := r.WrongOutputs
		if !interval && outs == nil {
			xs := make([][]float64, len(r.Wrong))
			for k, i := range r.Wrong {
				xs[k] = ds.X[i]
			}
			if outs, err = exactOutputs(ctx, model.Net, xs); err != nil {
				return nil, err
			}
		}
		for k, i := range r.Wrong {
			row := i + 1
			if len(ds.Rows) == ds.N() {
				row = ds.Rows[i]
			}
			w := WrongPoint{Row: row, Label: ds.Classes[ds.Y[i]], UnknownLabel: y[i] < 0}
			if outs != nil {
				w.Output = ratsString(outs[k])
				w.Predicted = "?"
				if c := nn.ClassOfRat(outs[k], len(model.Classes)); c >= 0 {
					w.Predicted = model.Classes[c]
				}
			}
			v.Wrong = append(v.Wrong, w)
		}
	}
	sort.Slice(v.Wrong, func(a, b int) bool { return v.Wrong[a].Row < v.Wrong[b].Row })
	v.Seconds = time.Since(t0).Seconds()
	return v, nil
}

// addFloat is r.AddFloat reporting progress, when report is set, as
// (PhaseFloat, points done, points): the float views are built once and
// the counts are reported from inside the evaluation.
func addFloat(ctx context.Context, r *nn.Report, net *nn.Network, xs [][]float64, y []int, m int, report func(string, int64, int64), views *nn.FloatViews) {
	var progress func(int64)
	if report != nil {
		n := int64(len(xs))
		report(PhaseFloat, 0, n)
		var mu sync.Mutex
		var last int64
		progress = func(done int64) {
			mu.Lock()
			defer mu.Unlock()
			if done > last { // monotone for the bar; calls come from several goroutines
				last = done
				report(PhaseFloat, done, n)
			}
		}
	}
	r.AddFloatViews(ctx, net, xs, y, m, progress, views)
}

// verifyRegression judges model as a regression network with tolerance
// eps: the data's labels are read as real targets and the largest error is
// computed by verdict.Regression (the evaluator chosen from the weights).
func verifyRegression(ctx context.Context, model *nn.Model, ds *data.Dataset, t0 time.Time, eps float64) (*Verified, error) {
	if !(eps > 0 && eps <= 1) {
		return nil, fmt.Errorf("--eps %g: want a number in (0, 1]", eps)
	}
	ts := make([]float64, ds.N())
	for i, y := range ds.Y {
		var err error
		ts[i], err = strconv.ParseFloat(ds.Classes[y], 64)
		if err != nil || math.IsNaN(ts[i]) || math.IsInf(ts[i], 0) {
			return nil, fmt.Errorf("%s: label %.40q is not a finite number (--regression reads labels as real targets)", ds.Name, ds.Classes[y])
		}
	}
	maxErr, within, err := verdict.Regression(ctx, model.Net, ds.X, ts, eps)
	if err != nil {
		return nil, err
	}
	secs := time.Since(t0).Seconds()
	v := &Verified{Points: ds.N() + ds.Duplicates, DistinctPoints: ds.N(), Exact: within,
		Regression: true, MaxError: maxErr, Eps: eps, Seconds: secs, ExactSeconds: secs,
		Evaluator: "largest |f(x) − target|, exact (exact engine), compared with eps exactly"}
	v.Proof = "exact arithmetic"
	if model.Net.HasActivation(nn.Sigmoid) {
		v.Proof = "interval arithmetic"
		v.Evaluator = "largest |f(x) − target| bounded by outward-rounded interval arithmetic, the bound compared with eps exactly"
	}
	if within {
		v.ExactCorrect = ds.N()
	}
	return v, nil
}

// FileClaim is what the network file records about how it is to be
// judged (options regression and eps), quoted, or "" when it records
// nothing: a claim printed as the file's, which never decides a verdict.
func FileClaim(model *nn.Model) string {
	if model.Options["regression"] != "true" {
		return ""
	}
	return fmt.Sprintf("regression=true, eps=%.40q", model.Options["eps"])
}

// verifyExact judges the network from its weights and the data alone: the
// exact engine (nn.Exact) for every network without sigmoid units, except
// that networks whose weights have the ridge shape (verdict.IsRidge: every
// first-layer neuron a function of one scalar w·x) take the sorted sweep,
// and the outward-rounded interval verifier for sigmoid networks (whose
// values are not rational). The method name is never consulted; the hints
// may only choose how points share work (nn.VerifyExactHints).
func verifyExact(ctx context.Context, model *nn.Model, xs [][]float64, y []int, progress func(done int64)) (*nn.Report, error) {
	if model.Net.HasActivation(nn.Sigmoid) {
		return verifySigmoid(ctx, model.Net, xs, y, progress)
	}
	if verdict.IsRidge(model.Net) {
		// one scalar feeds every ridge neuron: the sorted sweep evaluates
		// the same stored weights in O(N log N) instead of O(N²)
		return verdict.VerifyRidge(ctx, model.Net, xs, y, len(model.Classes), progress)
	}
	return nn.ExactVerdict(ctx, model.Net, xs, y, len(model.Classes), nn.ExactOptions{Progress: progress, Hints: model.Hints})
}

// verifySigmoid proves, with outward-rounded interval arithmetic, which
// points' outputs round to their label (verdict.VerifyInterval).
func verifySigmoid(ctx context.Context, net *nn.Network, xs [][]float64, y []int, progress func(done int64)) (*nn.Report, error) {
	s, err := verdict.VerifyInterval(ctx, net, xs, y, nil, 0)
	if err != nil {
		return nil, err
	}
	if progress != nil {
		progress(int64(len(xs)))
	}
	return &nn.Report{Points: s.Points, ExactCorrect: s.Proven, Exact: s.Proven == s.Points, Wrong: s.Wrong, ExactSeconds: s.Seconds,
		ExactEvaluator: fmt.Sprintf("interval arithmetic (outward-rounded big.Float, %d bits): %d/%d outputs proven to round to their label, max |output − label| ≤ %.4g",
			s.Prec, s.Proven, s.Points, s.MaxError)}, nil
}

// exactOutputs is the exact engine's outputs of net on xs.
func exactOutputs(ctx context.Context, net *nn.Network, xs [][]float64) ([][]*big.Rat, error) {
	e, err := nn.CompileExact(net, xs)
	if err != nil {
		return nil, err
	}
	return e.Outputs(ctx, xs, nil)
}

func ratsString(o []*big.Rat) string {
	if len(o) == 1 {
		return o[0].FloatString(6)
	}
	s := "["
	for i, r := range o {
		if i > 0 {
			s += " "
		}
		s += r.FloatString(6)
	}
	return s + "]"
}

// Info describes a network file for `memnet inspect`.
type Info struct {
	Method   string            `json:"method"`
	Theorem  string            `json:"theorem,omitempty"`
	InputDim int               `json:"input_dim"`
	Classes  int               `json:"classes"`
	Labels   []string          `json:"labels"`
	Points   int               `json:"points"`
	Options  map[string]string `json:"options"`
	nn.Stats
	// Theory sets the counts beside the theorem's form, our realisation and
	// the lower bounds.
	Theory *Accounting `json:"theory"`
	// Phases are the construction's phases and their layer ranges, when it records them.
	Phases []Phase `json:"phases,omitempty"`
	// NormSpec are the norm values and bounds the construction's
	// specification states (hints norm_*), to set beside the measured norms.
	NormSpec map[string]string `json:"norm_spec,omitempty"`
}

// Inspect describes model.
func Inspect(model *nn.Model) *Info {
	return &Info{
		Method: model.Method, Theorem: model.Theorem, InputDim: model.Net.InputDim,
		Classes: len(model.Classes), Labels: model.Classes, Points: model.Points,
		Options: model.Options, Stats: model.Net.Stats(), Theory: Account(model),
		Phases: Phases(model), NormSpec: NormSpec(model),
	}
}

// PredictedKeys returns the prediction's keys in a fixed order.
func PredictedKeys(p map[string]int64) []string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Predict returns, for each row of xs, the original label the network's
// exact output stands for, or "?" when it stands for none, reporting the
// rows done to progress (when not nil); ctx's error once ctx is done,
// after the memory check of Verify.
func Predict(ctx context.Context, model *nn.Model, xs [][]float64, progress func(done int64)) ([]string, error) {
	if len(xs) > 0 && len(xs[0]) != model.Net.InputDim {
		return nil, fmt.Errorf("the data has %d features per point; the network reads %d", len(xs[0]), model.Net.InputDim)
	}
	if err := CheckEvalMemory(model.Net, len(xs)); err != nil {
		return nil, err
	}
	return withContext(ctx, func() ([]string, error) { return predict(ctx, model, xs, progress) })
}

func predict(ctx context.Context, model *nn.Model, xs [][]float64, progress func(done int64)) ([]string, error) {
	e, err := nn.CompileExact(model.Net, xs)
	if err != nil {
		return nil, err
	}
	if err := e.CheckMemory(len(xs), true); err != nil {
		return nil, err
	}
	outs, err := e.Outputs(ctx, xs, progress)
	if err != nil {
		return nil, err
	}
	labels := make([]string, len(xs))
	if model.Options["regression"] == "true" {
		for i, o := range outs {
			f, _ := o[0].Float64()
			labels[i] = strconv.FormatFloat(f, 'g', -1, 64)
		}
		return labels, nil
	}
	for i, o := range outs {
		k := nn.ClassOfRat(o, len(model.Classes))
		if k < 0 {
			labels[i] = "?"
		} else {
			labels[i] = model.Classes[k]
		}
	}
	return labels, nil
}
