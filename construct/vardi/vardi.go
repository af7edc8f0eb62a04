// Package vardi builds the Vardi–Yehudai–Shamir optimal memorization
// networks: any N separated points with C classes memorized by a ReLU
// network of width 12 with Õ(√N) parameters, by bit extraction.
//
// Theorem 3.1 (Vardi, Yehudai & Shamir, "On the Optimal Memorization Power
// of ReLU Networks", ICLR 2022): N points with ‖x_i‖ ≤ r and pairwise
// distances ≥ δ are memorized by a network of width 12, depth
// O(√(N log N) + √(N/log N)·max{log R, log C}) and bit complexity
// O(log d + √(N/log N)·max{log R, log C}), with R = poly(N, r/δ, d);
// Theorem 5.1 trades depth for width (depth-limited) and Theorem 6.2 depth
// for bit complexity (bit-limited). The matching VC lower bound is Ω(√N)
// parameters.
//
// The paper's appendix (the weight formulas of Lemmas A.3–A.7) was not
// recoverable; this package follows the implementable specification
// shared/papers/vardi-optimal.md, which keeps the paper's three stages and
// realises them with our own explicit weights:
//
//	Stage I   (StageI)    one neuron t = σ(2^σ(w·x + β)): data values ≥ 0, ≥ 2 apart (1 layer).
//	Stage II  (stageII)   interval indicators g_j = σ(1 − σ(a_j − t) − σ(t − b_j)) pipelined
//	                      one layer per interval; emits the crafted integers (U'_j, W'_j) of
//	                      t's interval (m + 2 layers, width 6).
//	Stage III (stageIII)  tent-map bit extraction of U'_j and W'_j (prefix-XOR pre-coded,
//	                      trailing 1), chunk-by-chunk comparison of ⌊t⌋ with the packed value,
//	                      and the gated label sum (n(L+2) layers, width ≤ 12).
//
// Every weight after layer 1 and every bias after layer 1 is an integer;
// layer 1 is dyadic. The network's output at x_i is exactly y_i.
//
// Counting conventions: depth is nn's (hidden layers; the paper's number of
// affine maps is depth+1), parameters are nonzero weights (the paper's
// count, "edges") and we report nonzero biases beside them.
package vardi

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"strconv"

	"github.com/memnet/memnet/construct"
	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/limits"
	"github.com/memnet/memnet/nn"
)

func init() { construct.Register(Method{}) }

// Method is the Vardi–Yehudai–Shamir construction.
type Method struct{}

// Theorem is the result the construction instantiates.
const Theorem = "Vardi–Yehudai–Shamir (ICLR 2022), Theorem 3.1: width 12, Õ(√N) parameters"

// Name implements construct.Method.
func (Method) Name() string { return "vardi" }

// Describe implements construct.Method.
func (Method) Describe() string {
	return "Vardi–Yehudai–Shamir (2022) Thm 3.1: width-12 bit-extraction network with Õ(√N) parameters (Thm 5.1 via max-depth/blocks, Thm 6.2 via max-bits)"
}

var optionNames = []string{"objective", "max-depth", "max-bits", "blocks", "points-per-interval", "direction-bits"}

// Config are the options, parsed.
type Config struct {
	// Objective is "params" (fewest nonzero weights+biases, default) or "depth".
	Objective string
	// MaxDepth > 0 limits the hidden depth (Theorem 5.1: parallel blocks).
	MaxDepth int
	// MaxBits > 0 limits the weights' bit complexity (Theorem 6.2).
	MaxBits int
	// Blocks > 0 fixes the number of parallel blocks (Theorem 5.1).
	Blocks int
	// PointsPerInterval > 0 fixes n.
	PointsPerInterval int
	// DirBits > 0 fixes the precision of the Stage-I direction.
	DirBits int
}

// ParseConfig reads the method's options.
func ParseConfig(opts construct.Options) (Config, error) {
	var c Config
	if err := opts.CheckParams("vardi", optionNames...); err != nil {
		return c, err
	}
	c.Objective = opts.Param("objective", "params")
	if c.Objective != "params" && c.Objective != "depth" {
		return c, fmt.Errorf("option objective=%q: want params or depth", c.Objective)
	}
	var err error
	for _, o := range []struct {
		name string
		dst  *int
	}{{"max-depth", &c.MaxDepth}, {"max-bits", &c.MaxBits}, {"blocks", &c.Blocks}, {"points-per-interval", &c.PointsPerInterval}, {"direction-bits", &c.DirBits}} {
		if *o.dst, err = opts.Int(o.name, 0); err != nil {
			return c, err
		}
		if *o.dst < 0 {
			return c, fmt.Errorf("option %s must be ≥ 0", o.name)
		}
	}
	if c.MaxDepth > 0 && c.Blocks > 0 {
		return c, fmt.Errorf("options max-depth and blocks exclude each other")
	}
	return c, nil
}

