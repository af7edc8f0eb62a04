package floatexact

import (
	"context"
	"fmt"
	"math/bits"
)

// The retrieval table (spec §3 Step 4): unknowns T[r][ℓ][f] ∈ Z_B, one
// equation Σ_ℓ T[r][ℓ][f_ℓ(x)] ≡ y(x) (mod B) per point. Z_B for a
// squarefree B is the product of the fields GF(p), p | B, so the system is
// solved once per prime and the solutions are combined by the Chinese
// remainder theorem. Each field's system is kept in reduced row-echelon form
// and grown one equation at a time (gfSystem): a new equation, whose three
// coefficients are 1, is reduced with at most three row subtractions, and a
// new pivot is eliminated from the rows that hold it. GF(2) rows are
// bit-packed in 64-bit words; GF(p) rows are byte or 16-bit vectors updated
// by table look-ups.

// gfSystem is one block's system over one field, in reduced row-echelon form.
type gfSystem interface {
	// reset empties the system (n unknowns).
	reset()
	// reduce reduces the equation Σ_{c ∈ cols} T[c] ≡ rhs and reports
	// whether it is consistent with the system. The reduced form is kept
	// for commit.
	reduce(cols []int32, rhs int) bool
	// commit adds the last reduced equation (a no-op when it was dependent).
	commit()
	// solution writes one solution, free unknowns 0, into t (len n).
	solution(t []uint16)
}

// gf2 is a system over GF(2) with bit-packed rows.
type gf2 struct {
	n, words int
	rows     []uint64 // row r is rows[r*words:(r+1)*words]
	rhs      []uint8
	pivCol   []int32
	pivotOf  []int32 // per column: its pivot row or -1
	touched  []bool
	v        []uint64
	vr       uint8
	vcol     int32 // pivot column of the reduced equation, -1 when dependent
	cols     []int32
}

func newGF2(n int) *gf2 {
	w := (n + 63) / 64
	s := &gf2{n: n, words: w, pivotOf: make([]int32, n), touched: make([]bool, n), v: make([]uint64, w)}
	s.reset()
	return s
}

func (s *gf2) reset() {
	s.rows, s.rhs, s.pivCol = s.rows[:0], s.rhs[:0], s.pivCol[:0]
	for i := range s.pivotOf {
		s.pivotOf[i] = -1
		s.touched[i] = false
	}
}

func (s *gf2) reduce(cols []int32, rhs int) bool {
	clear(s.v)
	for _, c := range cols {
		s.v[c>>6] ^= 1 << (c & 63)
	}
	s.vr = uint8(rhs & 1)
	s.cols = cols
	for _, c := range cols {
		r := s.pivotOf[c]
		if r < 0 || s.v[c>>6]>>(c&63)&1 == 0 {
			continue
		}
		row := s.rows[int(r)*s.words : (int(r)+1)*s.words]
		for i, w := range row {
			s.v[i] ^= w
		}
		s.vr ^= s.rhs[r]
	}
	s.vcol = -1
	// prefer a column no earlier equation touched: no row holds it, so
	// the new pivot needs no elimination
	for _, c := range cols {
		if !s.touched[c] && s.v[c>>6]>>(c&63)&1 == 1 {
			s.vcol = c
			return true
		}
	}
	for i, w := range s.v {
		if w != 0 {
			s.vcol = int32(i*64 + bits.TrailingZeros64(w))
			return true
		}
	}
	return s.vr == 0
}

func (s *gf2) commit() {
	for _, c := range s.cols {
		s.touched[c] = true
	}
	c := s.vcol
	if c < 0 {
		return
	}
	wi, bit := c>>6, uint64(1)<<(c&63)
	for r := range s.pivCol {
		row := s.rows[r*s.words : (r+1)*s.words]
		if row[wi]&bit == 0 {
			continue
		}
		for i, w := range s.v {
			row[i] ^= w
		}
		s.rhs[r] ^= s.vr
	}
	s.pivotOf[c] = int32(len(s.pivCol))
	s.pivCol = append(s.pivCol, c)
	s.rows = append(s.rows, s.v...)
	s.rhs = append(s.rhs, s.vr)
}

