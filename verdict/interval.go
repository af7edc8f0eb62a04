package verdict

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"
	"time"

	"github.com/memnet/memnet/nn"

	"github.com/memnet/memnet/internal/par"
)

// This file is the interval verifier of the sigmoid form (spec §8: "sigmoid
// only with interval arithmetic"). It evaluates the stored network on every
// point with closed intervals [lo, hi] of big.Float numbers at a fixed
// precision P, every operation rounded outward (lower ends toward −∞, upper
// ends toward +∞), so the true real-valued output of the network lies in the
// final interval. The logistic σ is bounded without floating-point exp:
//
//   - |s| < 2^-8: σ(s) = ½ + tanh(s/2)/2 and, for 0 ≤ u ≤ √3,
//     u − u³/3 ≤ tanh u ≤ u − u³/3 + 2u⁵/15 (integrate tanh' = 1 − tanh²
//     with tanh u ≤ u, then with tanh u ≥ u − u³/3); odd in u. The
//     enclosure is 2u⁵/15 wide: for an identity unit (2/κ)tanh(κt/2) that is
//     κ⁴t⁵/120, a factor κ²t²/10 below the approximation error κ²t³/12 the
//     construction budgets for, and far cheaper than a series for exp;
//   - |s| ≥ 64: 1 − e^{−s} ≤ σ(s) ≤ 1 for s > 0 and e^{−s} ≤ 2^{−⌊1.4426 s⌋}
//     (1.4426 < log2 e); symmetric for s < 0;
//   - otherwise: e^{|s|} enclosed by a Taylor series of e^{|s|/256} (every
//     term positive: partial sums are lower bounds, the tail is at most twice
//     the next term) squared 8 times with directed rounding; then
//     σ(|s|) = E/(1+E).
//
// STEP, ReLU and identity units are evaluated by their monotone definitions
// (an undecided STEP gives [0,1]). Every weight must be dyadic (exact in
// big.Float). Cost: Θ(N · units · P/64) word operations.

// SigmoidReport is the verdict of VerifyInterval.
type SigmoidReport struct {
	Points int `json:"points"`
	// Proven counts points whose whole output interval lies strictly within
	// ½ of their label.
	Proven int `json:"proven"`
	// MinMargin is min over points of ½ − max|output − label| (positive when
	// every point is proven).
	MinMargin float64 `json:"min_margin"`
	// MaxError is max over points of max|output − target| (regression) or
	// |output − label| (classification), an upper bound from the intervals,
	// rounded up to a float64.
	MaxError float64 `json:"max_error"`
	// MaxRegError is, with targets, the exact largest max(target − lo,
	// hi − target) over the points' output intervals [lo, hi]: an upper
	// bound of the largest |f(x) − target| to compare with eps exactly.
	MaxRegError *big.Rat `json:"-"`
	// MaxWidth is the widest output interval.
	MaxWidth float64 `json:"max_width"`
	Prec     int     `json:"precision_bits"`
	Wrong    []int   `json:"wrong,omitempty"`
	Seconds  float64 `json:"seconds"`
}

type ival struct{ lo, hi big.Float }

type iterm struct {
	in int
	w  *big.Float // exact
}

type ineuron struct {
	act   nn.Activation
	terms []iterm
	bias  *big.Float // exact (nil: 0)
}

type iprog struct {
	layers          [][]ineuron // hidden layers then the read-out
	prec            int         // working precision of the current pass
	maxMant, maxExp int
}

func exactFloat(r *big.Rat) (*big.Float, error) {
	m, e := dyParts(r)
	if m == nil {
		return nil, errors.New("interval verifier: the network needs dyadic weights")
	}
	f := new(big.Float).SetPrec(uint(max(64, m.BitLen()))).SetInt(m)
	f.SetMantExp(f, -e)
	return f, nil
}

// compileInterval reads the network's weights as exact big.Floats.
func compileInterval(net *nn.Network) (*iprog, error) {
	if err := net.Check(); err != nil {
		return nil, err
	}
	ip := &iprog{}
	maxMant, maxExp := 0, 0
	for _, l := range net.Layers() {
		ns := make([]ineuron, l.Out())
		for j := range l.W {
			n := ineuron{act: l.Act[j]}
			if l == &net.Readout {
				n.act = nn.Identity
			}
			for i, w := range l.W[j] {
				if w.Sign() == 0 {
					continue
				}
				f, err := exactFloat(w)
				if err != nil {
					return nil, err
				}
				n.terms = append(n.terms, iterm{in: i, w: f})
				maxMant = max(maxMant, int(f.MinPrec()))
				maxExp = max(maxExp, abs(f.MantExp(nil)))
			}
			if l.B[j].Sign() != 0 {
				f, err := exactFloat(l.B[j])
				if err != nil {
					return nil, err
				}
				n.bias = f
				maxMant = max(maxMant, int(f.MinPrec()))
				maxExp = max(maxExp, abs(f.MantExp(nil)))
			}
			ns[j] = n
		}
		ip.layers = append(ip.layers, ns)
	}
	ip.maxMant, ip.maxExp = maxMant, maxExp
	return ip, nil
}