func (c Config) params(seed int64) map[string]string {
	m := map[string]string{"objective": c.Objective, "seed": strconv.FormatInt(seed, 10)}
	for k, v := range map[string]int{"max-depth": c.MaxDepth, "max-bits": c.MaxBits, "blocks": c.Blocks, "points-per-interval": c.PointsPerInterval, "direction-bits": c.DirBits} {
		if v > 0 {
			m[k] = strconv.Itoa(v)
		}
	}
	return m
}

// NewPlan chooses the sizes for n points in dimension d (dNonzero nonzero
// direction coordinates) with the given classes and ρ.
func NewPlan(n, d, dNonzero, rho int, classes int64, c Config) (Plan, error) {
	p := Plan{N: n, D: d, DNonzero: dNonzero, Rho: max(1, rho), C: labelBits(classes), Classes: max(classes, 1),
		Objective: c.Objective, MaxDepth: c.MaxDepth, MaxBits: c.MaxBits, P: max(1, c.Blocks), FixedBlock: c.Blocks > 0,
		NPer: c.PointsPerInterval, FixedN: c.PointsPerInterval > 0}
	if n < 1 {
		return p, fmt.Errorf("vardi: no points")
	}
	return p, p.choose()
}

// EstimateRho is ρ as predicted before the data is seen: the adaptive Stage I
// gives about log2(N²·√d) + 2 bits (spec §13: 15, 25, 30, 36 at N = 10², …, 10⁵, d = 10).
func EstimateRho(n, d int) int {
	return int(math.Ceil(math.Log2(float64(n)*float64(n)*math.Sqrt(float64(d))))) + 2
}

// theoremOf names the theorem a configuration instantiates: 5.1 with a
// depth limit or fixed blocks, 6.2 with a bit limit, 3.1 otherwise.
func theoremOf(p Plan) string {
	switch {
	case (p.MaxDepth > 0 || p.FixedBlock) && p.MaxBits > 0:
		return "Vardi–Yehudai–Shamir (ICLR 2022), Theorems 5.1 and 6.2 (depth- and bit-limited)"
	case p.MaxDepth > 0 || p.FixedBlock:
		return "Vardi–Yehudai–Shamir (ICLR 2022), Theorem 5.1 (depth-limited)"
	case p.MaxBits > 0:
		return "Vardi–Yehudai–Shamir (ICLR 2022), Theorem 6.2 (bounded bit complexity)"
	}
	return Theorem
}