func (s *gf2) solution(t []uint16) {
	clear(t)
	for r, c := range s.pivCol {
		t[c] = uint16(s.rhs[r])
	}
}

// gfp is a system over GF(p), p an odd prime below 2^16, with one 16-bit
// element per unknown.
type gfp struct {
	p       int
	n       int
	rows    []uint16
	rhs     []uint16
	pivCol  []int32
	pivotOf []int32
	touched []bool
	v       []uint16
	vr      uint16
	vcol    int32
	cols    []int32
	inv     []uint16
	mul     [][]uint16 // mul[k][b] = k·b mod p
	vnz     []int32    // the nonzero columns of v
}

func newGFp(p, n int) *gfp {
	s := &gfp{p: p, n: n, pivotOf: make([]int32, n), touched: make([]bool, n), v: make([]uint16, n)}
	s.inv = make([]uint16, p)
	s.mul = make([][]uint16, p)
	for k := range p {
		s.mul[k] = make([]uint16, p)
		for b := range p {
			s.mul[k][b] = uint16(k * b % p)
			if k*b%p == 1 {
				s.inv[k] = uint16(b)
			}
		}
	}
	s.reset()
	return s
}

func (s *gfp) reset() {
	s.rows, s.rhs, s.pivCol = s.rows[:0], s.rhs[:0], s.pivCol[:0]
	for i := range s.pivotOf {
		s.pivotOf[i] = -1
		s.touched[i] = false
	}
}

// axpy sets dst = dst + k·src (mod p).
func (s *gfp) axpy(dst, src []uint16, k uint16) {
	mk := s.mul[k]
	p := uint16(s.p)
	src = src[:len(dst)]
	for i, b := range src {
		if b == 0 {
			continue
		}
		x := dst[i] + mk[b]
		if x >= p {
			x -= p
		}
		dst[i] = x
	}
}

func (s *gfp) reduce(cols []int32, rhs int) bool {
	clear(s.v)
	p := uint16(s.p)
	for _, c := range cols {
		s.v[c] = 1
	}
	s.vr = uint16(rhs % s.p)
	s.cols = cols
	for _, c := range cols {
		r := s.pivotOf[c]
		if r < 0 || s.v[c] == 0 {
			continue
		}
		k := p - s.v[c]
		s.axpy(s.v, s.rows[int(r)*s.n:(int(r)+1)*s.n], k)
		s.vr = (s.vr + s.mul[k][s.rhs[r]]) % p
	}
	s.vcol = -1
	for _, c := range cols {
		if !s.touched[c] && s.v[c] != 0 {
			s.vcol = c
			return true
		}
	}
	for i, x := range s.v {
		if x != 0 {
			s.vcol = int32(i)
			return true
		}
	}
	return s.vr == 0
}

func (s *gfp) commit() {
	for _, c := range s.cols {
		s.touched[c] = true
	}
	c := s.vcol
	if c < 0 {
		return
	}
	p := uint16(s.p)
	// normalise the pivot to 1
	if iv := s.inv[s.v[c]]; iv != 1 {
		mk := s.mul[iv]
		for i, x := range s.v {
			s.v[i] = mk[x]
		}
		s.vr = mk[s.vr]
	}
	// eliminate column c from the rows that hold it; the new row's
	// nonzero columns are listed once so the updates skip its zeros
	s.vnz = s.vnz[:0]
	for i, x := range s.v {
		if x != 0 {
			s.vnz = append(s.vnz, int32(i))
		}
	}
	for r := range s.pivCol {
		row := s.rows[r*s.n : (r+1)*s.n]
		if row[c] == 0 {
			continue
		}
		k := p - row[c]
		mk := s.mul[k]
		for _, i := range s.vnz {
			x := row[i] + mk[s.v[i]]
			if x >= p {
				x -= p
			}
			row[i] = x
		}
		s.rhs[r] = (s.rhs[r] + mk[s.vr]) % p
	}
	s.pivotOf[c] = int32(len(s.pivCol))
	s.pivCol = append(s.pivCol, c)
	s.rows = append(s.rows, s.v...)
	s.rhs = append(s.rhs, s.vr)
}

func (s *gfp) solution(t []uint16) {
	clear(t)
	for r, c := range s.pivCol {
		t[c] = s.rhs[r]
	}
}

