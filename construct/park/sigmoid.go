package park

import (
	"fmt"
	"math"
	"math/big"

	"github.com/memnet/memnet/nn"
)

// sigmoidOutTol is the output error the sigmoid form is budgeted for (in
// label units): outputs are within 1/4 of the label, so they round to it
// with margin ≥ 1/4 (Lemma 12 asks for any ε < 1/2).
var sigmoidOutTol = 0.25

// SigmoidInfo records the explicit slope/error budget of the sigmoid form
// (spec §8 "smooth sigmoid", Lemma 12).
type SigmoidInfo struct {
	// OutTol is the output error budgeted (label units).
	OutTol float64 `json:"out_tol"`
	// Log2StepSlopeMin/Max bound the slopes λ = 2^k of the STEP replacements
	// σ(λ(t + γ/2)).
	Log2StepSlopeMin, Log2StepSlopeMax int
	// Log2IDKappaMin/Max bound the κ = 2^k of the identity replacements
	// (4/κ)(σ(κt) − ½).
	Log2IDKappaMin, Log2IDKappaMax int
	// Log2BudgetMin is the smallest per-unit output error budget (log2).
	Log2BudgetMin float64
	// Steps and IDs count the replaced units.
	Steps, IDs int
}

// bnd is a float64 interval (static bounds of a unit's pre-activation).
type bnd struct{ lo, hi float64 }

// log2Rat is log2|r| for r ≠ 0, valid far outside the float64 range.
func log2Rat(r *big.Rat) float64 {
	f := new(big.Float).SetPrec(64).SetRat(r)
	f.Abs(f)
	mant := new(big.Float)
	e := f.MantExp(mant)
	m, _ := mant.Float64()
	return float64(e) + math.Log2(m)
}

// staticBounds propagates float64 interval bounds of every unit's
// pre-activation through the STEP+ID program, with the projected input z in
// [0, zmax]. They are only used to size the sigmoid budget (the verifier
// proves the result), so float64 rounding is harmless; ranges are inflated
// by 1%.
func (p *program) staticBounds(zmax float64) [][]bnd {
	prev := []bnd{{0, zmax}}
	out := make([][]bnd, len(p.layers))
	for li, us := range p.layers {
		cur := make([]bnd, len(us))
		val := make([]bnd, len(us))
		for j, u := range us {
			c, _ := u.pre.c.Float64()
			b := bnd{c, c}
			for k, i := range u.pre.idx {
				w, _ := u.pre.w[k].Float64()
				a, z := w*prev[i].lo, w*prev[i].hi
				b.lo += math.Min(a, z)
				b.hi += math.Max(a, z)
			}
			r := 0.01 * math.Max(math.Abs(b.lo), math.Abs(b.hi))
			b.lo -= r
			b.hi += r
			cur[j] = b
			if u.act == nn.Step {
				val[j] = bnd{0, 1}
			} else {
				val[j] = b
			}
		}
		out[li] = cur
		prev = val
	}
	return out
}

