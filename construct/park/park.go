// Package park builds the sub-linear memorization networks of S. Park,
// J. Lee, C. Yun, J. Shin, "Provable Memorization via Deep Neural Networks
// using Sub-linear Parameters" (COLT 2021; ICLR 2021 submission numbering of
// lemmas), following the implementable specification
// shared/papers/park-sublinear.md ("the spec").
//
// Pipeline (spec §1): exact projection to floor-distinct scalars (Lemma 14),
// compression 1 x ↦ x+b mod T (Lemma 15), compression 2 by grouped shifts
// (Lemma 16), a label table whose rows are dyadic weights holding B·D label
// bits (Lemmas 17, 20), and bit extraction (Lemma 23 at width 3, Lemmas
// 21–22 for the wide Theorem 1 form). Every weight is a dyadic rational.
//
// The networks are first built from STEP and identity units (Theorem 2:
// width 3, Θ(N^{2/3}) layers; Theorem 1: exponent w ∈ [2/3,1]) and can be
// converted exactly to ReLU networks (Lemma 12 style, see ToReLU).
package park

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/memnet/memnet/construct"
	"github.com/memnet/memnet/construct/criteria"
	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
)

func init() { construct.Register(method{}) }

type method struct{}

func (method) Name() string { return "park" }

func (method) Describe() string {
	return "Park–Lee–Yun–Shin (COLT 2021): width-3 STEP+ID network with Θ(N^{2/3}) layers (Theorem 2), or Theorem 1's wide trade-off with option w ∈ [2/3,1]; activation step|relu"
}

// Config selects the variant to build.
type Config struct {
	// Theorem is 2 (width 3, the default) or 1 (wide layers, exponent W).
	Theorem int
	// W is Theorem 1's exponent in [2/3, 1] (parameters O(N^W + N^{1−W/2} log C)).
	W float64
	// Activation is "step" (STEP+ID, as constructed), "relu" (exact
	// conversion, toReLU) or "sigmoid" (Lemma 12 with an explicit budget,
	// toSigmoid; checked by VerifyInterval).
	Activation string
	// SigmoidEps is the output error ε the sigmoid form is budgeted for
	// (label units, 0 < ε < ½; 0 means ¼): every STEP slope and identity
	// scale is derived from it (toSigmoid, spec §8).
	SigmoidEps float64
	// Widths, when set, asks for Theorem 3's generic architecture: BuildArch
	// with these hidden widths (Theorem and W are then ignored).
	Widths []int
	// Grouping sizes compression-2 groups (default GroupPaper).
	Grouping Grouping
	Seed     int64
}

// Sizes records the construction's intermediate sizes (spec §9 names).
type Sizes struct {
	N, D, C      int
	LabelBits    int64 // D = max(1, ⌈log2 C⌉)
	K0           int64 // range of the projected floors
	U, V         int64 // ⌊N²/4⌋+1 and the compression-2 target
	KFinal       int64 // range after compression
	A, B         int64 // table rows and slots
	R            int64 // Theorem 1 chunk size (bits per extraction block)
	Gamma        float64
	Layers       map[string]int // hidden layers per pipeline part
	ShiftTries   int
	ProjectDraws int
	BuildSeconds float64
	Thresholds   map[string]int // indicators per part
	GroupsC2     int
	MaxLabelBits int64 // B·D
	// Sigmoid describes the slopes and error budget of the sigmoid form
	// (nil for the other forms).
	Sigmoid *SigmoidInfo
}

// Built is a constructed network with its construction record.
type Built struct {
	Net   *nn.Network
	Sizes Sizes
	// Witness is Theorem 3's split used by BuildArch (nil for Build).
	Witness *criteria.Witness
	prog    *program
}

// sigmoidEps is the sigmoid form's output error ε (¼ when unset).
func (c Config) sigmoidEps() float64 {
	if c.SigmoidEps > 0 {
		return c.SigmoidEps
	}
	return sigmoidOutTol
}