// table is the solved retrieval table of one block: T[ℓ·P+f] ∈ Z_B.
type block struct {
	lo int64 // the block holds z_0 ∈ [lo, next block's lo − 1]
	t  []uint16
	n  int // equations (points) in the block
}

// collisionError is the fatal case of spec §2: a group of points with equal
// z_0 that no table can satisfy, e.g. two points with the same row and the
// same L cells but different labels.
type collisionError struct {
	msg string
}

func (e *collisionError) Error() string { return e.msg }

// solveTable splits the points (sorted by z_0 and grouped by equal z_0) into
// blocks greedily and solves each block's table (spec §3 Step 4): groups are
// added in order while every field's system stays consistent; the first group
// that would make one inconsistent closes the block and opens the next one.
// It stops with ctx's error when ctx is done.
// cells[i] holds the L unknowns of point i (ℓ·P + f_ℓ), y[i] its label.
func solveTable(ctx context.Context, groups [][]int32, z0 []int64, cells [][]int32, y []int, base int, primes []int, unknowns int, progress func(done int)) ([]block, error) {
	sys := make([]gfSystem, len(primes))
	for k, p := range primes {
		if p == 2 {
			sys[k] = newGF2(unknowns)
		} else {
			sys[k] = newGFp(p, unknowns)
		}
	}
	crt := crtCoefficients(base, primes)
	sol := make([][]uint16, len(primes))
	for k := range sol {
		sol[k] = make([]uint16, unknowns)
	}
	var blocks []block
	start := 0 // first group of the current block
	count := 0
	add := func(g []int32) bool {
		for _, i := range g {
			for k := range sys {
				if !sys[k].reduce(cells[i], y[i]) {
					return false
				}
			}
			for k := range sys {
				sys[k].commit()
			}
		}
		return true
	}
	finish := func(end int) {
		t := make([]uint16, unknowns)
		for k := range sys {
			sys[k].solution(sol[k])
		}
		for u := range t {
			var v int
			for k := range sys {
				v += int(sol[k][u]) * crt[k]
			}
			t[u] = uint16(v % base)
		}
		blocks = append(blocks, block{lo: z0[groups[start][0]], t: t, n: count})
		if progress != nil {
			progress(end)
		}
	}
	for gi := 0; gi < len(groups); gi++ {
		if gi%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		g := groups[gi]
		if add(g) {
			count += len(g)
			continue
		}
		if gi == start {
			return nil, describeCollision(g, cells, y)
		}
		// close the block before g; when g left part of itself in the
		// systems, rebuild them from the block's groups first
		if len(g) > 1 {
			for k := range sys {
				sys[k].reset()
			}
			for _, h := range groups[start:gi] {
				add(h)
			}
		}
		finish(gi)
		for k := range sys {
			sys[k].reset()
		}
		start, count = gi, 0
		gi--
	}
	if start < len(groups) {
		finish(len(groups))
	}
	return blocks, nil
}

func describeCollision(g []int32, cells [][]int32, y []int) error {
	for a := range g {
		for b := a + 1; b < len(g); b++ {
			i, j := g[a], g[b]
			same := true
			for l := range cells[i] {
				if cells[i][l] != cells[j][l] {
					same = false
				}
			}
			if same && y[i] != y[j] {
				return &collisionError{fmt.Sprintf("fatal cell collision: points %d and %d have the same row projection z_0 and the same %d table cells but labels %d and %d", i+1, j+1, len(cells[i]), y[i], y[j])}
			}
		}
	}
	return &collisionError{fmt.Sprintf("fatal collision: %d points share one row projection value z_0 and their %d-cell equations are inconsistent on their own (e.g. point %d)", len(g), len(cells[g[0]]), g[0]+1)}
}

// crtCoefficients returns e_k ≡ 1 (mod p_k), ≡ 0 (mod the other primes),
// for the squarefree base = Π p_k.
func crtCoefficients(base int, primes []int) []int {
	e := make([]int, len(primes))
	for k, p := range primes {
		o := base / p
		for a := 1; a < p+1; a++ {
			if (o*a)%p == 1 {
				e[k] = o * a % base
				break
			}
		}
		if p == base {
			e[k] = 1
		}
	}
	return e
}
