// Package zhang builds the classical one-hidden-layer memorization network
// of Zhang, Bengio, Hardt, Recht & Vinyals, "Understanding deep learning
// requires rethinking generalization" (ICLR 2017), Theorem 1: there exists a
// two-layer ReLU network with 2n + d weights that represents any function
// on a sample of n points in d dimensions. The network is
//
//	f(x) = y_1 + Σ_j v_j σ(a·x − b_j)
//
// with a direction a along which the points project to distinct values
// z_1 < … < z_n, kinks b_j interleaved with them and output weights v from
// a lower-triangular solve (A_ij = σ(z_i − b_j) = 0 for j > i).
//
// Realisation: the direction is the shared exact projection
// (construct/project); the triangular system is solved forward with kinks
// chosen so that every v_j is ±2^e and every b_j dyadic (ridge.Interpolate),
// so f(x_i) equals the class index exactly and the exact verifier runs in
// integer fixed point. A point that the current line already meets gets no
// neuron, so the width is at most N−1.
//
// Layout "projected" (default) computes t = σ(a·x − z_min) once in a
// one-neuron layer and then the ReLUs σ(t − b_j): depth 2 in memnet's count,
// d + 2(N−1) nonzero weights (Zhang's 2n+d, the shared a counted once) and
// at most N biases. Layout "fused" is the literal one-hidden-layer network
// (depth 1), every hidden neuron reading x with its own copy of a: N·d + 2N
// parameters.
package zhang

import (
	"context"
	"fmt"
	"math/big"

	"github.com/memnet/memnet/construct"
	"github.com/memnet/memnet/construct/project"
	"github.com/memnet/memnet/construct/ridge"
	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
)

func init() { construct.Register(Method{}) }

// Method is the Zhang et al. construction.
type Method struct{}

// Theorem is the result the construction instantiates.
const Theorem = "Zhang–Bengio–Hardt–Recht–Vinyals (ICLR 2017), Theorem 1: one hidden layer of n ReLUs, 2n+d weights"

// Name implements construct.Method.
func (Method) Name() string { return "zhang" }

// Describe implements construct.Method.
func (Method) Describe() string {
	return "Zhang et al. (2017) Thm 1: 1-D projection, one layer of ≤N ReLUs, triangular solve; 2N+d weights (classical O(N) baseline)"
}

var optionNames = []string{"layout", "direction", "direction-bits"}

// Config are the options, parsed.
type Config struct {
	Fused     bool   // literal one-hidden-layer network (layout=fused)
	Direction string // auto, gaussian or integer
	DirBits   int    // integer directions: entries in [−2^DirBits, 2^DirBits]
}

// ParseConfig reads the method's options.
func ParseConfig(opts construct.Options) (Config, error) {
	var c Config
	if err := opts.CheckParams("zhang", optionNames...); err != nil {
		return c, err
	}
	switch l := opts.Param("layout", "projected"); l {
	case "projected":
	case "fused":
		c.Fused = true
	default:
		return c, fmt.Errorf("option layout=%q: want projected or fused", l)
	}
	dir, err := project.ParseOptions(opts)
	if err != nil {
		return c, err
	}
	c.Direction, c.DirBits = dir.Direction, dir.Bits
	return c, nil
}

func (c Config) params(seed int64) map[string]string {
	l := "projected"
	if c.Fused {
		l = "fused"
	}
	return map[string]string{"layout": l, "direction": c.Direction, "direction-bits": fmt.Sprint(c.DirBits), "seed": fmt.Sprint(seed)}
}

// Counts are upper bounds on the size of the network for n points in dimension d.
func (c Config) Counts(n, d int) (depth, width int, weights, params int64) {
	k := int64(max(n-1, 1)) // hidden ReLUs
	if c.Fused {
		return 1, int(k), k*int64(d) + k, k*int64(d) + 2*k + 1
	}
	return 2, int(k), int64(d) + 2*k, int64(d) + 3*k + 2
}

