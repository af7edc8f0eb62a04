package park

import (
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"slices"
)

// shiftMap is f(x) = x + Σ_j Jump_j·STEP(x − Theta_j) with integer
// thresholds at data floors (spec §4, "compiling a shift map into neurons").
type shiftMap struct {
	Theta, Jump []int64
}

// Grouping selects how compression-2 groups are sized (spec §5).
type Grouping int

const (
	// GroupPaper uses the paper's fixed group size q = ⌊T/N⌋ (Lemma 16).
	GroupPaper Grouping = iota
	// GroupAdaptive uses the largest size the counting argument allows,
	// ⌊(T−1)/|O|⌋ with |O| the occupied floors (spec §5, ours).
	GroupAdaptive
	// GroupSearch tries 4× the adaptive size and halves a group when 200
	// random shifts all collide (spec §5 "search" variant, ours; existence
	// is then verified, not proved).
	GroupSearch
)

func (g Grouping) String() string {
	return [...]string{"paper", "adaptive", "search"}[g]
}

// stage maps the floors F (all in [0, 2T)) into [0, T) floor-distinctly by
// shifting groups of consecutive points above T by b_g, x ↦ (x − T + b_g)
// mod T (Lemma 15 when there is one group, Lemma 16 otherwise). groupSize
// returns the size of the next group given the number of occupied floors
// (nil: a single group). It updates F in place and returns the shift map
// over the old floors.
func stage(F []int64, T int64, groupSize func(occupied int) int, search bool, rng *rand.Rand) (shiftMap, int, error) {
	n := len(F)
	occ := make(map[int64]struct{}, n)
	var above []int
	for i, f := range F {
		if f >= 2*T {
			return shiftMap{}, 0, fmt.Errorf("park: floor %d ≥ 2T = %d", f, 2*T)
		}
		if f < T {
			occ[f] = struct{}{}
		} else {
			above = append(above, i)
		}
	}
	slices.SortFunc(above, func(a, b int) int { return cmp64(F[a], F[b]) })
	old := slices.Clone(F)
	tries := 0
	for start := 0; start < len(above); {
		size := len(above) - start
		if groupSize != nil {
			size = min(size, max(1, groupSize(len(occ))))
		}
		for {
			grp := above[start : start+size]
			b, t, ok := findShift(F, grp, T, occ, rng, search)
			tries += t
			if ok {
				for _, i := range grp {
					nf := F[i] - T + b
					if nf >= T {
						nf -= T
					}
					F[i] = nf
					occ[nf] = struct{}{}
				}
				break
			}
			if !search || size == 1 {
				return shiftMap{}, tries, fmt.Errorf("park: no collision-free shift found for a group of %d points in [0,%d) with %d occupied", size, T, len(occ))
			}
			size /= 2
		}
		start += size
	}
	// thresholds where the offset changes, walking in old-floor order
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp64(old[a], old[b]) })
	var sm shiftMap
	prev := int64(0)
	for _, i := range order {
		off := F[i] - old[i]
		if off != prev {
			sm.Theta = append(sm.Theta, old[i])
			sm.Jump = append(sm.Jump, off-prev)
			prev = off
		}
	}
	return sm, tries, nil
}

// findShift draws b uniformly from [0,T) until no point of grp lands on an
// occupied floor (spec §4 "finding b": randomized search with a hash set,
// never a table of the |S|·|O| forbidden residues). With |S|·|O| < T a
// random b fails with probability < 1 − 1/e heuristically.
func findShift(F []int64, grp []int, T int64, occ map[int64]struct{}, rng *rand.Rand, search bool) (int64, int, bool) {
	limit := 5000
	if search {
		limit = 200
	}
	for t := 1; t <= limit; t++ {
		b := rng.Int64N(T)
		ok := true
		for _, i := range grp {
			nf := F[i] - T + b
			if nf >= T {
				nf -= T
			}
			if _, hit := occ[nf]; hit {
				ok = false
				break
			}
		}
		if ok {
			return b, t, true
		}
	}
	// Deterministic fallback (the counting argument guarantees a free b when
	// |S|·|O| < T): scan all residues, affordable for moderate T. Needed
	// when the target is nearly full (e.g. Theorem 1 with w = 1, V = N).
	if !search && T <= 1<<26 {
		for b := int64(0); b < T; b++ {
			ok := true
			for _, i := range grp {
				nf := F[i] - T + b
				if nf >= T {
					nf -= T
				}
				if _, hit := occ[nf]; hit {
					ok = false
					break
				}
			}
			if ok {
				return b, limit, true
			}
		}
	}
	return 0, limit, false
}

func cmp64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// chainLayers is λ(n), the number of width-3 layers the chain layout of spec
// §5 needs for n indicators: 1 for n ≤ 2, 2 for n = 3, n − 2 for n ≥ 4.
func chainLayers(n int) int {
	switch {
	case n == 0:
		return 0
	case n <= 2:
		return 1
	case n == 3:
		return 2
	}
	return n - 2
}

// applyShift emits the width-3 chain realising x ↦ x + Σ J_j·STEP(x − θ_j)
// (spec §5, "width-3 chain layout", used for compression 1 (Lemma 15, at
// most two indicators, one layer) and compression 2 (Lemma 16)). gamma is
// the projection margin: every threshold is an integer and every x is an
// integer plus the point's fraction φ ∈ [γ, 1−γ].
func (p *program) applyShift(name string, x expr, sm shiftMap, gamma *big.Rat) expr {
	n := len(sm.Theta)
	if n == 0 {
		return x
	}
	st := func(j int) unit { return stepUnit(x.plusConst(rat(-sm.Theta[j])), gamma) }
	J := func(j int) *big.Rat { return rat(sm.Jump[j]) }
	if n <= 2 {
		us := []unit{idUnit(x)}
		for j := range n {
			us = append(us, st(j))
		}
		r := p.emit(name, us...)
		out := r[0]
		for j := range n {
			out = out.add(r[1+j], J(j))
		}
		return out
	}
	r := p.emit(name, idUnit(x), st(0), st(1))
	x = r[0]
	acc := r[0].add(r[1], J(0)).add(r[2], J(1))
	j := 2
	for ; n-j > 2; j++ {
		st := stepUnit(x.plusConst(rat(-sm.Theta[j])), gamma)
		r := p.emit(name, idUnit(x), idUnit(acc), st)
		x = r[0]
		acc = r[1].add(r[2], J(j))
	}
	// last layer: ID(acc) and the remaining one or two indicators
	us := []unit{idUnit(acc)}
	for k := j; k < n; k++ {
		us = append(us, stepUnit(x.plusConst(rat(-sm.Theta[k])), gamma))
	}
	r = p.emit(name, us...)
	out := r[0]
	for k := j; k < n; k++ {
		out = out.add(r[1+k-j], J(k))
	}
	return out
}

var errEmpty = errors.New("park: empty dataset")

// ceilDiv is ⌈a/b⌉ for a ≥ 0, b > 0.
func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }
