// Package hz builds the Hernández–Zuazua width-2 memorization networks.
//
// Theorem (Hernández & Zuazua, arXiv 2409.06555, "Constructive Universal
// Approximation and Finite Sample Memorization by Narrow Deep ReLU Networks"):
// any N distinct points in R^d with M classes are classified exactly by a
// ReLU network of width 2 and depth at most 2N + 4M − 1 whose parameters are
// all explicit.
//
// The paper's proof sections and weight formulas could not be recovered (see
// shared/papers/hz-width2.md §0). This package implements two
// reconstructions of our own, neither a transcription of the paper:
//
//   - variant sweep (default): the specification's construction HZ2 — a
//     projection to one dimension, then alternating compression and
//     structuring layers that send every point of class m straight to the
//     state (0, m). It merges the paper's compression, sorting and label
//     phases into one sweep (specification §2.5); proved in the
//     specification §2.4 and checked here in exact arithmetic on every point;
//   - variant phases (phases.go, also registered as method hz-phases): the
//     summary's four phases as separate blocks of layers — projection,
//     compression of each class onto one representative, sorting of the M
//     representatives, label assignment — built from the same sweep.
//
// The sweep:
//
//	C_1      u = σ(w·x − τ_1),            v = σ(κ_1 (w·x − τ_0))
//	S_i      u = σ(u),                    v = σ(v − λ_i u)          i = 1..N−1
//	C_i      u = σ(u − g_{i−1}),          v = σ(v + κ_i u)          i = 2..N
//
// with τ_1 < … < τ_N the sorted projections, g_i = τ_{i+1} − τ_i, a phantom
// gap g_0, κ_i = q_i/g_{i−1}, and λ_i = s κ_i (g_{i−1}+g_i)/g_i, s = 2. The
// depth is 2N − 1; the optional output snap block (§2.7) adds M layers
// (depth 2N − 1 + M, still within the paper's bound) after which every label
// is reproduced exactly, in float64 too.
//
// Where we depart from the specification: by default κ_i is rounded to a
// dyadic rational with about 40 significant bits and λ_i is rounded up to
// one, so that every weight is dyadic and the exact verifier runs in integer
// fixed point. The invariant of §2.4 still holds (λ_i only has to be at
// least κ_i (g_{i−1}+g_i)/g_i, and rounding up keeps it so), but a processed
// point then sits at height κ_i g_{i−1} = q_i (1 + ε) with |ε| < 2^-38
// instead of exactly q_i; the snap block removes ε, so with it (the default)
// the output equals the label exactly. Option weights=rational builds the
// specification's exact rational weights instead (f(x_i) = q_i exactly with
// or without snap; verified with the slower rational evaluator).
package hz

import (
	"context"
	"fmt"
	"math/big"
	"math/rand/v2"

	"github.com/memnet/memnet/construct"
	"github.com/memnet/memnet/construct/project"
	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
)

func init() { construct.Register(Method{}) }

// Method is the HZ2 construction; see the package documentation.
type Method struct{}

// Name implements construct.Method.
func (Method) Name() string { return "hz" }

// Describe implements construct.Method.
func (Method) Describe() string {
	return "Hernández–Zuazua (2024): width-2 ReLU network, depth ≤ 2N+4M−1 (construction HZ2: 2N−1, +M with snap)"
}

// Theorem is the result the construction instantiates.
const Theorem = "Hernández–Zuazua (2024), width-2 memorization: depth ≤ 2N+4M−1"

var optionNames = []string{"snap", "weights", "direction", "direction-bits", "kappa-bits", "pad", "variant"}

// Config are HZ2's options, parsed.
type Config struct {
	Snap      bool   // append the exact output snap block (§2.7)
	Rational  bool   // exact rational κ, λ as in the specification (default: dyadic)
	Direction string // auto, gaussian or integer (§2.2)
	DirBits   int    // range of integer directions: entries in [−2^DirBits, 2^DirBits]
	KappaBits int    // significant bits of the dyadic κ_i and λ_i
	Pad       bool   // pad with identity layers to the paper's depth 2N+4M−1
	Phases    bool   // variant phases: compress, collapse, sort, assign labels (phases.go)
}