// labelBits is D = max(1, ⌈log2 C⌉).
func labelBits(c int) int64 {
	d := int64(0)
	for int64(1)<<d < int64(c) {
		d++
	}
	return max(1, d)
}

// paperV is the compression-2 target: ⌈N^{4/3}⌉ for Theorem 2 and
// ⌈N^{2−w}⌉ for Theorem 1, never above U.
func paperV(n int, theorem int, w float64) int64 {
	e := 4.0 / 3
	if theorem == 1 {
		e = 2 - w
	}
	v := int64(math.Ceil(math.Pow(float64(n), e) - 1e-9))
	return max(1, min(v, int64(n)*int64(n)/4+1))
}

// Build constructs the network for points xs with labels ys in [0, c).
func Build(ctx context.Context, xs [][]float64, ys []int, c int, cfg Config) (*Built, error) {
	t0 := time.Now()
	n := len(xs)
	if n == 0 {
		return nil, errEmpty
	}
	if len(ys) != n {
		return nil, fmt.Errorf("park: %d points and %d labels", n, len(ys))
	}
	if len(cfg.Widths) > 0 {
		return BuildArch(ctx, xs, ys, c, cfg.Widths, cfg)
	}
	if cfg.Theorem == 0 {
		cfg.Theorem = 2
	}
	if cfg.Theorem == 1 && (cfg.W < 2.0/3-1e-12 || cfg.W > 1) {
		return nil, fmt.Errorf("park: w = %g outside [2/3, 1]", cfg.W)
	}
	rng := rand.New(rand.NewPCG(uint64(cfg.Seed), 0x9a4c1e))
	sc, err := projectScalars(ctx, xs, rng)
	if err != nil {
		return nil, err
	}
	D := labelBits(c)
	N := int64(n)
	U := N*N/4 + 1
	V := paperV(n, cfg.Theorem, cfg.W)
	s := Sizes{N: n, D: len(xs[0]), C: c, LabelBits: D, K0: sc.K0, U: U, V: V, ProjectDraws: sc.Draws,
		Layers: map[string]int{}, Thresholds: map[string]int{}}
	s.Gamma, _ = sc.Gamma.Float64()
	p := &program{v: make([]*big.Rat, len(sc.V)), b: sc.B, zmax: float64(sc.K0)}
	for j, vj := range sc.V {
		p.v[j] = new(big.Rat).SetFloat64(vj)
	}
	F := append([]int64(nil), sc.Floor...)
	x := ref(0)
	K := sc.K0
	// Compression 1 (Lemma 15), width-3 halving layers.
	for K > U {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		T := max(ceilDiv(K, 2), U)
		sm, tries, err := stage(F, T, nil, false, rng)
		if err != nil {
			return nil, err
		}
		s.ShiftTries += tries
		s.Thresholds["compress1"] += len(sm.Theta)
		x = p.applyShift("compress1", x, sm, sc.Gamma)
		K = maxPlus1(F)
	}
	// Compression 2 (Lemma 16), the paper's schedule T_i = max(⌈U/2^i⌉, V).
	for i := 1; ; i++ {
		Ti := max(ceilDiv(U, int64(1)<<min(i, 62)), V)
		if K > Ti {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			var gs func(int) int
			switch cfg.Grouping {
			case GroupPaper:
				q := int(Ti / N)
				gs = func(int) int { return q }
			case GroupAdaptive:
				gs = func(o int) int { return int((Ti - 1) / int64(max(o, 1))) }
			case GroupSearch:
				gs = func(o int) int { return 4 * int((Ti-1)/int64(max(o, 1))) }
			}
			groups := 0
			counting := func(o int) int { groups++; return gs(o) }
			sm, tries, err := stage(F, Ti, counting, cfg.Grouping == GroupSearch, rng)
			if err != nil {
				return nil, err
			}
			s.ShiftTries += tries
			s.GroupsC2 += groups
			s.Thresholds["compress2"] += len(sm.Theta)
			if cfg.Theorem == 1 {
				x = p.applyShiftWide("compress2", x, sm, sc.Gamma)
			} else {
				x = p.applyShift("compress2", x, sm, sc.Gamma)
			}
			K = maxPlus1(F)
		}
		if Ti == V {
			break
		}
	}
	s.KFinal = K
	// Table (spec §6.1) and extraction.
	var out expr
	if cfg.Theorem == 2 {
		s.A, s.B = tableShape2(K, D)
		t, err := newTable(F, ys, s.A, s.B, D)
		if err != nil {
			return nil, err
		}
		r, w := p.rowSelect3(x, t, sc.Gamma)
		out = p.bits3(r, w, t, sc.Gamma)
	} else {
		// The table is shaped for the paper's V (Lemma 13: A = ⌈V^p⌉,
		// B = ⌈V/A⌉), not for the measured range K ≤ V: ⌈K/⌈K^p⌉⌉ is not
		// monotone in K, so a K-shaped table can need more slots (and
		// layers) than the worst case V predicts.
		s.A, s.B, s.R = tableShape1(V, cfg.W)
		t, err := newTable(F, ys, s.A, s.B, D)
		if err != nil {
			return nil, err
		}
		r, w := p.rowSelectWide(x, t, sc.Gamma)
		out = p.bitsWide(r, w, t, s.R, sc.Gamma)
	}
	p.out = out
	s.MaxLabelBits = s.B * D
	for _, st := range p.stage {
		s.Layers[st]++
	}
	switch cfg.Activation {
	case "relu":
		p, err = toReLU(p)
	case "sigmoid":
		p, s.Sigmoid, err = toSigmoid(p, cfg.sigmoidEps())
	}
	if err != nil {
		return nil, err
	}
	net, err := p.network()
	if err != nil {
		return nil, err
	}
	s.BuildSeconds = time.Since(t0).Seconds()
	return &Built{Net: net, Sizes: s, prog: p}, nil
}

