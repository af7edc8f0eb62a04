package park

import (
	"fmt"
	"math/big"
)

// table is the label table of spec §6.1 ("bits in the weights"): point i
// with floor F goes to row ⌊F/B⌋, slot F mod B; row a is the dyadic constant
// w_a = Σ_c y(a,c)·2^-(c+1)D (empty slots hold 0).
type table struct {
	A, B, D int64
	rows    []*big.Int // w_a·2^(BD)
}

func newTable(F []int64, y []int, A, B, D int64) (*table, error) {
	t := &table{A: A, B: B, D: D, rows: make([]*big.Int, A)}
	for a := range t.rows {
		t.rows[a] = new(big.Int)
	}
	lab := new(big.Int)
	for i, f := range F {
		a, c := f/B, f%B
		if a >= A {
			return nil, fmt.Errorf("park: floor %d outside the table (A·B = %d)", f, A*B)
		}
		if y[i] < 0 || int64(y[i]) >= 1<<D {
			return nil, fmt.Errorf("park: label %d does not fit in %d bits", y[i], D)
		}
		lab.SetInt64(int64(y[i]))
		lab.Lsh(lab, uint((B-1-c)*D))
		t.rows[a].Or(t.rows[a], lab)
	}
	return t, nil
}

// w returns w_a as an exact dyadic.
func (t *table) w(a int64) *big.Rat {
	return new(big.Rat).SetFrac(t.rows[a], new(big.Int).Lsh(big.NewInt(1), uint(t.B*t.D)))
}

// dw returns w_a − w_{a−1}.
func (t *table) dw(a int64) *big.Rat { return new(big.Rat).Sub(t.w(a), t.w(a-1)) }

// rowSelect3 emits the width-3 row selection x ↦ (x mod B, w_⌊x/B⌋) of
// Lemma 20 in the chain form of spec §6.2: layer 1 is [ID(x), STEP(x−B),
// STEP(x−2B)], then one layer [ID(r), ID(w), STEP(r−B)] per further
// threshold; A − 2 layers for A ≥ 3. r starts at x and loses B at every
// threshold that fires (the indicators fire monotonically, so "x ≥ kB" is
// "r ≥ B" once thresholds 1..k−1 were applied).
func (p *program) rowSelect3(x expr, t *table, gamma *big.Rat) (r, w expr) {
	B := rat(t.B)
	negB := rat(-t.B)
	w = konst(t.w(0))
	if t.A == 1 {
		return x, w
	}
	us := []unit{idUnit(x)}
	for k := int64(1); k < min(t.A, 3); k++ {
		us = append(us, stepUnit(x.plusConst(rat(-k*t.B)), gamma))
	}
	h := p.emit("table", us...)
	r = h[0]
	for k := int64(1); k < min(t.A, 3); k++ {
		r = r.add(h[k], negB)
		w = w.add(h[k], t.dw(k))
	}
	for k := int64(3); k < t.A; k++ {
		h := p.emit("table", idUnit(r), idUnit(w), stepUnit(r.add(konst(B), rat(-1)), gamma))
		r = h[0].add(h[2], negB)
		w = h[1].add(h[2], t.dw(k))
	}
	return r, w
}

// bits3 emits the width-3 bit extraction of Lemma 23 (spec §6.3): for every
// slot j an H-layer [ID(x), ID(w), STEP(x−1)] (x ← x − 1 + B·(1 − s); the
// jump B is ours, the OCR reads 3K or 3B — any jump ≥ B works), then per
// label bit a G-layer [ID(x), ID(w), STEP(w − 2^-ℓ)] removing data bit ℓ and
// an F-layer [ID(x), ID(w), STEP(x − n)] adding 2^-(BD+i) when slot j is the
// active one and the bit was 1. (2D+1)B − 1 layers. Returns the read-out
// expression 2^(BD+D)·w, which equals the label.
func (p *program) bits3(x, w expr, t *table, gamma *big.Rat) expr {
	B, D := t.B, t.D
	BD := int(B * D)
	wMargin := pow2(-(BD + int(D)))
	for j := range B {
		if j > 0 {
			h := p.emit("bits", idUnit(x), idUnit(w), stepUnit(x.plusConst(rat(-1)), gamma))
			// x − 1 + B(1 − s) = x + (B − 1) − B·s
			x = h[0].plusConst(rat(B-1)).add(h[2], rat(-B))
			w = h[1]
		}
		for i := int64(1); i <= D; i++ {
			l := int(j*D + i)
			g := p.emit("bits", idUnit(x), idUnit(w), stepUnit(w.plusConst(new(big.Rat).Neg(pow2(-l))), wMargin))
			x = g[0]
			n := g[2]
			w = g[1].add(n, new(big.Rat).Neg(pow2(-l)))
			f := p.emit("bits", idUnit(x), idUnit(w), stepUnit(x.add(n, rat(-1)), gamma))
			x = f[0]
			add := pow2(-(BD + int(i)))
			w = f[1].plusConst(add).add(f[2], new(big.Rat).Neg(add))
		}
	}
	return konst(new(big.Rat)).add(w, pow2(BD+int(D)))
}