func parseConfig(opts construct.Options) (Config, error) {
	var c Config
	if err := opts.CheckParams("hz", optionNames...); err != nil {
		return c, err
	}
	var err error
	if c.Snap, err = opts.Bool("snap", true); err != nil {
		return c, err
	}
	if c.Pad, err = opts.Bool("pad", false); err != nil {
		return c, err
	}
	switch w := opts.Param("weights", "dyadic"); w {
	case "dyadic":
	case "rational":
		c.Rational = true
	default:
		return c, fmt.Errorf("option weights=%q: want dyadic or rational", w)
	}
	switch v := opts.Param("variant", "sweep"); v {
	case "sweep":
	case "phases":
		c.Phases = true
		if !c.Snap {
			return c, fmt.Errorf("option snap=false: the phases variant needs the snap block (it is the exact collapse of each class onto its representative)")
		}
	default:
		return c, fmt.Errorf("option variant=%q: want sweep (HZ2) or phases", v)
	}
	dir, err := project.ParseOptions(opts)
	if err != nil {
		return c, err
	}
	c.Direction, c.DirBits = dir.Direction, dir.Bits
	if c.KappaBits, err = opts.Int("kappa-bits", 40); err != nil {
		return c, err
	}
	if c.KappaBits < 8 || c.KappaBits > 4096 {
		return c, fmt.Errorf("option kappa-bits=%d: want 8..4096", c.KappaBits)
	}
	return c, nil
}

func (c Config) params(seed int64) map[string]string {
	w := "dyadic"
	if c.Rational {
		w = "rational"
	}
	v := "sweep"
	if c.Phases {
		v = "phases"
	}
	return map[string]string{
		"variant": v, "snap": fmt.Sprint(c.Snap), "weights": w, "direction": c.Direction,
		"direction-bits": fmt.Sprint(c.DirBits), "kappa-bits": fmt.Sprint(c.KappaBits),
		"pad": fmt.Sprint(c.Pad), "seed": fmt.Sprint(seed),
	}
}

// Depth is the depth HZ2 builds for n distinct points and m classes.
func (c Config) Depth(n, m int) int {
	if m <= 1 {
		return 1
	}
	if c.Pad {
		return PaperDepth(n, m)
	}
	if c.Phases {
		return PhasesDepth(n, m)
	}
	d := 2*n - 1
	if c.Snap {
		d += m
	}
	return d
}

// PaperDepth is the theorem's depth bound 2N + 4M − 1.
func PaperDepth(n, m int) int { return 2*n + 4*m - 1 }

// ParamsBound is an upper bound on the nonzero parameters (weights and
// biases) of the HZ2 network: C_1 has 2d weights and 2 biases, each later
// (S, C) pair at most 3 + 4, the snap block at most 6 per layer, the
// read-out at most 3.
func (c Config) ParamsBound(n, d, m int) int64 {
	if m <= 1 {
		return 0
	}
	p := int64(2*d+2) + 7*int64(n-1) + 3
	if c.Snap {
		p += 6 * int64(m)
	}
	if c.Phases {
		p += 6 + 7*int64(m-1) // sorting: C'_1 (≤ 4 weights, 2 biases), then (S', C') pairs
	}
	if c.Pad {
		p += 2 * int64(PaperDepth(n, m)-(2*n-1))
	}
	return p
}

// Predict implements construct.Method. The theorem form is the paper's own
// (Hernández–Zuazua 2024: width 2, depth ≤ 2N+4M−1, constants the paper's);
// the paper states no parameter count, so the params of its architecture are
// the count of a width-2 network of that depth (2(d+1) + 6(L−1) + 3 weights
// and biases). The realisation is HZ2's own depth and nonzero count.
func (Method) Predict(g construct.Geometry, opts construct.Options) (construct.Prediction, error) {
	c, err := parseConfig(opts)
	if err != nil {
		return construct.Prediction{}, err
	}
	n, d, m := g.N, g.D, g.C
	L := PaperDepth(n, m)
	p := construct.Prediction{
		Theorem:   Theorem,
		Statement: "any N distinct points in R^d with M classes are memorized exactly by a ReLU network of width 2 and depth at most 2N+4M−1",
		TheoremForm: map[string]nn.Formula{
			"depth":  {Value: float64(L), Formula: "2N + 4M − 1", Constants: "paper"},
			"width":  {Value: 2, Formula: "2", Constants: "paper"},
			"params": {Value: float64(2*(d+1) + 6*(L-1) + 3), Formula: "2(d+1) + 6(L−1) + 3 with L = 2N+4M−1 (every weight and bias of the paper's width-2 architecture)", Constants: "paper"},
		},
		Realisation: map[string]int64{
			"depth":  int64(c.Depth(n, m)),
			"width":  2,
			"params": c.ParamsBound(n, d, m),
		},
		RealisationFormula: map[string]string{
			"depth":  "HZ2: 2N − 1 (+M with the snap block; 2N+4M−1 with pad)",
			"width":  "2",
			"params": "2d+2 (first layer) + 7(N−1) (S, C pairs) + 3 (read-out) (+6M snap, +2 per pad layer)",
		},
		Inputs: map[string]float64{"N": float64(n), "d": float64(d), "C": float64(m)},
	}
	if c.Phases && m > 1 {
		p.RealisationFormula["depth"] = "phases: (2N−1+M) compression and collapse + (2M−1) sorting + 0 label layers = 2N+3M−2 (2N+4M−1 with pad)"
		p.RealisationFormula["params"] = "phases variant: counted from the phase blocks (docs/hz.md)"
	}
	return p, nil
}

