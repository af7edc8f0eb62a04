package nn

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/memnet/memnet/internal/par"
)

// How outputs stand for classes. A network with one output stands for the
// class index its output rounds to (|f − k| < 1/2, 0 ≤ k < M; an output
// exactly halfway stands for no class). A network with M > 1 outputs stands
// for the index of its strictly largest output.

var half = big.NewRat(1, 2)

// ClassOfRat returns the class that exact outputs o stand for among m
// classes, or -1 when they stand for none.
func ClassOfRat(o []*big.Rat, m int) int {
	if len(o) == 1 {
		// k = floor(f + 1/2); reject an exact half.
		t := new(big.Rat).Add(o[0], half)
		q := new(big.Int).Div(t.Num(), t.Denom()) // Euclidean: floor for positive denominators
		if !q.IsInt64() {
			return -1
		}
		k := q.Int64()
		if t.IsInt() {
			return -1 // f = k − 1/2 exactly
		}
		if k < 0 || k >= int64(m) {
			return -1
		}
		return int(k)
	}
	best := 0
	for j := 1; j < len(o); j++ {
		if o[j].Cmp(o[best]) > 0 {
			best = j
		}
	}
	for k := range o {
		if k != best && o[k].Cmp(o[best]) >= 0 {
			return -1
		}
	}
	if best >= m {
		return -1
	}
	return best
}

// ClassOfFloat is ClassOfRat for float outputs.
func ClassOfFloat[F float32 | float64](o []F, m int) int {
	if len(o) == 1 {
		f := float64(o[0])
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return -1
		}
		k := math.Floor(f + 0.5)
		if f == k-0.5 || k < 0 || k >= float64(m) {
			return -1
		}
		return int(k)
	}
	best := 0
	for j := 1; j < len(o); j++ {
		if o[j] > o[best] {
			best = j
		}
	}
	for k := range o {
		if k != best && !(o[k] < o[best]) {
			return -1
		}
	}
	if best >= m {
		return -1
	}
	return best
}

// Report is the verdict of Verify.
type Report struct {
	Points int `json:"distinct_points"`
	// ExactCorrect counts points whose exact output stands for their class.
	ExactCorrect int `json:"exact_correct"`
	// ExactEqual counts points whose single exact output equals the class index.
	ExactEqual int  `json:"exact_equal"`
	Exact      bool `json:"exact"`
	// Float64Correct and Float32Correct count points the float views classify right.
	Float64Correct int `json:"float64_correct"`
	Float32Correct int `json:"float32_correct"`
	// Float64BitExact counts points whose float64 output is exactly the class index.
	Float64BitExact int `json:"float64_bit_exact"`
	// Float64MaxError is max |f64 output − exact output| over points (single output).
	Float64MaxError float64 `json:"float64_max_error"`
	// Wrong lists (0-based) up to 20 points the exact evaluation gets wrong.
	Wrong []int `json:"wrong,omitempty"`
	// WrongOutputs are the exact outputs of the Wrong points, when the
	// evaluator computes exact outputs (nil otherwise).
	WrongOutputs   [][]*big.Rat `json:"-"`
	ExactSeconds   float64      `json:"exact_seconds"`
	FloatSeconds   float64      `json:"float_seconds"`
	ExactEvaluator string       `json:"exact_evaluator"`
	// Float holds the float views' weight counts and notes (nil until AddFloat).
	Float *FloatResult `json:"float,omitempty"`
	// Split is the taint split the exact engine used (nil: none); the
	// float counts use it too.
	Split *Split `json:"-"`
}

// Verify evaluates net on every point exactly and in float64 and float32, and
// judges each output against y (class indices among m classes): ExactVerdict
// with opt, then AddFloat. It returns ctx's error within a chunk's time once
// ctx is done.
func Verify(ctx context.Context, net *Network, xs [][]float64, y []int, m int, opt ExactOptions) (*Report, error) {
	r, err := ExactVerdict(ctx, net, xs, y, m, opt)
	if err != nil {
		return nil, err
	}
	r.AddFloat(ctx, net, xs, y, m, nil)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return r, nil
}

// AddFloat fills in the float64 and float32 counts of r (with r's split),
// reporting the points done to progress when it is not nil.
func (r *Report) AddFloat(ctx context.Context, net *Network, xs [][]float64, y []int, m int, progress func(done int64)) {
	r.AddFloatViews(ctx, net, xs, y, m, progress, nil)
}