func maxPlus1(F []int64) int64 {
	m := int64(0)
	for _, f := range F {
		m = max(m, f+1)
	}
	return m
}

// isqrtCeil returns ⌈√(a/b)⌉ for a, b > 0 exactly.
func isqrtCeil(a, b int64) int64 {
	// smallest r with r²·b ≥ a
	r := int64(math.Sqrt(float64(a) / float64(b)))
	for r > 0 && (r-1)*(r-1)*b >= a {
		r--
	}
	for r*r*b < a {
		r++
	}
	return max(1, r)
}

// tableShape2 is Theorem 2's table: A = ⌈√((2D+1)V)⌉, B = ⌈√(V/(2D+1))⌉
// (spec §7.1), so A·B ≥ V.
func tableShape2(V, D int64) (A, B int64) {
	A = isqrtCeil((2*D+1)*V, 1)
	B = isqrtCeil(V, 2*D+1)
	for A*B < V { // never: ⌈√(aV)⌉·⌈√(V/a)⌉ ≥ V
		A++
	}
	return A, B
}

// tableShape1 is Theorem 1's table (spec §7.2, Lemma 13): p = w/(2−w),
// A = ⌈V^p⌉, B = ⌈V/A⌉, and chunk size R = 1 + ⌊(p − ½)·log2 V⌋ — R is
// reconstructed: the OCR reads "1 + (2p−1) log V", which would contradict
// the stated Θ(√V log C) extraction cost; (p − ½) log V reproduces both
// stated bounds.
func tableShape1(V int64, w float64) (A, B, R int64) {
	p := w / (2 - w)
	A = max(1, int64(math.Ceil(math.Pow(float64(V), p)-1e-9)))
	B = ceilDiv(V, A)
	R = 1 + int64(math.Floor((p-0.5)*math.Log2(float64(max(V, 1)))+1e-9))
	return A, B, max(1, min(R, 16))
}