// prediction turns a plan into the theorem's form for the data's geometry g
// and our realisation's exact counts (spec §9.1) for this plan.
//
// Theorem forms (constants 1, the paper states only O(·) and Õ(·)):
//   - 3.1: depth √(N log N) + √(N/log N)·max(log R, log C), width 12 (the
//     paper's), bits log d + √(N/log N)·max(log R, log C), params = that depth
//   - d (width is a constant); R = 10·r·N²·√(πd)/δ (spec §1, constant from
//     memory, [P?]); with r or δ unknown, log2 R is estimated by ρ.
//   - 5.1 (depth budget L): depth L, width N/L², params N/L (log factors dropped).
//   - 6.2 (bit budget B): bits B, depth N/B, params N/B (log factors dropped).
func prediction(p Plan, g construct.Geometry, layer1Bits int, rhoMeasured bool) construct.Prediction {
	n := float64(p.N)
	logN := math.Max(1, math.Log2(n))
	logC := math.Log2(float64(max(p.Classes, 2)))
	in := map[string]float64{"N": n, "d": float64(p.D), "C": float64(p.Classes), "rho": float64(p.Rho)}
	logR, rNote := float64(p.Rho), "log2 R estimated by ρ (r or δ unknown)"
	if g.MaxNorm > 0 && g.MinDist > 0 {
		logR = data.Log2R(g.MaxNorm, g.MinDist, p.N, p.D) // finite near 1e±300
		rNote = "R = 10·r·N²·√(πd)/δ from the data's r and δ"
		in["r"], in["delta_min"] = g.MaxNorm, g.MinDist
	}
	in["log2_R"] = logR
	mx := math.Max(logR, logC)
	depth31 := math.Sqrt(n*logN) + math.Sqrt(n/logN)*mx
	c1 := "constants 1"
	form := map[string]nn.Formula{}
	th := theoremOf(p)
	switch {
	case p.MaxDepth > 0 || p.FixedBlock || p.MaxBits > 0:
		if p.MaxDepth > 0 || p.FixedBlock {
			L := float64(p.MaxDepth)
			if L <= 0 {
				L = float64(p.Depth)
			}
			form["depth"] = nn.Formula{Value: L, Formula: "L (depth budget), Õ(L)", Constants: c1 + ", log factors dropped"}
			form["width"] = nn.Formula{Value: n / (L * L), Formula: "N/L²", Constants: c1}
			form["params"] = nn.Formula{Value: n / L, Formula: "N/L, Õ(N/L)", Constants: c1 + ", log factors dropped"}
		}
		if p.MaxBits > 0 {
			B := float64(p.MaxBits)
			form["bits"] = nn.Formula{Value: B, Formula: "B (bit budget), Õ(B)", Constants: c1 + ", log factors dropped"}
			if _, ok := form["depth"]; !ok {
				form["depth"] = nn.Formula{Value: n / B, Formula: "N/B, Õ(N/B)", Constants: c1 + ", log factors dropped"}
				form["params"] = nn.Formula{Value: n / B, Formula: "N/B, Õ(N/B)", Constants: c1 + ", log factors dropped"}
			}
		}
	default:
		form["depth"] = nn.Formula{Value: depth31, Formula: "√(N log N) + √(N/log N)·max(log R, log C)", Constants: c1}
		form["width"] = nn.Formula{Value: 12, Formula: "12", Constants: "paper"}
		form["bits"] = nn.Formula{Value: math.Log2(float64(max(p.D, 2))) + math.Sqrt(n/logN)*mx, Formula: "log d + √(N/log N)·max(log R, log C)", Constants: c1}
		form["params"] = nn.Formula{Value: depth31 + float64(p.D), Formula: "√(N log N) + √(N/log N)·max(log R, log C) + d (width 12 is a constant)", Constants: c1}
	}
	rhoNote := "ρ (bits per packed point value) is measured on the data by Stage I"
	if !rhoMeasured {
		rhoNote = fmt.Sprintf("ρ = %d is estimated as ⌈log2(N²√d)⌉+2 (typical of the adaptive Stage I); the build measures it, so the realisation of a build can differ", p.Rho)
	}
	return construct.Prediction{
		Theorem:     th,
		Statement:   "N points with ‖x_i‖ ≤ r and pairwise distances ≥ δ are memorized by a ReLU network of width 12, depth O(√(N log N) + √(N/log N)·max{log R, log C}) and bit complexity O(log d + √(N/log N)·max{log R, log C}) (Thm 3.1); Thm 5.1 trades depth L for width O(N/L²) and Õ(N/L) params, Thm 6.2 bits B for depth and params Õ(N/B)",
		TheoremForm: form,
		Realisation: map[string]int64{
			"depth":  int64(p.Depth),
			"width":  int64(p.Width),
			"params": p.Params(),
			"edges":  p.Edges,
			"bits":   int64(max(p.CraftBits, layer1Bits)),
		},
		RealisationFormula: map[string]string{
			"depth":  fmt.Sprintf("1 + (m+2) + n(max(ρ,c)+2) hidden layers with n = %d, m = %d, ρ = %d, c = %d (spec §9.1)", p.NPer, p.M, p.Rho, p.C),
			"width":  fmt.Sprintf("1 + 11·blocks (%d block(s))", p.P),
			"params": "exact nonzero weights (spec §9.1) + an upper bound on nonzero biases",
			"edges":  "exact nonzero weights, the paper's parameter count",
			"bits":   "max(n·max(ρ,c) + 3, layer-1 bits)",
		},
		Inputs: in,
		Notes:  []string{rNote, rhoNote},
	}
}