// AddFloatViews is AddFloat with the network's float views built once
// (nil: built by the call).
func (r *Report) AddFloatViews(ctx context.Context, net *Network, xs [][]float64, y []int, m int, progress func(done int64), views *FloatViews) {
	t1 := time.Now()
	fc := FloatCounts(ctx, net, xs, y, m, FloatOptions{Split: r.Split, Progress: progress, Views: views})
	r.Float64Correct, r.Float32Correct, r.Float64BitExact = fc.Float64Correct, fc.Float32Correct, fc.Float64BitExact
	r.Float = &fc
	r.FloatSeconds = time.Since(t1).Seconds()
}

// ExactOptions are the settings of ExactVerdict.
type ExactOptions struct {
	// Progress, if not nil, is called with the number of points evaluated.
	Progress func(done int64)
	// Hints are a network file's hints: a taint split ("split": hidden
	// layer index, "per_point": comma-separated neurons) lets points share
	// work (see Exact.UseSplit). Hints never decide a value: a split that
	// does not parse or names no layer is ignored, and any split gives the
	// exact outputs.
	Hints map[string]string
}

// ExactVerdict is the exact half of the verdict (the float counts are left
// zero): it runs the exact engine (see Exact), whatever built the network,
// and judges each output against y (class indices among m classes). It
// returns ctx's error within a chunk's time once ctx is done.
func ExactVerdict(ctx context.Context, net *Network, xs [][]float64, y []int, m int, opt ExactOptions) (*Report, error) {
	if len(xs) != len(y) {
		return nil, errors.New("verify: points and labels differ in number")
	}
	r := &Report{Points: len(xs)}
	t0 := time.Now()
	e, err := CompileExact(net, xs)
	if err != nil {
		return nil, err
	}
	r.ExactEvaluator = e.Describe()
	if split, pp, ok := splitHints(opt.Hints); ok && e.UseSplit(split, pp) == nil {
		r.ExactEvaluator += fmt.Sprintf("; points share the work after hidden layer %d (taint split from the file's hints)", split+1)
		r.Split = &Split{Layer: split, PerPoint: pp}
	} else if split, pp, ok := e.FindSplit(xs); ok && e.UseSplit(split, pp) == nil {
		r.ExactEvaluator += fmt.Sprintf("; points share the work after hidden layer %d (taint split found from the weights and a sample of the points)", split+1)
		r.Split = &Split{Layer: split, PerPoint: pp}
	}
	if err := e.CheckMemory(len(xs), false); err != nil {
		return nil, err
	}
	cls, equal, err := e.Classes(ctx, xs, m, y, opt.Progress)
	if err != nil {
		return nil, err
	}
	for i, k := range cls {
		if k >= 0 && k == y[i] {
			r.ExactCorrect++
		} else if len(r.Wrong) < 20 {
			r.Wrong = append(r.Wrong, i)
		}
		if equal[i] && net.OutputDim() == 1 {
			r.ExactEqual++
		}
	}
	if len(r.Wrong) > 0 {
		// the listed wrong points' outputs, from the same compiled engine
		wx := make([][]float64, len(r.Wrong))
		for k, i := range r.Wrong {
			wx[k] = xs[i]
		}
		if r.WrongOutputs, err = e.Outputs(ctx, wx, nil); err != nil {
			return nil, err
		}
	}
	r.Exact = r.ExactCorrect == len(xs)
	r.ExactSeconds = time.Since(t0).Seconds()
	return r, nil
}

// FloatResult counts how many points the float views get right.
type FloatResult struct {
	Float64Correct  int `json:"float64_correct"`
	Float32Correct  int `json:"float32_correct"`
	Float64BitExact int `json:"float64_bit_exact"`
	// Rounded and Overflow count the weights and biases that are not exact
	// in each float type, and those of them that became ±Inf.
	Float64Rounded  int `json:"float64_rounded_weights"`
	Float64Overflow int `json:"float64_overflowed_weights"`
	Float32Rounded  int `json:"float32_rounded_weights"`
	Float32Overflow int `json:"float32_overflowed_weights"`
	// Float64Note and Float32Note give the reason when a view was judged
	// 0/N from its weights without evaluation (see FloatNet.Hopeless).
	Float64Note string `json:"float64_note,omitempty"`
	Float32Note string `json:"float32_note,omitempty"`
}

// FloatOptions are the settings of FloatCounts.
type FloatOptions struct {
	// Split is a taint split: points share the work of the neurons that do
	// not depend on their per-point values, as in the exact engine (see
	// FloatNet.evalShared; the counts are those of the plain evaluation). A
	// split that names no layer or neuron is ignored; nil: none.
	Split *Split
	// Progress, when not nil, is called (from several goroutines) with the
	// number of points done, counting both views as half a point each.
	Progress func(done int64)
	// Views, when not nil, are the network's float views built once
	// (Network.FloatViews) and shared by calls; nil: built by the call.
	Views *FloatViews
}

