// Package criteria checks Theorem 3 of S. Park, J. Lee, C. Yun, J. Shin,
// "Provable Memorization via Deep Neural Networks using Sub-linear
// Parameters" (COLT 2021; ICLR 2021 submission numbering), in the form of
// the implementable specification shared/papers/park-sublinear.md §7.3
// ("the spec").
//
// Theorem 3 [paper]: a network with hidden widths d_1..d_L memorizes every
// Δ-separated set of N points of R^{d_x} with C classes if there are K with
// 2 ≤ K ≤ log2 N and 0 < L_1 < … < L_K < L such that
//
//  1. d_ℓ ≥ 3 for ℓ ≤ L_K and d_ℓ ≥ 7 for ℓ > L_K;
//  2. Π_{ℓ=1}^{L_1} ⌊(d_ℓ+1)/2⌋ ≥ Δ·√(2π d_x);
//  3. Σ_{ℓ=L_{i−1}+1}^{L_i} (d_ℓ − 2) ≥ 2^{i+3} for every 1 < i ≤ K−1;
//  4. A·B ≥ ⌈U/2^{K−2}⌉ with A := Σ_{ℓ=L_{K−1}+1}^{L_K} (d_ℓ − 2),
//     B := ⌊(L − L_K − 1)/⌈log2 C⌉⌋ and U := ⌊N²/4⌋ + 1.
//
// Condition 4 is reconstructed (spec §7.3, "[unrecovered]"): the printed form
// is OCR-damaged and reads like 2^K·A·B − 4 ≥ N²; A·B ≥ ⌈U/2^{K−2}⌉ is what
// the proof needs (after K−2 halvings of [0,U) the table must cover the
// range) and agrees with it up to additive constants. ⌈log2 C⌉ is read as
// D = max(1, ⌈log2 C⌉) so that C = 1 has one label bit, as everywhere in the
// spec.
//
// The checker (spec §7.3 "checker algorithm", ours) takes L_1 minimal,
// the segment ends L_2..L_{K−1} greedily minimal (each condition 3 involves
// only its own segment, so ending a segment earlier never hurts a later
// one), and tries every L_K for every K; O(L log N).
package criteria

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"strconv"
	"strings"
)

// Problem is what the architecture must memorize.
type Problem struct {
	N     int     `json:"n"`       // number of points
	C     int     `json:"classes"` // number of classes
	Dx    int     `json:"dim"`     // input dimension d_x
	Delta float64 `json:"delta"`   // the data are Δ-separated (Definition 1)
}

// Condition is the verdict on one of Theorem 3's four conditions for the
// best split found (Result.Witness).
type Condition struct {
	Number int    `json:"number"`
	Name   string `json:"name"`
	Holds  bool   `json:"holds"`
	// Required and Achieved are the two sides of the condition's inequality
	// (for condition 1: 0 offending layers, and the number found); values
	// beyond 1e300 are capped at 1e300.
	Required float64 `json:"required"`
	Achieved float64 `json:"achieved"`
	// Log2Short is log2(Required/Achieved) when the condition fails (how
	// many doublings are missing), 0 when it holds; for condition 1 it is the
	// number of offending layers.
	Log2Short float64 `json:"log2_short"`
	Detail    string  `json:"detail"`
}

// Witness is a split (K; L_1..L_K) and the table sizes of condition 4.
type Witness struct {
	K      int   `json:"k"`
	L      []int `json:"l"` // L_1..L_K (1-based layer indices)
	A      int64 `json:"a"`
	B      int64 `json:"b"`
	Target int64 `json:"target"` // ⌈U/2^{K−2}⌉
}

// Result is the checker's answer.
type Result struct {
	OK         bool        `json:"ok"`
	Widths     string      `json:"widths"`
	Layers     int         `json:"layers"`
	Params     int64       `json:"dense_params"`
	Problem    Problem     `json:"problem"`
	Witness    *Witness    `json:"witness,omitempty"`
	Conditions []Condition `json:"conditions"`
	Notes      []string    `json:"notes,omitempty"`
}

// Failed returns the numbers of the conditions that fail.
func (r *Result) Failed() []int {
	var f []int
	for _, c := range r.Conditions {
		if !c.Holds {
			f = append(f, c.Number)
		}
	}
	return f
}