func abs(a int) int {
	if a < 0 {
		return -a
	}
	return a
}

// ieval holds one worker's scratch space.
type ieval struct {
	p          *iprog
	cur, nxt   []ival
	t, u, v, w big.Float
	half, one  big.Float
}

func newIEval(p *iprog, width int) *ieval {
	e := &ieval{p: p, cur: make([]ival, width), nxt: make([]ival, width)}
	for i := range e.cur {
		e.cur[i].lo.SetPrec(uint(p.prec))
		e.cur[i].hi.SetPrec(uint(p.prec))
		e.nxt[i].lo.SetPrec(uint(p.prec))
		e.nxt[i].hi.SetPrec(uint(p.prec))
	}
	e.half.SetFloat64(0.5)
	e.one.SetFloat64(1)
	return e
}

func (e *ieval) set(z *big.Float, mode big.RoundingMode) *big.Float {
	return z.SetPrec(uint(e.p.prec)).SetMode(mode)
}

// eval computes the output interval for the input x.
func (e *ieval) eval(x []float64) (lo, hi *big.Float) {
	for i, v := range x {
		e.cur[i].lo.SetPrec(53).SetFloat64(v)
		e.cur[i].hi.SetPrec(53).SetFloat64(v)
	}
	for _, layer := range e.p.layers {
		for j := range layer {
			n := &layer[j]
			z := &e.nxt[j]
			e.set(&z.lo, big.ToNegativeInf).SetInt64(0)
			e.set(&z.hi, big.ToPositiveInf).SetInt64(0)
			if n.bias != nil {
				z.lo.Add(&z.lo, n.bias)
				z.hi.Add(&z.hi, n.bias)
			}
			for _, t := range n.terms {
				h := &e.cur[t.in]
				a, b := &h.lo, &h.hi
				if t.w.Sign() < 0 {
					a, b = b, a
				}
				e.set(&e.t, big.ToNegativeInf).Mul(t.w, a)
				z.lo.Add(&z.lo, &e.t)
				e.set(&e.t, big.ToPositiveInf).Mul(t.w, b)
				z.hi.Add(&z.hi, &e.t)
			}
			switch n.act {
			case nn.ReLU:
				if z.lo.Sign() < 0 {
					z.lo.SetInt64(0)
				}
				if z.hi.Sign() < 0 {
					z.hi.SetInt64(0)
				}
			case nn.Step:
				switch {
				case z.lo.Sign() >= 0:
					z.lo.SetInt64(1)
					z.hi.SetInt64(1)
				case z.hi.Sign() < 0:
					z.lo.SetInt64(0)
					z.hi.SetInt64(0)
				default:
					z.lo.SetInt64(0)
					z.hi.SetInt64(1)
				}
			case nn.Sigmoid:
				e.sigma(&z.lo, big.ToNegativeInf)
				e.sigma(&z.hi, big.ToPositiveInf)
			}
		}
		e.cur, e.nxt = e.nxt, e.cur
	}
	return &e.cur[0].lo, &e.cur[0].hi
}

