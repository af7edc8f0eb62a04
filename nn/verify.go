package nn

import (
	"errors"
	"math"
	"math/big"
	"sync/atomic"
	"time"
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
	Wrong          []int   `json:"wrong,omitempty"`
	ExactSeconds   float64 `json:"exact_seconds"`
	FloatSeconds   float64 `json:"float_seconds"`
	ExactEvaluator string  `json:"exact_evaluator"`
}

// Verify evaluates net on every point exactly and in float64 and float32, and
// judges each output against y (class indices among m classes). progress, if
// not nil, is called with the number of exactly evaluated points.
func Verify(net *Network, xs [][]float64, y []int, m int, progress func(done int64)) (*Report, error) {
	r, err := VerifyExact(net, xs, y, m, progress)
	if err != nil {
		return nil, err
	}
	r.AddFloat(net, xs, y, m)
	return r, nil
}

// AddFloat fills in the float64 and float32 counts of r.
func (r *Report) AddFloat(net *Network, xs [][]float64, y []int, m int) {
	t1 := time.Now()
	fc := FloatCounts(net, xs, y, m)
	r.Float64Correct, r.Float32Correct, r.Float64BitExact = fc.Float64Correct, fc.Float32Correct, fc.Float64BitExact
	r.FloatSeconds = time.Since(t1).Seconds()
}

// VerifyExact is the exact half of Verify: it leaves the float counts zero.
// It runs the exact engine (see Exact), whatever built the network.
func VerifyExact(net *Network, xs [][]float64, y []int, m int, progress func(done int64)) (*Report, error) {
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
	cls, equal, err := e.Classes(xs, m, y, progress)
	if err != nil {
		return nil, err
	}
	for i, k := range cls {
		if k == y[i] {
			r.ExactCorrect++
		} else if len(r.Wrong) < 20 {
			r.Wrong = append(r.Wrong, i)
		}
		if equal[i] && net.OutputDim() == 1 {
			r.ExactEqual++
		}
	}
	r.Exact = r.ExactCorrect == len(xs)
	r.ExactSeconds = time.Since(t0).Seconds()
	return r, nil
}

// FloatResult counts how many points the float views get right.
type FloatResult struct {
	Float64Correct, Float32Correct, Float64BitExact int
}

// FloatCounts evaluates the float64 and float32 views on every point.
func FloatCounts(net *Network, xs [][]float64, y []int, m int) FloatResult {
	f64, f32 := net.Float64(), net.Float32()
	var c64, c32, bit atomic.Int64
	_ = Parallel(len(xs), func(lo, hi int, _ *atomic.Int64) error {
		o64 := make([][]float64, hi-lo)
		o32 := make([][]float32, hi-lo)
		for i := range o64 {
			o64[i] = make([]float64, net.OutputDim())
			o32[i] = make([]float32, net.OutputDim())
		}
		_ = f64.EvalBatch(xs[lo:hi], o64)
		_ = f32.EvalBatch(xs[lo:hi], o32)
		for i := lo; i < hi; i++ {
			if ClassOfFloat(o64[i-lo], m) == y[i] {
				c64.Add(1)
			}
			if ClassOfFloat(o32[i-lo], m) == y[i] {
				c32.Add(1)
			}
			if len(o64[i-lo]) == 1 && o64[i-lo][0] == float64(y[i]) {
				bit.Add(1)
			}
		}
		return nil
	})
	return FloatResult{int(c64.Load()), int(c32.Load()), int(bit.Load())}
}