// Build implements construct.Method.
func (mt Method) Build(ctx context.Context, ds *data.Dataset, opts construct.Options) (*construct.Result, error) {
	c, err := parseConfig(opts)
	if err != nil {
		return nil, err
	}
	n, d, m := ds.N(), ds.D(), ds.M()
	if n == 0 {
		return nil, fmt.Errorf("hz: empty dataset")
	}
	pred, _ := mt.Predict(opts.GeometryFor(ds), opts)
	res := &construct.Result{Options: c.params(opts.Seed), Prediction: pred}
	if m == 1 {
		res.Net = constantNetwork(d)
		res.Notes = append(res.Notes, "one class only: the network is the constant 0 (class "+ds.Classes[0]+")")
		return res, nil
	}
	rng := rand.New(rand.NewPCG(uint64(opts.Seed), 0x687a32))
	kind := project.Options{Direction: c.Direction, Bits: c.DirBits}.Kind(ds.X)
	proj, err := project.Draw(ctx, ds.X, kind, c.DirBits, rng, 100)
	if err != nil {
		return nil, fmt.Errorf("hz: %w", err)
	}
	if proj.Draws > 1 {
		res.Notes = append(res.Notes, fmt.Sprintf("projection: %d directions drawn (ties on the earlier ones)", proj.Draws))
	}
	if c.Phases {
		net, phases, err := buildPhases(ctx, ds, proj, c, opts.Progress)
		if err != nil {
			return nil, err
		}
		res.Net = net
		res.Hints = map[string]string{"phases": phases}
		res.Notes = append(res.Notes, "phases variant (our reconstruction of the paper's four phases; see docs/hz.md): depth "+
			fmt.Sprintf("(2N−1+M) + (2M−1) + 0 = %d + %d + 0 = %d ≤ 2N+4M−1 = %d", 2*n-1+m, 2*m-1, c.Depth(n, m), PaperDepth(n, m)))
	} else {
		net, err := build(ctx, ds, proj, c, opts.Progress)
		if err != nil {
			return nil, err
		}
		res.Net = net
	}
	addNormHints(res, ds, proj, c)
	return res, nil
}

// constantNetwork is the width-2, depth-1 network whose output is 0 everywhere.
func constantNetwork(d int) *nn.Network {
	return &nn.Network{InputDim: d, Hidden: []nn.Layer{nn.NewLayer(d, 2, nn.ReLU)}, Readout: nn.NewLayer(2, 1, nn.Identity)}
}

// build lays out C_1, S_1, C_2, …, S_{N−1}, C_N (§2.3), then the snap block
// (§2.7), the padding and the read-out.
func build(ctx context.Context, ds *data.Dataset, proj *project.Projection, c Config, progress func(done, total int64)) (*nn.Network, error) {
	n, m := ds.N(), ds.M()
	net, alpha, beta, err := sweep(ctx, ds, proj, c, func(i int) int { return ds.Y[i] }, progress)
	if err != nil {
		return nil, err
	}
	if c.Pad {
		pad(net, PaperDepth(n, m))
	}
	ro := nn.NewLayer(2, 1, nn.Identity)
	ro.W[0][0], ro.W[0][1], ro.B[0] = beta[0], beta[1], alpha
	net.Readout = ro
	return net, nil
}

// pad appends identity layers (exact on the nonnegative states) up to depth.
func pad(net *nn.Network, depth int) {
	for len(net.Hidden) < depth {
		id := nn.NewLayer(2, 2, nn.ReLU)
		id.W[0][0].SetInt64(1)
		id.W[1][1].SetInt64(1)
		net.Hidden = append(net.Hidden, id)
	}
}

