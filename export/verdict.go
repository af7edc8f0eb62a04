package export

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strings"
	"sync/atomic"

	"github.com/memnet/memnet/nn"
)

// maxPlaces is how many unrepresentable weights and changed points a verdict lists.
const maxPlaces = 8

// Verdict says what rounding a network to a float type does: which weights
// change, and — when the points it was built for are given — how many points
// would change their prediction.
type Verdict struct {
	Dtype Dtype `json:"dtype"`
	// Weights counts every weight and bias, read-out included.
	Weights int `json:"weights"`
	// Rounded counts the weights and biases not exactly representable in Dtype.
	Rounded int `json:"rounded"`
	// NonFinite counts weights too large for Dtype (they would become ±Inf).
	NonFinite int `json:"non_finite"`
	// MaxBits is the largest number of significant bits of a weight (-1 when
	// some weight is not dyadic and so has no finite binary expansion).
	MaxBits int `json:"max_bits"`
	// NotRepresentable names the first few rounded weights as W{k}[row,col]
	// or b{k}[row], k the 0-based layer (the read-out last).
	NotRepresentable []string `json:"not_representable,omitempty"`
	// Checked says whether points were evaluated.
	Checked bool `json:"checked"`
	// Points is the number of points evaluated.
	Points int `json:"points,omitempty"`
	// Changed counts points whose predicted class in Dtype differs from the
	// exact one; ChangedPoints lists the first few (1-based indexes).
	Changed       int   `json:"changed,omitempty"`
	ChangedPoints []int `json:"changed_points,omitempty"`
}

// CheckWeights rounds every weight and bias of net to dtype and counts what
// changes.
func CheckWeights(net *nn.Network, dtype Dtype) *Verdict {
	v := &Verdict{Dtype: dtype}
	for k, l := range net.Layers() {
		for j := range l.W {
			for i, w := range l.W[j] {
				v.weight(w, func() string { return fmt.Sprintf("W%d[%d,%d]", k, j, i) })
			}
			v.weight(l.B[j], func() string { return fmt.Sprintf("b%d[%d]", k, j) })
		}
	}
	return v
}

func (v *Verdict) weight(r *big.Rat, place func() string) {
	v.Weights++
	if v.MaxBits >= 0 {
		if m, _, ok := nn.DyadicParts(r); ok {
			v.MaxBits = max(v.MaxBits, m.BitLen())
		} else {
			v.MaxBits = -1
		}
	}
	var exact, inf bool
	if v.Dtype == Float32 {
		f, e := r.Float32()
		exact, inf = e, math.IsInf(float64(f), 0)
	} else {
		f, e := r.Float64()
		exact, inf = e, math.IsInf(f, 0)
	}
	if exact {
		return
	}
	v.Rounded++
	if inf {
		v.NonFinite++
	}
	if len(v.NotRepresentable) < maxPlaces {
		v.NotRepresentable = append(v.NotRepresentable, place())
	}
}

// ExactClasses returns the class (or -1 for none) that the exact outputs of
// net stand for on every point, among m classes, reporting the points done
// to progress (nil: none); it returns ctx's error once ctx is done.
func ExactClasses(ctx context.Context, net *nn.Network, m int, xs [][]float64, progress func(done int64)) ([]int, error) {
	outs, err := nn.EvalExact(ctx, net, xs, progress)
	if err != nil {
		return nil, err
	}
	cls := make([]int, len(xs))
	for i, o := range outs {
		cls[i] = nn.ClassOfRat(o, m)
	}
	return cls, nil
}

// FloatClasses returns the class (or -1) the dtype view of net gives every
// point; it returns ctx's error once ctx is done.
func FloatClasses(ctx context.Context, net *nn.Network, dtype Dtype, m int, xs [][]float64) ([]int, error) {
	cls := make([]int, len(xs))
	var f64 *nn.FloatNet[float64]
	var f32 *nn.FloatNet[float32]
	if dtype == Float32 {
		f32 = net.Float32()
	} else {
		f64 = net.Float64()
	}
	for _, x := range xs {
		if len(x) != net.InputDim {
			return nil, fmt.Errorf("the data has %d features per point; the network reads %d", len(x), net.InputDim)
		}
	}
	err := nn.Parallel(ctx, len(xs), func(lo, hi int, _ *atomic.Int64) error {
		n := hi - lo
		if f32 != nil {
			o := make([][]float32, n)
			for i := range o {
				o[i] = make([]float32, net.OutputDim())
			}
			if err := f32.EvalBatch(xs[lo:hi], o); err != nil {
				return err
			}
			for i := range o {
				cls[lo+i] = nn.ClassOfFloat(o[i], m)
			}
			return nil
		}
		o := make([][]float64, n)
		for i := range o {
			o[i] = make([]float64, net.OutputDim())
		}
		if err := f64.EvalBatch(xs[lo:hi], o); err != nil {
			return err
		}
		for i := range o {
			cls[lo+i] = nn.ClassOfFloat(o[i], m)
		}
		return nil
	})
	return cls, err
}