// LabelBits is D = max(1, ⌈log2 C⌉).
func LabelBits(c int) int {
	if c <= 2 {
		return 1
	}
	return bits.Len(uint(c - 1))
}

// U is ⌊N²/4⌋ + 1, the range compression 1 reaches (Lemma 15).
func U(n int) int64 { return int64(n)*int64(n)/4 + 1 }

// KMax is ⌊log2 N⌋, the largest K Theorem 3 allows.
func KMax(n int) int {
	if n < 1 {
		return 0
	}
	return bits.Len(uint(n)) - 1
}

// Condition2Target is Δ·√(2π d_x), rounded up to the next float64.
func Condition2Target(p Problem) float64 {
	t := p.Delta * math.Sqrt(2*math.Pi*float64(max(p.Dx, 1)))
	return math.Nextafter(t, math.Inf(1))
}

// Target4 is ⌈U/2^{K−2}⌉ (condition 4's right-hand side).
func Target4(n, k int) int64 {
	u := U(n)
	s := uint(max(k-2, 0))
	if s >= 63 {
		return 1
	}
	return (u + (int64(1) << s) - 1) >> s
}

// DenseParams is Σ_ℓ (d_{ℓ−1}+1)·d_ℓ + d_L + 1 with d_0 = d_x: the dense
// parameter count of spec §0 (scalar read-out).
func DenseParams(widths []int, dx int) int64 {
	p := int64(0)
	prev := int64(dx)
	for _, w := range widths {
		p += (prev + 1) * int64(w)
		prev = int64(w)
	}
	return p + prev + 1
}

func validate(widths []int, p Problem) error {
	if len(widths) == 0 {
		return errors.New("criteria: no hidden layers")
	}
	for i, w := range widths {
		if w < 1 {
			return fmt.Errorf("criteria: layer %d has width %d", i+1, w)
		}
	}
	if p.N < 1 || p.C < 1 || p.Dx < 1 {
		return fmt.Errorf("criteria: want N, C, d_x ≥ 1 (got %d, %d, %d)", p.N, p.C, p.Dx)
	}
	if p.N > 1<<31 {
		return fmt.Errorf("criteria: N = %d too large", p.N)
	}
	if !(p.Delta >= 1) || math.IsInf(p.Delta, 0) {
		return fmt.Errorf("criteria: want a finite Δ ≥ 1 (got %g)", p.Delta)
	}
	return nil
}

func capf(x float64) float64 { return math.Min(x, 1e300) }

func log2Int(x int64) float64 {
	if x <= 0 {
		return math.Inf(-1)
	}
	return math.Log2(float64(x))
}

// mulSat is a·b saturated at MaxInt64 (a, b ≥ 0).
func mulSat(a, b int64) int64 {
	if a <= 0 || b <= 0 {
		return 0
	}
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi != 0 || lo > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(lo)
}

// candidate is one split considered by Check.
type candidate struct {
	k       int
	l       []int // L_1..L_{K−1}
	lk      int   // L_K (0: not reached)
	c1Count int   // layers violating condition 1
	c3OK    bool
	c3Seg   int   // failing segment i (c3OK false)
	c3Need  int64 // 2^{i+3}
	c3Have  int64 // best sum available
	a, b    int64
	target  int64
	c4Ratio float64 // log2(A·B/target)
}

// fails counts the failing conditions. When condition 3 fails for this K,
// its segments used up every layer before L, so condition 4 fails too
// (A·B = 0).
func (c *candidate) fails(c2 bool) int {
	n := 0
	if c.c1Count > 0 {
		n++
	}
	if !c2 {
		n++
	}
	if !c.c3OK {
		n += 2 // condition 3 used up every layer: no table or tail is left
	} else if c.c4Ratio < 0 {
		n++
	}
	return n
}

// short is the summed shortfall of the failing conditions 1, 3 and 4
// (offending layers; log2 of the missing factors).
func (c *candidate) short() float64 {
	s := float64(c.c1Count)
	if !c.c3OK {
		s += log2Int(c.c3Need) - log2Int(max(c.c3Have, 1)) + log2Int(c.target)
	} else if c.c4Ratio < 0 {
		s += math.Min(-c.c4Ratio, 1e6)
	}
	return s
}

