// Package pipeline holds the steps the command line strings together: build
// a network from a dataset, verify a network on a dataset, describe a network,
// predict labels. Each step returns a plain struct that prints as JSON.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"
	"runtime"
	"sort"
	"strconv"
	"time"

	"github.com/memnet/memnet/construct"
	"github.com/memnet/memnet/construct/park"
	"github.com/memnet/memnet/construct/ridge"
	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/limits"
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
		g := construct.GeometryOf(ds)
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
	model := &nn.Model{
		Net: res.Net, Method: method, Options: res.Options, Classes: ds.Classes,
		Points: ds.N(), Theorem: res.Prediction.Theorem, Theory: &res.Prediction,
		Hints: res.Hints,
	}
	return &Built{Model: model, Result: res, Stats: res.Net.Stats(), Seconds: secs}, nil
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
	pos := map[string]int{}
	for i, c := range model.Classes {
		pos[c] = i
	}
	y := make([]int, ds.N())
	for i, c := range ds.Y {
		k, ok := pos[ds.Classes[c]]
		if !ok {
			k = -1
		}
		y[i] = k
	}
	return y
}

// Verify checks model on every distinct point of ds in exact arithmetic and
// counts what float64 and float32 get right.
func Verify(model *nn.Model, ds *data.Dataset, progress func(done int64)) (*Verified, error) {
	var report func(string, int64, int64)
	if progress != nil {
		report = func(phase string, done, _ int64) {
			if phase == PhaseExact {
				progress(done)
			}
		}
	}
	return VerifyContext(context.Background(), model, ds, report, VerifyOptions{})
}

// The phases VerifyPhases reports.
const (
	PhaseExact = "exact"
	PhaseFloat = "float64/float32"
)

// VerifyPhases is Verify reporting its progress, when report is not nil, as
// (phase, points done, points in all) for the exact phase (PhaseExact) and
// then the float phase (PhaseFloat).
func VerifyPhases(model *nn.Model, ds *data.Dataset, report func(phase string, done, total int64)) (*Verified, error) {
	return VerifyContext(context.Background(), model, ds, report, VerifyOptions{})
}

// VerifyOptions change how VerifyContext judges a network.
type VerifyOptions struct {
	// Eps, when nonzero, replaces the regression tolerance the network file
	// states (it must be in (0, 1], like the file's).
	Eps float64
}