// Predict returns Park et al.'s theorem form and our realisation's worst
// case for the geometry g. The compression-1 term of the realisation needs
// K0; before the data is projected it uses the paper's worst case
// K0 = ⌈N²Δ√(πd/8)⌉ with Δ the data's (g.Delta) or option "delta" (default
// 2). Build's Result carries the realisation for the measured K0 instead.
func (method) Predict(g construct.Geometry, opts construct.Options) (construct.Prediction, error) {
	cfg, delta, err := parseOptions(opts)
	if err != nil {
		return construct.Prediction{}, err
	}
	if g.Delta >= 1 {
		if _, set := opts.Params["delta"]; !set {
			delta = g.Delta
		}
	}
	if len(cfg.Widths) > 0 {
		return predictArch(g.N, g.D, g.C, delta, cfg.Widths, cfg.Activation), nil
	}
	N := float64(g.N)
	K0 := int64(math.Min(math.Ceil(N*N*delta*math.Sqrt(math.Pi*float64(g.D)/8)), 1<<62))
	return predict(g.N, g.D, max(g.C, 1), K0, delta, cfg), nil
}

// shape is one hidden layer of the STEP+ID construction: its identity and
// STEP units. The ReLU form turns every STEP into two ReLUs (toReLU), the
// sigmoid form keeps the architecture (toSigmoid).
type shape struct{ ids, steps int64 }

func (s shape) width(act string) int64 {
	if act == "relu" {
		return s.ids + 2*s.steps
	}
	return s.ids + s.steps
}

// denseCount is Σ_ℓ (w_{ℓ−1}+1)·w_ℓ + w_L + 1 with w_0 = d: every weight
// and bias of the architecture, an upper bound on the nonzero ones.
func denseCount(d int64, widths []int64) int64 {
	P, prev := int64(0), d
	for _, w := range widths {
		P += (prev + 1) * w
		prev = w
	}
	return P + prev + 1
}

// worstShapes is the worst-case architecture of this construction (spec §9):
// for Theorem 2 the width-3 chains ([ID, STEP, STEP] at the start of every
// chain and in compression 1, [ID, ID, STEP] inside), for Theorem 1 the
// wide assembly (compression-1 width-3 layers; per compression-2 stage
// (ID + 2G_i STEPs, ID); the table ID + (A−1) STEPs and Lemma 20's narrow
// [ID, ID]; per extraction block (2 IDs + 2^r − 1 + |M| STEPs, 2 IDs + r STEPs)).
// It also returns the parts' sizes for the notes.
func worstShapes(n, d, m int, K0 int64, cfg Config) ([]shape, string) {
	N := int64(n)
	D := labelBits(m)
	U := N*N/4 + 1
	Lc1 := int64(0)
	for k := K0; k > U; k = max(ceilDiv(k, 2), U) {
		Lc1++
	}
	V := paperV(n, cfg.Theorem, cfg.W)
	var stagesT []int64
	for i := 1; V < U; i++ {
		Ti := max(ceilDiv(U, int64(1)<<min(i, 62)), V)
		stagesT = append(stagesT, Ti)
		if Ti == V {
			break
		}
	}
	var sh []shape
	start, mid := shape{1, 2}, shape{2, 1}
	for range Lc1 {
		sh = append(sh, start)
	}
	if cfg.Theorem != 1 {
		Lc2 := int64(0)
		for _, T := range stagesT {
			q := max(1, T/N)
			l := int64(chainLayers(int(2 * ceilDiv(N, q))))
			Lc2 += l
			for j := range l {
				if j == 0 || j == l-1 {
					sh = append(sh, start)
				} else {
					sh = append(sh, mid)
				}
			}
		}
		A, B := tableShape2(V, D)
		Ltab := max(0, A-2)
		if A == 2 {
			Ltab = 1
		}
		for j := range Ltab {
			if j == 0 {
				sh = append(sh, start)
			} else {
				sh = append(sh, mid)
			}
		}
		Lbits := (2*D+1)*B - 1
		for range Lbits {
			sh = append(sh, mid)
		}
		return sh, fmt.Sprintf("L = L_c1 + L_c2 + (A−2) + ((2D+1)B−1) = %d + %d + %d + %d with V = ⌈N^{4/3}⌉ = %d, A = %d, B = %d, D = %d", Lc1, Lc2, Ltab, Lbits, V, A, B, D)
	}
	A, B, R := tableShape1(V, cfg.W)
	for _, T := range stagesT {
		G := ceilDiv(N, max(1, T/N))
		sh = append(sh, shape{1, 2 * G}, shape{1, 0})
	}
	if A > 1 {
		sh = append(sh, shape{1, A - 1}, shape{2, 0})
	}
	BD := B * D
	for done := int64(0); done < BD; done += R {
		r := min(R, BD-done)
		M := ceilDiv(r, D) + 2
		sh = append(sh, shape{2, (int64(1) << r) - 1 + M}, shape{2, r})
	}
	return sh, fmt.Sprintf("V = ⌈N^{2−w}⌉ = %d, A = ⌈V^p⌉ = %d, B = ⌈V/A⌉ = %d, R = %d, p = w/(2−w); %d compression-1 layers, %d compression-2 stages", V, A, B, R, Lc1, len(stagesT))
}