// CheckPoints evaluates net in the verdict's dtype on xs and counts the
// points whose class differs from exact (the exact classes, e.g. from
// ExactClasses or, for a network known to memorize xs, their labels).
func (v *Verdict) CheckPoints(ctx context.Context, net *nn.Network, m int, xs [][]float64, exact []int) error {
	if len(exact) != len(xs) {
		return errors.New("float verdict: points and exact classes differ in number")
	}
	fc, err := FloatClasses(ctx, net, v.Dtype, m, xs)
	if err != nil {
		return err
	}
	v.Checked, v.Points, v.Changed, v.ChangedPoints = true, len(xs), 0, nil
	for i := range xs {
		if fc[i] != exact[i] {
			v.Changed++
			if len(v.ChangedPoints) < maxPlaces {
				v.ChangedPoints = append(v.ChangedPoints, i+1)
			}
		}
	}
	return nil
}

// Summary describes the verdict in one line.
func (v *Verdict) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d of %d weights and biases rounded", v.Dtype, v.Rounded, v.Weights)
	if v.Rounded > 0 {
		fmt.Fprintf(&b, " (not representable: %s%s)", strings.Join(v.NotRepresentable, ", "), more(v.Rounded, len(v.NotRepresentable)))
		switch {
		case v.MaxBits < 0:
			b.WriteString("; some weights are not dyadic (no finite binary expansion)")
		case v.MaxBits > v.Dtype.Bits():
			fmt.Fprintf(&b, "; the widest weight has %d significant bits, %s holds %d", v.MaxBits, v.Dtype, v.Dtype.Bits())
		}
	}
	if v.NonFinite > 0 {
		fmt.Fprintf(&b, "; %d overflow %s", v.NonFinite, v.Dtype)
	}
	if v.Checked {
		fmt.Fprintf(&b, "; %d of %d points change their prediction", v.Changed, v.Points)
		if v.Changed > 0 {
			fmt.Fprintf(&b, " (points %s%s)", joinInts(v.ChangedPoints), more(v.Changed, len(v.ChangedPoints)))
		}
	}
	return b.String()
}

// ErrRefused marks a refusal by Refusal.
var ErrRefused = errors.New("export refused")

// Refusal returns nil when writing the rounded network is safe, and an error
// saying why not otherwise:
//   - a weight overflows the dtype (always refused);
//   - points were checked and some change their prediction;
//   - no points were checked and some weight is rounded, so the effect of
//     rounding is unknown.
//
// force accepts the last two.
func (v *Verdict) Refusal(force bool) error {
	if v.NonFinite > 0 {
		return fmt.Errorf("%w: %d weights are too large for %s (they would be ±Inf): %s; export to json keeps them exactly", ErrRefused, v.NonFinite, v.Dtype, v.Summary())
	}
	if force {
		return nil
	}
	if v.Checked {
		if v.Changed == 0 {
			return nil
		}
		return fmt.Errorf("%w: in %s %d of %d points would change their prediction (points %s%s); %d of %d weights are rounded (%s%s)%s; pass --force to write it anyway, or use --format json to keep every weight exactly",
			ErrRefused, v.Dtype, v.Changed, v.Points, joinInts(v.ChangedPoints), more(v.Changed, len(v.ChangedPoints)),
			v.Rounded, v.Weights, strings.Join(v.NotRepresentable, ", "), more(v.Rounded, len(v.NotRepresentable)), v.bitsNote())
	}
	if v.Rounded == 0 {
		return nil
	}
	bits := v.bitsNote()
	return fmt.Errorf("%w: %d of %d weights are not exactly representable in %s (%s%s)%s, and without --data the effect on predictions is unknown; give --data FILE (the points the network was built for) to check them, --force to write it anyway, or use --format json to keep every weight exactly",
		ErrRefused, v.Rounded, v.Weights, v.Dtype, strings.Join(v.NotRepresentable, ", "), more(v.Rounded, len(v.NotRepresentable)), bits)
}

// bitsNote compares the widest weight with the dtype's precision.
func (v *Verdict) bitsNote() string {
	if v.MaxBits > v.Dtype.Bits() {
		return fmt.Sprintf("; the widest weight has %d significant bits, %s holds %d", v.MaxBits, v.Dtype, v.Dtype.Bits())
	}
	return ""
}

func more(total, shown int) string {
	if total > shown {
		return fmt.Sprintf(", … %d more", total-shown)
	}
	return ""
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ", ")
}
