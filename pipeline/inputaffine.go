package pipeline

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
	"github.com/memnet/memnet/vnnlib"
)

// InputAffine is a preprocessing x ↦ scale ⊙ x + shift of a network's
// inputs, given as exact rationals (one value for every input, or one per
// input), e.g. scale 1/255 for a network trained on pixels in [0, 1] and
// verified against raw 0..255 data.
type InputAffine struct {
	Scale, Shift []*big.Rat
}

// Options keys where a network records a preprocessing folded into it.
const (
	OptInputScale = "input_scale"
	OptInputShift = "input_shift"
)

// ParseInputAffine reads comma-separated exact numbers (1/255, 0.5, -0.1307,
// 1e-3); empty strings mean no scale (1) and no shift (0). It returns nil
// when both are empty.
func ParseInputAffine(scale, shift string) (*InputAffine, error) {
	if scale == "" && shift == "" {
		return nil, nil
	}
	list := func(s, what string) ([]*big.Rat, error) {
		if s == "" {
			return nil, nil
		}
		var out []*big.Rat
		for _, f := range strings.Split(s, ",") {
			r, err := vnnlib.ParseNumber(strings.TrimSpace(f))
			if err != nil {
				return nil, fmt.Errorf("%s: %v", what, err)
			}
			out = append(out, r)
		}
		return out, nil
	}
	a := &InputAffine{}
	var err error
	if a.Scale, err = list(scale, "--input-scale"); err != nil {
		return nil, err
	}
	for _, s := range a.Scale {
		if s.Sign() == 0 {
			return nil, errors.New("--input-scale: a scale of 0 loses the input")
		}
	}
	if a.Shift, err = list(shift, "--input-shift"); err != nil {
		return nil, err
	}
	if len(a.Scale) > 1 && len(a.Shift) > 1 && len(a.Scale) != len(a.Shift) {
		return nil, fmt.Errorf("--input-scale has %d values and --input-shift %d; give one value or one per input to each", len(a.Scale), len(a.Shift))
	}
	return a, nil
}

func ratList(v []*big.Rat) string {
	s := make([]string, len(v))
	for i, r := range v {
		s[i] = r.RatString()
	}
	return strings.Join(s, ",")
}

// Apply returns a copy of m that reads raw inputs x and computes
// m(scale ⊙ x + shift) exactly, the preprocessing folded into its first
// layer and recorded in its options (composed with one folded before).
func (a *InputAffine) Apply(m *nn.Model) (*nn.Model, error) {
	net, err := nn.FoldInputAffine(m.Net, a.Scale, a.Shift)
	if err != nil {
		return nil, err
	}
	out := *m
	out.Net = net
	out.Options = map[string]string{}
	for k, v := range m.Options {
		out.Options[k] = v
	}
	prev, err := FoldedInputAffine(m)
	if err != nil {
		return nil, err
	}
	if prev != nil { // m(s2·(s·x + t) + t2): scale s·s2, shift s2·t + t2
		if (len(prev.Scale) > 1 || len(prev.Shift) > 1) && (len(a.Scale) > 1 || len(a.Shift) > 1) {
			return nil, errors.New("the network already has a per-input preprocessing folded in; memnet composes per-input preprocessings only with a single scale and shift")
		}
		a = compose(a, prev)
	}
	if len(a.Scale) > 0 {
		out.Options[OptInputScale] = ratList(a.Scale)
	}
	if len(a.Shift) > 0 {
		out.Options[OptInputShift] = ratList(a.Shift)
	}
	return &out, nil
}

// compose is x ↦ inner(outer(x)) for the preprocessing outer applied first
// ("a" of Apply) and inner the one folded before.
func compose(outer, inner *InputAffine) *InputAffine {
	n := max(len(outer.Scale), len(outer.Shift), len(inner.Scale), len(inner.Shift), 1)
	c := &InputAffine{Scale: make([]*big.Rat, n), Shift: make([]*big.Rat, n)}
	for i := 0; i < n; i++ {
		s, t := at(outer.Scale, i, 1), at(outer.Shift, i, 0)
		s2, t2 := at(inner.Scale, i, 1), at(inner.Shift, i, 0)
		c.Scale[i] = new(big.Rat).Mul(s, s2)
		c.Shift[i] = new(big.Rat).Add(new(big.Rat).Mul(t, s2), t2)
	}
	return c
}

// FoldedInputAffine is the preprocessing m records as folded into it, or nil.
func FoldedInputAffine(m *nn.Model) (*InputAffine, error) {
	s, t := m.Options[OptInputScale], m.Options[OptInputShift]
	if s == "" && t == "" {
		return nil, nil
	}
	a, err := ParseInputAffine(s, t)
	if err != nil {
		return nil, fmt.Errorf("the network's recorded preprocessing: %v", err)
	}
	return a, nil
}

// Unfolded is the network m was before the preprocessing a was folded into
// it: m(x) = u(scale ⊙ x + shift), so u(y) = m((y − shift) / scale), exactly.
func (a *InputAffine) Unfolded(m *nn.Network) (*nn.Network, error) {
	n := max(len(a.Scale), len(a.Shift), 1)
	inv := &InputAffine{Scale: make([]*big.Rat, n), Shift: make([]*big.Rat, n)}
	for i := 0; i < n; i++ {
		s, t := at(a.Scale, i, 1), at(a.Shift, i, 0)
		inv.Scale[i] = new(big.Rat).Inv(s)
		inv.Shift[i] = new(big.Rat).Neg(new(big.Rat).Quo(t, s))
	}
	return nn.FoldInputAffine(m, inv.Scale, inv.Shift)
}