// paperDepth2 is Theorem 2's layer count as printed in the paper (spec §9,
// partly OCR-reconstructed): ⌈log(Δ√(2πd))⌉ + Σ_{i=1}^{k−1}(⌈2N/⌊U/(2^i N)⌋⌉ − 1)
// + (⌈2N/⌊V/N⌋⌉ − 1) + A + (2D+1)B with V = ⌈N^{4/3}⌉, k = ⌈log(U/V)⌉.
func paperDepth2(n, d, m int, delta float64) float64 {
	N := int64(n)
	D := labelBits(m)
	U := N*N/4 + 1
	V := paperV(n, 2, 0)
	L := math.Max(0, math.Ceil(math.Log2(delta*math.Sqrt(2*math.Pi*float64(d)))))
	k := int64(0)
	for int64(1)<<k*V < U {
		k++
	}
	for i := int64(1); i < k; i++ {
		q := max(1, U/(int64(1)<<i*N))
		L += float64(ceilDiv(2*N, q) - 1)
	}
	if k > 0 {
		L += float64(ceilDiv(2*N, max(1, V/N)) - 1)
	}
	A, B := tableShape2(V, D)
	return L + float64(A+(2*D+1)*B)
}

// predict returns the theorem form (Theorem 2: the paper's printed layer
// count and its width-3 architecture; Theorem 1: the O-forms with constants
// 1) and our realisation's worst case (worstShapes) for the activation form.
func predict(n, d, m int, K0 int64, delta float64, cfg Config) construct.Prediction {
	sh, parts := worstShapes(n, d, m, K0, cfg)
	act := cfg.Activation
	if act == "" {
		act = "step"
	}
	widths := make([]int64, len(sh))
	W := int64(0)
	for i, s := range sh {
		widths[i] = s.width(act)
		W = max(W, widths[i])
	}
	pr := construct.Prediction{
		Realisation: map[string]int64{"depth": int64(len(sh)), "width": W, "params": denseCount(int64(d), widths)},
		RealisationFormula: map[string]string{
			"depth":  "worst-case layer count of our construction (spec §9): " + parts,
			"width":  "largest worst-case layer (" + act + " form: " + map[string]string{"relu": "each STEP becomes two ReLUs", "step": "STEP and identity units", "sigmoid": "one sigmoid per unit"}[act] + ")",
			"params": "every weight and bias of the worst-case architecture, Σ(w_{ℓ−1}+1)·w_ℓ + w_L + 1 with w_0 = d (bounds the nonzero count)",
		},
		Inputs: map[string]float64{"N": float64(n), "d": float64(d), "C": float64(m), "Delta": delta},
	}
	logC := math.Max(1, math.Log2(float64(m)))
	N := float64(n)
	if cfg.Theorem != 1 {
		L := paperDepth2(n, d, m, delta)
		pr.Theorem = "Park, Lee, Yun, Shin (COLT 2021), Theorem 2"
		pr.Statement = "for any C, N, d, Δ ≥ 1 a width-3 network with Θ(N^{2/3} log C) hidden layers memorizes any Δ-separated set of N points with C classes (STEP+ID, hence ReLU and sigmoidal)"
		pr.TheoremForm = map[string]nn.Formula{
			"depth":  {Value: L, Formula: "⌈log(Δ√(2πd))⌉ + Σ_{i<k}(⌈2N/⌊U/(2^i N)⌋⌉ − 1) + (⌈2N/⌊V/N⌋⌉ − 1) + A + (2D+1)B (printed count, partly OCR-reconstructed, spec §9)", Constants: "paper"},
			"width":  {Value: 3, Formula: "3", Constants: "paper"},
			"params": {Value: 3*float64(d) + 12*L - 5, Formula: "3d + 12L − 5: every weight and bias of the width-3 architecture of that depth", Constants: "paper"},
		}
		if act == "relu" {
			pr.Notes = append(pr.Notes, "ReLU form: the theorem's width 3 is for STEP+ID (and hard-tanh) units; our exact ReLU conversion keeps the depth and has width ≤ 5 (a paper-style width-3 ReLU form would double the depth)")
		}
		return pr
	}
	w := cfg.W
	depthForm := math.Log2(float64(max(d, 2))) + math.Log2(delta) + math.Pow(N, 2-2*w)/(1+(1.5*w-1)*math.Log2(math.Max(N, 2)))*logC
	pr.Theorem = fmt.Sprintf("Park, Lee, Yun, Shin (COLT 2021), Theorem 1 (w = %g)", w)
	pr.Statement = "for w ∈ [2/3, 1] a network with O(log d + log Δ + N^{2−2w}/(1+(1.5w−1)log N)·log C) hidden layers and O(d + log Δ + N^w + N^{1−w/2}·log C) parameters memorizes any Δ-separated set of N points with C classes"
	pr.TheoremForm = map[string]nn.Formula{
		"depth":  {Value: depthForm, Formula: "log d + log Δ + N^{2−2w}/(1 + (1.5w−1)·log N)·log C", Constants: "constants 1"},
		"params": {Value: float64(d) + math.Log2(delta) + math.Pow(N, w) + math.Pow(N, 1-w/2)*logC, Formula: "d + log Δ + N^w + N^{1−w/2}·log C", Constants: "constants 1"},
	}
	pr.Notes = append(pr.Notes, "R = 1 + ⌊(p−½)·log2 V⌋ is reconstructed (the OCR reads 1 + (2p−1) log V, spec §7.2)")
	return pr
}

