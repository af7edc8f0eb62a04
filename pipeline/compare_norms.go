package pipeline

import (
	"fmt"
	"math"
)

// The columns ‖θ‖₂² and ‖θ‖∞ (Hernández–Zuazua's parameter norms) of every
// built network; empty for the VC row and failed builds.
func init() {
	norm := func(v func(CompareRow) (float64, float64)) func(CompareRow) string {
		return func(r CompareRow) string {
			if r.Params == 0 {
				return ""
			}
			return normCell(v(r))
		}
	}
	CompareColumns = append(CompareColumns,
		CompareColumn{Head: "‖θ‖₂²", Legend: "squared L2 norm of every weight and bias (beyond float64: 2^x, x rounded up)",
			Cell: norm(func(r CompareRow) (float64, float64) { return r.NormL2Squared, r.Log2NormL2Squared })},
		CompareColumn{Head: "‖θ‖∞", Legend: "largest magnitude of a weight or bias (beyond float64: 2^x, x rounded up)",
			Cell: norm(func(r CompareRow) (float64, float64) { return r.NormMax, r.Log2NormMax })},
	)
}

// normCell prints a norm v with base-2 logarithm log2: %.3g when v is below
// float64's largest value, else 2^x with x = log2 rounded up to two
// decimals (never 1.8e+308, which is float64's limit, not the norm). log2
// comes from a 128-bit sum and a float64 logarithm; its error is far below
// the 10^−9 added before rounding up, so 2^x ≥ the norm (an exact power of
// two 2^k prints as 2^k.01: the float logarithm cannot tell it from a value
// just above).
func normCell(v, log2 float64) string {
	if v < math.MaxFloat64 {
		return fmt.Sprintf("%.3g", v)
	}
	return fmt.Sprintf("2^%.2f", math.Ceil((log2+1e-9)*100)/100)
}