// Predict implements construct.Method. It estimates ρ (EstimateRho), since
// the exact ρ depends on the data.
func (Method) Predict(g construct.Geometry, opts construct.Options) (construct.Prediction, error) {
	c, err := ParseConfig(opts)
	if err != nil {
		return construct.Prediction{}, err
	}
	p, err := NewPlan(g.N, g.D, g.D, EstimateRho(g.N, g.D), int64(g.C), c)
	if err != nil {
		return construct.Prediction{}, err
	}
	return prediction(p, g, 0, false), nil
}

// Built is a built network with its plan, Stage-I data and layout.
type Built struct {
	Net    *nn.Network
	Plan   Plan
	Stage1 *Stage1
	Layout *Layout
}

// Build implements construct.Method.
func (mt Method) Build(ctx context.Context, ds *data.Dataset, opts construct.Options) (*construct.Result, error) {
	c, err := ParseConfig(opts)
	if err != nil {
		return nil, err
	}
	b, err := BuildNetwork(ctx, ds, c, opts.Seed)
	if err != nil {
		return nil, err
	}
	res := &construct.Result{Net: b.Net, Options: c.params(opts.Seed), Hints: b.Layout.Hints()}
	l1 := 0
	for _, w := range b.Net.Hidden[0].W[0] {
		l1 = max(l1, nn.Bits(w))
	}
	l1 = max(l1, nn.Bits(b.Net.Hidden[0].B[0]))
	res.Prediction = prediction(b.Plan, opts.GeometryFor(ds), l1, true)
	p := b.Plan
	res.Notes = append(res.Notes,
		fmt.Sprintf("Stage I: %s direction (%d bits), %d draw(s), scale 2^%d, ρ = %d bits per point value, c = %d bits per label",
			map[bool]string{true: "integer", false: "rounded Gaussian"}[b.Stage1.Integer], b.Stage1.DirBits, b.Stage1.Draws, b.Stage1.Sigma, p.Rho, p.C),
		fmt.Sprintf("Stage II/III: %d block(s) × %d intervals × %d points per interval (objective %s); crafted integers of %d bits",
			p.P, p.M, p.NPer, p.Objective, p.NPer*p.L()+1),
		"exact verification: the exact engine (nn.Exact) from the stored weights, with the taint split its hints name (spec §12)",
		floatNote(b.Net.Stats().MaxWeightBits))
	return res, nil
}

// floatNote says what the network's largest weight means for float64,
// from its actual bit length (nn.Bits).
func floatNote(bits int) string {
	if bits <= 53 {
		return fmt.Sprintf("float64: every weight has at most %d bits and is stored exactly in float64's 53-bit significand (whether float64 evaluation is right is what verify measures)", bits)
	}
	return fmt.Sprintf("float64: the largest weight has %d bits, more than float64's 53-bit significand, so float64 rounds it and evaluation is not exact", bits)
}