// parseOptions reads the method's options: w (Theorem 1 exponent; absent:
// Theorem 2), activation (step|relu), grouping (paper|adaptive|search),
// delta (Δ used by Predict).
func parseOptions(opts construct.Options) (Config, float64, error) {
	var cfg Config
	if err := opts.CheckParams("park", "w", "activation", "grouping", "delta", "widths", "regression", "eps", "sigmoid-eps"); err != nil {
		return cfg, 0, err
	}
	cfg.Theorem = 2
	cfg.Seed = opts.Seed
	if _, ok := opts.Params["w"]; ok {
		w, err := opts.Float("w", 2.0/3)
		if err != nil {
			return cfg, 0, err
		}
		if w < 2.0/3-1e-9 || w > 1 {
			return cfg, 0, fmt.Errorf("option w=%g: want a number in [2/3, 1]", w)
		}
		cfg.Theorem, cfg.W = 1, math.Max(w, 2.0/3)
	}
	cfg.Activation = opts.Param("activation", "step")
	if cfg.Activation != "step" && cfg.Activation != "relu" && cfg.Activation != "sigmoid" {
		return cfg, 0, fmt.Errorf("option activation=%q: want step, relu or sigmoid", cfg.Activation)
	}
	eps, err := opts.Float("sigmoid-eps", sigmoidOutTol)
	if err != nil {
		return cfg, 0, err
	}
	if !(eps > 0 && eps < 0.5) {
		return cfg, 0, fmt.Errorf("option sigmoid-eps=%g: want a number in (0, 1/2) (outputs within ε of the label round to it)", eps)
	}
	if _, set := opts.Params["sigmoid-eps"]; set && cfg.Activation != "sigmoid" {
		return cfg, 0, fmt.Errorf("option sigmoid-eps applies to activation=sigmoid only")
	}
	cfg.SigmoidEps = eps
	if ws := opts.Param("widths", ""); ws != "" {
		w, err := criteria.ParseWidths(ws)
		if err != nil {
			return cfg, 0, err
		}
		cfg.Widths = w
	}
	if _, err := opts.Bool("regression", false); err != nil {
		return cfg, 0, err
	}
	if _, err := opts.Float("eps", 0.01); err != nil {
		return cfg, 0, err
	}
	switch g := opts.Param("grouping", "paper"); g {
	case "paper":
		cfg.Grouping = GroupPaper
	case "adaptive":
		cfg.Grouping = GroupAdaptive
	case "search":
		cfg.Grouping = GroupSearch
	default:
		return cfg, 0, fmt.Errorf("option grouping=%q: want paper, adaptive or search", g)
	}
	delta, err := opts.Float("delta", 2)
	if err != nil {
		return cfg, 0, err
	}
	if delta < 1 {
		return cfg, 0, fmt.Errorf("option delta=%g: want Δ ≥ 1", delta)
	}
	return cfg, delta, nil
}

