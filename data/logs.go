package data

import "math"

// Log2Ratio returns log2(a/b) for finite a, b > 0 as log2 a − log2 b: finite
// even when a/b overflows or underflows float64 (data near 1e300 and
// 1e−300, where a/b would be +Inf and every quantity read from it too).
func Log2Ratio(a, b float64) float64 {
	return math.Log2(a) - math.Log2(b)
}

// Log2R returns log2 R for Vardi, Yehudai & Shamir's range
// R = 10·r·N²·√(πd)/δ (Theorem 3.1; the constant as in our spec), as a sum
// of logarithms, finite for every finite r, δ > 0.
func Log2R(r, delta float64, n, d int) float64 {
	return math.Log2(10) + 2*math.Log2(float64(n)) + 0.5*math.Log2(math.Pi*float64(d)) + Log2Ratio(r, delta)
}

// RatioOrMax returns a/b, or math.MaxFloat64 when it overflows: a finite
// value for JSON, with the exact size in Log2Ratio.
func RatioOrMax(a, b float64) float64 {
	return math.Min(a/b, math.MaxFloat64)
}