// BuildNetwork builds the network for ds (see the package documentation).
func BuildNetwork(ctx context.Context, ds *data.Dataset, c Config, seed int64) (*Built, error) {
	n := ds.N()
	if n == 0 {
		return nil, fmt.Errorf("vardi: empty dataset")
	}
	if len(ds.Y) != n {
		return nil, fmt.Errorf("vardi: %d labels for %d points", len(ds.Y), n)
	}
	classes := int64(ds.M())
	for i, y := range ds.Y {
		if y < 0 {
			return nil, fmt.Errorf("vardi: point %d has negative label %d", i, y)
		}
		classes = max(classes, int64(y)+1)
	}
	if c.Objective == "" {
		c.Objective = "params"
	}
	dirBits := c.DirBits
	if dirBits == 0 && c.MaxBits > 0 {
		// Theorem 6.2: keep layer 1 short; 2·log2 N + log2 d + 4 fractional
		// bits still separate the points (checked exactly by Stage I).
		dirBits = 2*bitLen(n) + bitLen(ds.D()) + 4
	}
	s1, err := StageI(ctx, ds.X, seed, dirBits)
	if err != nil {
		return nil, err
	}
	p, err := NewPlan(n, ds.D(), s1.Nonzero, s1.Rho, classes, c)
	if err != nil {
		return nil, err
	}
	if c.MaxBits > 0 {
		for _, w := range append([]*big.Rat{s1.Bias}, s1.W...) {
			if b := nn.Bits(w); b > c.MaxBits {
				return nil, fmt.Errorf("vardi: the Stage-I weights need %d bits, over max-bits %d (Theorem 6.2's log d term)", b, c.MaxBits)
			}
		}
	}
	// Split the sorted points into P consecutive groups and each group into
	// intervals of n points (Stage II partition, spec §6.1; §10 for groups).
	maxFloor := new(big.Int)
	for _, f := range s1.Floor {
		if f.Cmp(maxFloor) > 0 {
			maxFloor.Set(f)
		}
	}
	dummyLo := new(big.Int).Add(maxFloor, big.NewInt(4))
	blocks := make([]*block, p.P)
	real := make([][]int, p.P)
	shape := blockShape{n: p.NPer, m: p.M, rho: p.Rho, c: p.C, C: p.Classes}
	start := 0
	for b := range p.P {
		size := n / p.P
		if b < n%p.P {
			size++
		}
		idx := s1.Order[start : start+size]
		start += size
		iv := make([]Interval, p.M)
		real[b] = make([]int, p.M)
		for j := range p.M {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			lo, hi := j*p.NPer, min((j+1)*p.NPer, size)
			if lo >= hi {
				iv[j] = Interval{Lo: dummyLo, Hi: dummyLo, U: big.NewInt(1), W: big.NewInt(1)}
				continue
			}
			pts := idx[lo:hi]
			vals := make([]*big.Int, len(pts))
			labs := make([]*big.Int, len(pts))
			for k, i := range pts {
				vals[k] = s1.Floor[i]
				labs[k] = big.NewInt(int64(ds.Y[i]))
			}
			U, err := Craft(vals, p.Rho, p.NPer)
			if err != nil {
				return nil, err
			}
			W, err := Craft(labs, p.C, p.NPer)
			if err != nil {
				return nil, err
			}
			iv[j] = Interval{
				Lo: s1.Floor[pts[0]],
				Hi: new(big.Int).Add(s1.Floor[pts[len(pts)-1]], big.NewInt(1)),
				U:  U, W: W,
			}
			real[b][j] = len(pts)
		}
		blocks[b] = buildBlock(shape, iv)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	if err := checkAssembly(p, ds.D(), blocks); err != nil {
		return nil, err
	}
	net, lay, err := assemble(s1, ds.D(), blocks, real)
	if err != nil {
		return nil, err
	}
	if got := len(net.Hidden); got != p.Depth {
		return nil, fmt.Errorf("vardi: internal error: depth %d, plan %d", got, p.Depth)
	}
	return &Built{Net: net, Plan: p, Stage1: s1, Layout: lay}, nil
}

func bitLen(x int) int {
	b := 0
	for ; x > 0; x >>= 1 {
		b++
	}
	return b
}

// denseEntryBytes bounds what one weight-matrix entry costs once the
// network is assembled and saved: its pointer slot (zeros share one
// big.Rat; the .mnet encoder streams the layers) and the collector's slack
// (measured: about 10 bytes per entry, 943 MB resident for the 93.5·10^6
// entries of N = 3000, --max-depth 40).
const denseEntryBytes = 16

// denseEntries counts the weight-matrix entries assemble will allocate:
// layer 1 reads the d inputs, every later layer k (neuron t plus the
// blocks' neurons side by side) reads all of layer k−1.
func denseEntries(d int, blocks []*block) int64 {
	entries, prev := int64(d), int64(1)
	for k := range blocks[0].layers {
		size := int64(1)
		for _, b := range blocks {
			size += int64(len(b.layers[k]))
		}
		entries = limits.Add(entries, limits.Mul(size, prev))
		prev = size
	}
	return entries
}

// checkAssembly refuses, before the dense layers are allocated, a network
// whose weight matrices would exceed limits.Memory (for example
// --max-depth 40 at N = 3000 with many labels: hundreds of parallel
// blocks, width in the thousands). The blocks are built by then; they are
// sparse and small.
func checkAssembly(p Plan, d int, blocks []*block) error {
	what := fmt.Sprintf("vardi: a network of depth %d and width %d (%d parallel block(s); weights are stored as full matrices)", p.Depth, p.Width, p.P)
	if err := limits.CheckMemory(what, limits.Mul(denseEntries(d, blocks), denseEntryBytes)); err != nil {
		if p.P > 1 {
			return fmt.Errorf("%w; a larger --max-depth needs fewer blocks", err)
		}
		return err
	}
	return nil
}
