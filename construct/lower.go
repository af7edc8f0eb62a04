package construct

import (
	"fmt"
	"math"

	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
)

// LowerBound is a count below which no network of the given kind memorizes
// every labelling of N points, set beside the built network's own count.
type LowerBound struct {
	// Key names the bound: vc_depth, bits, width, wl2.
	Key string `json:"key"`
	// Source is the result it comes from.
	Source string `json:"source"`
	// Of names the count bounded (params, width, width²·depth²).
	Of string `json:"of"`
	// Formula is the bound with every constant written out.
	Formula string  `json:"formula"`
	Value   float64 `json:"value"`
	// Actual is the network's count and Ratio = Actual/Value (≥ 1 for any
	// network that memorizes every labelling).
	Actual float64 `json:"actual"`
	Ratio  float64 `json:"ratio"`
	Note   string  `json:"note,omitempty"`
}

// WL2 is the width–depth product W²L² of a network set against N·log2(1/δ̂)
// with δ̂ = δ/(2r) the separation normalised by the data's diameter bound
// (Yang & Yang 2026, as cited in issue 11: O(N log δ⁻¹) suffices and
// Ω(N / log δ⁻¹) is necessary; the constants are not known to us, so both
// forms are given with constants 1).
type WL2 struct {
	Product float64 `json:"w2l2"`
	// LogInvDelta is log2(2r/δ), at least 1.
	LogInvDelta float64 `json:"log2_inv_delta"`
	// Upper = N·log2(1/δ̂), Lower = N/log2(1/δ̂) (constants 1).
	Upper float64 `json:"upper_form"`
	Lower float64 `json:"lower_form"`
}

// NewWL2 returns the W²L² comparison for a network of the given width and
// depth on n points with norm bound r and separation δ (0: unknown, then
// log2(1/δ̂) is taken as 1).
func NewWL2(width, depth, n int, r, delta float64) WL2 {
	l := 1.0
	if r > 0 && delta > 0 {
		l = math.Max(1, 1+data.Log2Ratio(r, delta)) // finite when 2r/δ overflows
	}
	w, d := float64(width), float64(depth)
	return WL2{Product: w * w * d * d, LogInvDelta: l, Upper: float64(n) * l, Lower: float64(n) / l}
}

