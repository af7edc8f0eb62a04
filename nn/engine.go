package nn

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strings"
)

// Exact is memnet's one exact evaluation engine: a network compiled for the
// points of one dataset. It reads nothing but the weights and the data (no
// method name, no hint decides a value), and every construction, every
// imported and every hand-made network is evaluated by it.
//
// Integer form. Every neuron's value is held as an integer Z over a fixed
// positive denominator D (value = Z/D). An input coordinate i has D = 2^s_i,
// s_i the most fractional bits of that coordinate in the data (float64
// values are dyadic). A neuron's D is the least positive integer for which
// B = b·D and every coefficient c_i = w_i·D/D_i are integers: the least
// common multiple of den(b) and, over its nonzero weights w_i, of
// den(w_i)·D_i/gcd(num(w_i), D_i) (see termDen), so its pre-activation is
// Z = B + Σ c_i·Z_i (for dyadic weights D is a power of two: the fixed point
// of earlier versions). ReLU and identity keep Z and D; STEP
// gives Z ∈ {0, 1} over D = 1. The read-out's neurons share one D, so
// classes are read from integers.
//
// Range analysis (compile time). From each coordinate's smallest and largest
// value in the data, exact interval arithmetic on the integer coefficients
// bounds every pre-activation: lo = B + Σ_{c>0} c·lo_i + Σ_{c<0} c·hi_i, and
// hi symmetrically; ReLU maps [lo, hi] to [max(lo,0), max(hi,0)], STEP to
// [STEP(lo), STEP(hi)]. A layer is evaluated in the fewest 64-bit words W
// with every neuron's interval inside [−2^(64W−1), 2^(64W−1)). Arithmetic is
// two's complement modulo 2^(64W): sums and products modulo 2^(64W) are
// exact as soon as the final value lies in that range, whatever the
// intermediate terms, so only the pre-activation needs a bound. Intervals
// are sound but can be loose in deep networks; each chunk of points then
// tightens the width from its own inputs: |Z| < (terms+1)·2^M with M the
// largest bitlen(c)+bitlen(max |Z_i| over the chunk) (or of B). The width
// used is the smaller of the two bounds, both proofs.
//
// ReLU pairs (two ReLUs with the same weights that the next layer reads
// only as their difference, Park's form of a STEP unit) are evaluated as
// one neuron, min(ReLU(Z + δ), δ), see findPairs and wideHead.
//
// Evaluation is layer-major over chunks of points with the points innermost
// (one coefficient applied to a run of points), one word (int64 arithmetic)
// and two words specialised, more words by a schoolbook loop; chunks run on
// every core. No math/big arithmetic is done per point except to read out
// single outputs that do not fit the one-word fast path.
type Exact struct {
	inDim    int
	inScale  []int
	inWords  int
	layers   []xlayer
	outDen   *big.Int
	maxWidth int
	// outShift is s when outDen = 2^s (−1 otherwise)
	outShift int
	// share is the taint split, when one is set (UseSplit)
	share *share
}

// xterm is one term c·Z_in of a compiled neuron's pre-activation: its input, the coefficient's words and what the kernels may assume.
type xterm struct {
	in   int32
	neg  bool
	unit bool // |c| = 1
	bit  bool // the input is 0 or 1 on every point (by its range)
	// top: the input is a pair head with values in [0, δ], δ = top
	// (magnitude words), read with a coefficient of several nonzero words;
	// cmax = |c|·δ (magnitude words, first nonzero word cmaxLo) is added
	// where the input is δ (see addTermTop)
	top, cmax []uint64
	cmaxLo    int
	c64       uint64   // c modulo 2^64
	mag       []uint64 // |c|, little-endian words
	lo        int      // first nonzero word of mag
	bits      int      // bit length of |c|
	cb        *big.Int // c (for evaluation on affine forms)
}

