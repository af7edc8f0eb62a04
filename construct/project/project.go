// Package project is the one-dimensional projection every construction
// starts with (Hernández–Zuazua phase 1, Vardi et al. Stage I, Park et al.
// Lemma 3's first step): a direction w such that the values τ_i = w·x_i of
// the distinct data points are pairwise distinct, computed exactly.
//
// Coordinates and directions are float64 values, hence dyadic rationals;
// each τ_i is computed exactly as an integer at a common power-of-two scale.
package project

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"

	"github.com/memnet/memnet/nn"
)

// Kind selects how directions are drawn.
type Kind int

const (
	// Gaussian draws w with i.i.d. N(0,1) float64 entries (the default for
	// real-valued data).
	Gaussian Kind = iota
	// Integer draws integer w_k uniformly from [−2^Bits, 2^Bits] (the default
	// for integer data such as pixels; a pair of distinct points collides
	// with probability at most 1/2^(Bits+1)).
	Integer
)

// Projection is a direction and the exact projected values.
type Projection struct {
	// W is the direction, one float64 (exactly a dyadic rational) per coordinate.
	W []float64
	// Tau[i]·2^-Scale = W·X[i] exactly.
	Tau   []*big.Int
	Scale int
	// Order lists point indices by increasing τ.
	Order []int
	// Draws is the number of directions drawn until the values were distinct.
	Draws int
}

// TauRat returns τ_i as an exact rational.
func (p *Projection) TauRat(i int) *big.Rat {
	return new(big.Rat).SetFrac(p.Tau[i], new(big.Int).Lsh(big.NewInt(1), uint(p.Scale)))
}

// MinGap returns the smallest difference between consecutive sorted τ as an
// integer at the projection's scale (nil for fewer than two points).
func (p *Projection) MinGap() *big.Int {
	var best *big.Int
	g := new(big.Int)
	for k := 1; k < len(p.Order); k++ {
		g.Sub(p.Tau[p.Order[k]], p.Tau[p.Order[k-1]])
		if best == nil || g.Cmp(best) < 0 {
			best = new(big.Int).Set(g)
		}
	}
	return best
}

// AllIntegers reports whether every coordinate is an integer of magnitude < 2^40.
func AllIntegers(xs [][]float64) bool {
	for _, x := range xs {
		for _, v := range x {
			if v != math.Trunc(v) || math.Abs(v) >= 1<<40 {
				return false
			}
		}
	}
	return true
}

// Draw returns a direction along which the points xs project to pairwise
// distinct values, redrawing on ties (at most maxDraws times). For Integer
// directions bits gives the range; it is ignored for Gaussian ones.
func Draw(ctx context.Context, xs [][]float64, kind Kind, bits int, rng *rand.Rand, maxDraws int) (*Projection, error) {
	if len(xs) == 0 {
		return nil, errors.New("projection: no points")
	}
	d := len(xs[0])
	for draw := 1; draw <= maxDraws; draw++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		w := make([]float64, d)
		for k := range w {
			switch kind {
			case Integer:
				w[k] = float64(rng.Int64N(2<<bits+1) - 1<<bits)
			default:
				w[k] = rng.NormFloat64()
			}
		}
		p, err := orderWith(ctx, xs, w)
		if err != nil {
			return nil, err
		}
		p.Draws = draw
		if p.distinct() {
			return p, nil
		}
	}
	return nil, fmt.Errorf("projection: %d random directions all gave equal projections for two distinct points", maxDraws)
}

// Along projects xs on the given direction exactly and sorts the values: the
// stages of stages.go run in-process (one range of keys).
func Along(xs [][]float64, w []float64) *Projection {
	p, _ := along(context.Background(), xs, w)
	return p
}

// sortRun is the number of points per sorted run and per range of τ in
// along and Sort: a cancelled context is seen between ranges and runs,
// each a few milliseconds.
const sortRun = 1 << 13

