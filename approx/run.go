package approx

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"
)

// Request is one `memnet approx` run.
type Request struct {
	Target Target
	Box    Box     // nil: the target's own box
	N      int     // cells per axis, or 0 to choose n from Eps
	Eps    float64 // target L^p error (with N = 0)
	P      float64 // the p of L^p used to choose n and θ from Eps (default 2)
	// Theta is the strip fraction; 0 means 2^-12 with N given, and the θ
	// that makes the strip bound ≤ Eps/2 with Eps given.
	Theta    float64
	Signed   bool  // allow negative f (shift reported)
	Quad     int   // Gauss nodes per axis on each core/strip piece for the error (default ErrorNodes(d))
	MaxDepth int64 // size limit (default DefaultMaxDepth)
	NoCheck  bool  // skip the exact core check
	// Samples (default DefaultSamples) uniform points of the Monte Carlo
	// error estimate, drawn with Seed.
	Samples int
	Seed    uint64
}

// DefaultMaxDepth is the depth above which Run refuses to build: the error
// measurement costs about n^d·(2·Quad)^d·depth layer evaluations.
const DefaultMaxDepth = 20000

// Validate rejects bad input before any work: p < 1, a box of zero width or
// of the wrong dimension, n < 1, θ outside (0, 1/2), negative samples of a
// grid without Signed, and a given n whose network exceeds MaxDepth.
func (r *Request) Validate() error {
	if r.Target == nil {
		return errors.New("no function: give --function NAME or --grid FILE")
	}
	if r.P == 0 {
		r.P = 2
	}
	if !(r.P >= 1) || math.IsInf(r.P, 0) {
		return fmt.Errorf("--p %v: want 1 ≤ p < ∞ (the strips never vanish in the sup norm)", r.P)
	}
	if r.Box == nil {
		r.Box = r.Target.Box()
	}
	if len(r.Box) != r.Target.Dim() {
		return fmt.Errorf("--box has %d axes, the function has %d inputs", len(r.Box), r.Target.Dim())
	}
	if err := r.Box.Check(); err != nil {
		return err
	}
	if r.MaxDepth == 0 {
		r.MaxDepth = DefaultMaxDepth
	}
	if r.Theta != 0 && !(r.Theta > 0 && r.Theta < 0.5) {
		return fmt.Errorf("--theta %v: want 0 < θ < 1/2", r.Theta)
	}
	switch {
	case r.N != 0 && r.Eps != 0:
		return errors.New("give --n or --eps, not both")
	case r.N == 0 && r.Eps == 0:
		return errors.New("give --n N (cells per axis) or --eps E (target error)")
	case r.N < 0:
		return fmt.Errorf("--n %d: want at least 1", r.N)
	case r.Eps < 0 || math.IsNaN(r.Eps) || math.IsInf(r.Eps, 0):
		return fmt.Errorf("--eps %v: want a positive number", r.Eps)
	}
	if r.N > 0 && Depth(r.N, len(r.Box)) > r.MaxDepth {
		return fmt.Errorf("--n %d in d=%d gives depth %d, over the limit %d (raise --max-depth)", r.N, len(r.Box), Depth(r.N, len(r.Box)), r.MaxDepth)
	}
	if g, ok := r.Target.(*Grid); ok && g.Min < 0 && !r.Signed {
		return fmt.Errorf("%s: sample values go down to %g: f must be nonnegative (values live in ReLU channels); use --signed to shift f by a constant", g.File, g.Min)
	}
	if r.Quad == 0 {
		r.Quad = ErrorNodes(len(r.Box))
	}
	if r.Quad < 1 || r.Quad > 32 {
		return fmt.Errorf("--quad %d: want 1..32 nodes per axis", r.Quad)
	}
	if r.Samples == 0 {
		r.Samples = DefaultSamples
	}
	if r.Samples < 2 || r.Samples > 1<<26 {
		return fmt.Errorf("--samples %d: want 2 to %d Monte Carlo points", r.Samples, 1<<26)
	}
	if r.N > 0 {
		return r.checkNodes(r.N)
	}
	return nil
}

