package vardi

import (
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"sync"
)

// Plan fixes every size of a network before it is built: P parallel blocks
// of m intervals of n points each.
type Plan struct {
	N, D       int   // points, input dimension
	DNonzero   int   // nonzero direction coordinates (d' of spec §9.1)
	P          int   // blocks (Theorem 5.1; 1 for Theorem 3.1)
	PerBlock   int   // points in the largest block
	NPer       int   // n: points per interval
	M          int   // m: intervals per block
	Rho, C     int   // ρ and c: bits per point value and per label
	Classes    int64 // C: number of classes (the gate multiplier)
	Depth      int   // hidden layers (nn convention; the paper's L is Depth+1)
	Width      int   // largest hidden layer
	Edges      int64 // nonzero weights (the paper's parameters), exact
	BiasBound  int64 // nonzero biases, an upper bound (exact unless some a_j = 0)
	CraftBits  int   // bits of the largest Stage-II/III integer: n·max(ρ,c)+3
	Objective  string
	MaxDepth   int
	MaxBits    int
	FixedN     bool
	FixedBlock bool
}

// L is max(ρ, c).
func (p Plan) L() int { return max(p.Rho, p.C) }

// Params is the bound on nonzero weights plus nonzero biases.
func (p Plan) Params() int64 { return p.Edges + p.BiasBound }

// counts holds exact edge, bias and width counts of one block part.
type counts struct {
	edges, biases int64
	width         int
}

func countLayers(ls [][]snode) counts {
	var c counts
	for _, l := range ls {
		c.width = max(c.width, len(l))
		for _, nd := range l {
			c.edges += int64(len(nd.terms))
			if nd.bias != nil {
				c.biases++
			}
		}
	}
	return c
}

// partCounts counts Stages II (as a function of m) and III (of n) by building
// them with placeholder integers for small m, n and extrapolating linearly:
// every interval after the fourth and every chunk after the fifth adds the
// same layers (tested against built networks).
type partCounts struct {
	mu     sync.Mutex
	stage2 map[int]counts
	stage3 map[[3]int]counts // (n, ρ, c)
}

var pc = &partCounts{stage2: map[int]counts{}, stage3: map[[3]int]counts{}}

func dummyIntervals(m int) []Interval {
	iv := make([]Interval, m)
	for j := range iv {
		iv[j] = Interval{Lo: big.NewInt(5), Hi: big.NewInt(5), U: big.NewInt(1), W: big.NewInt(1)}
	}
	return iv
}

func (pc *partCounts) s2(m int) counts {
	const k = 5
	if m > k {
		a, b := pc.s2(k-1), pc.s2(k)
		return lerp(a, b, m-k)
	}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if c, ok := pc.stage2[m]; ok {
		return c
	}
	c := countLayers(stageII(blockShape{m: m, n: 1, rho: 1, c: 1, C: 2}, dummyIntervals(m)))
	pc.stage2[m] = c
	return c
}

func (pc *partCounts) s3(n, rho, c int) counts {
	const k = 6
	if n > k {
		a, b := pc.s3(k-1, rho, c), pc.s3(k, rho, c)
		return lerp(a, b, n-k)
	}
	key := [3]int{n, rho, c}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if v, ok := pc.stage3[key]; ok {
		return v
	}
	ls, out := stageIII(blockShape{n: n, m: 1, rho: rho, c: c, C: 2})
	v := countLayers(ls)
	v.edges += int64(len(out.terms)) // read-out edges
	pc.stage3[key] = v
	return v
}

func lerp(a, b counts, steps int) counts {
	return counts{
		edges:  b.edges + int64(steps)*(b.edges-a.edges),
		biases: b.biases + int64(steps)*(b.biases-a.biases),
		width:  b.width,
	}
}