func (method) Build(ctx context.Context, ds *data.Dataset, opts construct.Options) (*construct.Result, error) {
	cfg, delta, err := parseOptions(opts)
	if err != nil {
		return nil, err
	}
	if reg, _ := opts.Bool("regression", false); reg {
		return buildRegression(ctx, ds, opts, cfg)
	}
	b, err := Build(ctx, ds.X, ds.Y, max(ds.M(), 1), cfg)
	if err != nil {
		return nil, err
	}
	used := map[string]string{"activation": cfg.Activation, "grouping": cfg.Grouping.String()}
	if cfg.Activation == "sigmoid" {
		used["sigmoid-eps"] = strconv.FormatFloat(cfg.SigmoidEps, 'g', -1, 64)
	}
	if cfg.Theorem == 1 {
		used["w"] = fmt.Sprint(cfg.W)
	}
	g := opts.GeometryFor(ds)
	if g.Delta < 1 {
		g.Delta = delta
	}
	pred := predict(ds.N(), ds.D(), max(ds.M(), 1), b.Sizes.K0, g.Delta, cfg)
	if len(cfg.Widths) > 0 {
		used["widths"] = criteria.FormatWidths(cfg.Widths)
		delete(used, "grouping")
		g, err := data.Geometry(ctx, ds)
		if err != nil {
			return nil, err
		}
		pred = predictArch(ds.N(), ds.D(), max(ds.M(), 1), math.Max(1, math.Nextafter(g.Delta, math.Inf(1))), cfg.Widths, cfg.Activation)
	}
	res := &construct.Result{Net: b.Net, Options: used, Prediction: pred}
	if b.Witness != nil {
		res.Notes = append(res.Notes, fmt.Sprintf("Theorem 3 split used: K = %d, L_1..L_K = %s, A = %d, B = %d", b.Witness.K, intList(b.Witness.L), b.Witness.A, b.Witness.B))
	}
	if si := b.Sizes.Sigmoid; si != nil {
		res.Notes = append(res.Notes, fmt.Sprintf("sigmoid form (Lemma 12, budget derived backwards from ε): output error ε = %g; STEP slopes λ = 2^%d..2^%d; identity κ 2^%d..2^%d; smallest unit budget 2^%.1f",
			si.OutTol, si.Log2StepSlopeMin, si.Log2StepSlopeMax, si.Log2IDKappaMin, si.Log2IDKappaMax, si.Log2BudgetMin))
	}
	s := b.Sizes
	res.Prediction.Notes = append(res.Prediction.Notes, fmt.Sprintf("realisation: compression-1 term uses the measured K0 = %d (worst case ⌈N²Δ√(πd/8)⌉)", s.K0))
	res.Notes = append(res.Notes,
		fmt.Sprintf("projection: %d draw(s), K0 = %d, margin γ = %.3g; U = %d, V = %d, final range %d", s.ProjectDraws, s.K0, s.Gamma, s.U, s.V, s.KFinal),
		fmt.Sprintf("table A×B = %d×%d, D = %d label bits, B·D = %d bits per row constant", s.A, s.B, s.LabelBits, s.MaxLabelBits),
		fmt.Sprintf("layers by part: %s; indicators: %s; compression-2 groups %d; shift tries %d", partCounts(s.Layers), partCounts(s.Thresholds), s.GroupsC2, s.ShiftTries))
	return res, nil
}