// Predict implements construct.Method. Theorem form: Zhang et al.'s 2n+d
// weights, n hidden ReLUs, one hidden layer (the paper's constants; the
// paper counts weights only). Realisation: Counts, in memnet's convention
// (nonzero weights and biases; the projected layout counts the projection
// neuron as a hidden layer).
func (Method) Predict(g construct.Geometry, opts construct.Options) (construct.Prediction, error) {
	c, err := ParseConfig(opts)
	if err != nil {
		return construct.Prediction{}, err
	}
	n, d := g.N, g.D
	depth, width, _, params := c.Counts(n, d)
	return construct.Prediction{
		Theorem:   Theorem,
		Statement: "a depth-2 ReLU network (one hidden layer of n units) with 2n + d weights represents any function on a sample of n points in R^d",
		TheoremForm: map[string]nn.Formula{
			"params": {Value: float64(2*n + d), Formula: "2n + d (a ∈ R^d shared by all units, b and w ∈ R^n; biases b counted, a counted once)", Constants: "paper"},
			"width":  {Value: float64(n), Formula: "n", Constants: "paper"},
			"depth":  {Value: 1, Formula: "1 hidden layer", Constants: "paper"},
		},
		Realisation: map[string]int64{"depth": int64(depth), "width": int64(width), "params": params},
		RealisationFormula: map[string]string{
			"params": "projected layout: d+1 (projection neuron) + 2(N−1) kinks + N−1 read-out + 1; fused: (N−1)(d+2) + 1",
			"depth":  "2 (projection neuron, kinks) projected, 1 fused",
			"width":  "N − 1",
		},
		Inputs: map[string]float64{"N": float64(n), "d": float64(d), "C": float64(g.C)},
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
		return nil, fmt.Errorf("zhang: empty dataset")
	}
	pred, _ := mt.Predict(opts.GeometryFor(ds), opts)
	res := &construct.Result{Options: c.params(opts.Seed), Prediction: pred}
	s, err := ridge.Project(ctx, ds, c.Direction, c.DirBits, opts.Seed, 0x7a68616e67)
	if err != nil {
		return nil, fmt.Errorf("zhang: %w", err)
	}
	if s.Proj.Draws > 1 {
		res.Notes = append(res.Notes, fmt.Sprintf("projection: %d directions drawn (ties on the earlier ones)", s.Proj.Draws))
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	kinks, err := ridge.Interpolate(ctx, s.Z, s.Y)
	if err != nil {
		return nil, err
	}
	if opts.Progress != nil {
		opts.Progress(int64(n), int64(n))
	}
	if res.Net, err = assemble(ctx, s, kinks, d, c.Fused); err != nil {
		return nil, err
	}
	res.Notes = append(res.Notes, fmt.Sprintf("%d of %d points needed a kink (the line through the previous points met the others)", len(kinks), n-1))
	return res, nil
}

// assemble writes the network of the kinks (one ReLU each) after the
// projection; it stops with ctx's error when ctx is done.
func assemble(ctx context.Context, s *ridge.Sorted, kinks []ridge.Kink, d int, fused bool) (*nn.Network, error) {
	net := &nn.Network{InputDim: d}
	w := make([]*big.Rat, d)
	for i, v := range s.Proj.W {
		w[i] = new(big.Rat).SetFloat64(v)
	}
	negTau := new(big.Rat).Neg(s.Tau1)
	k := max(len(kinks), 1) // at least one neuron; a dummy one has read-out weight 0
	ro := nn.NewLayer(k, 1, nn.Identity)
	ro.B[0].Set(s.Y[0])
	var hid nn.Layer
	if fused {
		hid = nn.NewLayer(d, k, nn.ReLU)
		for j := range k {
			if j%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
			}
			for i := range d {
				hid.W[j][i].Set(w[i])
			}
			hid.B[j].Set(negTau)
		}
	} else {
		p := nn.NewLayer(d, 1, nn.ReLU)
		for i := range d {
			p.W[0][i].Set(w[i])
		}
		p.B[0].Set(negTau)
		net.Hidden = append(net.Hidden, p)
		hid = nn.NewLayer(1, k, nn.ReLU)
		for j := range k {
			hid.W[j][0].SetInt64(1)
		}
	}
	for j, kk := range kinks {
		if j%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		hid.B[j].Sub(hid.B[j], kk.At) // σ(t − b_j), t = a·x − z_min
		ro.W[0][j].Set(kk.V)
	}
	net.Hidden = append(net.Hidden, hid)
	net.Readout = ro
	return net, nil
}