// toSigmoid converts a STEP+ID program into a network of logistic sigmoid
// units with the same architecture (Lemma 12; spec §8 "smooth sigmoid", with
// an explicit budget, ours):
//
//   - a STEP unit with margin γ (pre ≥ 0 or pre ≤ −γ on the data) becomes
//     σ(λ(pre + γ/2)); if its input error is at most γ/4 the argument has
//     magnitude ≥ λγ/4, so the output is within e^{−λγ/4} of STEP(pre). λ is
//     the smallest power of two with λγ/4 ≥ max(ln(1/a), 64), a the unit's
//     own error allowance;
//   - an identity unit with |pre| ≤ M becomes σ(κ·pre), decoded by its
//     consumers as (4/κ)(σ(κt) − ½) = (2/κ)tanh(κt/2), which is 1-Lipschitz
//     and within κ²|t|³/12 of t; κ = 2^k is the largest with
//     κ²(M+a)³/12 ≤ a (and κM ≤ 1/8).
//
// Errors add up along identity chains (slope ≤ 1) and are reset by every
// STEP whose input error stays below γ/4. So the "sinks" are the STEP
// pre-activations (budget γ/4) and the read-out (budget OutTol), and a
// unit's allowance is a_n = 1/(R_n·U) with U the number of units and
// R_n = Σ_consumers |W_cn|·(4/γ_c for a STEP consumer, 1/OutTol for the
// read-out, R_c for an identity consumer) an upper bound on max over sinks of
// (path-weight sum from n to the sink)/(sink budget). Then every sink
// receives at most U·(budget/U) = its budget. M comes from static interval
// bounds (staticBounds). Every weight stays dyadic (λ, κ powers of two).
// The constants (γ/2 centring, 64 nats, the 1/U split) are ours; the paper
// gives no explicit constants ("for every ε there are parameters").
func toSigmoid(p *program, outTol float64) (*program, *SigmoidInfo, error) {
	if p.zmax <= 0 {
		return nil, nil, fmt.Errorf("park: sigmoid conversion needs the projected range")
	}
	bounds := p.staticBounds(p.zmax)
	L := len(p.layers)
	logR := make([][]float64, L)
	units := 1
	for li, us := range p.layers {
		logR[li] = make([]float64, len(us))
		units += len(us)
		for j := range us {
			logR[li][j] = math.Inf(-1)
		}
	}
	// feed adds 2^(f + log2|W|) to logR of every input of e (log-sum-exp).
	feed := func(li int, e expr, f float64) {
		if li < 0 || math.IsInf(f, -1) {
			return
		}
		for t, i := range e.idx {
			v := f + log2Rat(e.w[t])
			a, b := math.Max(logR[li][i], v), math.Min(logR[li][i], v)
			if math.IsInf(b, -1) {
				logR[li][i] = a
			} else {
				logR[li][i] = a + math.Log2(1+math.Exp2(b-a))
			}
		}
	}
	feed(L-1, p.out, -math.Log2(outTol))
	info := &SigmoidInfo{OutTol: outTol, Log2StepSlopeMin: math.MaxInt32, Log2StepSlopeMax: math.MinInt32,
		Log2IDKappaMin: math.MaxInt32, Log2IDKappaMax: math.MinInt32, Log2BudgetMin: math.Inf(1)}
	logU := math.Log2(float64(units))
	scale := make([][]int, L) // log2 λ or log2 κ
	for li := L - 1; li >= 0; li-- {
		scale[li] = make([]int, len(p.layers[li]))
		for j, u := range p.layers[li] {
			A := -(logR[li][j] + logU) // log2 of the unit's allowance
			if math.IsInf(logR[li][j], -1) {
				A = 0 // no consumer (padding)
			}
			A = math.Min(A, 0)
			info.Log2BudgetMin = math.Min(info.Log2BudgetMin, A)
			switch u.act {
			case nn.Step:
				lg := log2Rat(u.margin)
				nats := math.Max(-A*math.Ln2, 64)
				k := int(math.Ceil(math.Log2(4*nats) - lg + 1e-9))
				scale[li][j] = k
				info.Steps++
				info.Log2StepSlopeMin = min(info.Log2StepSlopeMin, k)
				info.Log2StepSlopeMax = max(info.Log2StepSlopeMax, k)
				feed(li-1, u.pre, 2-lg)
			case nn.Identity:
				b := bounds[li][j]
				M := math.Max(math.Abs(b.lo), math.Abs(b.hi))
				k := 0
				if M > 0 || len(u.pre.idx) > 0 {
					lgM := math.Log2(M + math.Exp2(A))
					k = int(math.Floor((math.Log2(12) + A - 3*lgM) / 2))
					k = min(k, int(math.Floor(-3-lgM)), 0)
				}
				scale[li][j] = k
				info.IDs++
				info.Log2IDKappaMin = min(info.Log2IDKappaMin, k)
				info.Log2IDKappaMax = max(info.Log2IDKappaMax, k)
				feed(li-1, u.pre, logR[li][j])
			default:
				return nil, nil, fmt.Errorf("park: sigmoid conversion of %v units", u.act)
			}
		}
	}
	q := &program{v: p.v, b: p.b, zmax: p.zmax}
	var prev []expr
	rewrite := func(e expr) expr {
		if prev == nil {
			return e
		}
		return e.substitute(prev)
	}
	for li, us := range p.layers {
		nus := make([]unit, len(us))
		img := make([]expr, len(us))
		for j, u := range us {
			pre := rewrite(u.pre)
			k := scale[li][j]
			switch u.act {
			case nn.Step:
				lam := pow2(k)
				sh := new(big.Rat).Mul(lam, u.margin)
				sh.Quo(sh, rat(2))
				nus[j] = unit{act: nn.Sigmoid, pre: konst(new(big.Rat)).add(pre, lam).plusConst(sh)}
				img[j] = ref(j)
			case nn.Identity:
				nus[j] = unit{act: nn.Sigmoid, pre: konst(new(big.Rat)).add(pre, pow2(k))}
				img[j] = konst(new(big.Rat).Neg(pow2(1-k))).add(ref(j), pow2(2-k))
			}
		}
		q.emit(p.stage[li], nus...)
		prev = img
	}
	q.out = rewrite(p.out)
	return q, info, nil
}