// at is v[i], v's only value, or def when v is empty.
func at(v []*big.Rat, i int, def int64) *big.Rat {
	switch len(v) {
	case 0:
		return big.NewRat(def, 1)
	case 1:
		return v[0]
	}
	return v[i]
}

// Float32Inputs is what a framework fed the preprocessed data in float32
// sees: each scale·x + shift rounded to the nearest float32.
func (a *InputAffine) Float32Inputs(xs [][]float64) [][]float64 {
	out := make([][]float64, len(xs))
	z := new(big.Rat)
	for p, x := range xs {
		out[p] = make([]float64, len(x))
		for i, v := range x {
			z.SetFloat64(v)
			z.Mul(z, at(a.Scale, i, 1)).Add(z, at(a.Shift, i, 0))
			f, _ := z.Float32()
			out[p][i] = float64(f)
		}
	}
	return out
}

// FloatDiff is a point where the exact network and its float32 run disagree.
type FloatDiff struct {
	Row         int    `json:"row"`
	Label       string `json:"label"`
	Exact       string `json:"exact_class"`
	Float32     string `json:"float32_class"`
	ExactMargin string `json:"exact_margin"` // output of the label − largest other output, exactly
	ExactRight  bool   `json:"exact_right"`
	FloatRight  bool   `json:"float32_right"`
}

// FloatComparison is the exact accuracy of an imported classifier beside
// the float32 accuracy a framework running the file would report.
type FloatComparison struct {
	Points         int `json:"points"`
	ExactCorrect   int `json:"exact_correct"`
	Float32Correct int `json:"float32_correct"`
	// Float32Inputs says what the float32 run was fed.
	Float32Inputs string      `json:"float32_inputs"`
	Diffs         []FloatDiff `json:"differing_points"`
}

// CompareFloat32 evaluates m exactly on ds and the network of the file in
// float32, the way onnxruntime runs it: when m has a preprocessing folded in
// (see FoldedInputAffine), the file's network (m unfolded) on the float32
// roundings of scale·x + shift; otherwise m's weights rounded to float32 on
// float32(x). It lists the points whose two classes differ, with the exact
// margin.
func CompareFloat32(ctx context.Context, m *nn.Model, ds *data.Dataset) (*FloatComparison, error) {
	if len(ds.X) > 0 && len(ds.X[0]) != m.Net.InputDim {
		return nil, fmt.Errorf("the data has %d features per point; the network reads %d", len(ds.X[0]), m.Net.InputDim)
	}
	if err := CheckEvalMemory(m.Net, len(ds.X)); err != nil {
		return nil, err
	}
	return withContext(ctx, func() (*FloatComparison, error) { return compareFloat32(m, ds) })
}

func compareFloat32(m *nn.Model, ds *data.Dataset) (*FloatComparison, error) {
	exact, err := nn.EvalExact(context.Background(), m.Net, ds.X, nil)
	if err != nil {
		return nil, err
	}
	fnet, fxs := m.Net, ds.X
	c := &FloatComparison{Points: len(ds.X), Float32Inputs: "float32(x), the network's weights rounded to float32"}
	a, err := FoldedInputAffine(m)
	if err != nil {
		return nil, err
	}
	if a != nil {
		if fnet, err = a.Unfolded(m.Net); err != nil {
			return nil, err
		}
		fxs = a.Float32Inputs(ds.X)
		c.Float32Inputs = fmt.Sprintf("float32(scale·x + shift) with scale %s, shift %s, the file's weights in float32", orOne(m.Options[OptInputScale], "1"), orOne(m.Options[OptInputShift], "0"))
	}
	outs := make([][]float32, len(fxs))
	for i := range outs {
		outs[i] = make([]float32, fnet.OutputDim())
	}
	if err := fnet.Float32().EvalBatch(fxs, outs); err != nil {
		return nil, err
	}
	nc := len(m.Classes)
	index := map[string]int{}
	for i, l := range m.Classes {
		index[l] = i
	}
	name := func(k int) string {
		if k < 0 {
			return "?"
		}
		return m.Classes[k]
	}
	for p := range ds.X {
		label := ds.Classes[ds.Y[p]]
		want, known := index[label]
		if !known {
			want = -2
		}
		ke, kf := nn.ClassOfRat(exact[p], nc), nn.ClassOfFloat(outs[p], nc)
		if ke == want {
			c.ExactCorrect++
		}
		if kf == want {
			c.Float32Correct++
		}
		if ke == kf {
			continue
		}
		d := FloatDiff{Label: label, Exact: name(ke), Float32: name(kf), ExactRight: ke == want, FloatRight: kf == want, Row: p + 1}
		if len(ds.Rows) > p {
			d.Row = ds.Rows[p]
		}
		d.ExactMargin = margin(exact[p], want)
		c.Diffs = append(c.Diffs, d)
	}
	return c, nil
}

func orOne(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// margin is o[want] − max over the other outputs (several outputs), exactly.
func margin(o []*big.Rat, want int) string {
	if want < 0 || len(o) < 2 || want >= len(o) {
		return "n/a"
	}
	var best *big.Rat
	for j, v := range o {
		if j != want && (best == nil || v.Cmp(best) > 0) {
			best = v
		}
	}
	return nn.ShortRat(new(big.Rat).Sub(o[want], best))
}
