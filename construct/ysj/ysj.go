// Package ysj builds a two-hidden-layer ReLU memorization network of width
// about 2√N, the classical baseline of Yun, Sra & Jadbabaie, "Small ReLU
// networks are powerful memorizers: a tight analysis of memorization
// capacity" (NeurIPS 2019), Theorem 3.1 (hard-tanh) and Proposition 3.2
// (ReLU): a 3-layer network (two hidden layers) of widths d1, d2 with
// d1·d2 of order 4N memorizes N points; with d1 = d2 that is about 2√N
// neurons per layer and Θ(N) parameters, the d1·d2 weights between the two
// hidden layers.
//
// The paper's proof uses hard-tanh units and real-valued weights; this
// package is our own explicit ReLU realisation of the same architecture,
// with dyadic weights. The points, sorted along the shared exact projection
// t = w·x − min w·x (construct/project), are cut into K groups of at most G
// consecutive points (K·G ≥ N, G = ⌈√N⌉ by default).
//
//	layer 1 (2K−1 ReLUs, every row w): σ(t) and, in the gap after group k,
//	        σ(t − β'_k), σ(t − β''_k) with β'_k the last point of group k and
//	        β''_k − β'_k the largest power of two not above the gap.
//	layer 2 (2G ReLUs, two per position p, read-out weights +1 and −1):
//	        pre-activation P(t) = c + Σ a_j·(layer-1 unit j), a continuous
//	        piecewise-linear function of t whose piece on group k is any
//	        chosen line L_k (the two kinks per gap join L_k to L_{k+1}).
//
// On group k, the p-th pair's lines are the p-th kink of the group's own
// Zhang interpolant (ridge.Interpolate, a virtual point at value 0 before the
// group): a right-ramp 2^e·(t − ζ) in the + or − neuron. So the network's
// output on group k is that group's interpolant, equal to the class index at
// every point. Widths d1 = 2K−1, d2 = 2G; parameters at most
// (2K−1)(d+1) + 2G·2K + 2G.
package ysj

import (
	"context"
	"fmt"
	"math"
	"math/big"

	"github.com/memnet/memnet/construct"
	"github.com/memnet/memnet/construct/project"
	"github.com/memnet/memnet/construct/ridge"
	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
)

func init() { construct.Register(Method{}) }

// Method is the two-hidden-layer baseline.
type Method struct{}

// Theorem is the result the construction instantiates.
const Theorem = "Yun–Sra–Jadbabaie (NeurIPS 2019), Theorem 3.1/Proposition 3.2: two hidden layers of ~2√N ReLUs, Θ(N) parameters"

// Name implements construct.Method.
func (Method) Name() string { return "ysj" }

// Describe implements construct.Method.
func (Method) Describe() string {
	return "Yun–Sra–Jadbabaie (2019) Thm 3.1/Prop 3.2: two hidden layers of ~2√N ReLUs (our dyadic realisation), Θ(N) params"
}

var optionNames = []string{"group", "direction", "direction-bits"}

// Config are the options, parsed.
type Config struct {
	Group     int // points per group G (0: ⌈√N⌉)
	Direction string
	DirBits   int
}

// ParseConfig reads the method's options.
func ParseConfig(opts construct.Options) (Config, error) {
	var c Config
	if err := opts.CheckParams("ysj", optionNames...); err != nil {
		return c, err
	}
	var err error
	if c.Group, err = opts.Int("group", 0); err != nil {
		return c, err
	}
	if c.Group < 0 {
		return c, fmt.Errorf("option group=%d: want ≥ 0", c.Group)
	}
	dir, err := project.ParseOptions(opts)
	if err != nil {
		return c, err
	}
	c.Direction, c.DirBits = dir.Direction, dir.Bits
	return c, nil
}

// Sizes returns the group size G and the number of groups K for n points.
func (c Config) Sizes(n int) (g, k int) {
	g = c.Group
	if g == 0 {
		g = int(math.Ceil(math.Sqrt(float64(n))))
	}
	g = max(1, min(g, n))
	return g, (n + g - 1) / g
}

