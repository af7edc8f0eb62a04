// Package experiment runs the papers' training experiments on memnet's
// training engine (package train): Hernández–Zuazua's regularized training
// as λ → 0 (HZ §4 of shared/papers/hz-width2.md) and Park et al.'s
// depth–width trade-off (§6, Appendix A), scaled to a 2-core CPU.
package experiment

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/big"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"

	"github.com/memnet/memnet/construct"
	_ "github.com/memnet/memnet/construct/hz" // the θ* construction
	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
	"github.com/memnet/memnet/plot"
	"github.com/memnet/memnet/train"
)

// HZOptions are the settings of the λ → 0 experiment.
type HZOptions struct {
	// Data to memorize; nil: two spirals with N points (d = 2, q ∈ {0,1}).
	Data *data.Dataset
	N    int
	// Lambdas are the regularization weights, largest first (default
	// 10⁻², …, 10⁻⁸).
	Lambdas []float64
	// Steps of full-batch Adam with learning rate LR per run, then LBFGS
	// iterations of L-BFGS (0: none).
	Steps int
	LR    float64
	LBFGS int
	// Random He initializations per λ, and the relative noise of the
	// θ* + noise start: θ_i(1 + Noise·ξ_i), ξ_i ~ N(0,1).
	Random int
	Noise  float64
	Seed   uint64
	// Progress, when not nil, is called after each run with runs done and total.
	Progress func(done, total int)
}

// HZRow is one trained network.
type HZRow struct {
	Lambda float64 `json:"lambda"`
	// Start is theta*, theta*+noise, he-K (K-th random He initialization) or
	// continuation (warm start from the previous λ's continuation result,
	// the first from θ*).
	Start string  `json:"start"`
	Loss  float64 `json:"loss"`  // E(θ_λ) = (1/N) Σ (f(x_i) − q_i)²
	Norm2 float64 `json:"norm2"` // ‖θ_λ‖²
	J     float64 `json:"objective"`
	// Bound is λ‖θ*‖², the theorem's bound on E(θ_λ).
	Bound float64 `json:"bound"`
	// LossHeld: E ≤ λ‖θ*‖²; NormHeld: ‖θ_λ‖² ≤ ‖θ*‖² (both up to a relative
	// 10⁻¹² for float rounding of θ*).
	LossHeld bool    `json:"loss_bound_held"`
	NormHeld bool    `json:"norm_bound_held"`
	MaxErr   float64 `json:"max_error"`
	// FloatCorrect counts points whose float64 output rounds to the label.
	FloatCorrect int `json:"float_correct"`
	// Exact: the saved network memorizes every point, by nn's exact verifier.
	Exact        bool `json:"exact"`
	ExactCorrect int  `json:"exact_correct"`
	// Collapsed: some hidden layer is zero on every point (dead path): the
	// network is constant on the data.
	Collapsed bool `json:"collapsed"`
	// PatternSame: every ReLU is on/off on every point as in θ*.
	PatternSame bool `json:"pattern_same"`
	// Step is ‖θ_λ − θ_λ'‖₂ to the same start's network at the previous
	// (larger) λ' (NaN at the first λ): for continuation, the distance
	// between successive iterates of the chain.
	Step float64 `json:"step_distance"`
	// EMono, NormMono, JMono: against the same start at the previous λ,
	// E did not rise, ‖θ‖² did not fall, J did not rise, as for global
	// minimizers as λ falls (true at the first λ; relative tolerance
	// 10⁻¹²).
	// JBest is J over the least J of any run at the same λ (1: this run is
	// the best minimizer found; above 1: not a global minimizer).
	JBest    float64 `json:"j_over_best"`
	EMono    bool    `json:"e_nonincreasing"`
	NormMono bool    `json:"norm_nondecreasing"`
	JMono    bool    `json:"j_nonincreasing"`
	theta    []float64
}

// HZResult is the whole experiment.
type HZResult struct {
	Dataset    string  `json:"dataset"`
	N          int     `json:"n"`
	Depth      int     `json:"depth"`
	Params     int     `json:"params"`
	ThetaStar2 float64 `json:"theta_star_norm2"`
	// ThetaStarExact: θ* (exact rationals) memorizes every point.
	ThetaStarExact bool    `json:"theta_star_exact"`
	Rows           []HZRow `json:"rows"`
}