// FloatViews are a network's float64 and float32 views (read-only once
// built: one value may serve concurrent evaluations).
type FloatViews struct {
	F64 *FloatNet[float64]
	F32 *FloatNet[float32]
}

// FloatViews builds n's float64 and float32 views.
func (n *Network) FloatViews() *FloatViews { return &FloatViews{n.Float64(), n.Float32()} }

// FloatCounts evaluates the float64 and float32 views on every point,
// layer-major in batches on all cores, each view built once. A view proven
// hopeless from its weights is counted 0 without evaluation; a batch whose
// values all become NaN where NaN provably reaches the outputs stops there.
func FloatCounts(ctx context.Context, net *Network, xs [][]float64, y []int, m int, opt FloatOptions) FloatResult {
	v := opt.Views
	if v == nil {
		v = net.FloatViews()
	}
	f64, f32 := v.F64, v.F32
	var res FloatResult
	res.Float64Rounded, res.Float64Overflow = f64.Rounded, f64.Overflow
	res.Float32Rounded, res.Float32Overflow = f32.Rounded, f32.Overflow
	var done atomic.Int64 // half-points: each view adds one per point
	tick := func(k int) {
		if opt.Progress != nil {
			opt.Progress(done.Add(int64(k)) / 2)
		}
	}
	var skip bool
	if skip, res.Float64Note = f64.Hopeless(); !skip {
		res.Float64Correct, res.Float64BitExact = countView(ctx, f64, xs, y, m, opt.Split, tick)
	} else {
		tick(len(xs))
	}
	if skip, res.Float32Note = f32.Hopeless(); !skip {
		res.Float32Correct, _ = countView(ctx, f32, xs, y, m, opt.Split, tick)
	} else {
		tick(len(xs))
	}
	return res
}

// countView counts the points of xs whose outputs in the float view f
// stand for their class y[i] (y[i] < 0: never), and those whose single
// output is exactly y[i]; with the split sp when it applies and the
// evaluation meets no non-finite value (else plainly). tick gets the
// points done in each batch.
func countView[F float32 | float64](ctx context.Context, f *FloatNet[F], xs [][]float64, y []int, m int, sp *Split, tick func(int)) (correct, bitExact int) {
	var c, bit atomic.Int64
	judge := func(i int, o []F) {
		if y[i] < 0 {
			return
		}
		if ClassOfFloat(o, m) == y[i] {
			c.Add(1)
		}
		if len(o) == 1 && float64(o[0]) == float64(y[i]) {
			bit.Add(1)
		}
	}
	var ticked atomic.Int64
	if fs := f.share(sp); fs != nil {
		err := f.evalShared(ctx, xs, fs, func(i int, o []F) {
			judge(i, o)
			ticked.Add(1)
			tick(1)
		})
		if err == nil {
			return int(c.Load()), int(bit.Load())
		}
		c.Store(0)
		bit.Store(0)
		tick(-int(ticked.Load()))
	}
	batch := f.batch()
	outDim := f.layers[len(f.layers)-1].out
	type scratch struct {
		floatScratch[F]
		outs [][]F
	}
	_ = par.Do(ctx, (len(xs)+batch-1)/batch, 4, func() *scratch {
		sc := &scratch{outs: make([][]F, batch)}
		flat := make([]F, batch*outDim)
		for i := range sc.outs {
			sc.outs[i] = flat[i*outDim : (i+1)*outDim]
		}
		return sc
	}, func(blo, bhi int, sc *scratch) error {
		outs := sc.outs
		for b := blo; b < bhi; b++ {
			lo, hi := b*batch, min(len(xs), (b+1)*batch)
			o := outs[:hi-lo]
			_, _ = f.evalBatch(xs[lo:hi], o, true, &sc.floatScratch)
			for i := lo; i < hi; i++ {
				judge(i, o[i-lo])
			}
			tick(hi - lo)
		}
		return nil
	})
	return int(c.Load()), int(bit.Load())
}

// splitHints reads a taint split from hints.
func splitHints(h map[string]string) (split int, perPoint []int, ok bool) {
	v, found := h["split"]
	if !found {
		return 0, nil, false
	}
	split, err := strconv.Atoi(v)
	if err != nil {
		return 0, nil, false
	}
	if pp := h["per_point"]; pp != "" {
		for _, f := range strings.Split(pp, ",") {
			j, err := strconv.Atoi(f)
			if err != nil {
				return 0, nil, false
			}
			perPoint = append(perPoint, j)
		}
	}
	return split, perPoint, true
}
