package data

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
)

// GeometryReport describes the geometry of a dataset: the quantities the
// constructions' sizes depend on.
//
// All values are computed in float64. Distances are Euclidean, computed as
// the square root of the sum of squared coordinate differences, rescaled
// when that sum would overflow or underflow (so distinct points always have
// a positive distance). Distances beyond the float64 range are reported as
// math.MaxFloat64 (and Method says so), so that the report always encodes as
// JSON.
type GeometryReport struct {
	// N is the number of points.
	N int `json:"n"`
	// D is the dimension of the points.
	D int `json:"d"`
	// M is the number of classes.
	M int `json:"m"`
	// MaxNorm is r, the largest Euclidean norm of a point.
	MaxNorm float64 `json:"max_norm"`
	// MinDist is δ, the smallest distance between two distinct points
	// (0 when N < 2).
	MinDist float64 `json:"min_dist"`
	// MaxDist is the diameter, the largest distance between two points, or a
	// lower bound on it when MaxDistExact is false (0 when N < 2).
	MaxDist float64 `json:"max_dist"`
	// MaxDistUpper is an upper bound on the diameter: MaxDist when it is
	// exact, otherwise twice the largest distance to the first point (by the
	// triangle inequality).
	MaxDistUpper float64 `json:"max_dist_upper"`
	// Delta is MaxDist/MinDist (0 when N < 2). When MaxDistExact is false it
	// uses the lower bound, so it is a lower bound too.
	Delta float64 `json:"delta"`
	// MinDistExact says MinDist is the exact minimum over all pairs (as
	// computed in float64); Geometry always finds it.
	MinDistExact bool `json:"min_dist_exact"`
	// MaxDistExact says MaxDist is the exact maximum over all pairs.
	MaxDistExact bool `json:"max_dist_exact"`
	// Method says how the values were found.
	Method string `json:"method"`
	// PairsEvaluated counts the pairwise distances computed, for both the
	// minimum and the maximum.
	PairsEvaluated int64 `json:"pairs_evaluated"`
}

// maxDistBrute is the largest N·N·D for which the diameter is computed
// exactly over all pairs (a variable so tests can lower it).
var maxDistBrute = 2e9

// farthestRounds is the number of farthest-point rounds for a diameter lower
// bound.
const farthestRounds = 4

// Geometry computes the dataset's norm bound, minimum distance, diameter and
// Δ, in float64.
//
// The minimum distance is exact for every N, without trying all pairs: the
// points are projected on a random direction (fixed seed) and sorted, and
// each point is compared only with the following points whose projection
// lies within the best distance found so far (projection cannot increase
// distances; the bound allows for the rounding of projections and distances,
// so no pair that could be closer is skipped). The projections on a few more
// orthonormal random directions, and a cut-off on partial sums of squares,
// prune further pairs, also exactly. In low dimension few pairs remain; in
// high dimension (such as images) a random projection separates little, so
// the sweep may still check a large share of the pairs, each cheaply.
//
// The diameter is exact over all pairs when N·N·D ≤ 2e9; otherwise it is the
// best of a few rounds of farthest-point search (a lower bound, with
// MaxDistExact false and MaxDistUpper an upper bound), and Delta uses that
// lower bound.
//
// It returns ctx's error (and a partial report) when ctx is done; the
// searches look at ctx between points.
func Geometry(ctx context.Context, ds *Dataset) (GeometryReport, error) {
	rep := GeometryReport{N: ds.N(), D: ds.D(), M: ds.M(), MinDistExact: true, MaxDistExact: true}
	x := ds.X
	for _, xi := range x {
		rep.MaxNorm = max(rep.MaxNorm, norm(xi))
	}
	n := len(x)
	if rep.D == 0 {
		rep.Method = "no features: every distance is 0"
		return rep, nil
	}
	if n < 2 {
		rep.Method = "fewer than two points: no pairs"
		rep.MaxDistUpper = 0
		return rep, nil
	}
	allPairs := int64(n) * int64(n-1) / 2

	minDist, minEvals, how := minDistance(ctx, x)
	if err := ctx.Err(); err != nil {
		return rep, err
	}
	rep.MinDist = minDist
	rep.PairsEvaluated += minEvals
	method := fmt.Sprintf("min: %s, %d of %d pairs evaluated", how, minEvals, allPairs)

	if float64(n)*float64(n)*float64(rep.D) <= maxDistBrute {
		rep.MaxDist = maxDistanceAll(ctx, x)
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		rep.MaxDistUpper = rep.MaxDist
		rep.PairsEvaluated += allPairs
		method += "; max: all pairs"
	} else {
		lower, upper, evals := maxDistanceBounds(x)
		rep.MaxDist, rep.MaxDistUpper = lower, upper
		rep.MaxDistExact = false
		rep.PairsEvaluated += evals
		method += fmt.Sprintf("; max: lower bound from %d rounds of farthest-point search (N·N·D > %.0e), upper bound 2×(largest distance to the first point); delta uses the lower bound", farthestRounds, maxDistBrute)
	}
	rep.Delta = rep.MaxDist / rep.MinDist

	capped := false
	for _, v := range []*float64{&rep.MaxNorm, &rep.MinDist, &rep.MaxDist, &rep.MaxDistUpper, &rep.Delta} {
		if math.IsInf(*v, 1) {
			*v = math.MaxFloat64
			capped = true
		}
	}
	if capped {
		method += "; some values exceed the float64 range and are capped at MaxFloat64"
	}
	rep.Method = method
	return rep, nil
}

