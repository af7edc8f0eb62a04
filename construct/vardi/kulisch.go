package vardi

import (
	"fmt"
	"math"
	"math/big"
	"math/bits"
)

// An exact fixed-window (Kulisch-style) accumulator for the dot products
// x_i·w of Stage I's projection (alongExact). Ours. Every term w_k·x_k, with
// w_k = mw_k·2^-ew_k (mw_k < 2^53) and x_k = m_k·2^-e_k float64 values, is
// the ≤117-bit integer mw_k·m_k placed at bit position base_k − e_k of the
// projection's integer value. It is added into an n-limb two's-complement
// accumulator (arithmetic mod 2^(64n)); n is chosen from an exact bound on
// the partial sums over the data, so that every partial sum, and the result,
// lies in (−2^(64n−1), 2^(64n−1)) and the wrap-around is never observed.
// Projections whose window would exceed maxLimbs limbs fall back to
// project.Along (math/big).

const maxLimbs = 24 // 1536 bits: covers subnormal inputs next to normal ones

type dotTerm struct {
	in   int32  // input coordinate
	base int32  // bit position of m·2^-e is base − e
	neg  bool   // weight < 0
	sgn  uint64 // 1 if weight < 0
	w    uint64 // |weight| mantissa
}

type dotPlan struct {
	terms []dotTerm
	n     int // limbs
}

// limbsFor returns the limbs needed to hold every integer of magnitude ≤ bound.
func limbsFor(bound *big.Int) int {
	return bound.BitLen()/64 + 1
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

// dot computes Σ w_k·x_k·2^(...) exactly into acc.
func (dp *dotPlan) dot(x []float64, acc *[maxLimbs]uint64, inScale []int) error {
	n := dp.n
	if n <= 2 {
		return dp.dot2(x, acc, inScale)
	}
	clear(acc[:n])
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
// accumulator is one 128-bit pair and every term is reduced mod 2^128 before it is
// added, which is the same arithmetic.
func (dp *dotPlan) dot2(x []float64, acc *[maxLimbs]uint64, inScale []int) error {
	n := dp.n
	var zlo, zhi uint64
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
		zlo, c = bits.Add64(zlo, plo^mask, mask&1)
		zhi, _ = bits.Add64(zhi, phi^mask, c)
	}
	acc[0] = zlo
	if n == 1 {
		return nil
	}
	acc[1] = zhi
	return nil
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