// checkNodes refuses an error measurement of more than MaxWork layer
// evaluations (quadrature nodes times depth).
func (r *Request) checkNodes(n int) error {
	nodes := 1.0
	for range len(r.Box) {
		nodes *= float64(n) * float64(2*r.Quad)
	}
	if work := nodes * float64(Depth(n, len(r.Box))); work > MaxWork {
		return fmt.Errorf("n=%d with --quad %d in d=%d: the error measurement would take %.3g quadrature nodes × depth %d = %.2g layer evaluations, over the limit %.0g (lower --quad or n)",
			n, r.Quad, len(r.Box), nodes, Depth(n, len(r.Box)), work, float64(MaxWork))
	}
	return nil
}

// Bar returns a progress callback for a stage of total steps and a
// function to call when the stage ends (nil callback: no progress shown).
type Bar func(what string, total int64) (func(done int64), func())

// Report is what Run measured, as `memnet approx --json` prints it.
type Report struct {
	Function string       `json:"function"`
	D        int          `json:"d"`
	M        int          `json:"m"`
	Box      [][2]float64 `json:"box"`
	N        int          `json:"n"`
	Cells    int          `json:"cells"`
	Theta    []float64    `json:"theta"`
	Delta    []float64    `json:"delta"`
	Shift    float64      `json:"shift"`

	Width         int     `json:"width"`
	Depth         int     `json:"depth"`
	DepthFormula  int64   `json:"depth_formula"` // d·n + 2n^d − 1 (specification §3)
	DepthFlatten  int     `json:"depth_flatten"`
	DepthMemorize int     `json:"depth_memorize"`
	Params        int64   `json:"params"`
	MaxWeightBits int     `json:"max_weight_bits"`
	NormL2Squared float64 `json:"norm_l2_squared"`
	NormMax       float64 `json:"norm_max"`
	Sobolev       float64 `json:"sobolev_norm,omitempty"` // ‖f‖_{W^{1,p}} (estimate; absent for f ∉ W^{1,p})
	SummaryForm   float64 `json:"summary_form,omitempty"` // ‖f‖^d_{W^{1,p}} ε^{−d}, ε = Eps or the measured L^p error
	P             float64 `json:"p"`
	Eps           float64 `json:"eps,omitempty"`
	FnChoiceError float64 `json:"fn_error_at_choice,omitempty"`

	// L1Error, L2Error, LpError: ‖f − Φ‖_p by Monte Carlo on independent
	// uniform points (MC holds the 95% intervals); L1Quadrature,
	// L2Quadrature: by Gauss–Legendre quadrature on the cells' core and
	// strip pieces (Errors), the nodes aligned with the construction's cells.
	L1Error      float64   `json:"l1_error"`
	L2Error      float64   `json:"l2_error"`
	LpError      float64   `json:"lp_error"`
	L1ErrorCI    []float64 `json:"l1_error_ci95"`
	L2ErrorCI    []float64 `json:"l2_error_ci95"`
	MC           *MCError  `json:"monte_carlo"`
	L1Quadrature float64   `json:"l1_error_cell_quadrature"`
	L2Quadrature float64   `json:"l2_error_cell_quadrature"`
	L1FN         float64   `json:"l1_f_minus_fn"`
	L2FN         float64   `json:"l2_f_minus_fn"`
	L1Strip      float64   `json:"l1_strip"`
	L2Strip      float64   `json:"l2_strip"`
	L1StripBound float64   `json:"l1_strip_bound"`
	L2StripBound float64   `json:"l2_strip_bound"`
	Errors       *Errors   `json:"errors"`
	Quadrature   string    `json:"quadrature"`

	Cores *CoreCheck `json:"core_check,omitempty"`

	BuildSeconds   float64 `json:"build_seconds"`
	MeasureSeconds float64 `json:"measure_seconds"`
	CheckSeconds   float64 `json:"check_seconds"`
}

