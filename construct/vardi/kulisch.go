package vardi

import (
	"fmt"
	"math"
	"math/big"
	"math/bits"

	"github.com/memnet/memnet/nn"
)

// An exact fixed-window (Kulisch-style) accumulator for the first layer of
// the grouped evaluator. Ours. Every term w_k·x_k of a first-layer neuron,
// with w_k an integer of at most 64 bits at the neuron's scale (shift s_k)
// and x_k = m_k·2^-e_k a float64 (53-bit mantissa), is the ≤117-bit integer
// |w_k|·|m_k| placed at bit position inScale_k − e_k + s_k of the neuron's
// integer value. It is added into an n-limb two's-complement accumulator
// (arithmetic mod 2^(64n)); n is chosen at compile time from the exact range
// of the neuron's partial sums over the data (the same interval bound as
// planSmall), so that every partial sum, and the result, lies in
// (−2^(64n−1), 2^(64n−1)) and the wrap-around is never observed. The result
// is then the exact integer Σ w_k·x_k·2^scale + bias, converted once to the
// 128-bit path and/or to a big.Int. Neurons whose window would exceed
// maxLimbs limbs, or with a weight wider than 64 bits, keep the big.Int path.

const maxLimbs = 24 // 1536 bits: covers subnormal inputs next to normal ones

// dotLimbCap is the widest window used (tests lower it to force the big.Int
// fallback).
var dotLimbCap = maxLimbs

type dotTerm struct {
	in   int32  // input coordinate
	base int32  // inScale[in] + term shift: bit position of m·2^-e is base − e
	neg  bool   // weight < 0
	sgn  uint64 // 1 if weight < 0
	w    uint64 // |weight|
}

type dotPlan struct {
	terms []dotTerm
	n     int              // limbs
	bias  [maxLimbs]uint64 // bias in n-limb two's complement
}

// limbsFor returns the limbs needed to hold every integer of magnitude ≤ bound.
func limbsFor(bound *big.Int) int {
	return bound.BitLen()/64 + 1
}

// newDotPlan returns the accumulator plan of a first-layer neuron whose
// partial sums are bounded in magnitude by bound, or nil if it does not fit.
func newDotPlan(nd *vnode, inScale []int, bound *big.Int) *dotPlan {
	n := limbsFor(bound)
	if n > min(dotLimbCap, maxLimbs) {
		return nil
	}
	dp := &dotPlan{n: n}
	for k := range nd.terms {
		t := &nd.terms[k]
		if t.w == nil || t.w.BitLen() > 64 || t.w.Sign() == 0 {
			return nil
		}
		base := int64(inScale[t.src]) + int64(t.shift)
		if base > math.MaxInt32/2 {
			return nil
		}
		var mag big.Int
		mag.Abs(t.w)
		dp.terms = append(dp.terms, dotTerm{in: t.src, base: int32(base), neg: t.w.Sign() < 0, sgn: uint64(max(0, -t.w.Sign())), w: mag.Uint64()})
	}
	if nd.bias != nil {
		var m big.Int
		m.Abs(nd.bias)
		for i, w := range m.Bits() {
			if i >= n {
				return nil // cannot happen: |bias| ≤ bound
			}
			dp.bias[i] = uint64(w)
		}
		if nd.bias.Sign() < 0 {
			negLimbs(&dp.bias, n)
		}
	}
	return dp
}

func negLimbs(a *[maxLimbs]uint64, n int) {
	var b uint64
	for i := range n {
		a[i], b = bits.Sub64(0, a[i], b)
	}
}

// addShifted adds (or subtracts, if neg) the 128-bit magnitude hi:lo·2^s to
// the n-limb accumulator, mod 2^(64n). It reports false if s is beyond the
// window (the caller's range guarantee was violated).
func addShifted(acc *[maxLimbs]uint64, n int, hi, lo uint64, s uint, neg bool) bool {
	i := int(s >> 6)
	if i >= n {
		return false
	}
	b := s & 63
	// shifts of ≥ 64 give 0 in Go, so b == 0 needs no special case
	w := [3]uint64{lo << b, hi<<b | lo>>(64-b), hi >> (64 - b)}
	var c uint64
	j := i
	if !neg {
		for k := 0; k < 3 && j < n; k++ {
			acc[j], c = bits.Add64(acc[j], w[k], c)
			j++
		}
		for ; c != 0 && j < n; j++ {
			acc[j], c = bits.Add64(acc[j], 0, c)
		}
	} else {
		for k := 0; k < 3 && j < n; k++ {
			acc[j], c = bits.Sub64(acc[j], w[k], c)
			j++
		}
		for ; c != 0 && j < n; j++ {
			acc[j], c = bits.Sub64(acc[j], 0, c)
		}
	}
	return true
}

// floatMant splits a finite float64 into sign, odd mantissa m ≥ 0 and
// exponent e with |x| = m·2^-e (m = 0, e = 0 for ±0), as nn.FloatParts.
func floatMant(x float64) (neg bool, m uint64, e int, ok bool) {
	u := math.Float64bits(x)
	neg = u>>63 != 0
	ex := int(u>>52) & 0x7ff
	m = u & (1<<52 - 1)
	switch ex {
	case 0x7ff:
		return neg, 0, 0, false
	case 0:
		e = 1074
	default:
		m |= 1 << 52
		e = 1075 - ex
	}
	if m == 0 {
		return neg, 0, 0, true
	}
	tz := bits.TrailingZeros64(m)
	return neg, m >> tz, e - tz, true
}