// along is Along stopping with ctx's error between ranges of points and
// sorted runs.
func along(ctx context.Context, xs [][]float64, w []float64) (*Projection, error) {
	scale := Scale(ColumnScales(xs, len(w)), w)
	p := &Projection{W: w, Tau: make([]*big.Int, 0, len(xs)), Scale: scale}
	for lo := 0; lo < len(xs); lo += sortRun {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p.Tau = append(p.Tau, TauRange(xs[lo:min(len(xs), lo+sortRun)], w, scale)...)
	}
	var err error
	p.Order, err = Sort(ctx, p.Tau)
	return p, err
}

// Sort is SortStages's order (the indices sorted by tau, ties by index) in
// runs of sortRun keys; the runs do not change the order, since the (τ, i)
// keys are distinct. It stops with ctx's error between runs.
func Sort(ctx context.Context, tau []*big.Int) ([]int, error) {
	return sortStages(ctx, tau, max(1, len(tau)/sortRun))
}

func (p *Projection) distinct() bool {
	for k := 1; k < len(p.Order); k++ {
		if p.Tau[p.Order[k]].Cmp(p.Tau[p.Order[k-1]]) == 0 {
			return false
		}
	}
	return true
}

// int64Dots computes every dot product in int64 when all values are integers
// small enough that no sum can overflow; otherwise it returns nil.
func int64Dots(xs [][]float64, w []float64) []int64 {
	var wmax float64
	for _, v := range w {
		if v != math.Trunc(v) {
			return nil
		}
		wmax = max(wmax, math.Abs(v))
	}
	var xmax float64
	for _, x := range xs {
		for _, v := range x {
			if v != math.Trunc(v) {
				return nil
			}
			xmax = max(xmax, math.Abs(v))
		}
	}
	if xmax*wmax*float64(len(w)) >= 1<<62 {
		return nil
	}
	out := make([]int64, len(xs))
	wi := make([]int64, len(w))
	for k, v := range w {
		wi[k] = int64(v)
	}
	for i, x := range xs {
		var s int64
		for k, v := range x {
			s += int64(v) * wi[k]
		}
		out[i] = s
	}
	return out
}

// fracBits is the number of fractional bits of a finite float64.
func fracBits(v float64) int {
	_, e := mantissa64(v)
	return max(e, 0)
}

// mantissa64 writes a finite v = m·2^-e with m odd (or zero).
func mantissa64(v float64) (m int64, e int) { return nn.FloatParts(v) }

func mantissa(v float64) (*big.Int, int) {
	m, e := mantissa64(v)
	return big.NewInt(m), e
}

// Options are the projection settings the constructions offer on the command
// line: direction (auto, gaussian or integer; auto picks integer directions
// for integer data) and direction-bits (the range of integer directions).
type Options struct {
	Direction string
	Bits      int
}

// optionReader is what ParseOptions needs of construct.Options.
type optionReader interface {
	Param(name, def string) string
	Int(name string, def int) (int, error)
}

// ParseOptions reads the direction and direction-bits options.
func ParseOptions(o optionReader) (Options, error) {
	p := Options{Direction: o.Param("direction", "auto")}
	switch p.Direction {
	case "auto", "gaussian", "integer":
	default:
		return p, fmt.Errorf("option direction=%q: want auto, gaussian or integer", p.Direction)
	}
	var err error
	if p.Bits, err = o.Int("direction-bits", 30); err != nil {
		return p, err
	}
	if p.Bits < 1 || p.Bits > 52 {
		return p, fmt.Errorf("option direction-bits=%d: want 1..52", p.Bits)
	}
	return p, nil
}

// Kind is the kind of direction to draw for the points xs.
func (p Options) Kind(xs [][]float64) Kind {
	if p.Direction == "integer" || (p.Direction == "auto" && AllIntegers(xs)) {
		return Integer
	}
	return Gaussian
}