// sweep lays out C_1, S_1, …, C_N sending point i to the height
// heights(i) ∈ {0..M−1}, then (with c.Snap) the snap block, and returns the
// network without read-out and the affine form α + β·h of the last layer's
// neurons that equals the height (exactly with snap or rational weights).
func sweep(ctx context.Context, ds *data.Dataset, proj *project.Projection, c Config, heights func(i int) int, progress func(done, total int64)) (*nn.Network, *big.Rat, [2]*big.Rat, error) {
	n, d, m := ds.N(), ds.D(), ds.M()
	unit := new(big.Rat).SetFrac(big.NewInt(1), new(big.Int).Lsh(big.NewInt(1), uint(proj.Scale))) // 2^-S
	tau := func(k int) *big.Rat {                                                                  // τ of the k-th smallest point, k = 1..N
		return new(big.Rat).Mul(new(big.Rat).SetInt(proj.Tau[proj.Order[k-1]]), unit)
	}
	q := func(k int) *big.Rat { return new(big.Rat).SetInt64(int64(heights(proj.Order[k-1]))) }
	// gaps g_k = τ_{k+1} − τ_k for k = 1..N−1 and the phantom g_0.
	g := make([]*big.Rat, n)
	for k := 1; k < n; k++ {
		if k%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, nil, [2]*big.Rat{}, err
			}
		}
		g[k] = new(big.Rat).Sub(tau(k+1), tau(k))
	}
	g0 := new(big.Rat).Quo(new(big.Rat).Sub(tau(n), tau(1)), new(big.Rat).SetInt64(int64(n-1)))
	if !c.Rational {
		g0 = nn.RoundDyadic(g0, 24, nn.Down)
	}
	g[0] = g0
	tau0 := new(big.Rat).Sub(tau(1), g0)
	kappa := func(k int) *big.Rat { // κ_k = q_k / g_{k−1}
		r := new(big.Rat).Quo(q(k), g[k-1])
		if !c.Rational {
			r = nn.RoundDyadic(r, c.KappaBits, nn.Nearest)
		}
		return r
	}
	slack := big.NewRat(2, 1)
	lambda := func(k int, kk *big.Rat) *big.Rat { // λ_k = s κ_k (g_{k−1}+g_k)/g_k
		r := new(big.Rat).Add(g[k-1], g[k])
		r.Quo(r, g[k])
		r.Mul(r, kk)
		r.Mul(r, slack)
		if !c.Rational {
			r = nn.RoundDyadic(r, c.KappaBits, nn.Up)
		}
		return r
	}
	one := big.NewRat(1, 1)
	minusOne := big.NewRat(-1, 1)
	net := &nn.Network{InputDim: d}
	// C_1, projection fused in.
	c1 := nn.NewLayer(d, 2, nn.ReLU)
	k1 := kappa(1)
	for i := range d {
		w := new(big.Rat).SetFloat64(proj.W[i])
		c1.W[0][i] = w
		c1.W[1][i] = new(big.Rat).Mul(w, k1)
	}
	c1.B[0] = new(big.Rat).Neg(tau(1))
	c1.B[1] = new(big.Rat).Neg(new(big.Rat).Mul(k1, tau0))
	net.Hidden = append(net.Hidden, c1)
	kPrev := k1
	for k := 1; k < n; k++ {
		if k%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, nil, [2]*big.Rat{}, err
			}
			if progress != nil {
				progress(int64(k), int64(n))
			}
		}
		s := nn.NewLayer(2, 2, nn.ReLU)
		s.W[0][0].Set(one)
		s.W[1][0] = new(big.Rat).Neg(lambda(k, kPrev))
		s.W[1][1].Set(one)
		cl := nn.NewLayer(2, 2, nn.ReLU)
		kk := kappa(k + 1)
		cl.W[0][0].Set(one)
		cl.W[1][0] = kk
		cl.W[1][1].Set(one)
		cl.B[0] = new(big.Rat).Neg(g[k])
		net.Hidden = append(net.Hidden, s, cl)
		kPrev = kk
	}
	// z = alpha + beta·(h1, h2): the value the next layer reads; first v.
	alpha := new(big.Rat)
	beta := [2]*big.Rat{new(big.Rat), new(big.Rat).Set(one)}
	if c.Snap {
		omega := big.NewRat(1, 2)
		for k := range m {
			sk := big.NewRat(int64(2*k-1), 4) // s_k = k/2 − 1/4
			l := nn.NewLayer(2, 2, nn.ReLU)
			// a = σ(s_k − z), b = σ(z − s_k − ω)
			for i := range 2 {
				l.W[0][i] = new(big.Rat).Neg(beta[i])
				l.W[1][i] = new(big.Rat).Set(beta[i])
			}
			l.B[0] = new(big.Rat).Sub(sk, alpha)
			l.B[1] = new(big.Rat).Sub(new(big.Rat).Sub(alpha, sk), omega)
			net.Hidden = append(net.Hidden, l)
			// F = s_k − a + b
			alpha.Set(sk)
			beta = [2]*big.Rat{new(big.Rat).Set(minusOne), new(big.Rat).Set(one)}
		}
		// read-out 2z + 1/2 returns the class index.
		two := big.NewRat(2, 1)
		alpha.Add(new(big.Rat).Mul(alpha, two), big.NewRat(1, 2))
		beta[0].Mul(beta[0], two)
		beta[1].Mul(beta[1], two)
	}
	if progress != nil {
		progress(int64(n), int64(n))
	}
	return net, alpha, beta, nil
}