// dot computes Σ w_k·x_k·2^(...) + bias exactly into acc.
func (dp *dotPlan) dot(x []float64, acc *[maxLimbs]uint64, inScale []int) error {
	n := dp.n
	if n <= 2 {
		return dp.dot2(x, acc, inScale)
	}
	copy(acc[:n], dp.bias[:n])
	for k := range dp.terms {
		t := &dp.terms[k]
		v := x[t.in]
		if v == 0 {
			continue
		}
		neg, m, e, ok := floatMant(v)
		if !ok {
			return fmt.Errorf("input coordinate %d is %v", t.in, v)
		}
		if e > inScale[t.in] {
			return fmt.Errorf("input coordinate %d has more fractional bits than compiled for", t.in)
		}
		hi, lo := bits.Mul64(m, t.w)
		if !addShifted(acc, n, hi, lo, uint(int(t.base)-e), neg != t.neg) {
			return fmt.Errorf("input coordinate %d is outside the compiled range", t.in)
		}
	}
	return nil
}

// dot2 is dot for a window of at most two limbs (the common case): the
// accumulator is one i128 and every term is reduced mod 2^128 before it is
// added, which is the same arithmetic.
func (dp *dotPlan) dot2(x []float64, acc *[maxLimbs]uint64, inScale []int) error {
	n := dp.n
	z := i128{dp.bias[0], dp.bias[1]}
	for k := range dp.terms {
		t := &dp.terms[k]
		u := math.Float64bits(x[t.in])
		ex := int(u>>52) & 0x7ff
		var m uint64
		var e int
		if uint(ex-1) < 0x7fe { // normal (ex in 1..0x7fe): the common case
			m = u&(1<<52-1) | 1<<52
			tz := bits.TrailingZeros64(m)
			m >>= tz
			e = 1075 - ex - tz
		} else {
			var ok bool
			_, m, e, ok = floatMant(math.Float64frombits(u))
			if !ok {
				return fmt.Errorf("input coordinate %d is %v", t.in, math.Float64frombits(u))
			}
			if m == 0 {
				continue
			}
		}
		if e > inScale[t.in] {
			return fmt.Errorf("input coordinate %d has more fractional bits than compiled for", t.in)
		}
		s := uint(int(t.base) - e)
		if s >= uint(64*n) {
			return fmt.Errorf("input coordinate %d is outside the compiled range", t.in)
		}
		hi, lo := bits.Mul64(m, t.w)
		// (hi:lo)·2^s mod 2^128; Go shifts of ≥ 64 give 0
		var plo, phi uint64
		if s < 64 {
			plo, phi = lo<<s, hi<<s|lo>>(64-s)
		} else {
			plo, phi = 0, lo<<(s-64)
		}
		// branch-free conditional negation: z += (p XOR mask) + (mask & 1)
		mask := -((u >> 63) ^ t.sgn)
		var c uint64
		z.lo, c = bits.Add64(z.lo, plo^mask, mask&1)
		z.hi, _ = bits.Add64(z.hi, phi^mask, c)
	}
	acc[0] = z.lo
	if n == 1 {
		return nil
	}
	acc[1] = z.hi
	return nil
}

// limbsSign returns the sign of the n-limb two's-complement value.
func limbsSign(acc *[maxLimbs]uint64, n int) int {
	if int64(acc[n-1]) < 0 {
		return -1
	}
	for i := range n {
		if acc[i] != 0 {
			return 1
		}
	}
	return 0
}

// limbsToI128 returns the value, which the caller knows fits in 128 bits.
func limbsToI128(acc *[maxLimbs]uint64, n int) i128 {
	if n == 1 {
		return i128{acc[0], uint64(int64(acc[0]) >> 63)}
	}
	return i128{acc[0], acc[1]}
}

// limbsToBig sets z to the n-limb two's-complement value (acc is clobbered).
func limbsToBig(acc *[maxLimbs]uint64, n int, z *big.Int) {
	neg := int64(acc[n-1]) < 0
	if neg {
		negLimbs(acc, n)
	}
	top := n
	for top > 0 && acc[top-1] == 0 {
		top--
	}
	ws := z.Bits()[:0]
	for i := range top {
		ws = append(ws, big.Word(acc[i]))
	}
	z.SetBits(ws)
	if neg {
		z.Neg(z)
	}
}

// evalDot computes first-layer neuron id with its accumulator plan.
func (p *program) evalDot(id int, slot int32, dp *dotPlan, x []float64, s *wstate) error {
	nd := &p.nodes[id-p.inDim]
	acc := &s.acc
	if err := dp.dot(x, acc, p.inScale); err != nil {
		return err
	}
	n := dp.n
	sg := limbsSign(acc, n)
	switch nd.act {
	case nn.ReLU:
		if sg < 0 {
			sg = 0
		}
	case nn.Step:
		if sg >= 0 {
			*acc = [maxLimbs]uint64{1}
			sg = 1
		} else {
			sg = 0
		}
	}
	if sg == 0 {
		if slot >= 0 {
			s.v128[slot] = i128{}
		}
		s.val[id] = &s.zero
		return nil
	}
	if slot >= 0 {
		s.v128[slot] = limbsToI128(acc, n)
	}
	if p.needBig[id] || !p.small[id] {
		limbsToBig(acc, n, &s.own[id])
		s.val[id] = &s.own[id]
	}
	return nil
}