// shape fills the sizes of a plan with P blocks of up to per points, n per interval.
func (p *Plan) shape(per, n int) {
	p.PerBlock, p.NPer = per, n
	p.M = (per + n - 1) / n
	L := p.L()
	p.Depth = 1 + (p.M + 2) + n*(L+2)
	s2, s3 := pc.s2(p.M), pc.s3(n, p.Rho, p.C)
	P := int64(p.P)
	carriers := int64(p.Depth - 1) // t carried once per layer after layer 1
	p.Edges = int64(p.DNonzero) + carriers + P*(s2.edges+s3.edges)
	p.BiasBound = 1 + P*(s2.biases+s3.biases)
	p.Width = 1 + p.P*max(s2.width, s3.width)
	p.CraftBits = n*L + 3
}

// choose picks n (and, for the depth-limited variant, P).
//
// Ours (spec §9.3, §10, §11): n minimising nonzero weights + nonzero biases
// (objective "params", the default) or depth (objective "depth"); with
// MaxBits, n ≤ (B−3)/max(ρ,c) so every crafted integer fits (Theorem 6.2 by
// a single network, spec §11); with MaxDepth, the fewest blocks P for which
// some n meets the depth (Theorem 5.1, spec §10).
func (p *Plan) choose() error {
	L := p.L()
	nmax := p.N
	if p.MaxBits > 0 {
		nmax = min(nmax, (p.MaxBits-3)/L)
		if nmax < 1 {
			return fmt.Errorf("vardi: max-bits %d is too small: one point needs %d bits (3 + max(ρ=%d, c=%d))", p.MaxBits, 3+L, p.Rho, p.C)
		}
	}
	if p.FixedN && p.NPer > nmax {
		return fmt.Errorf("vardi: %d points per interval need %d-bit weights, over max-bits %d", p.NPer, p.NPer*L+3, p.MaxBits)
	}
	best := func(per int) (int, bool) {
		bn, found := 0, false
		var bkey [2]int64
		lo := 1
		if p.FixedN {
			lo = min(p.NPer, per)
		}
		hi := min(nmax, per)
		// the optimum is near sqrt(per); scanning all n ≤ per is cheap but
		// O(per); restrict to a generous window for large per.
		if !p.FixedN && per > 4096 {
			s := int(math.Sqrt(float64(per)))
			hi = min(hi, 8*s+16)
		}
		if p.FixedN {
			hi = lo
		}
		for n := lo; n <= hi; n++ {
			if n > per && n > 1 {
				break
			}
			q := *p
			q.shape(per, n)
			if p.MaxDepth > 0 && q.Depth > p.MaxDepth {
				continue
			}
			key := [2]int64{q.Params(), int64(q.Depth)}
			if p.Objective == "depth" {
				key = [2]int64{int64(q.Depth), q.Params()}
			}
			if !found || key[0] < bkey[0] || (key[0] == bkey[0] && key[1] < bkey[1]) {
				bn, bkey, found = n, key, true
			}
		}
		return bn, found
	}
	per := func(P int) int { return (p.N + P - 1) / P }
	try := func(P int) (int, bool) {
		p.P = P
		return best(per(P))
	}
	P := 1
	if p.FixedBlock {
		P = max(1, min(p.P, p.N))
	}
	if p.FixedBlock || p.MaxDepth == 0 {
		n, ok := try(P)
		if !ok {
			return fmt.Errorf("vardi: no interval size meets max-depth %d with %d blocks", p.MaxDepth, P)
		}
		p.shape(per(P), n)
		return nil
	}
	// fewest blocks meeting the depth: feasibility is monotone in P.
	if _, ok := try(p.N); !ok {
		return fmt.Errorf("vardi: max-depth %d is below the depth %d of a one-point block", p.MaxDepth, 1+3+(L+2))
	}
	lo, hi := 1, p.N
	for lo < hi {
		mid := (lo + hi) / 2
		if _, ok := try(mid); ok {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	n, _ := try(lo)
	p.shape(per(lo), n)
	return nil
}

// labelBits is c = max(1, bitlen(C−1)).
func labelBits(classes int64) int { return max(1, bits.Len64(uint64(max(classes-1, 0)))) }