// sigma replaces s by a lower (mode ToNegativeInf) or upper (ToPositiveInf)
// bound of σ(s), at the evaluator's precision.
func (e *ieval) sigma(s *big.Float, mode big.RoundingMode) {
	P := e.p.prec
	sg := s.Sign()
	if sg == 0 {
		s.Set(&e.half)
		return
	}
	ex := s.MantExp(nil) // |s| ∈ [2^(ex−1), 2^ex)
	up := mode == big.ToPositiveInf
	switch {
	case ex <= -8: // |s| < 2^-8
		// u = |s|/2; tanh u ∈ [u − u³/3, u − u³/3 + 2u⁵/15]
		neg := sg < 0
		// bound wanted for tanh(|u|): upper when (up xor neg)
		wantUp := up != neg
		u := e.u.SetPrec(uint(P + 8)).SetMode(big.ToZero).Abs(s)
		u.SetMantExp(u, -1)
		tp := uint(max(64, P+3*(ex-1)+16))
		c := e.v.SetPrec(tp)
		// u³/3 rounded toward making the bound safe
		if wantUp {
			c.SetMode(big.ToNegativeInf)
		} else {
			c.SetMode(big.ToPositiveInf)
		}
		c.Mul(u, u)
		c.Mul(c, u)
		c.Quo(c, big.NewFloat(3))
		r := e.t.SetPrec(uint(P + 8))
		if wantUp {
			r.SetMode(big.ToPositiveInf)
		} else {
			r.SetMode(big.ToNegativeInf)
		}
		r.Sub(u, c)
		if wantUp {
			q := e.w.SetPrec(uint(max(64, P+5*(ex-1)+16))).SetMode(big.ToPositiveInf)
			q.Mul(u, u)
			q.Mul(q, q)
			q.Mul(q, u)
			q.Mul(q, big.NewFloat(2))
			q.Quo(q, big.NewFloat(15))
			r.Add(r, q)
		}
		// σ = ½ ± r/2
		r.SetMantExp(r, -1)
		s.SetPrec(uint(P)).SetMode(mode)
		if neg {
			s.Sub(&e.half, r)
		} else {
			s.Add(&e.half, r)
		}
	case ex >= 7: // |s| ≥ 64
		a := new(big.Float).Abs(s)
		af, _ := a.Float64()
		k := P + 64
		if af < float64(P+64) {
			k = min(k, int(math.Floor(af*(1-1e-12)*1.4426)))
		}
		tail := new(big.Float).SetMantExp(big.NewFloat(1), -k) // 2^-k
		s.SetPrec(uint(P)).SetMode(mode)
		switch {
		case sg > 0 && up:
			s.SetInt64(1)
		case sg > 0:
			s.Sub(&e.one, tail)
		case up:
			s.Set(tail)
		default:
			s.SetInt64(0)
		}
	default:
		a := new(big.Float).Abs(s)
		EL, EU := expBounds(a, P+32)
		// σ(|s|) ∈ [EL/(EL+1), EU/(EU+1)]
		var lo, hi big.Float
		if sg > 0 && !up || sg < 0 && up {
			d := new(big.Float).SetPrec(uint(P+32)).SetMode(big.ToPositiveInf).Add(EL, &e.one)
			lo.SetPrec(uint(P+32)).SetMode(big.ToNegativeInf).Quo(EL, d)
		} else {
			d := new(big.Float).SetPrec(uint(P+32)).SetMode(big.ToNegativeInf).Add(EU, &e.one)
			hi.SetPrec(uint(P+32)).SetMode(big.ToPositiveInf).Quo(EU, d)
		}
		s.SetPrec(uint(P)).SetMode(mode)
		switch {
		case sg > 0 && !up:
			s.Set(&lo)
		case sg > 0:
			s.Set(&hi)
		case up: // σ(s) = 1 − σ(|s|) ≤ 1 − lo
			s.Sub(&e.one, &lo)
		default:
			s.Sub(&e.one, &hi)
		}
	}
}

// expBounds returns EL ≤ e^a ≤ EU for 0 < a < 128 at precision prec.
func expBounds(a *big.Float, prec int) (EL, EU *big.Float) {
	const m = 8
	q := uint(prec + 2*m + 16)
	y := new(big.Float).SetPrec(q).Set(a)
	y.SetMantExp(y, -m) // y ≤ 1/2
	EL = new(big.Float).SetPrec(q).SetMode(big.ToNegativeInf).SetInt64(1)
	EU = new(big.Float).SetPrec(q).SetMode(big.ToPositiveInf).SetInt64(1)
	tl := new(big.Float).SetPrec(q).SetMode(big.ToNegativeInf).SetInt64(1)
	tu := new(big.Float).SetPrec(q).SetMode(big.ToPositiveInf).SetInt64(1)
	eps := new(big.Float).SetMantExp(big.NewFloat(1), -int(q)-8)
	for k := int64(1); ; k++ {
		kf := new(big.Float).SetInt64(k)
		tl.Mul(tl, y)
		tl.Quo(tl, kf)
		tu.Mul(tu, y)
		tu.Quo(tu, kf)
		EL.Add(EL, tl)
		EU.Add(EU, tu)
		if tu.Cmp(eps) < 0 {
			// tail Σ_{j>k} y^j/j! ≤ t_k·y/(k+1)·1/(1−y) ≤ t_k (y ≤ 1/2)
			EU.Add(EU, tu)
			break
		}
	}
	for range m {
		EL.Mul(EL, EL)
		EU.Mul(EU, EU)
	}
	return EL, EU
}