// Counts are upper bounds on the network's size.
func (c Config) Counts(n, d int) (d1, d2 int, params int64) {
	g, k := c.Sizes(n)
	d1, d2 = 2*k-1, 2*g
	params = int64(d1)*int64(d+1) + int64(d2)*int64(d1+1) + int64(d2)
	return d1, d2, params
}

// Predict implements construct.Method. Theorem form: Proposition 3.2 with
// d1 = d2 = w and one output, the smallest w with 4⌊w/4⌋² ≥ N (our reading;
// the paper's constants), and that dense architecture's weights and biases.
// Realisation: Counts (nonzero weights and biases of our network).
func (Method) Predict(g construct.Geometry, opts construct.Options) (construct.Prediction, error) {
	c, err := ParseConfig(opts)
	if err != nil {
		return construct.Prediction{}, err
	}
	n, d := g.N, g.D
	d1, d2, params := c.Counts(n, d)
	a := int64(math.Ceil(math.Sqrt(float64(n) / 4)))
	for 4*a*a < int64(n) {
		a++
	}
	w := 4 * a
	gs, k := c.Sizes(n)
	return construct.Prediction{
		Theorem:   Theorem,
		Statement: "a ReLU network with two hidden layers of widths d1, d2 and 4⌊d1/4⌋⌊d2/4⌋ ≥ N memorizes any N points (Proposition 3.2, one output)",
		TheoremForm: map[string]nn.Formula{
			"depth":  {Value: 2, Formula: "2 hidden layers", Constants: "paper"},
			"width":  {Value: float64(w), Formula: "smallest w with 4⌊w/4⌋² ≥ N", Constants: "paper"},
			"params": {Value: float64(int64(d)*w + w + w*w + w + w + 1), Formula: "(d+1)w + (w+1)w + w + 1 (dense, d1 = d2 = w)", Constants: "paper"},
		},
		Realisation: map[string]int64{"depth": 2, "width": int64(max(d1, d2)), "params": params},
		RealisationFormula: map[string]string{
			"params": fmt.Sprintf("(2K−1)(d+1) + 2G·2K + 2G with G = %d points per group, K = %d groups", gs, k),
			"width":  "max(2K−1, 2G)",
			"depth":  "2",
		},
		Inputs: map[string]float64{"N": float64(n), "d": float64(d), "C": float64(g.C), "G": float64(gs), "K": float64(k)},
	}, nil
}

// Build implements construct.Method.
func (mt Method) Build(ctx context.Context, ds *data.Dataset, opts construct.Options) (*construct.Result, error) {
	c, err := ParseConfig(opts)
	if err != nil {
		return nil, err
	}
	n, d := ds.N(), ds.D()
	if n == 0 {
		return nil, fmt.Errorf("ysj: empty dataset")
	}
	pred, _ := mt.Predict(opts.GeometryFor(ds), opts)
	res := &construct.Result{Options: map[string]string{"group": fmt.Sprint(c.Group), "direction": c.Direction, "direction-bits": fmt.Sprint(c.DirBits), "seed": fmt.Sprint(opts.Seed)}, Prediction: pred}
	s, err := ridge.Project(ctx, ds, c.Direction, c.DirBits, opts.Seed, 0x79736a)
	if err != nil {
		return nil, fmt.Errorf("ysj: %w", err)
	}
	if s.Proj.Draws > 1 {
		res.Notes = append(res.Notes, fmt.Sprintf("projection: %d directions drawn (ties on the earlier ones)", s.Proj.Draws))
	}
	g, k := c.Sizes(n)
	res.Net, err = build(ctx, s, d, g, k, opts.Progress)
	if err != nil {
		return nil, err
	}
	res.Notes = append(res.Notes, fmt.Sprintf("%d groups of at most %d points", k, g))
	return res, nil
}

// line is A·t + B.
type line struct{ a, b *big.Rat }

func (l line) at(t *big.Rat) *big.Rat {
	v := new(big.Rat).Mul(l.a, t)
	return v.Add(v, l.b)
}

