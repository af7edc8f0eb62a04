package criteria

import (
	"errors"
	"fmt"
	"math"
)

// Run is a block of Count consecutive hidden layers of one Width.
type Run struct{ Width, Count int }

// Expand lists the widths of runs.
func Expand(runs []Run) []int {
	var w []int
	for _, r := range runs {
		for range r.Count {
			w = append(w, r.Width)
		}
	}
	return w
}

// runParams is DenseParams of the expanded runs, in O(len(runs)).
func runParams(runs []Run, dx int) int64 {
	p := int64(0)
	prev := int64(dx)
	for _, r := range runs {
		if r.Count == 0 {
			continue
		}
		w := int64(r.Width)
		p += (prev+1)*w + int64(r.Count-1)*(w+1)*w
		prev = w
	}
	return p + prev + 1
}

// Suggestion is the architecture Suggest proposes, with its check.
type Suggestion struct {
	Runs   []Run   `json:"runs"`
	Widths string  `json:"widths"`
	Params int64   `json:"dense_params"`
	Layers int     `json:"layers"`
	Check  *Result `json:"check"`
	Family string  `json:"family"`
}

// suggestWidths bounds the widths Suggest tries for the condition-3
// segments and the table segment.
const suggestMaxWidth = 12

// Suggest returns the architecture with the fewest dense parameters (spec
// §0 count) that the criteria accept, among the family Theorem 3's proof
// suggests (spec §9 "Theorem 3" sizing, ours):
//
//	3 × L_1 (L_1 = ⌈log2(Δ√(2πd_x))⌉, the cheapest way to meet condition 2:
//	         width 3 gives one halving per 12 parameters),
//	for i = 2..K−1: w_s × ⌈2^{i+3}/(w_s−2)⌉  (condition 3, one width w_s for all),
//	w_t × n_A  (the table segment, A = n_A·(w_t−2)),
//	7 × (B·D + 1)  (the extraction tail, B = ⌈⌈U/2^{K−2}⌉/A⌉ slots),
//
// over K = 2..⌊log2 N⌋, w_s, w_t ∈ [3, 12] and every B (exact search: for a
// fixed B the fewest table layers are best). It is the optimum within this
// family, not over all width lists.
func Suggest(p Problem) (*Suggestion, error) {
	if err := validate([]int{3}, p); err != nil {
		return nil, err
	}
	kmax := KMax(p.N)
	if kmax < 2 {
		return nil, fmt.Errorf("criteria: N = %d < 4: Theorem 3 needs 2 ≤ K ≤ log2 N", p.N)
	}
	D := int64(LabelBits(p.C))
	l1 := max(1, int(math.Ceil(math.Log2(Condition2Target(p))-1e-12)))
	// make sure 2^l1 really reaches the target (float rounding)
	for math.Exp2(float64(l1)) < Condition2Target(p) {
		l1++
	}
	var best []Run
	bestP := int64(math.MaxInt64)
	for K := 2; K <= kmax; K++ {
		target := Target4(p.N, K)
		for ws := 3; ws <= suggestMaxWidth; ws++ {
			if K == 2 && ws > 3 {
				break // no segments: ws is irrelevant
			}
			runs := []Run{{3, l1}}
			for i := 2; i <= K-1; i++ {
				need := int64(1) << uint(i+3)
				runs = append(runs, Run{ws, int((need + int64(ws) - 3) / int64(ws-2))})
			}
			// merge equal neighbouring runs later; cost of the prefix
			for wt := 3; wt <= suggestMaxWidth; wt++ {
				pre := append(append([]Run(nil), runs...), Run{wt, 0}, Run{7, 0})
				for B := int64(1); ; B++ {
					nA := ceilDiv64(target, B*int64(wt-2))
					if nA > 1<<26 {
						continue
					}
					tail := B*D + 1
					if tail > 1<<26 {
						break
					}
					pre[len(pre)-2].Count = int(nA)
					pre[len(pre)-1].Count = int(tail)
					pc := runParams(pre, p.Dx)
					if pc < bestP {
						bestP = pc
						best = append([]Run(nil), pre...)
					}
					// the tail alone already costs more than the best: stop
					if 56*tail > bestP {
						break
					}
					if nA == 1 {
						break
					}
				}
			}
		}
	}
	if best == nil {
		return nil, errors.New("criteria: no architecture found")
	}
	best = mergeRuns(best)
	w := Expand(best)
	chk, err := Check(w, p)
	if err != nil {
		return nil, err
	}
	if !chk.OK {
		return nil, fmt.Errorf("criteria: internal error: suggested %s fails the check", FormatWidths(w))
	}
	return &Suggestion{Runs: best, Widths: FormatWidths(w), Params: DenseParams(w, p.Dx), Layers: len(w), Check: chk,
		Family: "3×L_1, then per condition-3 segment w_s×⌈2^{i+3}/(w_s−2)⌉, then w_t×n_A (table), then 7×(B·D+1) (extraction); K, w_s, w_t ∈ [3,12], B searched exactly"}, nil
}

func mergeRuns(rs []Run) []Run {
	var out []Run
	for _, r := range rs {
		if r.Count == 0 {
			continue
		}
		if n := len(out); n > 0 && out[n-1].Width == r.Width {
			out[n-1].Count += r.Count
			continue
		}
		out = append(out, r)
	}
	return out
}

func ceilDiv64(a, b int64) int64 { return (a + b - 1) / b }
