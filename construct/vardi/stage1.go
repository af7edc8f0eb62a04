package vardi

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"math/rand/v2"

	"github.com/memnet/memnet/construct/project"
)

// Stage1 is the result of Stage I: the single first-layer neuron
// t(x) = σ(Σ_k W_k x_k + Bias) and the exact values it takes on the data.
//
// Paper: Stage I of the proof of Theorem 3.1 (Lemma A.3, after Park et al.
// 2021, Lemma 8): project the data on a direction that keeps the points
// separated, shift and scale so that the values are nonnegative and pairwise
// at least 2 apart. Our realisation is the specification's adaptive version
// (vardi-optimal.md §5.2): the scale is chosen from the exact minimum gap of
// the rounded projection instead of from r and δ, and the separation is
// checked on the data, not assumed.
type Stage1 struct {
	// W and Bias are the layer-1 weights and bias, dyadic rationals.
	W    []*big.Rat
	Bias *big.Rat
	// Floor[i] = ⌊t(x_i)⌋ exactly.
	Floor []*big.Int
	// Order lists the point indices by increasing t.
	Order []int
	// Rho = bitlen(max_i ⌊t_i⌋) (at least 1): the bits of one packed point value.
	Rho int
	// Sigma is log2 of the scale applied to the projection (may be negative).
	Sigma int
	// DirBits is the number of fractional bits of the rounded Gaussian
	// direction, or, for integer data, the range of the integer direction.
	DirBits int
	// Integer reports whether an integer direction was used.
	Integer bool
	// Draws is the number of directions drawn.
	Draws int
	// Nonzero is the number of nonzero direction coordinates (d' in §9.1).
	Nonzero int
}

// maxDraws caps the number of random directions (spec §5.2: the prototype
// stopped at 64; a tie on every one of them means duplicate points).
const maxDraws = 64