func (o *HZOptions) defaults() {
	if o.N == 0 {
		o.N = 8
	}
	if len(o.Lambdas) == 0 {
		o.Lambdas = []float64{1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8}
	}
	if o.Steps == 0 {
		o.Steps = 20000
	}
	if o.LR == 0 {
		o.LR = 1e-3
	}
	if o.Noise == 0 {
		o.Noise = 1e-3
	}
}

// Check validates the options (after defaults): at least two λ, strictly
// decreasing (the experiment follows λ → 0, and its plots are against λ),
// positive step counts, a sane number of random starts.
func (o HZOptions) Check() error {
	o.defaults()
	if len(o.Lambdas) < 2 {
		return fmt.Errorf("hz-lambda: %d value(s) of λ; want at least two, largest first (the experiment follows λ → 0)", len(o.Lambdas))
	}
	for i, l := range o.Lambdas {
		if !(l > 0) || math.IsInf(l, 0) {
			return fmt.Errorf("hz-lambda: λ = %g; want positive finite values", l)
		}
		if i > 0 && !(l < o.Lambdas[i-1]) {
			return fmt.Errorf("hz-lambda: λ = %g follows %g; want strictly decreasing values, largest first", l, o.Lambdas[i-1])
		}
	}
	if o.Steps < 1 || o.LBFGS < 0 || o.Random < 0 || o.Random > 100 || !(o.LR > 0) || !(o.Noise > 0) {
		return fmt.Errorf("hz-lambda: steps %d, lbfgs %d, random %d, lr %g, noise %g: want steps ≥ 1, lbfgs ≥ 0, 0 ≤ random ≤ 100, lr and noise > 0", o.Steps, o.LBFGS, o.Random, o.LR, o.Noise)
	}
	if o.Data == nil && (o.N < 2 || o.N > 100000) {
		return fmt.Errorf("hz-lambda: --n %d spiral points; want 2 to 100000", o.N)
	}
	return nil
}

