package pipeline

import (
	"fmt"
	"math"
	"math/big"

	"github.com/memnet/memnet/nn"
)

// The columns ‖θ‖₂² and ‖θ‖∞ (Hernández–Zuazua's parameter norms) of every
// built network; empty for the VC row and failed builds.
func init() {
	norm := func(v func(CompareRow) (float64, float64, bool)) func(CompareRow) string {
		return func(r CompareRow) string {
			if r.Params == 0 {
				return ""
			}
			return normCell(v(r))
		}
	}
	CompareColumns = append(CompareColumns,
		CompareColumn{Head: "‖θ‖₂²", Legend: "squared L2 norm of every weight and bias (beyond float64: 2^x, x rounded up)",
			Cell: norm(func(r CompareRow) (float64, float64, bool) { return r.NormL2Squared, r.Log2NormL2Squared, false })},
		CompareColumn{Head: "‖θ‖∞", Legend: "largest magnitude of a weight or bias (beyond float64: 2^k when exactly that power of two, else 2^x, x rounded up)",
			Cell: norm(func(r CompareRow) (float64, float64, bool) { return r.NormMax, r.Log2NormMax, r.normMaxPow2 })},
	)
}

// normCell prints a norm v with base-2 logarithm log2: %.3g when v is below
// float64's largest value; else 2^k when pow2 says the norm is exactly a
// power of two (then log2 = k exactly); else 2^x with x = log2 rounded up to
// two decimals (never 1.8e+308, which is float64's limit, not the norm).
// log2 comes from a 128-bit sum and a float64 logarithm; its error is far
// below the 10^−9 added before rounding up, so 2^x ≥ the norm.
func normCell(v, log2 float64, pow2 bool) string {
	if v < math.MaxFloat64 {
		return fmt.Sprintf("%.3g", v)
	}
	if pow2 && log2 == math.Trunc(log2) {
		return fmt.Sprintf("2^%d", int64(log2))
	}
	return fmt.Sprintf("2^%.2f", math.Ceil((log2+1e-9)*100)/100)
}

// maxAbsPow2 reports whether the largest magnitude of a weight or bias of
// net is exactly a power of two (numerator and denominator of the reduced
// fraction both powers of two).
func maxAbsPow2(net *nn.Network) bool {
	if net == nil {
		return false
	}
	m, a := new(big.Rat), new(big.Rat)
	for _, l := range net.Layers() {
		for j := range l.W {
			for _, w := range l.W[j] {
				if a.Abs(w).Cmp(m) > 0 {
					m.Set(a)
				}
			}
			if a.Abs(l.B[j]).Cmp(m) > 0 {
				m.Set(a)
			}
		}
	}
	pow2 := func(x *big.Int) bool { return x.Sign() > 0 && x.BitLen() == int(x.TrailingZeroBits())+1 }
	return pow2(m.Num()) && pow2(m.Denom())
}