// StageI draws a direction and builds the Stage-I neuron for xs.
//
// Paper: Stage I, Lemma A.3 (direction keeping all pairwise distances up to a
// factor sqrt(8/(πd))/N²). Ours (spec §5.2): for real data a Gaussian
// direction rounded to dirBits fractional bits (dirBits ≤ 0 picks
// min(50, 2·bitlen(N)+bitlen(d)+16)); for integer data (pixels) an integer
// direction in [−2^b, 2^b] with b = 2·bitlen(N)+8 (capped so the projection
// fits int64). Then, with P_i the exact projections at scale 2^F and Δ their
// smallest adjacent gap, σ is the smallest integer with 2^σ·Δ ≥ 2^(F+1), β =
// ⌊max|P_i|/2^F⌋+1, and t = σ(2^σ(w·x + β)). The invariant of spec §8.1 —
// sorted floors at least 2 apart — is checked exactly.
func StageI(ctx context.Context, xs [][]float64, seed int64, dirBits int) (*Stage1, error) {
	n := len(xs)
	if n == 0 {
		return nil, errors.New("vardi: no points")
	}
	d := len(xs[0])
	rng := rand.New(rand.NewPCG(uint64(seed), 0x7661726469))
	s := &Stage1{}
	var proj *project.Projection
	if project.AllIntegers(xs) {
		s.Integer = true
		var xmax float64
		for _, x := range xs {
			for _, v := range x {
				xmax = max(xmax, math.Abs(v))
			}
		}
		b := dirBits
		if b <= 0 {
			b = 2*bits.Len(uint(n)) + 8
		}
		// keep xmax·2^b·d < 2^62 so project computes in int64
		lim := 61 - bits.Len64(uint64(xmax)) - bits.Len(uint(d))
		b = max(1, min(b, lim))
		s.DirBits = b
		var err error
		proj, err = project.Draw(ctx, xs, project.Integer, b, rng, maxDraws)
		if err != nil {
			return nil, fmt.Errorf("vardi stage I: %w (are there duplicate points?)", err)
		}
		s.Draws = proj.Draws
	} else {
		b := dirBits
		if b <= 0 {
			b = min(50, 2*bits.Len(uint(n))+bits.Len(uint(d))+16)
		}
		s.DirBits = b
		colScale, _, _ := columnStats(d, xs)
		for draw := 1; ; draw++ {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if draw > maxDraws {
				return nil, fmt.Errorf("vardi stage I: %d directions all gave equal projections for two distinct points", maxDraws)
			}
			w := make([]float64, d)
			for k := range w {
				w[k] = math.Round(rng.NormFloat64()*math.Ldexp(1, b)) / math.Ldexp(1, b)
			}
			var p *project.Projection
			if project.HasOrderer(ctx) { // the global order on another engine (contrib/beam)
				var err error
				if p, err = project.OrderWith(ctx, xs, w); err != nil {
					return nil, err
				}
			} else {
				var err error
				if p, err = alongExact(ctx, xs, w, colScale); err != nil {
					return nil, err
				}
			}
			if g := p.MinGap(); g == nil || g.Sign() > 0 {
				proj = p
				s.Draws = draw
				break
			}
		}
	}
	F := proj.Scale
	// β = ⌊max|P_i| / 2^F⌋ + 1
	maxAbs := new(big.Int)
	for _, t := range proj.Tau {
		if t.CmpAbs(maxAbs) > 0 {
			maxAbs.Abs(t)
		}
	}
	beta := new(big.Int).Rsh(maxAbs, uint(F))
	beta.Add(beta, big.NewInt(1))
	// σ: smallest integer with Δ·2^σ ≥ 2^(F+1). For one point any σ works; take 0.
	sigma := 0
	if gap := proj.MinGap(); gap != nil {
		// Δ·2^σ ≥ 2^(F+1)  ⇔  σ ≥ F+1 − log2 Δ
		sigma = F + 1 - (gap.BitLen() - 1)
		// make sure σ is the smallest such integer by a direct check
		for ge(gap, sigma-1, F+1) {
			sigma--
		}
		for !ge(gap, sigma, F+1) {
			sigma++
		}
	}
	s.Sigma = sigma
	// Weights 2^σ·w_k and bias 2^σ·β, as exact rationals.
	s.W = make([]*big.Rat, d)
	for k, wk := range proj.W {
		r := new(big.Rat).SetFloat64(wk)
		s.W[k] = mulPow2(r, sigma)
		if wk != 0 {
			s.Nonzero++
		}
	}
	s.Bias = mulPow2(new(big.Rat).SetInt(beta), sigma)
	// Exact floors: ⌊(P_i + β·2^F)·2^σ / 2^F⌋.
	s.Floor = make([]*big.Int, n)
	shifted := new(big.Int).Lsh(beta, uint(F))
	maxFloor := new(big.Int)
	for i, t := range proj.Tau {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		v := new(big.Int).Add(t, shifted)
		if v.Sign() <= 0 {
			return nil, fmt.Errorf("vardi stage I: internal error: point %d has t ≤ 0", i)
		}
		e := F - sigma
		if e >= 0 {
			v.Rsh(v, uint(e))
		} else {
			v.Lsh(v, uint(-e))
		}
		s.Floor[i] = v
		if v.Cmp(maxFloor) > 0 {
			maxFloor.Set(v)
		}
	}
	s.Order = proj.Order
	s.Rho = max(1, maxFloor.BitLen())
	// Invariant (spec §8.1): sorted floors differ by at least 2.
	two := big.NewInt(2)
	g := new(big.Int)
	for k := 1; k < n; k++ {
		if k%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		g.Sub(s.Floor[s.Order[k]], s.Floor[s.Order[k-1]])
		if g.Cmp(two) < 0 {
			return nil, fmt.Errorf("vardi stage I: sorted floors %d and %d differ by %v < 2", k-1, k, g)
		}
	}
	return s, nil
}

// ge reports whether Δ·2^σ ≥ 2^e.
func ge(delta *big.Int, sigma, e int) bool {
	// Δ ≥ 2^(e−σ)
	k := e - sigma
	if k < 0 {
		return true // Δ ≥ 1 > 2^k
	}
	return delta.Cmp(new(big.Int).Lsh(big.NewInt(1), uint(k))) >= 0
}

// mulPow2 returns r·2^k as a new rational.
func mulPow2(r *big.Rat, k int) *big.Rat {
	num := new(big.Int).Set(r.Num())
	den := new(big.Int).Set(r.Denom())
	if k >= 0 {
		num.Lsh(num, uint(k))
	} else {
		den.Lsh(den, uint(-k))
	}
	return new(big.Rat).SetFrac(num, den)
}
