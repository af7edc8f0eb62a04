package park

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"math/rand/v2"
	"sort"

	"github.com/memnet/memnet/construct/project"
)

// scalars is the outcome of the projection step (Lemma 5 / Lemma 14 of the
// ICLR version; spec §3): z_i = v·x_i + b with pairwise distinct floors
// ("integer-spaced" values) and every z_i at distance ≥ Gamma from the
// nearest integer.
type scalars struct {
	V     []float64 // the direction, exactly representable weights
	B     *big.Rat  // the offset (dyadic)
	Floor []int64   // ⌊z_i⌋, pairwise distinct, ≥ 0
	K0    int64     // max ⌊z_i⌋ + 1
	Gamma *big.Rat  // min_i min(frac z_i, 1 − frac z_i) > 0
	Draws int
	// OffsetBits is the number of fractional bits of B.
	OffsetBits int
}

// projectScalars implements spec §3 (projection to floor-distinct scalars).
//
// Departures from the spec's algorithm, both exact and harmless:
//   - the scale s is a power of two 2^k (the smallest with 2^k·mingap ≥ 1),
//     so v = 2^k·g is exact and the exact projections need not be recomputed;
//     this costs at most a factor 2 in K0, i.e. at most one compression-1
//     layer;
//   - for integer data (pixels) the direction has random integer entries
//     (project.Integer), so all projections are computed in int64. Lemma 14's
//     probability bound is for uniform unit vectors; only log K0 enters the
//     sizes and K0 is measured, not assumed.
//
// The offset b puts the integer lattice in the middle of the largest gap of
// the fractional parts on the unit circle (spec §3 step 5, ours), rounded to
// ⌈log2 N⌉+3 fractional bits, so Gamma ≥ 1/(2N) − 2^-(⌈log2 N⌉+4) > 0.
func projectScalars(ctx context.Context, xs [][]float64, rng *rand.Rand) (*scalars, error) {
	n := len(xs)
	if n == 0 {
		return nil, errors.New("park: no points")
	}
	kind, bitsW := project.Gaussian, 0
	if project.AllIntegers(xs) {
		kind = project.Integer
		bitsW = min(48, 2*bits.Len(uint(n))+8)
	}
	pr, err := project.Draw(ctx, xs, kind, bitsW, rng, 50)
	if err != nil {
		return nil, err
	}
	S := pr.Scale
	tau := pr.Tau
	k := 0
	if n > 1 {
		g := pr.MinGap()
		k = S - g.BitLen() + 1 // 2^k·g/2^S ≥ 1
	}
	// v = 2^k·w exactly; the exact values are τ_i·2^-(S-k).
	v := make([]float64, len(pr.W))
	for j, w := range pr.W {
		v[j] = math.Ldexp(w, k)
		if w != 0 && math.Ldexp(v[j], -k) != w || math.IsInf(v[j], 0) {
			return nil, fmt.Errorf("park: the closest points are too close for their projection: it must be scaled by 2^%d to separate them by 1, "+
				"and the scaled weights leave float64's range (the data has subnormal or very small coordinate differences); "+
				"rescale the data, or use --method %s, whose weights are exact rationals of any size", k, exactMethods)
		}
	}
	Sp := S - k // ≥ 0 since mingap ≥ 1 unit at scale S
	if Sp < 0 {
		// integer data with large gaps: z' = τ·2^{-Sp} is an integer; rescale τ.
		nt := make([]*big.Int, n)
		for i := range tau {
			nt[i] = new(big.Int).Lsh(tau[i], uint(-Sp))
		}
		tau, Sp = nt, 0
	}
	// Offset (§3 step 5): fractional parts at scale Sp, largest circular gap.
	one := new(big.Int).Lsh(big.NewInt(1), uint(Sp))
	fr := make([]*big.Int, n)
	for i := range tau {
		fr[i] = new(big.Int).Mod(tau[i], one)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sorted := append([]*big.Int(nil), fr...)
	sort.Slice(sorted, func(a, b int) bool { return sorted[a].Cmp(sorted[b]) < 0 })
	// wrap gap: from the last fraction to the first + 1
	bestGap := new(big.Int).Sub(new(big.Int).Add(sorted[0], one), sorted[n-1])
	bestLo := sorted[n-1]
	gap := new(big.Int)
	for i := 1; i < n; i++ {
		gap.Sub(sorted[i], sorted[i-1])
		if gap.Cmp(bestGap) > 0 {
			bestGap.Set(gap)
			bestLo = sorted[i-1]
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// mid = bestLo + gap/2 (scale Sp+1); offset o = −mid mod 1, rounded to R bits.
	mid := new(big.Int).Lsh(bestLo, 1)
	mid.Add(mid, bestGap)
	R := bits.Len(uint(n)) + 3
	// o·2^R = round(−mid·2^(R−Sp−1)) mod 2^R
	oR := new(big.Rat).SetFrac(new(big.Int).Neg(mid), new(big.Int).Lsh(big.NewInt(1), uint(Sp+1)))
	oR.Mul(oR, pow2(R))
	oi := roundRat(oR)
	oi.Mod(oi, new(big.Int).Lsh(big.NewInt(1), uint(R)))
	// z'_i + o at common scale Sz = max(Sp, R)
	Sz := max(Sp, R)
	Z := make([]*big.Int, n)
	oS := new(big.Int).Lsh(oi, uint(Sz-R))
	var minZ *big.Int
	for i := range tau {
		Z[i] = new(big.Int).Lsh(tau[i], uint(Sz-Sp))
		Z[i].Add(Z[i], oS)
		if minZ == nil || Z[i].Cmp(minZ) < 0 {
			minZ = Z[i]
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	fl := new(big.Int).Rsh(minZ, uint(Sz)) // floor (Rsh floors negatives too)
	// b = o − fl
	b := new(big.Rat).SetFrac(oi, new(big.Int).Lsh(big.NewInt(1), uint(R)))
	b.Sub(b, new(big.Rat).SetInt(fl))
	shift := new(big.Int).Lsh(fl, uint(Sz))
	sc := &scalars{V: v, B: b, Floor: make([]int64, n), Draws: pr.Draws, OffsetBits: R}
	mask := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(Sz)), big.NewInt(1))
	oneZ := new(big.Int).Lsh(big.NewInt(1), uint(Sz))
	minDist := new(big.Int).Set(oneZ)
	f := new(big.Int)
	for i := range Z {
		Z[i].Sub(Z[i], shift)
		F := new(big.Int).Rsh(Z[i], uint(Sz))
		if F.Sign() < 0 || F.BitLen() > 62 {
			return nil, fmt.Errorf("park: the data's spread is 2^%d times its smallest distance after projection, more than the 2^62 park's integer codes allow "+
				"(the coordinates mix very large and very small magnitudes); rescale the data, or use --method %s, whose weights are exact rationals of any size", F.BitLen(), exactMethods)
		}
		sc.Floor[i] = F.Int64()
		sc.K0 = max(sc.K0, sc.Floor[i]+1)
		f.And(Z[i], mask)
		if f.Cmp(minDist) < 0 {
			minDist.Set(f)
		}
		f.Sub(oneZ, f)
		if f.Cmp(minDist) < 0 {
			minDist.Set(f)
		}
	}
	if minDist.Sign() <= 0 {
		return nil, errors.New("park: a projected value is an integer after the offset (internal error)")
	}
	sc.Gamma = new(big.Rat).SetFrac(minDist, oneZ)
	// floors must be distinct (gaps ≥ 1)
	seen := make(map[int64]struct{}, n)
	for _, F := range sc.Floor {
		if _, dup := seen[F]; dup {
			return nil, errors.New("park: projected floors collide (internal error)")
		}
		seen[F] = struct{}{}
	}
	return sc, nil
}

// exactMethods names the constructions whose sizes do not depend on the
// data's magnitudes fitting a machine word, for park's refusals.
const exactMethods = "hz or vardi"

// roundRat rounds to the nearest integer (halves up).
func roundRat(r *big.Rat) *big.Int {
	t := new(big.Rat).Add(r, big.NewRat(1, 2))
	q := new(big.Int)
	m := new(big.Int)
	q.DivMod(t.Num(), t.Denom(), m) // Euclidean floor for positive denominators
	return q
}