// Run validates r, chooses n (and θ) from Eps when asked, builds the
// network, measures its L^1, L^2 (and L^p) errors and checks Φ = c_j
// exactly on the cores. bar, when not nil, is asked for a progress
// callback (and its finish function) for each long stage.
func Run(ctx context.Context, r *Request, bar Bar) (*Report, *Approx, error) {
	if err := r.Validate(); err != nil {
		return nil, nil, err
	}
	if bar == nil {
		bar = func(string, int64) (func(int64), func()) { return nil, func() {} }
	}
	f := r.Target
	d := len(r.Box)
	n := r.N
	theta := r.Theta
	rep := &Report{Function: f.Name(), D: d, M: f.Outputs(), P: r.P, Eps: r.Eps}
	t0 := time.Now()
	if n == 0 {
		var err error
		n, rep.FnChoiceError, err = ChooseN(ctx, f, r.Box, r.Eps, r.P, 0, r.MaxDepth)
		if err != nil {
			return nil, nil, err
		}
		if err := r.checkNodes(n); err != nil {
			return nil, nil, err
		}
	}
	if theta == 0 {
		theta = math.Ldexp(1, -12)
	}
	a, err := Build(ctx, f, Config{N: n, Theta: theta, Box: r.Box, Signed: r.Signed}, nil)
	if err != nil {
		return nil, nil, err
	}
	if r.Eps > 0 && r.Theta == 0 {
		// θ so that the strip bound is at most ε/2 (θ changes no layer count).
		qmax, b := a.PhiBound()
		th := ThetaFor(r.Eps, r.P, qmax, b, a.M, d, r.Box.Volume())
		if th < theta {
			if a, err = Build(ctx, f, Config{N: n, Theta: th, Box: r.Box, Signed: r.Signed}, nil); err != nil {
				return nil, nil, err
			}
		}
	}
	rep.BuildSeconds = time.Since(t0).Seconds()
	g := a.Geom
	rep.N, rep.Cells, rep.Theta, rep.Delta, rep.Shift = n, g.Cells(), g.Theta(), g.Delta, a.Shift
	for _, iv := range r.Box {
		rep.Box = append(rep.Box, [2]float64{iv.Lo, iv.Hi})
	}
	st := a.Net.Stats()
	rep.Width, rep.Depth, rep.Params, rep.MaxWeightBits = st.Width, st.Depth, st.Params, st.MaxWeightBits
	rep.NormL2Squared, rep.NormMax = st.NormL2Squared, st.NormMax
	rep.DepthFormula, rep.DepthFlatten, rep.DepthMemorize = Depth(n, d), a.Flat, st.Depth-a.Flat
	t1 := time.Now()
	ps := []float64{1, 2}
	if r.P != 1 && r.P != 2 {
		ps = append(ps, r.P)
	}
	tick, done := bar("measuring the error", int64(g.Cells()))
	e, err := Measure(ctx, a, f, r.Quad, ps, tick)
	done()
	if err != nil {
		return nil, nil, err
	}
	tick, done = bar("Monte Carlo error", int64(r.Samples))
	mc, err := MonteCarlo(ctx, a, f, r.Box, r.Samples, r.Seed, ps, tick)
	done()
	if err != nil {
		return nil, nil, err
	}
	rep.MeasureSeconds = time.Since(t1).Seconds()
	rep.Errors, rep.MC = e, mc
	rep.L1Quadrature, rep.L2Quadrature = e.Total[0], e.Total[1]
	rep.L1Error, rep.L2Error = mc.Estimate[0], mc.Estimate[1]
	rep.L1ErrorCI, rep.L2ErrorCI = []float64{mc.Lo[0], mc.Hi[0]}, []float64{mc.Lo[1], mc.Hi[1]}
	rep.L1FN, rep.L2FN, rep.L1Strip, rep.L2Strip = e.FN[0], e.FN[1], e.Strip[0], e.Strip[1]
	rep.L1StripBound, rep.L2StripBound = e.StripBound[0], e.StripBound[1]
	rep.LpError = mc.Estimate[len(ps)-1]
	if r.P == 1 {
		rep.LpError = mc.Estimate[0]
	}
	rep.Quadrature = fmt.Sprintf("Gauss–Legendre, %d nodes per axis on each of the 2^%d core/strip pieces of every cell: %d nodes (%d per cell); Φ evaluated in float64", r.Quad, d, e.Nodes, e.Nodes/int64(g.Cells()))
	if s := SobolevNorm(ctx, f, r.Box, r.P, 0); !math.IsNaN(s) {
		rep.Sobolev = s
		eps := r.Eps
		if eps == 0 {
			eps = rep.LpError
		}
		if eps > 0 {
			rep.SummaryForm = math.Pow(s/eps, float64(d))
		}
	}
	if !r.NoCheck {
		t2 := time.Now()
		tick, done := bar("exact check on the cores", int64(g.Cells()))
		cc, err := CheckCores(a, tick)
		done()
		if err != nil {
			return nil, nil, err
		}
		rep.Cores = cc
		rep.CheckSeconds = time.Since(t2).Seconds()
	}
	return rep, a, nil
}