// HZLambda runs the experiment of hz-width2.md §4: θ* is the HZ2
// construction (width 2, depth 2N − 1, exact rational weights, no snap
// block), trained under J_λ(θ) = E(θ) + λ‖θ‖² with the squared loss from
// θ*, θ* + noise, random He initializations, and by continuation. Every run
// keeps its best iterate (full batch: J is known exactly at each step).
func HZLambda(ctx context.Context, o HZOptions) (*HZResult, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	o.defaults()
	ds := o.Data
	if ds == nil {
		ds = data.Spirals(o.N, o.Seed)
	}
	if ds.M() < 2 {
		return nil, fmt.Errorf("%s: one class only; the experiment needs two or more", ds.Name)
	}
	m, err := construct.Lookup("hz")
	if err != nil {
		return nil, err
	}
	built, err := m.Build(ctx, ds, construct.Options{Seed: int64(o.Seed), Params: map[string]string{"snap": "false", "weights": "rational"}})
	if err != nil {
		return nil, err
	}
	star, err := train.FromNetwork[float64](built.Net)
	if err != nil {
		return nil, err
	}
	rep, err := nn.ExactVerdict(context.Background(), built.Net, ds.X, ds.Y, ds.M(), nn.ExactOptions{})
	if err != nil {
		return nil, err
	}
	res := &HZResult{Dataset: ds.Name, N: ds.N(), Depth: len(built.Net.Hidden), Params: len(star.Params),
		ThetaStar2: exactNorm2(built.Net), ThetaStarExact: rep.Exact}
	starPattern := pattern(star, ds.X)

	type job struct {
		start string
		k     int // random init index
	}
	type run struct {
		li  int
		job job
	}
	var runs []run
	for li := range o.Lambdas {
		runs = append(runs, run{li, job{start: "theta*"}}, run{li, job{start: "theta*+noise"}})
		for k := range o.Random {
			runs = append(runs, run{li, job{start: fmt.Sprintf("he-%d", k+1), k: k + 1}})
		}
	}
	total := len(runs) + len(o.Lambdas)
	var mu sync.Mutex
	done := 0
	tick := func() {
		mu.Lock()
		done++
		if o.Progress != nil {
			o.Progress(done, total)
		}
		mu.Unlock()
	}
	rows := make([]HZRow, len(runs))
	chainRows := make([]HZRow, len(o.Lambdas))
	var firstErr error
	var once sync.Once
	fail := func(err error) { once.Do(func() { firstErr = err }) }
	trainOne := func(net *train.Net[float64], lambda float64, start string) HZRow {
		cfg := train.Config{Optimizer: train.Adam, Loss: train.Squared, Epochs: o.Steps, LR: o.LR, Lambda: lambda, KeepBest: true}
		if _, err := train.Train(ctx, net, ds.X, ds.Y, cfg); err != nil {
			fail(err)
			return HZRow{}
		}
		if o.LBFGS > 0 {
			cfg.Optimizer, cfg.Epochs = train.LBFGS, o.LBFGS
			if _, err := train.Train(ctx, net, ds.X, ds.Y, cfg); err != nil {
				fail(err)
				return HZRow{}
			}
		}
		row, err := measure(net, ds, lambda, res.ThetaStar2, starPattern)
		if err != nil {
			fail(err)
		}
		row.Start = start
		return row
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // the continuation chain, sequential in λ
		defer wg.Done()
		net := star.Clone()
		for li, l := range o.Lambdas {
			chainRows[li] = trainOne(net, l, "continuation")
			tick()
		}
	}()
	sem := make(chan struct{}, 1) // one more run beside the chain: two cores
	for i, r := range runs {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			var net *train.Net[float64]
			switch {
			case r.job.start == "theta*":
				net = star.Clone()
			case r.job.start == "theta*+noise":
				net = star.Clone()
				rng := rand.New(rand.NewPCG(o.Seed, uint64(1000+r.li)))
				for p := range net.Params {
					net.Params[p] *= 1 + o.Noise*rng.NormFloat64()
				}
				net.DropOriginal()
			default:
				hidden := make([]int, res.Depth)
				for k := range hidden {
					hidden[k] = 2
				}
				var err error
				net, err = train.New[float64](train.Arch{In: ds.D(), Out: 1, Hidden: hidden}, rand.New(rand.NewPCG(o.Seed+uint64(r.job.k), uint64(r.li))))
				if err != nil {
					fail(err)
					return
				}
			}
			rows[i] = trainOne(net, o.Lambdas[r.li], r.job.start)
			rows[i].Lambda = o.Lambdas[r.li]
			tick()
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	for li := range o.Lambdas {
		chainRows[li].Lambda = o.Lambdas[li]
	}
	res.Rows = append(rows, chainRows...)
	order := map[string]int{"theta*": 0, "theta*+noise": 1, "continuation": 3}
	sort.SliceStable(res.Rows, func(a, b int) bool {
		ra, rb := res.Rows[a], res.Rows[b]
		if ra.Lambda != rb.Lambda {
			return ra.Lambda > rb.Lambda
		}
		oa, ok := order[ra.Start]
		if !ok {
			oa = 2
		}
		ob, ok := order[rb.Start]
		if !ok {
			ob = 2
		}
		return oa < ob
	})
	res.series()
	return res, nil
}

// series fills in, for each start, the step distance and the monotonicity
// checks against the same start's row at the previous λ (rows are sorted
// by λ, largest first).
func (r *HZResult) series() {
	best := map[float64]float64{}
	for _, x := range r.Rows {
		if b, ok := best[x.Lambda]; !ok || x.J < b {
			best[x.Lambda] = x.J
		}
	}
	for i := range r.Rows {
		r.Rows[i].JBest = r.Rows[i].J / best[r.Rows[i].Lambda]
	}
	prev := map[string]int{}
	const tol = 1e-12
	for i := range r.Rows {
		x := &r.Rows[i]
		x.Step, x.EMono, x.NormMono, x.JMono = math.NaN(), true, true, true
		if k, ok := prev[x.Start]; ok {
			p := r.Rows[k]
			d := 0.0
			for j, v := range x.theta {
				d += (v - p.theta[j]) * (v - p.theta[j])
			}
			x.Step = math.Sqrt(d)
			x.EMono = x.Loss <= p.Loss*(1+tol)
			x.NormMono = x.Norm2 >= p.Norm2*(1-tol)
			x.JMono = x.J <= p.J*(1+tol)
		}
		prev[x.Start] = i
	}
}

// NearInterpolant is the E below which a memorizing network counts as a
// near-interpolant in the limit comparison (no float network interpolates
// exactly).
const NearInterpolant = 1e-6

// HZLimit compares the continuation's last network (the smallest λ) with θ*
// and with the other networks of the runs. For global minimizers,
// ‖θ_λ‖ ≤ ‖θ†‖ for every interpolant θ† (J_λ(θ_λ) ≤ J_λ(θ†) = λ‖θ†‖²), so a
// network that fits at least as well as the limit (E ≤ E(limit)) with a
// smaller norm shows the limit is not a minimum-norm interpolant.
type HZLimit struct {
	Lambda float64 `json:"lambda"`
	Norm2  float64 `json:"norm2"`
	Loss   float64 `json:"loss"`
	Exact  bool    `json:"exact"`
	// Near are the other runs' memorizing networks with E ≤ NearInterpolant.
	Near []HZRow `json:"-"`
	// Better are the other networks with E ≤ E(limit) and a smaller norm.
	Better []HZRow `json:"-"`
}

// Limit is the comparison (ok false: no continuation row).
func (r *HZResult) Limit() (HZLimit, bool) {
	var l HZLimit
	found := false
	for _, x := range r.Rows {
		if x.Start == "continuation" && (!found || x.Lambda < l.Lambda) {
			l.Lambda, l.Norm2, l.Loss, l.Exact, found = x.Lambda, x.Norm2, x.Loss, x.Exact, true
		}
	}
	if !found {
		return l, false
	}
	for _, x := range r.Rows {
		if x.Start == "continuation" && x.Lambda == l.Lambda {
			continue
		}
		if x.Exact && x.Loss <= NearInterpolant {
			l.Near = append(l.Near, x)
		}
		if x.Loss <= l.Loss && x.Norm2 < l.Norm2 {
			l.Better = append(l.Better, x)
		}
	}
	return l, true
}

// exactNorm2 is ‖θ‖² of a network's exact parameters, rounded to float64.
func exactNorm2(net *nn.Network) float64 {
	s := new(big.Rat)
	t := new(big.Rat)
	for _, l := range net.Layers() {
		for j := range l.W {
			for _, w := range l.W[j] {
				s.Add(s, t.Mul(w, w))
			}
			s.Add(s, t.Mul(l.B[j], l.B[j]))
		}
	}
	v, _ := s.Float64()
	return v
}

// pattern is the on/off state of every hidden ReLU on every point.
func pattern(net *train.Net[float64], xs [][]float64) []bool {
	acts := net.Activations(xs)
	var out []bool
	for _, a := range acts {
		for _, v := range a {
			out = append(out, v > 0)
		}
	}
	return out
}

func measure(net *train.Net[float64], ds *data.Dataset, lambda, star2 float64, starPattern []bool) (HZRow, error) {
	r := HZRow{Lambda: lambda, Norm2: net.Norm2(), Bound: lambda * star2}
	outs := net.Outputs(ds.X)
	for i, o := range outs {
		e := o[0] - float64(ds.Y[i])
		r.Loss += e * e
		r.MaxErr = math.Max(r.MaxErr, math.Abs(e))
		if nn.ClassOfFloat(o, ds.M()) == ds.Y[i] {
			r.FloatCorrect++
		}
	}
	r.Loss /= float64(len(outs))
	r.J = r.Loss + lambda*r.Norm2
	const tol = 1e-12
	r.LossHeld = r.Loss <= r.Bound*(1+tol)
	r.NormHeld = r.Norm2 <= star2*(1+tol)
	_, ex, err := train.Verify(net, ds.X, ds.Y, ds.M())
	if err != nil {
		return r, err
	}
	r.Exact, r.ExactCorrect = ex.Exact, ex.Correct
	acts := net.Activations(ds.X)
	for _, a := range acts[:len(acts)-1] {
		dead := true
		for _, v := range a {
			if v > 0 {
				dead = false
				break
			}
		}
		if dead {
			r.Collapsed = true
		}
	}
	r.theta = append([]float64(nil), net.Params...)
	p := pattern(net, ds.X)
	r.PatternSame = len(p) == len(starPattern)
	for i := range p {
		if r.PatternSame && p[i] != starPattern[i] {
			r.PatternSame = false
		}
	}
	return r, nil
}

// WriteCSV writes the rows with a header.
func (r *HZResult) WriteCSV(w io.Writer) error {
	if _, err := fmt.Fprintln(w, "lambda,start,loss,norm2,bound,exact,objective,theta_star_norm2,loss_bound_held,norm_bound_held,max_error,float_correct,exact_correct,n,collapsed,pattern_same,step_distance,e_nonincreasing,norm_nondecreasing,j_nonincreasing,j_over_best"); err != nil {
		return err
	}
	for _, x := range r.Rows {
		if _, err := fmt.Fprintf(w, "%g,%s,%.17g,%.17g,%.17g,%v,%.17g,%.17g,%v,%v,%.17g,%d,%d,%d,%v,%v,%.17g,%v,%v,%v,%.17g\n",
			x.Lambda, x.Start, x.Loss, x.Norm2, x.Bound, x.Exact, x.J, r.ThetaStar2, x.LossHeld, x.NormHeld, x.MaxErr, x.FloatCorrect, x.ExactCorrect, r.N, x.Collapsed, x.PatternSame,
			x.Step, x.EMono, x.NormMono, x.JMono, x.JBest); err != nil {
			return err
		}
	}
	return nil
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "NO"
}

// PrintTable writes the table, its legend and the verdicts.
func (r *HZResult) PrintTable(w io.Writer) error {
	fmt.Fprintf(w, "data %s: N=%d, width 2, depth %d (HZ2: 2N−1), %d parameters, ‖θ*‖² = %.6g, θ* exact: %s\n\n",
		r.Dataset, r.N, r.Depth, r.Params, r.ThetaStar2, yesNo(r.ThetaStarExact))
	if err := r.printContinuation(w); err != nil {
		return err
	}
	fmt.Fprintln(w, "every run:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "λ\tstart\tE(θ_λ)\tλ‖θ*‖²\tE≤bound\t‖θ_λ‖²\t≤‖θ*‖²\tJ/J_best\tmax err\tfloat\texact\tnote\t")
	for _, x := range r.Rows {
		note := ""
		if x.Collapsed {
			note = "collapsed (dead layer)"
		} else if x.PatternSame {
			note = "θ*'s pattern"
		}
		if !x.EMono || !x.NormMono || !x.JMono {
			note = strings.TrimPrefix(note+"; not monotone in λ", "; ")
		}
		fmt.Fprintf(tw, "%.0e\t%s\t%.3g\t%.3g\t%s\t%.4g\t%s\t%.3g\t%.2g\t%d/%d\t%s\t%s\t\n", x.Lambda, x.Start, x.Loss, x.Bound, yesNo(x.LossHeld),
			x.Norm2, yesNo(x.NormHeld), x.JBest, x.MaxErr, x.FloatCorrect, r.N, yesNo(x.Exact), note)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprint(w, `
legend: E(θ_λ) = (1/N) Σ (f(x_i) − q_i)² at the best iterate of J_λ = E + λ‖θ‖²; λ‖θ*‖² the
theorem's bound on E for a global minimizer; E≤bound and ≤‖θ*‖² whether the two inequalities of
HZ §4 hold for this run; J/J_best = J over the least J any run reached at this λ (above 1: not a
global minimizer); max err = max_i |f(x_i) − q_i|; float = points whose float64 output
rounds to the label; exact = the saved network memorizes every point by the exact verifier;
θ*'s pattern = every ReLU on/off as in θ* on every point; collapsed = a hidden layer is zero on
every point (constant predictor); not monotone in λ = against the same start at the previous λ, E or
J rose or ‖θ‖ fell. Starts: theta* (warm), theta*+noise, he-K (random He init),
continuation (from the previous λ's continuation result, the first from θ*).
`)
	// verdicts
	for _, start := range []string{"theta*", "theta*+noise", "continuation", "he"} {
		var n, lossOK, normOK, exact, coll int
		for _, x := range r.Rows {
			if x.Start == start || (start == "he" && strings.HasPrefix(x.Start, "he-")) {
				n++
				lossOK += b2i(x.LossHeld)
				normOK += b2i(x.NormHeld)
				exact += b2i(x.Exact)
				coll += b2i(x.Collapsed)
			}
		}
		if n == 0 {
			continue
		}
		name := start
		if start == "he" {
			name = "random He inits"
		}
		fmt.Fprintf(w, "%s: E ≤ λ‖θ*‖² held in %d/%d runs, ‖θ_λ‖ ≤ ‖θ*‖ in %d/%d, exact memorization in %d/%d, collapsed %d/%d\n",
			name, lossOK, n, normOK, n, exact, n, coll, n)
	}
	fmt.Fprintln(w, "(the theorem bounds global minimizers; a run that misses a bound found a worse local point, not a counterexample)")
	var fails []string
	for _, x := range r.Rows {
		var what []string
		if !x.EMono {
			what = append(what, "E rose")
		}
		if !x.NormMono {
			what = append(what, "‖θ‖ fell")
		}
		if !x.JMono {
			what = append(what, "J rose")
		}
		if len(what) > 0 {
			fails = append(fails, fmt.Sprintf("%s at λ=%.0e (%s)", x.Start, x.Lambda, strings.Join(what, ", ")))
		}
	}
	if len(fails) == 0 {
		fmt.Fprintln(w, "monotonicity as λ falls (E non-increasing, ‖θ‖ non-decreasing, J non-increasing, as for global minimizers): held for every start")
	} else {
		fmt.Fprintf(w, "monotonicity as λ falls FAILED in %d run(s), so those runs are not global minimizers: %s\n", len(fails), strings.Join(fails, "; "))
	}
	if l, ok := r.Limit(); ok {
		fmt.Fprintf(w, "limit (continuation at λ=%.0e): E = %.3g, ‖θ‖² = %.6g (memorizes: %s), against ‖θ*‖² = %.6g (the exact interpolant the runs start from)\n",
			l.Lambda, l.Loss, l.Norm2, yesNo(l.Exact), r.ThetaStar2)
		if len(l.Near) > 0 {
			lo, hi := math.Inf(1), 0.0
			var at HZRow
			for _, x := range l.Near {
				if x.Norm2 < lo {
					lo, at = x.Norm2, x
				}
				hi = math.Max(hi, x.Norm2)
			}
			fmt.Fprintf(w, "  %d other memorizing network(s) with E ≤ %g: ‖θ‖² from %.6g (%s at λ=%.0e, E = %.3g) to %.6g\n", len(l.Near), NearInterpolant, lo, at.Start, at.Lambda, at.Loss, hi)
		}
		moved := false
		for _, x := range r.Rows {
			if x.Start == "continuation" && !math.IsNaN(x.Step) && x.Step > 0 {
				moved = true
			}
		}
		if !moved {
			fmt.Fprintln(w, "  the continuation never moved between λ (every step 0: at each λ no iterate had a lower J than its start): the limit is the first λ's network, and nothing is measured about λ → 0")
		}
		interp := l.Exact && l.Loss <= NearInterpolant
		if !interp {
			fmt.Fprintf(w, "  the limit does not interpolate (E = %.3g > %g, or not memorizing): the runs reached no minimum-norm interpolant\n", l.Loss, NearInterpolant)
		}
		if len(l.Better) == 0 && interp {
			fmt.Fprintln(w, "  no network of the runs fits as well (E ≤ E(limit)) with a smaller norm: the limit is the smallest-norm interpolant found")
		} else if len(l.Better) > 0 {
			var parts []string
			for _, x := range l.Better {
				parts = append(parts, fmt.Sprintf("%s at λ=%.0e (E %.3g, ‖θ‖² %.6g)", x.Start, x.Lambda, x.Loss, x.Norm2))
			}
			fmt.Fprintf(w, "  NOT minimum-norm among the networks found: %s fit at least as well with a smaller norm\n", strings.Join(parts, "; "))
		}
	}
	return nil
}

// printContinuation prints the primary series: the continuation chain's
// E, ‖θ‖², J, the step ‖θ_λ − θ_λ'‖ and the monotonicity checks.
func (r *HZResult) printContinuation(w io.Writer) error {
	fmt.Fprintln(w, "continuation (each λ warm-started from the previous λ's minimizer; the first from θ*):")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "λ\tE(θ_λ)\t‖θ_λ‖²\tJ_λ(θ_λ)\t‖θ_λ − θ_λ'‖\tE non-incr.\t‖θ‖ non-decr.\tJ non-incr.\texact\t")
	for _, x := range r.Rows {
		if x.Start != "continuation" {
			continue
		}
		step := "-"
		if !math.IsNaN(x.Step) {
			step = fmt.Sprintf("%.3g", x.Step)
		}
		fmt.Fprintf(tw, "%.0e\t%.3g\t%.6g\t%.4g\t%s\t%s\t%s\t%s\t%s\t\n", x.Lambda, x.Loss, x.Norm2, x.J, step, yesNo(x.EMono), yesNo(x.NormMono), yesNo(x.JMono), yesNo(x.Exact))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, `(λ' the previous, larger λ; for global minimizers θ_λ, E and J cannot rise and ‖θ‖ cannot fall as λ falls
 (HZ §4's argument); "NO" marks a step where this run is not a global minimizer.)`)
	fmt.Fprintln(w)
	return nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Plots draws E(θ_λ) and ‖θ_λ‖² against λ (log–log), one line per start
// kind (random inits: their best), with the bound λ‖θ*‖² and ‖θ*‖² dashed.
func (r *HZResult) Plots(lossPath, normPath string) ([]string, error) {
	starts := []string{"theta*", "theta*+noise", "continuation", "he (best of random)"}
	lossS := make([]plot.Series, len(starts))
	normS := make([]plot.Series, len(starts))
	var lambdas []float64
	for i, s := range starts {
		lossS[i].Name, normS[i].Name = "E: "+s, "‖θ‖²: "+s
	}
	best := map[float64]HZRow{}
	for _, x := range r.Rows {
		i := -1
		for k, s := range starts[:3] {
			if x.Start == s {
				i = k
			}
		}
		if i < 0 {
			if b, ok := best[x.Lambda]; !ok || x.J < b.J {
				best[x.Lambda] = x
			}
			continue
		}
		lossS[i].X, lossS[i].Y = append(lossS[i].X, x.Lambda), append(lossS[i].Y, x.Loss)
		normS[i].X, normS[i].Y = append(normS[i].X, x.Lambda), append(normS[i].Y, x.Norm2)
		if i == 0 {
			lambdas = append(lambdas, x.Lambda)
		}
	}
	for _, l := range lambdas {
		if b, ok := best[l]; ok {
			lossS[3].X, lossS[3].Y = append(lossS[3].X, l), append(lossS[3].Y, b.Loss)
			normS[3].X, normS[3].Y = append(normS[3].X, l), append(normS[3].Y, b.Norm2)
		}
	}
	bound := plot.Series{Name: "bound λ‖θ*‖² (HZ §4)"}
	star := plot.Series{Name: "‖θ*‖² (HZ2 construction)"}
	for _, l := range lambdas {
		bound.X, bound.Y = append(bound.X, l), append(bound.Y, l*r.ThetaStar2)
		star.X, star.Y = append(star.X, l), append(star.Y, r.ThetaStar2)
	}
	title := fmt.Sprintf("HZ §4: N=%d, width 2, depth %d", r.N, r.Depth)
	notes, err := lineChart(title, "λ", "E(θ_λ)", lossS, []plot.Series{bound}, lossPath)
	if err != nil {
		return notes, err
	}
	n2, err := lineChart(title, "λ", "‖θ_λ‖²", normS, []plot.Series{star}, normPath)
	return append(notes, n2...), err
}