func build(ctx context.Context, s *ridge.Sorted, d, g, k int, progress func(done, total int64)) (*nn.Network, error) {
	n := len(s.Z)
	one := big.NewRat(1, 1)
	// lines[q][grp]: the q-th layer-2 neuron's line on group grp (q = 2p or 2p+1 for the − neuron).
	lines := make([][]line, 2*g)
	for q := range lines {
		lines[q] = make([]line, k)
		for grp := range lines[q] {
			lines[q][grp] = line{new(big.Rat), new(big.Rat)}
		}
	}
	for grp := range k {
		if grp%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if progress != nil {
				progress(int64(grp*g), int64(n))
			}
		}
		lo, hi := grp*g, min(n, (grp+1)*g)
		z := []*big.Rat{new(big.Rat).Sub(s.Z[lo], one)} // virtual point at value 0
		y := []*big.Rat{new(big.Rat)}
		z = append(z, s.Z[lo:hi]...)
		y = append(y, s.Y[lo:hi]...)
		kinks, err := ridge.Interpolate(ctx, z, y)
		if err != nil {
			return nil, err
		}
		for _, kk := range kinks {
			q := 2 * (kk.Index - 1)
			a := new(big.Rat).Abs(kk.V)
			if kk.V.Sign() < 0 {
				q++
			}
			lines[q][grp] = line{a, new(big.Rat).Neg(new(big.Rat).Mul(a, kk.At))}
		}
	}
	// Layer-1 kinks: 0, then β'_k, β''_k after each group but the last.
	betas := []*big.Rat{new(big.Rat)}
	for grp := 0; grp+1 < k; grp++ {
		last, next := s.Z[min(n, (grp+1)*g)-1], s.Z[(grp+1)*g]
		gap := new(big.Rat).Sub(next, last)
		betas = append(betas, new(big.Rat).Set(last), new(big.Rat).Add(last, ridge.Pow2AtMost(gap)))
	}
	net := &nn.Network{InputDim: d}
	l1 := nn.NewLayer(d, len(betas), nn.ReLU)
	for j, b := range betas {
		if j%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		for i, v := range s.Proj.W {
			l1.W[j][i].SetFloat64(v)
		}
		l1.B[j].Sub(l1.B[j], s.Tau1)
		l1.B[j].Sub(l1.B[j], b)
	}
	// Layer 2: keep the neurons with a nonzero line on some group.
	var keep []int
	for q := range lines {
		for grp := range k {
			if lines[q][grp].a.Sign() != 0 || lines[q][grp].b.Sign() != 0 {
				keep = append(keep, q)
				break
			}
		}
	}
	constant := len(keep) == 0 // every label 0: the network is the constant 0
	if constant {
		keep = []int{0}
	}
	l2 := nn.NewLayer(len(betas), len(keep), nn.ReLU)
	ro := nn.NewLayer(len(keep), 1, nn.Identity)
	for col, q := range keep {
		if err := ctx.Err(); err != nil { // a column costs k rational steps
			return nil, err
		}
		L := lines[q]
		l2.B[col].Set(L[0].b)
		l2.W[col][0].Set(L[0].a)
		for grp := 0; grp+1 < k; grp++ {
			b1, b2 := betas[1+2*grp], betas[2+2*grp]
			v1, v2 := L[grp].at(b1), L[grp+1].at(b2)
			sl := new(big.Rat).Sub(v2, v1)
			sl.Quo(sl, new(big.Rat).Sub(b2, b1)) // a power of two: dyadic
			l2.W[col][1+2*grp].Sub(sl, L[grp].a)
			l2.W[col][2+2*grp].Sub(L[grp+1].a, sl)
		}
		if q%2 == 0 {
			ro.W[0][col].SetInt64(1)
		} else {
			ro.W[0][col].SetInt64(-1)
		}
	}
	if constant {
		ro.W[0][0].SetInt64(0)
	}
	net.Hidden = []nn.Layer{l1, l2}
	net.Readout = ro
	if progress != nil {
		progress(int64(n), int64(n))
	}
	return net, nil
}