// ScalePoint is one ε of a depth-against-ε sweep.
type ScalePoint struct {
	Eps   float64 `json:"eps"`
	N     int     `json:"n"`
	Depth int64   `json:"depth"` // measured: the hidden layers of the built network
	// DepthFormula is d·n + 2n^d − 1 (specification §3), for comparison.
	DepthFormula int64   `json:"depth_formula"`
	Width        int     `json:"width"`
	Params       int64   `json:"params"`
	FnErr        float64 `json:"fn_error"`
}

// EpsRange returns count values of ε, geometrically spaced between
// 2‖f − f_{nLo}‖_p and 2‖f − f_{nHi}‖_p, so that ChooseN lands on n from
// about nLo to nHi.
func EpsRange(ctx context.Context, f Target, box Box, p float64, nLo, nHi, count int) ([]float64, error) {
	hi, err := FnError(ctx, f, box, nLo, p, 0)
	if err != nil {
		return nil, err
	}
	lo, err := FnError(ctx, f, box, nHi, p, 0)
	if err != nil {
		return nil, err
	}
	eps := make([]float64, count)
	for i := range eps {
		t := float64(i) / float64(max(1, count-1))
		eps[i] = 2 * math.Exp(math.Log(hi)*(1-t)+math.Log(lo)*t)
	}
	return eps, nil
}

// Scaling returns, for each ε, the n that ChooseN picks, builds the network
// approx --eps would build for it (θ = 2^-12: θ changes no layer) and
// records its measured depth, width and parameters beside the formula
// d·n + 2n^d − 1. progress, when not nil, is called with the number of ε
// done.
func Scaling(ctx context.Context, f Target, box Box, p float64, eps []float64, maxDepth int64, progress func(done int64)) ([]ScalePoint, error) {
	var pts []ScalePoint
	for i, e := range eps {
		n, fe, err := ChooseN(ctx, f, box, e, p, 0, maxDepth)
		if err != nil {
			return pts, err
		}
		a, err := Build(ctx, f, Config{N: n, Theta: math.Ldexp(1, -12), Box: box, Signed: true}, nil)
		if err != nil {
			return pts, err
		}
		st := a.Net.Stats()
		pts = append(pts, ScalePoint{Eps: e, N: n, Depth: int64(st.Depth), DepthFormula: Depth(n, len(box)), Width: st.Width, Params: st.Params, FnErr: fe})
		if progress != nil {
			progress(int64(i + 1))
		}
	}
	return pts, nil
}