// fastLo and fastHi bound the sums of squares that need no rescaling.
const (
	fastLo = 0x1p-900
	fastHi = 0x1p1000
)

// dist is the Euclidean distance between a and b.
func dist(a, b []float64) float64 {
	s := sumSq(a, b)
	if s >= fastLo && s <= fastHi {
		return math.Sqrt(s)
	}
	return distScaled(a, b)
}

// sumSq is the sum of squared differences, accumulated in four interleaved
// partial sums (for speed) combined as (s0+s1)+(s2+s3).
func sumSq(a, b []float64) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	c := 0
	for ; c+4 <= len(a); c += 4 {
		d0, d1, d2, d3 := a[c]-b[c], a[c+1]-b[c+1], a[c+2]-b[c+2], a[c+3]-b[c+3]
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
	}
	for ; c < len(a); c++ {
		d := a[c] - b[c]
		s0 += d * d
	}
	return (s0 + s1) + (s2 + s3)
}

// distScaled computes the distance with rescaling, for sums of squares that
// would overflow or underflow.
func distScaled(a, b []float64) float64 {
	m := 0.0
	for k, ak := range a {
		d := ak - b[k]
		if math.IsInf(d, 0) {
			// The difference overflows: work on halves (the values are
			// huge, so halving loses nothing that matters).
			for k, ak := range a {
				m = max(m, math.Abs(ak*0.5-b[k]*0.5))
			}
			var s float64
			for k, ak := range a {
				d := (ak*0.5 - b[k]*0.5) / m
				s += d * d
			}
			return 2 * m * math.Sqrt(s)
		}
		m = max(m, math.Abs(d))
	}
	if m == 0 {
		return 0
	}
	var s float64
	for k, ak := range a {
		d := (ak - b[k]) / m
		s += d * d
	}
	return m * math.Sqrt(s)
}

// norm is the Euclidean norm of a.
func norm(a []float64) float64 {
	var s float64
	for _, v := range a {
		s += v * v
	}
	if s >= fastLo && s <= fastHi {
		return math.Sqrt(s)
	}
	m := 0.0
	for _, v := range a {
		m = max(m, math.Abs(v))
	}
	if m == 0 {
		return 0
	}
	s = 0
	for _, v := range a {
		s += (v / m) * (v / m)
	}
	return m * math.Sqrt(s)
}

// sketchDims is the number of orthonormal random directions minDistance
// projects on: the first orders the sweep, all of them together prune pairs.
const sketchDims = 8

// pivots is the number of pivot points whose distances prune pairs by the
// triangle inequality.
const pivots = 8

// minDistance returns the exact minimum pairwise distance, the number of
// distances computed and the method's name: a k-d tree search
// (minDistanceKD) in dimension up to kdMaxDim when no coordinate exceeds
// 2⁴⁰⁰ in magnitude, and otherwise the sorted-projection sweep below. Both
// return the minimum of dist over all pairs, so the value does not depend
// on the method.
//
// Soundness of the pruning, for a pair (i, j) and the best distance so far:
//   - projections: for an orthonormal D×K matrix U, |U^T(x_i−x_j)| ≤
//     |x_i−x_j|. In floating point U is only nearly orthonormal and the
//     projections are rounded, so the bound is widened by the factor f (from
//     the Gershgorin bound on U^T U), a relative eps, an absolute term
//     proportional to Σ|x_c·u_c| (the error bound of a dot product) and a
//     tiny term for subnormal rounding;
//   - pivots: |d(x_i,p) − d(x_j,p)| ≤ |x_i−x_j|, widened by eps relative to
//     the distances involved (pivots are not used when distances may
//     overflow);
//   - partial sums: the sum of squares only grows, so once it passes best²
//     (widened by eps) the pair cannot be closer.
//
// Only pairs that cannot have a computed distance below the best are
// skipped, so the result is the minimum of dist over all pairs.
func minDistance(ctx context.Context, x [][]float64) (float64, int64, string) {
	d := len(x[0])
	maxAbs := 0.0
	for _, xi := range x {
		for _, v := range xi {
			maxAbs = max(maxAbs, math.Abs(v))
		}
	}
	if d <= kdMaxDim && maxAbs <= 0x1p400 {
		best, evals := minDistanceKD(ctx, x)
		return best, evals, "k-d tree search"
	}
	best, evals := minDistanceSweep(ctx, x, maxAbs)
	return best, evals, "sorted-projection sweep"
}