// VerifyContext is VerifyPhases with a context and options. It refuses, before
// evaluating anything, a verification whose estimated memory exceeds
// limits.Memory, and returns ctx's error as soon as ctx is done (the
// evaluators that do not take a context yet are left to finish in the
// background; the command line exits).
func VerifyContext(ctx context.Context, model *nn.Model, ds *data.Dataset, report func(phase string, done, total int64), opt VerifyOptions) (*Verified, error) {
	if ds.D() != model.Net.InputDim {
		return nil, dimError(model, ds)
	}
	if err := CheckEvalMemory(model.Net, ds.N()); err != nil {
		return nil, err
	}
	return withContext(ctx, func() (*Verified, error) { return verify(model, ds, report, opt) })
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

// evalScratchBytes bounds the memory exact evaluation keeps per worker and
// per neuron of the widest layer (input coordinates included): two big.Int
// and two big.Rat values with their first words, and the slots pointing to
// them. (Derived for the former big.Int evaluator nn.Program, removed in
// issue 12; not re-derived for the exact engine.)
const evalScratchBytes = 320

// evalWeightBytes bounds the memory compiling one nonzero weight for exact
// evaluation costs (a term and its integer; zero weights are skipped).
const evalWeightBytes = 96

// CheckEvalMemory refuses, with a *limits.Error, an exact evaluation of net
// on n points whose estimated memory exceeds limits.Memory: every worker
// (one per CPU, at most n) keeps scratch for the widest layer, the input
// included, and the network's nonzero weights are compiled once.
func CheckEvalMemory(net *nn.Network, n int) error {
	width := int64(net.InputDim)
	var weights int64
	for _, l := range append(net.Hidden[:len(net.Hidden):len(net.Hidden)], net.Readout) {
		width = max(width, int64(l.Out()))
		for j, row := range l.W {
			for _, w := range row {
				if w.Sign() != 0 {
					weights++
				}
			}
			if l.B[j].Sign() != 0 {
				weights++
			}
		}
	}
	workers := int64(max(1, min(runtime.GOMAXPROCS(0), n)))
	need := limits.Add(limits.Mul(limits.Mul(workers, width), evalScratchBytes), limits.Mul(weights, evalWeightBytes))
	return limits.CheckMemory(fmt.Sprintf("exact evaluation (%d worker(s) × %d values of scratch, %d weights)", workers, width, weights), need)
}

func verify(model *nn.Model, ds *data.Dataset, report func(phase string, done, total int64), opt VerifyOptions) (*Verified, error) {
	var progress func(done int64)
	if report != nil {
		report(PhaseExact, 0, int64(ds.N()))
		progress = func(done int64) { report(PhaseExact, done, int64(ds.N())) }
	}
	t0 := time.Now()
	if model.Options["regression"] == "true" {
		return verifyRegression(model, ds, t0, opt.Eps)
	}
	y := classIndex(model, ds)
	r, err := verifyExact(model, ds.X, y, progress)
	if err != nil {
		return nil, err
	}
	addFloat(r, model.Net, ds.X, y, len(model.Classes), report)
	v := &Verified{
		Points: ds.N() + ds.Duplicates, DistinctPoints: ds.N(),
		ExactCorrect: r.ExactCorrect, ExactEqual: r.ExactEqual, Exact: r.Exact,
		Float64Correct: r.Float64Correct, Float32Correct: r.Float32Correct, Float64BitExact: r.Float64BitExact,
		Float64: r.Float64Correct == ds.N(), Float32: r.Float32Correct == ds.N(),
		ExactSeconds: r.ExactSeconds, FloatSeconds: r.FloatSeconds, Evaluator: r.ExactEvaluator,
		Proof:        "exact arithmetic",
		FloatWeights: r.Float,
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
		var outs [][]*big.Rat
		if !interval {
			xs := make([][]float64, len(r.Wrong))
			for k, i := range r.Wrong {
				xs[k] = ds.X[i]
			}
			if outs, err = nn.EvalExact(model.Net, xs, nil); err != nil {
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

// addFloat is r.AddFloat; with report set it counts in chunks (about 20)
// and reports each, so a long float phase shows progress.
func addFloat(r *nn.Report, net *nn.Network, xs [][]float64, y []int, m int, report func(string, int64, int64)) {
	if report == nil {
		r.AddFloat(net, xs, y, m)
		return
	}
	t0 := time.Now()
	n := len(xs)
	chunk := max(2048, (n+19)/20)
	var sum nn.FloatResult
	report(PhaseFloat, 0, int64(n))
	for lo := 0; lo < n; lo += chunk {
		hi := min(n, lo+chunk)
		c := nn.FloatCountsSplit(net, xs[lo:hi], y[lo:hi], m, r.Split)
		sum.Float64Correct += c.Float64Correct
		sum.Float32Correct += c.Float32Correct
		sum.Float64BitExact += c.Float64BitExact
		report(PhaseFloat, int64(hi), int64(n))
	}
	r.Float64Correct, r.Float32Correct, r.Float64BitExact = sum.Float64Correct, sum.Float32Correct, sum.Float64BitExact
	r.FloatSeconds = time.Since(t0).Seconds()
}

// verifyRegression judges a regression network: the data's labels are read
// as real targets and the largest error is computed by the construction.
func verifyRegression(model *nn.Model, ds *data.Dataset, t0 time.Time, override float64) (*Verified, error) {
	m, err := construct.Lookup(model.Method)
	if err != nil {
		return nil, err
	}
	rv, ok := m.(construct.RegressionVerifier)
	if !ok {
		return nil, fmt.Errorf("method %s cannot verify regression networks", model.Method)
	}
	eps, err := RegressionEps(model, override)
	if err != nil {
		return nil, err
	}
	ts := make([]float64, ds.N())
	for i, y := range ds.Y {
		ts[i], err = strconv.ParseFloat(ds.Classes[y], 64)
		if err != nil || math.IsNaN(ts[i]) || math.IsInf(ts[i], 0) {
			return nil, fmt.Errorf("%s: label %q is not a finite number (the network is a regression network)", ds.Name, ds.Classes[y])
		}
	}
	maxErr, within, err := rv.VerifyRegression(model.Net, ds.X, ts, eps)
	if err != nil {
		return nil, err
	}
	secs := time.Since(t0).Seconds()
	v := &Verified{Points: ds.N() + ds.Duplicates, DistinctPoints: ds.N(), Exact: within,
		Regression: true, MaxError: maxErr, Eps: eps, Seconds: secs, ExactSeconds: secs,
		Evaluator: "largest |f(x) − target| (exact for STEP/ReLU, proven bound for sigmoid)"}
	v.Proof = "exact arithmetic"
	if model.Net.HasActivation(nn.Sigmoid) {
		v.Proof = "interval arithmetic"
	}
	if within {
		v.ExactCorrect = ds.N()
	}
	return v, nil
}

// RegressionEps is the tolerance a regression network is judged with: the
// override when it is nonzero, else the file's option eps. Either must be a
// finite number in (0, 1] (the range build accepts); a file cannot widen it.
func RegressionEps(model *nn.Model, override float64) (float64, error) {
	if override != 0 {
		if !(override > 0 && override <= 1) {
			return 0, fmt.Errorf("--eps %g: want a number in (0, 1]", override)
		}
		return override, nil
	}
	s, ok := model.Options["eps"]
	if !ok {
		return 0, errors.New("network file: a regression network without option eps (give the tolerance with --eps)")
	}
	eps, err := strconv.ParseFloat(s, 64)
	if err != nil || !(eps > 0 && eps <= 1) {
		return 0, fmt.Errorf("network file: option eps=%q is not a number in (0, 1] (give the tolerance with --eps)", abbreviate(s, 40))
	}
	return eps, nil
}

func abbreviate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// verifyExact judges the network from its weights and the data alone: the
// exact engine (nn.Exact) for every network without sigmoid units, except
// that networks whose weights have the ridge shape (construct/ridge: every
// first-layer neuron a function of one scalar w·x) take the sorted sweep,
// and the outward-rounded interval verifier for sigmoid networks (whose
// values are not rational). The method name is never consulted; the hints
// may only choose how points share work (nn.VerifyExactHints).
func verifyExact(model *nn.Model, xs [][]float64, y []int, progress func(done int64)) (*nn.Report, error) {
	if model.Net.HasActivation(nn.Sigmoid) {
		return verifySigmoid(model.Net, xs, y, progress)
	}
	if ridge.Recognized(model.Net) {
		// one scalar feeds every ridge neuron: the sorted sweep evaluates
		// the same stored weights in O(N log N) instead of O(N²)
		return ridge.VerifyExact(model.Net, xs, y, len(model.Classes), progress)
	}
	return nn.VerifyExactHints(model.Net, xs, y, len(model.Classes), progress, model.Hints)
}

// verifySigmoid proves, with outward-rounded interval arithmetic, which
// points' outputs round to their label (park.VerifyInterval).
func verifySigmoid(net *nn.Network, xs [][]float64, y []int, progress func(done int64)) (*nn.Report, error) {
	s, err := park.VerifyInterval(net, xs, y, nil, 0)
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

// Predict returns, for each row of xs, the original label the network's exact
// output stands for, or "?" when it stands for none.
func Predict(model *nn.Model, xs [][]float64) ([]string, error) {
	return PredictProgress(model, xs, nil)
}

// PredictProgress is Predict reporting the rows done to progress (when not
// nil).
func PredictProgress(model *nn.Model, xs [][]float64, progress func(done int64)) ([]string, error) {
	return PredictContext(context.Background(), model, xs, progress)
}

// PredictContext is PredictProgress returning ctx's error as soon as ctx is
// done, after the memory check of VerifyContext.
func PredictContext(ctx context.Context, model *nn.Model, xs [][]float64, progress func(done int64)) ([]string, error) {
	if len(xs) > 0 && len(xs[0]) != model.Net.InputDim {
		return nil, fmt.Errorf("the data has %d features per point; the network reads %d", len(xs[0]), model.Net.InputDim)
	}
	if err := CheckEvalMemory(model.Net, len(xs)); err != nil {
		return nil, err
	}
	return withContext(ctx, func() ([]string, error) { return predict(model, xs, progress) })
}

func predict(model *nn.Model, xs [][]float64, progress func(done int64)) ([]string, error) {
	outs, err := nn.EvalExact(model.Net, xs, progress)
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