// better reports whether c is a more informative split than d: fewer failing
// conditions, then the smallest total shortfall (the split closest to
// passing), then the most condition-4 slack, then smaller K.
func (c *candidate) better(d *candidate, c2 bool) bool {
	if d == nil {
		return true
	}
	if a, b := c.fails(c2), d.fails(c2); a != b {
		return a < b
	}
	if a, b := c.short(), d.short(); a != b {
		return a < b
	}
	if c.c4Ratio != d.c4Ratio {
		return c.c4Ratio > d.c4Ratio
	}
	return c.k < d.k
}

// Check decides whether Theorem 3's criteria accept the hidden widths for
// problem p, and reports every condition for the best split found: the
// accepting split with the most condition-4 slack, or, when none accepts,
// the split failing the fewest conditions (ties: most condition-4 slack).
func Check(widths []int, p Problem) (*Result, error) { return CheckK(widths, p, 0) }

// CheckK is Check restricted to one K (k = 0: every K in [2, ⌊log2 N⌋]).
// Theorem 3 asks for some K; CheckK shows what each K needs.
func CheckK(widths []int, p Problem, k int) (*Result, error) {
	if err := validate(widths, p); err != nil {
		return nil, err
	}
	L := len(widths)
	D := int64(LabelBits(p.C))
	res := &Result{Widths: FormatWidths(widths), Layers: L, Params: DenseParams(widths, p.Dx), Problem: p}
	// prefix sums of d−2 (S[ℓ] = Σ_{j≤ℓ}) and prefix counts of layers
	// narrower than 3 (bad3) and 7 (bad7)
	S := make([]int64, L+1)
	bad3 := make([]int, L+1)
	bad7 := make([]int, L+1)
	for i, w := range widths {
		S[i+1] = S[i] + int64(w) - 2
		bad3[i+1], bad7[i+1] = bad3[i], bad7[i]
		if w < 3 {
			bad3[i+1]++
		}
		if w < 7 {
			bad7[i+1]++
		}
	}
	// Condition 2: the smallest L_1 with Π⌊(d+1)/2⌋ ≥ Δ√(2πd_x), L_1 < L.
	target2 := Condition2Target(p)
	tgt := new(big.Float).SetFloat64(target2)
	prod := new(big.Float).SetPrec(0).SetInt64(1)
	prod.SetPrec(4096)
	l1 := 0
	bestLog := 0.0
	for l := 1; l < L; l++ {
		prod.Mul(prod, new(big.Float).SetInt64(int64((widths[l-1]+1)/2)))
		if prod.Cmp(tgt) >= 0 {
			l1 = l
			break
		}
	}
	logProd := func(upto int) float64 {
		s := 0.0
		for _, w := range widths[:upto] {
			s += math.Log2(float64((w + 1) / 2))
		}
		return s
	}
	c2 := l1 > 0
	if c2 {
		bestLog = logProd(l1)
	} else {
		bestLog = logProd(max(L-1, 0))
	}
	kmax := KMax(p.N)
	kHi := max(kmax, 2)
	if kmax < 2 {
		res.Notes = append(res.Notes, fmt.Sprintf("N = %d < 4: Theorem 3 needs 2 ≤ K ≤ log2 N, so it states nothing; conditions are evaluated with K = 2", p.N))
	}
	l1Eval := l1
	if !c2 {
		l1Eval = 1
		res.Notes = append(res.Notes, "condition 2 cannot be met by any L_1 < L; conditions 3 and 4 are evaluated with L_1 = 1")
	}
	kLo := 2
	if k != 0 {
		if k < 2 || k > kHi {
			return nil, fmt.Errorf("criteria: K = %d outside [2, %d]", k, kHi)
		}
		kLo, kHi = k, k
	}
	var best *candidate
	for K := kLo; K <= kHi; K++ {
		ls := []int{l1Eval}
		c3OK := true
		var seg int
		var need, have int64
		for i := 2; i <= K-1; i++ {
			prev := ls[len(ls)-1]
			need = int64(1) << uint(i+3)
			end := 0
			for l := prev + 1; l < L; l++ {
				if S[l]-S[prev] >= need {
					end = l
					break
				}
			}
			if end == 0 {
				c3OK, seg = false, i
				have = 0
				for l := prev + 1; l < L; l++ {
					have = max(have, S[l]-S[prev])
				}
				break
			}
			ls = append(ls, end)
		}
		target := Target4(p.N, K)
		if !c3OK {
			// condition 1 without an L_K: layers of width < 3 before L
			c := &candidate{k: K, l: ls, c3OK: false, c3Seg: seg, c3Need: need, c3Have: have, target: target, c4Ratio: math.Inf(-1), c1Count: bad3[L-1]}
			if c.better(best, c2) {
				best = c
			}
			continue
		}
		prev := ls[len(ls)-1]
		for lk := prev + 1; lk < L; lk++ {
			A := S[lk] - S[prev]
			B := int64(L-lk-1) / D
			c := &candidate{k: K, l: ls, lk: lk, c3OK: true, a: A, b: B, target: target, c1Count: bad3[lk] + bad7[L] - bad7[lk]}
			ab := mulSat(max(A, 0), B)
			c.c4Ratio = log2Int(ab) - log2Int(target)
			if ab >= target {
				c.c4Ratio = math.Max(c.c4Ratio, 0)
			} else if c.c4Ratio >= 0 {
				c.c4Ratio = -1e-12
			}
			if c.better(best, c2) {
				best = c
			}
		}
	}
	if best == nil { // L ≤ L_1 + 1: no room for L_K
		best = &candidate{k: 2, l: []int{min(l1Eval, L)}, c3OK: true, target: Target4(p.N, 2), c4Ratio: math.Inf(-1), c1Count: bad3[L]}
		res.Notes = append(res.Notes, "too few layers for 0 < L_1 < L_K < L")
	}
	ls := append([]int(nil), best.l...)
	var c1Bad []int // offending layers (1-based)
	for l := 1; l <= L; l++ {
		need := 3
		if best.lk > 0 && l > best.lk {
			need = 7
		}
		if best.lk == 0 && l == L {
			break
		}
		if widths[l-1] < need {
			c1Bad = append(c1Bad, l)
		}
	}
	if best.lk > 0 {
		ls = append(ls, best.lk)
	}
	best.l = ls
	res.Witness = &Witness{K: best.k, L: ls, A: best.a, B: best.b, Target: best.target}
	// condition 1
	c1 := Condition{Number: 1, Name: "widths: d ≥ 3 up to L_K, d ≥ 7 after", Holds: len(c1Bad) == 0, Achieved: float64(len(c1Bad))}
	if c1.Holds {
		c1.Detail = "all widths fit"
	} else {
		c1.Log2Short = float64(len(c1Bad))
		var s []string
		for i, l := range c1Bad {
			if i == 5 {
				s = append(s, fmt.Sprintf("… (%d in all)", len(c1Bad)))
				break
			}
			need := 3
			if best.lk > 0 && l > best.lk {
				need = 7
			}
			s = append(s, fmt.Sprintf("layer %d has width %d < %d", l, widths[l-1], need))
		}
		c1.Detail = strings.Join(s, "; ")
	}
	// condition 2
	c2c := Condition{Number: 2, Name: "compression 1: Π_{ℓ≤L_1} ⌊(d_ℓ+1)/2⌋ ≥ Δ·√(2π d_x)", Holds: c2,
		Required: capf(target2), Achieved: capf(math.Exp2(bestLog))}
	if c2 {
		c2c.Detail = fmt.Sprintf("L_1 = %d layers give 2^%.2f ≥ 2^%.2f", l1, bestLog, math.Log2(target2))
	} else {
		c2c.Log2Short = math.Log2(target2) - bestLog
		c2c.Detail = fmt.Sprintf("the first L−1 = %d layers give only 2^%.2f < 2^%.2f: short by a factor 2^%.2f (≈ %d more width-3 layers)",
			max(L-1, 0), bestLog, math.Log2(target2), c2c.Log2Short, int(math.Ceil(c2c.Log2Short-1e-9)))
	}
	// condition 3
	c3 := Condition{Number: 3, Name: "compression 2: Σ_{segment i} (d_ℓ − 2) ≥ 2^{i+3}, 1 < i < K", Holds: best.c3OK}
	if best.c3OK {
		if best.k <= 2 {
			c3.Detail = "K = 2: no compression-2 segments"
		} else {
			var s []string
			for i := 2; i <= best.k-1; i++ {
				s = append(s, fmt.Sprintf("i=%d: %d ≥ %d", i, S[best.l[i-1]]-S[best.l[i-2]], int64(1)<<uint(i+3)))
			}
			c3.Detail = strings.Join(s, ", ")
			c3.Required = float64(int64(1) << uint(best.k+2))
			c3.Achieved = float64(S[best.l[best.k-2]] - S[best.l[best.k-3]])
		}
	} else {
		c3.Required, c3.Achieved = float64(best.c3Need), float64(best.c3Have)
		c3.Log2Short = log2Int(best.c3Need) - log2Int(max(best.c3Have, 1))
		c3.Detail = fmt.Sprintf("K = %d: segment i = %d needs Σ(d−2) ≥ %d after layer %d but at most %d is available before layer L",
			best.k, best.c3Seg, best.c3Need, best.l[len(best.l)-1], best.c3Have)
	}
	// condition 4
	c4 := Condition{Number: 4, Name: "label capacity: A·B ≥ ⌈U/2^{K−2}⌉ (reconstructed form)", Holds: best.c3OK && best.c4Ratio >= 0 && len(best.l) == best.k,
		Required: float64(best.target), Achieved: float64(mulSat(max(best.a, 0), best.b))}
	if !best.c3OK {
		c4.Detail = fmt.Sprintf("K = %d: condition 3's segments use up every layer before L, so A·B = 0 < ⌈U/2^%d⌉ = %d", best.k, best.k-2, best.target)
		c4.Achieved = 0
		c4.Log2Short = log2Int(best.target)
	} else if len(best.l) == best.k {
		c4.Detail = fmt.Sprintf("K = %d, L_K = %d: A = %d row indicators, B = ⌊(%d − %d − 1)/%d⌋ = %d slots, A·B = %d vs ⌈U/2^%d⌉ = %d (U = %d)",
			best.k, best.l[best.k-1], best.a, L, best.l[best.k-1], D, best.b, mulSat(max(best.a, 0), best.b), best.k-2, best.target, U(p.N))
	} else {
		c4.Detail = "not evaluated: no split reaches condition 4"
	}
	if !c4.Holds && best.c3OK {
		if math.IsInf(best.c4Ratio, -1) {
			c4.Log2Short = log2Int(best.target)
		} else {
			c4.Log2Short = -best.c4Ratio
		}
	}
	res.Conditions = []Condition{c1, c2c, c3, c4}
	res.OK = c1.Holds && c2c.Holds && c3.Holds && c4.Holds && kmax >= 2 && best.c3OK
	return res, nil
}