// partCounts writes counts by pipeline part in the pipeline's order
// ("compress1 8, compress2 146, table 442, bits 449"), other parts after
// them by name.
func partCounts(m map[string]int) string {
	order := []string{"compress1", "compress2", "table", "bits"}
	var rest []string
	for k := range m {
		if !slices.Contains(order, k) {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	var out []string
	for _, k := range append(order, rest...) {
		if v, ok := m[k]; ok {
			out = append(out, fmt.Sprintf("%s %d", k, v))
		}
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}

// intList writes integers as "1, 2, 3".
func intList(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ", ")
}

// predictArch is Theorem 3's prediction for a given width list: the
// theorem states no count, only the criteria, so its form is the given
// architecture (depth, width, every weight and bias) with the checker's
// verdict for Δ in the notes; the realisation is that architecture in the
// activation form built (ReLU: each STEP becomes two ReLUs, at most twice
// the width).
func predictArch(n, d, m int, delta float64, widths []int, act string) construct.Prediction {
	pr := construct.Prediction{Theorem: "Park, Lee, Yun, Shin (COLT 2021), Theorem 3 (criteria on the widths)",
		Statement: "a STEP+ID network with hidden widths d_1..d_L memorizes every Δ-separated set of N points with C classes if its widths meet the four criteria (spec §7.3)"}
	W := 0
	for _, w := range widths {
		W = max(W, w)
	}
	dense := criteria.DenseParams(widths, d)
	pr.TheoremForm = map[string]nn.Formula{
		"depth":  {Value: float64(len(widths)), Formula: "L, the given widths' count", Constants: "paper"},
		"width":  {Value: float64(W), Formula: "max d_ℓ of the given widths", Constants: "paper"},
		"params": {Value: float64(dense), Formula: "Σ(d_{ℓ−1}+1)·d_ℓ + d_L + 1 of the given widths", Constants: "paper"},
	}
	rw := make([]int64, len(widths))
	k := int64(1)
	if act == "relu" {
		k = 2
	}
	for i, w := range widths {
		rw[i] = k * int64(w)
	}
	pr.Realisation = map[string]int64{"depth": int64(len(widths)), "width": k * int64(W), "params": denseCount(int64(d), rw)}
	pr.RealisationFormula = map[string]string{"depth": "the given L", "width": "max d_ℓ (×2 for the ReLU form)", "params": "every weight and bias of the (ReLU-widened) architecture"}
	pr.Inputs = map[string]float64{"N": float64(n), "d": float64(d), "C": float64(m), "Delta": delta}
	if r, err := criteria.Check(widths, criteria.Problem{N: n, C: m, Dx: max(d, 1), Delta: delta}); err == nil {
		verdict := "all four conditions hold"
		if f := r.Failed(); len(f) > 0 {
			verdict = fmt.Sprintf("condition(s) %s fail", intList(f))
		}
		pr.Notes = append(pr.Notes, fmt.Sprintf("Theorem 3 criteria with Δ = %.4g: %s", delta, verdict))
	}
	return pr
}
