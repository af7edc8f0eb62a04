package floatexact

// The network of spec §3, written as a graph of integer ReLU neurons.

// divChain adds the restoring division of the value node v by the decreasing
// divisors a_0 > a_1 > … (spec §3 Step 1, merged form): with R_0 = v,
//
//	u_i = ReLU(a_i − R_{i−1} + a_{i−1}·s_{i−1})   (u_0 = ReLU(a_0 − R_0))
//	s_i = ReLU(1 − u_i)                          = [R_i ≥ a_i]
//	R_{i+1} = ReLU(R_i − a_i·s_i)
//
// (R_i = R_{i−1} − a_{i−1}s_{i−1} is used inline in u_i, which saves a layer
// per step.) It needs R_i < 2·a_i at every step — true when v < 2·a_0 and
// a_{i+1} ≥ a_i/2, and for base-B digit divisors B^t·2^b — and returns the
// bits s_i and the remainder node.
func (g *graph) divChain(v int32, as []int64) (bits []int32, rem int32) {
	rs := []int32{v} // rs[i] = R_i
	for i, a := range as {
		var u int32
		if i == 0 {
			u = g.relu(a, t(v, -1))
		} else {
			u = g.relu(a, t(rs[i-1], -1), t(bits[i-1], as[i-1]))
		}
		s := g.relu(1, t(u, -1))
		bits = append(bits, s)
		rs = append(rs, g.relu(0, t(rs[i], 1), t(s, -a)))
	}
	return bits, rs[len(rs)-1]
}

// indicator adds I[lo ≤ v ≤ hi] = ReLU(1 − ReLU(lo − v) − ReLU(v − hi)) for
// an integer node v; a bound that v cannot cross (useLo/useHi false) is left
// out.
func (g *graph) indicator(v int32, lo, hi int64, useLo, useHi bool) int32 {
	ts := []term{}
	if useLo {
		ts = append(ts, t(g.relu(lo, t(v, -1)), -1))
	}
	if useHi {
		ts = append(ts, t(g.relu(-hi, t(v, 1)), -1))
	}
	return g.relu(1, ts...)
}

// address splits the cell f = c·m + k (spec §3 Step 2) into the one-hot
// column indicators p_c (c = c1·Q2 + c2; nil entries stand for the constant
// 1 when Q = 1) and the digit k.
func (g *graph) address(f int32, q1, q2, m int) (p []int32, k int32) {
	mq2 := int64(m * q2)
	e1 := make([]int32, q1)
	f2 := f
	if q1 > 1 {
		var ts []term
		ts = append(ts, t(f, 1))
		for c1 := range q1 {
			e1[c1] = g.indicator(f, int64(c1)*mq2, int64(c1+1)*mq2-1, c1 > 0, c1 < q1-1)
			ts = append(ts, t(e1[c1], -int64(c1)*mq2))
		}
		f2 = g.relu(0, ts...)
	}
	e2 := make([]int32, q2)
	k = f2
	if q2 > 1 {
		ts := []term{t(f2, 1)}
		for c2 := range q2 {
			e2[c2] = g.indicator(f2, int64(c2*m), int64(c2*m+m-1), c2 > 0, c2 < q2-1)
			ts = append(ts, t(e2[c2], -int64(c2*m)))
		}
		k = g.relu(0, ts...)
	}
	p = make([]int32, q1*q2)
	for c1 := range q1 {
		for c2 := range q2 {
			switch {
			case q1 == 1 && q2 == 1:
				p[0] = -1
			case q1 == 1:
				p[c2] = e2[c2]
			case q2 == 1:
				p[c1] = e1[c1]
			default:
				p[c1*q2+c2] = g.relu(-1, t(e1[c1], 1), t(e2[c2], 1))
			}
		}
	}
	return p, k
}

// digitSelect adds the extraction of digit k of the base-B word y (spec §3
// Step 6, by restoring division with divisors B^t·2^b, t = m−1…0, b =
// nb−1…0, so digit t = Σ_b 2^b s_{t,b}) and returns, for every position t,
// sel_t = ReLU(digit t − B·ReLU(k − t) − B·ReLU(t − k)): the digit when t = k,
// else 0.
func (g *graph) digitSelect(y, k int32, ds design) []int32 {
	m, B := ds.m, int64(ds.base)
	nb := ds.digitBits()
	var ddivs []int64
	pows := make([]int64, m)
	pw := int64(1)
	for tt := range m {
		pows[tt] = pw
		pw *= B
	}
	for tt := m - 1; tt >= 0; tt-- {
		for b := nb - 1; b >= 0; b-- {
			ddivs = append(ddivs, pows[tt]<<b)
		}
	}
	bits, _ := g.divChain(y, ddivs)
	sels := make([]int32, m)
	for tt := m - 1; tt >= 0; tt-- {
		// the digit Σ_b 2^b s_{t,b} by Horner's rule, one neuron per bit,
		// so no bit waits (carried) for the last one
		dg := bits[(m-1-tt)*nb]
		for b := nb - 2; b >= 0; b-- {
			dg = g.relu(0, t(dg, 2), t(bits[(m-1-tt)*nb+(nb-1-b)], 1))
		}
		ts := []term{t(dg, 1)}
		// ReLU(k − t): k itself for t = 0, and 0 for t = m−1 since k < m
		switch {
		case tt == 0:
			ts = append(ts, t(k, -B))
		case tt < m-1:
			ts = append(ts, t(g.relu(-int64(tt), t(k, 1)), -B))
		}
		if tt > 0 { // ReLU(t − k), 0 for t = 0
			ts = append(ts, t(g.relu(int64(tt), t(k, -1)), -B))
		}
		sels[tt] = g.relu(0, ts...)
	}
	return sels
}