// xneuron is one compiled neuron, Z = B + Σ c_i·Z_i, with the widths and the evaluation shortcuts its ranges prove.
type xneuron struct {
	terms []xterm
	bneg  bool
	bmag  []uint64 // |B| (nil: zero)
	bbits int
	bz    *big.Int // B (nil: zero)
	act   Activation
	// words proven enough for the pre-activation and for the output by
	// the compile-time ranges
	words, outWords int
	// copyOf ≥ 0: the neuron's output equals input copyOf's value (one
	// term with c = 1, no bias, and an identity or a ReLU whose input is
	// never negative)
	copyOf int
	// small: few terms, each with a one-word coefficient or a 0/1 input
	// (the fused kernel for 2–4 words applies)
	small bool
	// base ≥ 0: the term (coefficient 1) whose input's slot the neuron may
	// take over: the input has no other reader in the layer, or the neuron
	// is a copy of it (see evalLayer)
	base int
	// keeps: the neuron equals its base input wherever its other terms
	// are 0 (no bias, no clamp, and an identity or a ReLU whose base input
	// is never negative), so on a chunk where they all read zeros
	// (vals.bnd) its taken-over slot is left as it is
	keeps bool
	// copyBase ≥ 0: a term with coefficient 1 (the widest) that a wide
	// neuron starts from by copying, when it cannot take a slot over
	copyBase int
	// twin ≥ 0: an identity neuron of the same layer with the same terms
	// (the same pre-activation up to the bias); this STEP neuron is then
	// [v_twin ≥ B_twin − B] with negB = B_twin − B, compared after the
	// twin is computed, without reading the inputs
	twin int
	// negB is −B in two's complement words, set for a STEP neuron with
	// one term of coefficient 1: its output is [Z_in ≥ −B], a comparison
	// decided (mostly) by the top words instead of a full-width sum
	negB []uint64
	// clamp (a pair head, see findPairs): the neuron's output is
	// min(ReLU(Z), δ) with δ = clamp (its magnitude words, δ ≥ 0, δbits
	// its bit length), the difference of the pair
	clamp []uint64
	δbits int
	// wide: a pair head whose unit term is wider than the rest, decided
	// from the top words (see wideHead)
	wide *wideHead
	// dead: the pair's other neuron, which no neuron reads; it is not
	// evaluated (its value is left 0). words is still its pre-activation's
	// proven width.
	dead bool
}

// xlayer is one compiled layer: its neurons, their proven widths and their denominators.
type xlayer struct {
	in, out int
	// wideHeads: some neuron has a wideHead (evaluated first, see evalLayer)
	wideHeads bool
	neurons   []xneuron
	// the largest of its neurons' words (pre-activation and output); bits
	// is the largest signed bit length of a pre-activation bound
	words, outWords, bits int
	dens                  []*big.Int // each neuron's output denominator
	preDens               []*big.Int // each neuron's pre-activation denominator
	dense                 *densePlan // the whole layer as one product (nil: term by term; see engine_dense.go)
}

// ErrSigmoid is returned for networks with sigmoid neurons, whose values are
// not rational.
var ErrSigmoid = errors.New("exact evaluation: the network has sigmoid neurons, which have no exact rational value")

// Words returns, for every layer (hidden layers, then the read-out), the
// number of 64-bit words the compile-time range analysis proves enough.
func (e *Exact) Words() []int {
	w := make([]int, len(e.layers))
	for k, l := range e.layers {
		w[k] = l.words
	}
	return w
}

// OutputDenominator is the common denominator D of the outputs (value = Z/D).
func (e *Exact) OutputDenominator() *big.Int { return new(big.Int).Set(e.outDen) }

// Describe names the engine and summarises the words per layer, for reports.
func (e *Exact) Describe() string {
	bins := []struct {
		lo, hi int
		n      int
	}{{1, 1, 0}, {2, 2, 0}, {3, 4, 0}, {5, 8, 0}, {9, 32, 0}, {33, math.MaxInt, 0}}
	most := 0
	for _, l := range e.layers {
		most = max(most, l.words)
		for b := range bins {
			if l.words >= bins[b].lo && l.words <= bins[b].hi {
				bins[b].n++
			}
		}
	}
	var parts []string
	for _, b := range bins {
		switch {
		case b.n == 0:
		case b.lo == b.hi:
			parts = append(parts, fmt.Sprintf("%d at %d", b.n, b.lo))
		case b.hi == math.MaxInt:
			parts = append(parts, fmt.Sprintf("%d at %d–%d", b.n, b.lo, most))
		default:
			parts = append(parts, fmt.Sprintf("%d at %d–%d", b.n, b.lo, b.hi))
		}
	}
	return "exact engine, layer-major integer words (layers by words proven by range analysis: " + strings.Join(parts, ", ") + ")"
}
