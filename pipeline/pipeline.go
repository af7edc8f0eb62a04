// Package pipeline holds the steps the command line strings together: build
// a network from a dataset, verify a network on a dataset, describe a network,
// predict labels. Each step returns a plain struct that prints as JSON.
package pipeline

import (
	"context"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"time"

	"github.com/memnet/memnet/construct"
	"github.com/memnet/memnet/construct/park"
	"github.com/memnet/memnet/construct/ridge"
	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
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
	t0 := time.Now()
	res, err := m.Build(ctx, ds, opts)
	if err != nil {
		return nil, err
	}
	secs := time.Since(t0).Seconds()
	if err := res.Net.Check(); err != nil {
		return nil, fmt.Errorf("%s built an invalid network: %v", method, err)
	}
	model := &nn.Model{
		Net: res.Net, Method: method, Options: res.Options, Classes: ds.Classes,
		Points: ds.N(), Theorem: res.Prediction.Theorem, Predicted: res.Prediction.Bounds,
		Hints: res.Hints,
	}
	return &Built{Model: model, Result: res, Stats: res.Net.Stats(), Seconds: secs}, nil
}

// Verified is the outcome of Verify. Points counts data rows, DistinctPoints
// the points left after dropping repeated rows.
type Verified struct {
	Points          int     `json:"points"`
	DistinctPoints  int     `json:"distinct_points"`
	ExactCorrect    int     `json:"exact_correct"`
	ExactEqual      int     `json:"exact_equal"`
	Exact           bool    `json:"exact"`
	Float64Correct  int     `json:"float64_correct"`
	Float32Correct  int     `json:"float32_correct"`
	Float64BitExact int     `json:"float64_bit_exact"`
	Float64         bool    `json:"float64_reproduces_all"`
	Float32         bool    `json:"float32_reproduces_all"`
	Seconds         float64 `json:"seconds"`
	ExactSeconds    float64 `json:"exact_seconds"`
	FloatSeconds    float64 `json:"float_seconds"`
	Evaluator       string  `json:"exact_evaluator"`
	// FloatWeights counts the weights each float view rounds and overflows,
	// with the reason when a view was judged 0/N without evaluation.
	FloatWeights *nn.FloatResult `json:"float_weights,omitempty"`
	Wrong        []WrongPoint    `json:"wrong,omitempty"`
	// Regression networks (option regression=true) are judged by the largest
	// |f(x) − target| instead of classes; Exact then says it is ≤ Eps.
	Regression bool    `json:"regression,omitempty"`
	MaxError   float64 `json:"max_error,omitempty"`
	Eps        float64 `json:"eps,omitempty"`
}

// WrongPoint is a point the exact evaluation gets wrong.
type WrongPoint struct {
	Row    int    `json:"row"`
	Label  string `json:"label"`
	Output string `json:"exact_output"`
}

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
	if ds.D() != model.Net.InputDim {
		return nil, fmt.Errorf("%s has %d features per point; the network reads %d", ds.Name, ds.D(), model.Net.InputDim)
	}
	t0 := time.Now()
	if model.Options["regression"] == "true" {
		return verifyRegression(model, ds, t0)
	}
	y := classIndex(model, ds)
	r, err := verifyExact(model, ds.X, y, progress)
	if err != nil {
		return nil, err
	}
	r.AddFloat(model.Net, ds.X, y, len(model.Classes))
	v := &Verified{
		Points: ds.N() + ds.Duplicates, DistinctPoints: ds.N(),
		ExactCorrect: r.ExactCorrect, ExactEqual: r.ExactEqual, Exact: r.Exact,
		Float64Correct: r.Float64Correct, Float32Correct: r.Float32Correct, Float64BitExact: r.Float64BitExact,
		Float64: r.Float64Correct == ds.N(), Float32: r.Float32Correct == ds.N(),
		ExactSeconds: r.ExactSeconds, FloatSeconds: r.FloatSeconds, Evaluator: r.ExactEvaluator,
		FloatWeights: r.Float,
	}
	if len(r.Wrong) > 0 {
		xs := make([][]float64, len(r.Wrong))
		for k, i := range r.Wrong {
			xs[k] = ds.X[i]
		}
		outs, err := nn.EvalExact(model.Net, xs, nil)
		if err != nil {
			return nil, err
		}
		for k, i := range r.Wrong {
			row := i + 1
			if len(ds.Rows) == ds.N() {
				row = ds.Rows[i]
			}
			v.Wrong = append(v.Wrong, WrongPoint{Row: row, Label: ds.Classes[ds.Y[i]], Output: ratsString(outs[k])})
		}
	}
	v.Seconds = time.Since(t0).Seconds()
	return v, nil
}

// verifyRegression judges a regression network: the data's labels are read
// as real targets and the largest error is computed by the construction.
func verifyRegression(model *nn.Model, ds *data.Dataset, t0 time.Time) (*Verified, error) {
	m, err := construct.Lookup(model.Method)
	if err != nil {
		return nil, err
	}
	rv, ok := m.(construct.RegressionVerifier)
	if !ok {
		return nil, fmt.Errorf("method %s cannot verify regression networks", model.Method)
	}
	eps, err := strconv.ParseFloat(model.Options["eps"], 64)
	if err != nil {
		return nil, fmt.Errorf("network file: option eps=%q is not a number", model.Options["eps"])
	}
	ts := make([]float64, ds.N())
	for i, y := range ds.Y {
		if ts[i], err = strconv.ParseFloat(ds.Classes[y], 64); err != nil {
			return nil, fmt.Errorf("%s: label %q is not a number (the network is a regression network)", ds.Name, ds.Classes[y])
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
	if within {
		v.ExactCorrect = ds.N()
	}
	return v, nil
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
	Method    string            `json:"method"`
	Theorem   string            `json:"theorem,omitempty"`
	InputDim  int               `json:"input_dim"`
	Classes   int               `json:"classes"`
	Labels    []string          `json:"labels"`
	Points    int               `json:"points"`
	Options   map[string]string `json:"options"`
	Predicted map[string]int64  `json:"predicted,omitempty"`
	nn.Stats
	DepthBound  *int64 `json:"depth_bound,omitempty"`
	WidthBound  *int64 `json:"width_bound,omitempty"`
	ParamsBound *int64 `json:"params_bound,omitempty"`
}

// Inspect describes model.
func Inspect(model *nn.Model) *Info {
	info := &Info{
		Method: model.Method, Theorem: model.Theorem, InputDim: model.Net.InputDim,
		Classes: len(model.Classes), Labels: model.Classes, Points: model.Points,
		Options: model.Options, Predicted: model.Predicted, Stats: model.Net.Stats(),
	}
	get := func(k string) *int64 {
		if v, ok := model.Predicted[k]; ok {
			return &v
		}
		return nil
	}
	info.DepthBound, info.WidthBound, info.ParamsBound = get("depth_bound"), get("width_bound"), get("params_bound")
	return info
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
	if len(xs) > 0 && len(xs[0]) != model.Net.InputDim {
		return nil, fmt.Errorf("the data has %d features per point; the network reads %d", len(xs[0]), model.Net.InputDim)
	}
	outs, err := nn.EvalExact(model.Net, xs, nil)
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
