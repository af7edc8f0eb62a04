package park

import (
	"math/big"
	"slices"
)

// applyShiftWide realises one compression-2 stage as the wide pair of layers
// of Theorem 1 / Lemma 7 (spec §5 "wide version"): a layer [ID(x),
// STEP(x−θ_1), …, STEP(x−θ_n)] followed by a width-1 layer ID(x + Σ J_j s_j),
// which keeps the parameter count additive between wide layers.
func (p *program) applyShiftWide(name string, x expr, sm shiftMap, gamma *big.Rat) expr {
	if len(sm.Theta) == 0 {
		return x
	}
	us := []unit{idUnit(x)}
	for _, th := range sm.Theta {
		us = append(us, stepUnit(x.plusConst(rat(-th)), gamma))
	}
	p.emit(name, us...)
	ws := []*big.Rat{rat(1)}
	for _, J := range sm.Jump {
		ws = append(ws, rat(J))
	}
	return p.emit(name, idUnit(linear(new(big.Rat), ws)))[0]
}

// linear returns c + Σ_k w[k]·h_k over the neurons h of the layer just
// emitted (zero coefficients dropped), in time linear in len(w).
func linear(c *big.Rat, w []*big.Rat) expr {
	e := expr{c: new(big.Rat).Set(c)}
	for k, wk := range w {
		if wk.Sign() != 0 {
			e.idx = append(e.idx, k)
			e.w = append(e.w, new(big.Rat).Set(wk))
		}
	}
	return e
}

// rowSelectWide is Lemma 20's row selection x ↦ (x mod B, w_⌊x/B⌋): a wide
// layer [ID(x), STEP(x−B), …, STEP(x−(A−1)B)] of A neurons, followed by the
// narrow layer [ID(x mod B), ID(w)] of 2 neurons (A + 2 neurons in all, the
// paper's count). The narrow layer is what keeps the parameters additive:
// without it every neuron of the first extraction layer (2^R + O(R) of them)
// would read all A table neurons, A·2^R weights instead of 2A + 2·2^R.
func (p *program) rowSelectWide(x expr, t *table, gamma *big.Rat) (r, w expr) {
	w = konst(t.w(0))
	if t.A == 1 {
		return x, w
	}
	us := []unit{idUnit(x)}
	for k := int64(1); k < t.A; k++ {
		us = append(us, stepUnit(x.plusConst(rat(-k*t.B)), gamma))
	}
	p.emit("table", us...)
	// Both outputs are written out term by term (neuron k of the layer just
	// emitted is index k): summing A refs with expr.add would be O(A²).
	rs, ws := make([]*big.Rat, t.A), make([]*big.Rat, t.A)
	rs[0], ws[0] = rat(1), new(big.Rat)
	for k := int64(1); k < t.A; k++ {
		rs[k], ws[k] = rat(-t.B), t.dw(k)
	}
	r, w = linear(new(big.Rat), rs), linear(t.w(0), ws)
	n := p.emit("table", idUnit(r), idUnit(w))
	return n[0], n[1]
}

// bitsWide is the wide bit extraction of Lemmas 21–22 (spec §6.4): R label
// bits per pair of layers. Layer a holds ID(x), ID(v), the thermometer
// STEP(v − k·2^-(end)) for k = 1..2^r−1 (its sum is the r-bit chunk) and slot
// indicators STEP(x − m); layer b holds ID(x), ID(v) and one AND neuron
// STEP(u_p + [c ≥ m_p] − [c ≥ m_p+1] − 2) per bit, which adds the bit
// below the data bits when its slot m_p is the active one. We budget
// ⌈r/D⌉+2 slot indicators per block where the paper budgets R (Lemma 22's
// count is reconstructed, spec §12).
func (p *program) bitsWide(x, v expr, t *table, R int64, gamma *big.Rat) expr {
	B, D := t.B, t.D
	BD := B * D
	vMargin := pow2(-int(BD + D))
	for done := int64(0); done < BD; done += R {
		r := min(R, BD-done)
		end := int(done + r)
		unitW := pow2(-end)
		us := []unit{idUnit(x), idUnit(v)}
		for k := int64(1); k < 1<<r; k++ {
			us = append(us, stepUnit(v.add(konst(unitW), rat(-k)), vMargin))
		}
		// slot indicators [c ≥ m]: constant 1 for m = 0, constant 0 for m ≥ B
		var ms []int64
		for q := done; q < done+r; q++ {
			m := q / D
			ms = append(ms, m, m+1)
		}
		slices.Sort(ms)
		ms = slices.Compact(ms)
		pos := map[int64]int{}
		for _, m := range ms {
			if m >= 1 && m < B {
				pos[m] = len(us)
				us = append(us, stepUnit(x.plusConst(rat(-m)), gamma))
			}
		}
		h := p.emit("bits", us...)
		ind := func(m int64) expr {
			switch {
			case m <= 0:
				return konst(rat(1))
			case m >= B:
				return konst(rat(0))
			}
			return h[pos[m]]
		}
		x2, v2 := h[0], h[1]
		for k := int64(1); k < 1<<r; k++ {
			v2 = v2.add(h[1+k], new(big.Rat).Neg(unitW))
		}
		bs := []unit{idUnit(x2), idUnit(v2)}
		for q := done; q < done+r; q++ {
			sh := r - 1 - (q - done) // bit of the chunk, MSB first
			u := konst(rat(-2))
			for k := int64(1); k < 1<<r; k++ {
				c := (k>>sh)&1 - ((k-1)>>sh)&1
				if c != 0 {
					u = u.add(h[1+k], rat(c))
				}
			}
			m := q / D
			u = u.add(ind(m), rat(1)).add(ind(m+1), rat(-1))
			bs = append(bs, stepUnit(u, rat(1)))
		}
		g := p.emit("bits", bs...)
		x, v = g[0], g[1]
		for q := done; q < done+r; q++ {
			v = v.add(g[2+q-done], pow2(-int(BD+q%D+1)))
		}
	}
	return konst(new(big.Rat)).add(v, pow2(int(BD+D)))
}