// ParseWidths reads a width list such as "3x500,7x200" or "3,3,7" (a run
// WxN is N layers of width W).
func ParseWidths(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		w, n := f, "1"
		if i := strings.IndexAny(f, "x×*"); i >= 0 {
			w, n = f[:i], strings.TrimLeft(f[i:], "x×*")
		}
		wi, err1 := strconv.Atoi(strings.TrimSpace(w))
		ni, err2 := strconv.Atoi(strings.TrimSpace(n))
		if err1 != nil || err2 != nil || wi < 1 || ni < 1 {
			return nil, fmt.Errorf("criteria: bad width run %q (want WIDTHxCOUNT, e.g. 3x500)", f)
		}
		if len(out)+ni > 1<<26 {
			return nil, errors.New("criteria: too many layers")
		}
		for range ni {
			out = append(out, wi)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("criteria: empty width list")
	}
	return out, nil
}

// FormatWidths writes widths as runs, e.g. "3x500,7x200".
func FormatWidths(widths []int) string {
	var s []string
	for i := 0; i < len(widths); {
		j := i
		for j < len(widths) && widths[j] == widths[i] {
			j++
		}
		s = append(s, fmt.Sprintf("%dx%d", widths[i], j-i))
		i = j
	}
	return strings.Join(s, ",")
}