// VerifyInterval proves, point by point, that the single output of net lies
// strictly within ½ of ys[i] (so it rounds to the label) using outward-
// rounded interval arithmetic. With prec > 0 it works at prec bits;
// with prec = 0 it first uses P = 64 + max |binary exponent| of the weights
// and re-checks the points it could not prove at 96 + max mantissa bits +
// max exponent, then at twice that (every pass is sound; more bits only
// narrow the intervals). With targets != nil it also reports the largest
// |output − target| bound (regression).
func VerifyInterval(ctx context.Context, net *nn.Network, xs [][]float64, ys []int, targets []float64, prec int) (*SigmoidReport, error) {
	if len(xs) != len(ys) {
		return nil, errors.New("verify: points and labels differ in number")
	}
	if net.OutputDim() != 1 {
		return nil, errors.New("interval verifier: the network must have one output")
	}
	t0 := time.Now()
	ip, err := compileInterval(net)
	if err != nil {
		return nil, err
	}
	width := net.InputDim
	for _, l := range net.Layers() {
		width = max(width, l.Out())
	}
	precs := []int{prec}
	if prec <= 0 {
		p2 := 96 + ip.maxMant + ip.maxExp
		precs = []int{64 + ip.maxExp, p2, 2 * p2}
	}
	rep := &SigmoidReport{Points: len(xs), MinMargin: math.Inf(1)}
	todo := make([]int, len(xs))
	for i := range todo {
		todo[i] = i
	}
	type res struct {
		ok                           bool
		margin, errMax, regErr, wide float64
		reg                          *big.Rat // exact max(target − lo, hi − target)
	}
	out := make([]res, len(xs))
	for pass, P := range precs {
		ip.prec = P
		rep.Prec = P
		const chunk = 32
		err = par.Do(ctx, (len(todo)+chunk-1)/chunk, 1, func() *ieval { return newIEval(ip, width) }, func(c, _ int, ev *ieval) error {
			var lab, d, t big.Float
			for _, i := range todo[c*chunk : min(len(todo), (c+1)*chunk)] {
				lo, hi := ev.eval(xs[i])
				if lo.IsInf() || hi.IsInf() {
					return fmt.Errorf("verify: infinite interval at point %d", i)
				}
				// the bounds below are rounded up (toward +∞ at 53 bits),
				// never to nearest: a reported error is never below the
				// true one
				lab.SetPrec(64).SetInt64(int64(ys[i]))
				d.SetPrec(53).SetMode(big.ToPositiveInf).Sub(&lab, lo)
				e1, _ := d.Float64()
				d.Sub(hi, &lab)
				e2, _ := d.Float64()
				r := res{errMax: math.Max(e1, e2)}
				d.Sub(hi, lo)
				r.wide, _ = d.Float64()
				if targets != nil {
					// exact: the interval ends and the target are dyadic
					tr := new(big.Rat).SetFloat64(targets[i])
					lr, _ := lo.Rat(nil)
					hr, _ := hi.Rat(nil)
					r.reg = lr.Sub(tr, lr)
					if hr.Sub(hr, tr); hr.Cmp(r.reg) > 0 {
						r.reg = hr
					}
					r.regErr = ratUp(r.reg)
				}
				r.margin = 0.5 - r.errMax
				// decide exactly: label − ½ < lo and hi < label + ½
				t.SetPrec(uint(P + 64)).SetInt64(int64(ys[i]))
				t.Sub(&t, big.NewFloat(0.5))
				r.ok = lo.Cmp(&t) > 0
				t.Add(&t, big.NewFloat(1))
				r.ok = r.ok && hi.Cmp(&t) < 0
				out[i] = r
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		var left []int
		for _, i := range todo {
			if !out[i].ok {
				left = append(left, i)
			}
		}
		todo = left
		if len(todo) == 0 || pass == len(precs)-1 {
			break
		}
	}
	for i, r := range out {
		if r.ok {
			rep.Proven++
		} else if len(rep.Wrong) < 20 {
			rep.Wrong = append(rep.Wrong, i)
		}
		rep.MinMargin = math.Min(rep.MinMargin, r.margin)
		if targets != nil {
			rep.MaxError = math.Max(rep.MaxError, r.regErr)
			if rep.MaxRegError == nil || r.reg.Cmp(rep.MaxRegError) > 0 {
				rep.MaxRegError = r.reg
			}
		} else {
			rep.MaxError = math.Max(rep.MaxError, r.errMax)
		}
		rep.MaxWidth = math.Max(rep.MaxWidth, r.wide)
	}
	rep.Seconds = time.Since(t0).Seconds()
	return rep, nil
}

// ratUp is r rounded up to a float64 (toward +∞).
func ratUp(r *big.Rat) float64 {
	f, _ := new(big.Float).SetPrec(53).SetMode(big.ToPositiveInf).SetRat(r).Float64()
	return f
}

// dyParts is nn.DyadicParts with a nil mantissa for non-dyadic r.
func dyParts(r *big.Rat) (*big.Int, int) {
	m, e, ok := nn.DyadicParts(r)
	if !ok {
		return nil, 0
	}
	return m, e
}