// design is everything the network needs besides the projections.
type design struct {
	base, m, lookups, q1, q2, classes int
	index                             bool // one output, the class index, instead of one-hot logits
}

func (ds design) q() int { return ds.q1 * ds.q2 }
func (ds design) p() int { return ds.q() * ds.m }

// digitBits is the number of quotient bits per base-B digit.
func (ds design) digitBits() int {
	b := 0
	for 1<<b < ds.base {
		b++
	}
	return b
}

// assemble writes the whole network (spec §3 Steps 0–7) for projections proj
// (weights and bias of z_ℓ), the range zmax of each z_ℓ on the data, the row
// boundaries lo_r and the words W[ℓ][r][c].
func assemble(d int, ds design, proj []projection, zmax []int64, lo []int64, words [][][]int64) *graph {
	g := &graph{d: d}
	L, m, B := ds.lookups, ds.m, int64(ds.base)
	P := int64(ds.p())
	// Step 0: projections
	g.kind = "projection"
	z := make([]int32, L)
	for l := range L {
		ts := make([]term, 0, len(proj[l].idx))
		for k, i := range proj[l].idx {
			ts = append(ts, t(int32(i), proj[l].w[k]))
		}
		z[l] = g.relu(proj[l].b, ts...)
	}
	g.kind = "hash"
	// Step 1: f_ℓ = z_ℓ mod P by restoring division, all chains of one length
	top := -1
	for l := range L {
		for tt := 0; zmax[l] >= P<<(tt+1); tt++ {
			top = max(top, tt+1)
		}
		if zmax[l] >= P {
			top = max(top, 0)
		}
	}
	var divs []int64
	for tt := top; tt >= 0; tt-- {
		divs = append(divs, P<<tt)
	}
	f := make([]int32, L)
	for l := range L {
		f[l] = z[l]
		if len(divs) > 0 {
			_, f[l] = g.divChain(z[l], divs)
		}
	}
	g.kind = "rows"
	// Step 3: row indicators on z_0, shared by the lookups
	R := len(lo)
	ind := make([]int32, R)
	for r := range R {
		hi := int64(0)
		if r+1 < R {
			hi = lo[r+1] - 1
		}
		if R == 1 {
			ind[r] = -1
			continue
		}
		ind[r] = g.indicator(z[0], lo[r], hi, r > 0, r < R-1)
	}
	sels := make([][]int32, m) // sels[t] = selected digit t of every lookup
	for l := range L {
		// Step 2: address
		g.kind = "address"
		p, k := g.address(f[l], ds.q1, ds.q2, m)
		// Step 5: gated table read
		g.kind = "gates"
		var ys []term
		for c := range ds.q() {
			M := int64(0)
			for r := range R {
				M = max(M, words[l][r][c])
			}
			var ts []term
			bias := int64(0)
			for r := range R {
				if ind[r] < 0 {
					bias += words[l][r][c] - M
				} else {
					ts = append(ts, t(ind[r], words[l][r][c]-M))
				}
			}
			if p[c] < 0 {
				bias += M
			} else {
				ts = append(ts, t(p[c], M))
			}
			if M == 0 {
				continue // every word of this column is 0: the gate is 0
			}
			ys = append(ys, t(g.relu(bias, ts...), 1))
		}
		y := g.relu(0, ys...)
		// Step 6: digit extraction
		g.kind = "digits"
		for tt, sl := range g.digitSelect(y, k, ds) {
			sels[tt] = append(sels[tt], sl)
		}
	}
	g.kind = "accumulator"
	// the accumulator s = Σ_ℓ d_ℓ, one step per digit position
	acc := int32(-1)
	for tt := m - 1; tt >= 0; tt-- {
		var ts []term
		if acc >= 0 {
			ts = append(ts, t(acc, 1))
		}
		for _, s := range sels[tt] {
			ts = append(ts, t(s, 1))
		}
		acc = g.relu(0, ts...)
	}
	g.kind = "readout"
	// Step 7: Lb = s mod B, then the read-out
	lbTerms := []term{t(acc, 1)}
	for j := 1; j < L; j++ {
		jb := int64(j) * B
		hp := g.relu(-(jb - 1), t(acc, 1))
		hm := g.relu(-jb, t(acc, 1))
		lbTerms = append(lbTerms, t(hp, -B), t(hm, B))
	}
	if ds.index {
		g.output(0, lbTerms...)
		return g
	}
	lb := g.relu(0, lbTerms...)
	C := ds.classes
	q := make([]int32, C) // q[0] = Lb, q[a] = ReLU(Lb − a)
	q[0] = lb
	for a := 1; a < C; a++ {
		q[a] = g.relu(-int64(a), t(lb, 1))
	}
	for v := range C {
		var ts []term
		bias := int64(0)
		if v == 0 {
			bias = 1
			ts = append(ts, t(lb, -1))
		} else {
			ts = append(ts, t(q[v-1], 1), t(q[v], -2))
		}
		if v+1 < C {
			ts = append(ts, t(q[v+1], 1))
		}
		g.output(bias, ts...)
	}
	return g
}