// LowerBounds returns the lower bounds for a network with statistics st that
// memorizes n points of dimension d with c classes (r, δ: norm bound and
// separation, 0 when unknown):
//
//   - vc_depth (Bartlett, Harvey, Liaw, Mehrabian, JMLR 2019, Theorem 7 as we
//     read it): a piecewise-linear (ReLU) or piecewise-constant (STEP)
//     network with W parameters, L layers and U units with p = 2 pieces has
//     VC dimension at most L + L·W·log2(4e·p·U). Memorizing every binary
//     labelling of N points needs VC ≥ N, so W ≥ (N − L)/(L·log2(8e·U)).
//     The paper's statement could not be re-read here (no copy in
//     ../shared); the constant 4e·p is from our recollection of it.
//   - bits (the counting argument of Vardi, Yehudai, Shamir 2022, Theorem
//     6.1, with our explicit constants): a network whose P nonzero
//     parameters have at most B bits each is written down in P·b + 2U bits
//     with b = B + 1 (sign) + ⌈log2(B+1)⌉ (binary point) + 2⌈log2(U+d+2)⌉
//     (the two ends of the connection) and a = ⌈log2 k⌉ bits per unit for
//     its activation (k kinds in the network), so at most 2^{P·b+a·U}
//     functions exist; memorizing every labelling of N points with C
//     classes needs C^N of them: P ≥ (N·log2 C − a·U)/b.
//   - width (Hernández–Zuazua's sharpness of width 2): a width-1 ReLU chain
//     is monotone along a line, so it cannot memorize three collinear points
//     labelled a, b, a; width ≥ 2 for some datasets of every N ≥ 3.
//   - one_hidden (networks with one hidden layer only): Madden &
//     Thrampoulidis (SIMODS 2024) — m hidden units memorize ⌊md/2⌋ generic
//     points and cannot when m(d + 2) < N (see MaddenThrampoulidis).
//   - wl2: W²L² against N/log2(1/δ̂) (see WL2).
//
// Bounds that do not apply (the VC bound for sigmoid networks, the counting
// bound for non-dyadic weights) are left out.
func LowerBounds(net *nn.Network, n, d, c int, r, delta float64) []LowerBound {
	st := net.Stats()
	var out []LowerBound
	add := func(lb LowerBound) {
		if lb.Value > 0 {
			lb.Ratio = lb.Actual / lb.Value
		}
		out = append(out, lb)
	}
	L, U, P := float64(max(st.Depth, 1)), float64(max(st.Neurons, 1)), float64(st.Params)
	N := float64(n)
	if !net.HasActivation(nn.Sigmoid) {
		v := math.Max(0, (N-L)/(L*math.Log2(8*math.E*U)))
		add(LowerBound{Key: "vc_depth", Source: "Bartlett–Harvey–Liaw–Mehrabian (2019), VC ≤ L + L·W·log2(4e·p·U), p = 2",
			Of: "params", Formula: fmt.Sprintf("(N − L)/(L·log2(8e·U)) with N = %d, L = %d, U = %d", n, st.Depth, st.Neurons),
			Value: v, Actual: P})
	}
	if st.Dyadic && c >= 2 {
		B := float64(st.MaxWeightBits)
		b := B + 1 + math.Ceil(math.Log2(B+1)) + 2*math.Ceil(math.Log2(U+float64(d)+2))
		a := math.Ceil(math.Log2(float64(activationKinds(net))))
		v := math.Max(0, (N*math.Log2(float64(c))-a*U)/b)
		add(LowerBound{Key: "bits", Source: "Vardi–Yehudai–Shamir (2022), Theorem 6.1 (counting argument, constants ours)",
			Of: "params", Formula: fmt.Sprintf("(N·log2 C − a·U)/(B + 1 + ⌈log2(B+1)⌉ + 2⌈log2(U+d+2)⌉) with B = %d bits, a = %g activation bit(s) per unit", st.MaxWeightBits, a),
			Value: v, Actual: P})
	}
	if n >= 3 && c >= 2 {
		add(LowerBound{Key: "width", Source: "Hernández–Zuazua (2024): width 2 is minimal for ReLU networks",
			Of: "width", Formula: "2 (width-1 ReLU chains are monotone along a line; worst case over datasets)", Value: 2, Actual: float64(st.Width)})
	}
	if st.Depth == 1 && n >= 1 {
		add(MaddenThrampoulidis(st.Width, n, d))
	}
	w := NewWL2(st.Width, st.Depth, n, r, delta)
	lg := fmt.Sprintf("log2(2r/δ) = %.3g", w.LogInvDelta)
	if r <= 0 || delta <= 0 {
		lg = "r or δ unknown, log2(2r/δ) taken as 1"
	}
	add(LowerBound{Key: "wl2", Source: "Yang & Yang (2026), W²L² = Ω(N / log δ⁻¹) (constants 1)",
		Of: "width²·depth²", Formula: "N/log2(2r/δ) with " + lg, Value: w.Lower, Actual: w.Product,
		Note: fmt.Sprintf("sufficient form N·log2(2r/δ) = %.4g, ratio %.3g", w.Upper, w.Product/w.Upper)})
	return out
}

// activationKinds counts the distinct activations of the hidden units.
func activationKinds(net *nn.Network) int {
	seen := map[nn.Activation]bool{}
	for _, l := range net.Hidden {
		for _, a := range l.Act {
			seen[a] = true
		}
	}
	return max(1, len(seen))
}

// MaddenThrampoulidis is the one-hidden-layer width bound of Madden &
// Thrampoulidis, "Memory capacity of two layer neural networks with smooth
// activations" (SIMODS 2024), as issue 22 states it: m hidden units
// memorize ⌊m·d/2⌋ points in general position, and cannot memorize N
// generic points when m(d + 2) < N. So a one-hidden-layer network that
// memorizes N generic points has m ≥ N/(d + 2) units; m ≥ 2N/d suffices.
// The bound is for arbitrary real labels of generic points (the paper's
// smoothness assumptions on the activation were not re-read here); class
// labels can need fewer units, so it is shown beside one-hidden-layer
// networks (zhang's fused layout, trained MLPs) as a reference, as issue 22
// asks, not as a bound every classifier obeys.
func MaddenThrampoulidis(width, n, d int) LowerBound {
	v := float64(n) / float64(d+2)
	return LowerBound{Key: "one_hidden", Source: "Madden–Thrampoulidis (SIMODS 2024): m(d + 2) ≥ N is needed to memorize N generic points with one hidden layer",
		Of: "width (one hidden layer)", Formula: fmt.Sprintf("N/(d + 2) with N = %d, d = %d", n, d), Value: v, Actual: float64(width),
		Note: fmt.Sprintf("sufficient: ⌊m·d/2⌋ ≥ N, m ≥ %d", (2*n+d-1)/d)}
}