// minDistanceSweep is minDistance's sorted-projection sweep; maxAbs is the
// largest coordinate magnitude. It stops early (its result is then not the
// minimum) when ctx is done.
func minDistanceSweep(ctx context.Context, x [][]float64, maxAbs float64) (float64, int64) {
	n, d := len(x), len(x[0])
	k := min(d, sketchDims)
	eps := float64(d+k+8) * 0x1p-52
	tiny := float64((d+8)*k) * 0x1p-1070
	var evals int64

	// Scale by a power of two (exactly) so that projections cannot overflow.
	scale := 1.0
	if maxAbs > 0x1p500 {
		_, e := math.Frexp(maxAbs)
		scale = math.Ldexp(1, -e)
	}

	dirs, f := randomFrame(d, k, eps)

	// Sketch each point: its K projections (of x·scale) and the sum of
	// |x_c·scale·u_c| over all of them, which bounds their rounding errors.
	sk := make([]float64, n*k)
	absw := make([]float64, n)
	for i, xi := range x {
		for p, u := range dirs {
			var s, a float64
			for c, v := range xi {
				t := v * scale * u[c]
				s += t
				a += math.Abs(t)
			}
			sk[i*k+p] = s
			absw[i] += a
		}
	}

	// Pivots: far-apart points chosen by farthest-first traversal.
	np := min(pivots, n)
	if scale != 1 {
		np = 0 // distances might overflow
	}
	pd := make([]float64, n*np) // pd[i*np+q] = dist(x[i], pivot q)
	if np > 0 {
		minToPivots := make([]float64, n)
		for i := range minToPivots {
			minToPivots[i] = math.Inf(1)
		}
		piv := 0
		for q := range np {
			next, far := piv, -1.0
			for i, xi := range x {
				dd := dist(xi, x[piv])
				pd[i*np+q] = dd
				minToPivots[i] = min(minToPivots[i], dd)
				if minToPivots[i] > far {
					next, far = i, minToPivots[i]
				}
			}
			evals += int64(n)
			piv = next
		}
	}

	// Sort by the first projection and lay everything out in that order.
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(i, j int) int { return cmp.Compare(sk[i*k], sk[j*k]) })
	sortedSk := make([]float64, n*k)
	sortedPd := make([]float64, n*np)
	sortedAbs := make([]float64, n)
	rows := make([][]float64, n)
	maxAbsw := 0.0
	for a, i := range order {
		copy(sortedSk[a*k:(a+1)*k], sk[i*k:(i+1)*k])
		copy(sortedPd[a*np:(a+1)*np], pd[i*np:(i+1)*np])
		sortedAbs[a] = absw[i]
		rows[a] = x[i]
		maxAbsw = max(maxAbsw, absw[i])
	}
	sk, pd, absw = nil, nil, nil

	// Start from consecutive pairs in projection order.
	best := math.Inf(1)
	for a := 0; a+1 < n; a++ {
		best = min(best, dist(rows[a], rows[a+1]))
		evals++
	}

	for a := 0; a < n; a++ {
		if a%1024 == 0 && ctx.Err() != nil {
			break
		}
		si := sortedSk[a*k : (a+1)*k]
		pi := sortedPd[a*np : (a+1)*np]
		ai := sortedAbs[a]
		reach := f*best*scale*(1+eps) + tiny
		pivotReach := best*(1+eps) + tiny
	pairs:
		for b := a + 2; b < n; b++ {
			sj := sortedSk[b*k : (b+1)*k]
			if sj[0]-si[0] > reach+eps*(ai+maxAbsw) {
				break
			}
			pj := sortedPd[b*np : (b+1)*np]
			for q, v := range pi {
				if math.Abs(pj[q]-v) > pivotReach+eps*(pj[q]+v) {
					continue pairs
				}
			}
			bound := reach + eps*(ai+sortedAbs[b])
			var s float64
			for p, v := range si {
				t := sj[p] - v
				s += t * t
			}
			if s > bound*bound {
				continue
			}
			evals++
			if dd, ok := distBelow(rows[a], rows[b], best); ok && dd < best {
				best = dd
				reach = f*best*scale*(1+eps) + tiny
				pivotReach = best*(1+eps) + tiny
			}
		}
	}
	return best, evals
}

