package pipeline

import (
	"context"
	"fmt"
	"math/big"
	"strings"

	"github.com/memnet/memnet/nn"
	"github.com/memnet/memnet/vnnlib"
)

// EvalRat evaluates net exactly at rational points: points whose
// coordinates are all float64 values go to the exact engine as they are;
// any other point x is folded into a copy of the network (its first layer's
// biases become b + W·x, nn.FoldInputAffine with scale 0) evaluated at 0.
// Either way the outputs are exact.
func EvalRat(ctx context.Context, net *nn.Network, xs [][]*big.Rat) ([][]*big.Rat, error) {
	return withContext(ctx, func() ([][]*big.Rat, error) {
		out := make([][]*big.Rat, len(xs))
		var fl [][]float64
		var at []int
		for p, x := range xs {
			if len(x) != net.InputDim {
				return nil, fmt.Errorf("a point has %d coordinates; the network reads %d", len(x), net.InputDim)
			}
			if f, ok := float64s(x); ok {
				fl, at = append(fl, f), append(at, p)
				continue
			}
			folded, err := nn.FoldInputAffine(net, []*big.Rat{new(big.Rat)}, x)
			if err != nil {
				return nil, err
			}
			o, err := nn.EvalExact(context.Background(), folded, [][]float64{make([]float64, net.InputDim)}, nil)
			if err != nil {
				return nil, err
			}
			out[p] = o[0]
		}
		if len(fl) > 0 {
			o, err := nn.EvalExact(context.Background(), net, fl, nil)
			if err != nil {
				return nil, err
			}
			for k, p := range at {
				out[p] = o[k]
			}
		}
		return out, nil
	})
}

func float64s(x []*big.Rat) ([]float64, bool) {
	f := make([]float64, len(x))
	for i, r := range x {
		v, exact := r.Float64()
		if !exact {
			return nil, false
		}
		f[i] = v
	}
	return f, true
}

// Float32Outputs is the network run as a float32 framework runs it: x
// rounded to float32, the weights rounded to float32 (fnet = net.Float32()).
func Float32Outputs(fnet *nn.FloatNet[float32], outputs int, x []*big.Rat) (xf []float32, out []float32, err error) {
	in := make([]float64, len(x))
	xf = make([]float32, len(x))
	for i, r := range x {
		xf[i], _ = r.Float32()
		in[i] = float64(xf[i])
	}
	out = make([]float32, outputs)
	err = fnet.Eval(in, out)
	return xf, out, err
}

// PointCheck is a property judged at one input, exactly and in float32.
type PointCheck struct {
	X     []*big.Rat
	Exact []*big.Rat // the network's outputs, exactly
	// Judged are the disjuncts judged at (X, Exact).
	Judged []vnnlib.DisjunctResult
	// Float32 is the same judgement of float32(X) and the float32 outputs.
	Float32X   []float32
	Float32Out []float32
	Float32    []vnnlib.DisjunctResult
}

// Counterexample says whether X is a counterexample, exactly.
func (c *PointCheck) Counterexample() bool { return anyCounterexample(c.Judged) }

// Float32Counterexample says whether float32 evaluation makes X one.
func (c *PointCheck) Float32Counterexample() bool { return anyCounterexample(c.Float32) }

func anyCounterexample(rs []vnnlib.DisjunctResult) bool {
	for i := range rs {
		if rs[i].Counterexample() {
			return true
		}
	}
	return false
}

// CheckPoints judges prop at each of xs: the network's exact outputs, and
// float32 evaluation (x and the weights rounded to float32) judged exactly
// on the float values.
func CheckPoints(ctx context.Context, net *nn.Network, prop *vnnlib.Property, xs [][]*big.Rat) ([]*PointCheck, error) {
	if prop.NX != net.InputDim || prop.NY != net.OutputDim() {
		return nil, fmt.Errorf("the property has %d inputs and %d outputs; the network %d and %d", prop.NX, prop.NY, net.InputDim, net.OutputDim())
	}
	exact, err := EvalRat(ctx, net, xs)
	if err != nil {
		return nil, err
	}
	out := make([]*PointCheck, len(xs))
	fnet := net.Float32()
	for p, x := range xs {
		c := &PointCheck{X: x, Exact: exact[p]}
		if c.Judged, err = prop.Judge(x, exact[p]); err != nil {
			return nil, err
		}
		if c.Float32X, c.Float32Out, err = Float32Outputs(fnet, net.OutputDim(), x); err != nil {
			return nil, err
		}
		xr, yr := ratsOf(c.Float32X), ratsOf(c.Float32Out)
		if xr != nil && yr != nil {
			if c.Float32, err = prop.Judge(xr, yr); err != nil {
				return nil, err
			}
		}
		out[p] = c
	}
	return out, nil
}

// ratsOf is the exact values of floats, nil when one is NaN or infinite.
func ratsOf(v []float32) []*big.Rat {
	out := make([]*big.Rat, len(v))
	for i, f := range v {
		r := new(big.Rat)
		if r.SetFloat64(float64(f)) == nil {
			return nil
		}
		out[i] = r
	}
	return out
}

// maxCandidates bounds the points BoxCandidates returns.
const maxCandidates = 1 << 14

// BoxCandidates are the points memnet check tries without a witness: each bounded, non-empty
// distinct box's centre and, when there are at most 12 inputs, its 2^d corners.
// skipped counts the disjuncts whose corners (or centre) were not tried:
// at most maxCandidates points in all.
func BoxCandidates(prop *vnnlib.Property) (xs [][]*big.Rat, skipped int) {
	seen := map[string]bool{} // disjuncts often share one box
	for _, d := range prop.Disjuncts {
		if !d.Box.Bounded() || d.Box.Empty() {
			skipped++
			continue
		}
		var key strings.Builder
		for i := range d.Box.Lo {
			key.WriteString(d.Box.Lo[i].RatString() + ":" + d.Box.Hi[i].RatString() + ";")
		}
		if seen[key.String()] {
			continue
		}
		seen[key.String()] = true
		if len(xs) >= maxCandidates {
			skipped++
			continue
		}
		xs = append(xs, d.Box.Centre())
		if prop.NX > 12 || len(xs)+1<<uint(prop.NX) > maxCandidates {
			skipped++
			continue
		}
		for k := uint64(0); k < 1<<uint(prop.NX); k++ {
			xs = append(xs, d.Box.Corner(k))
		}
	}
	return xs, skipped
}