// randomFrame returns k orthonormal random directions in d dimensions (fixed
// seed; Gram-Schmidt applied twice) and f, a bound on the norm of the
// projection onto them: λmax(U^T U) ≤ the largest row sum of |U^T U|.
func randomFrame(d, k int, eps float64) ([][]float64, float64) {
	rng := rand.New(rand.NewPCG(0x6d656d6e6574, 0x67656f6d))
	dirs := make([][]float64, k)
	for p := range dirs {
		u := make([]float64, d)
		for {
			for c := range u {
				u[c] = rng.NormFloat64()
			}
			for range 2 {
				for _, v := range dirs[:p] {
					dot := 0.0
					for c := range u {
						dot += u[c] * v[c]
					}
					for c := range u {
						u[c] -= dot * v[c]
					}
				}
			}
			if nu := norm(u); nu > 1e-3 {
				for c := range u {
					u[c] /= nu
				}
				break
			}
		}
		dirs[p] = u
	}
	f := 0.0
	for _, u := range dirs {
		row := 0.0
		for _, v := range dirs {
			dot := 0.0
			for c := range u {
				dot += u[c] * v[c]
			}
			row += math.Abs(dot)
		}
		f = max(f, row)
	}
	return dirs, math.Sqrt(f+eps) * (1 + eps)
}

// distBelow returns dist(a, b) and true, or false when it can tell early,
// from partial sums of squares, that the distance is not below best. It sums
// exactly as sumSq does; the partial sums only grow, and so does their
// combination, so a combination above best² (widened for rounding) means
// dist(a, b) ≥ best, also when the full sum would overflow, since best² ≤
// fastHi/2 then.
func distBelow(a, b []float64, best float64) (float64, bool) {
	sq := best * best
	if !(sq >= 2*fastLo && sq <= fastHi/2) {
		return dist(a, b), true
	}
	limit := sq * (1 + 0x1p-50)
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	c := 0
	for ; c+4 <= len(a); c += 4 {
		d0, d1, d2, d3 := a[c]-b[c], a[c+1]-b[c+1], a[c+2]-b[c+2], a[c+3]-b[c+3]
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
		if c&12 == 12 && (s0+s1)+(s2+s3) > limit { // every 16 coordinates
			return 0, false
		}
	}
	for ; c < len(a); c++ {
		d := a[c] - b[c]
		s0 += d * d
	}
	s := (s0 + s1) + (s2 + s3)
	if s > limit {
		return 0, false
	}
	if s >= fastLo && s <= fastHi {
		return math.Sqrt(s), true
	}
	return distScaled(a, b), true
}

// maxDistanceAll returns the exact diameter over all pairs, in parallel; it
// stops early (its result is then not the diameter) when ctx is done.
func maxDistanceAll(ctx context.Context, x [][]float64) float64 {
	n := len(x)
	workers := min(runtime.GOMAXPROCS(0), max(n/64, 1))
	res := make([]float64, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := 0.0
			for i := w; i < n; i += workers {
				if i%256 < workers && ctx.Err() != nil {
					break
				}
				xi := x[i]
				for j := i + 1; j < n; j++ {
					m = max(m, dist(xi, x[j]))
				}
			}
			res[w] = m
		}()
	}
	wg.Wait()
	return slices.Max(res)
}

// maxDistanceBounds returns a lower bound on the diameter (farthest-point
// rounds from the first point), an upper bound (twice the largest distance
// to the first point) and the number of distances computed.
func maxDistanceBounds(x [][]float64) (lower, upper float64, evals int64) {
	from := 0
	for r := range farthestRounds {
		far, fd := from, 0.0
		for j, xj := range x {
			if dd := dist(x[from], xj); dd > fd {
				far, fd = j, dd
			}
		}
		evals += int64(len(x) - 1)
		if r == 0 {
			upper = 2 * fd
		}
		lower = max(lower, fd)
		if far == from {
			break
		}
		from = far
	}
	return lower, upper, evals
}
