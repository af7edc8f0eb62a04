package nn

import (
	"context"
	"math/big"
	"math/rand/v2"
	"testing"
)

// smallRat draws a rational with a numerator and denominator built from
// the primes 2, 3 and 5 (so gcds are often not powers of two), with a
// random sign.
func smallRat(rng *rand.Rand) *big.Rat {
	f := func() *big.Int {
		x := big.NewInt(1)
		for _, p := range []int64{2, 3, 5} {
			for range rng.IntN(4) {
				x.Mul(x, big.NewInt(p))
			}
		}
		return x
	}
	r := new(big.Rat).SetFrac(f(), f())
	if rng.IntN(5) == 0 {
		r.Mul(r, new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), uint(rng.IntN(300)))))
	}
	if rng.IntN(2) == 0 {
		r.Neg(r)
	}
	return r
}

// TestTermDen: termDen(w, Di) is the least D for which w·D/Di is an
// integer (checked by brute force over every smaller D for small values,
// and by the primes dividing it for large ones), and coef returns exactly
// w·D/Di for it and for its multiples; input denominators are powers of
// two (the shift path) or products of 2, 3 and 5 (the gcd path).
func TestTermDen(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	isInt := func(w *big.Rat, D, Di *big.Int) bool {
		r := new(big.Rat).Mul(w, new(big.Rat).SetFrac(D, Di))
		return r.IsInt()
	}
	for it := range 4000 {
		w := smallRat(rng)
		var Di *big.Int
		if it%2 == 0 {
			Di = new(big.Int).Lsh(big.NewInt(1), uint(rng.IntN(400)))
		} else {
			Di = new(big.Rat).Abs(smallRat(rng)).Num()
		}
		D := termDen(w, Di)
		if D.Sign() <= 0 || !isInt(w, D, Di) {
			t.Fatalf("w=%s Di=%s: termDen %s does not make the coefficient an integer", w.RatString(), Di, D)
		}
		if D.IsInt64() && D.Int64() <= 2000 {
			for d := int64(1); d < D.Int64(); d++ {
				if isInt(w, big.NewInt(d), Di) {
					t.Fatalf("w=%s Di=%s: termDen %s, but %d works", w.RatString(), Di, D, d)
				}
			}
		}
		for _, p := range []int64{2, 3, 5} {
			q, r := new(big.Int).QuoRem(D, big.NewInt(p), new(big.Int))
			if r.Sign() == 0 && isInt(w, q, Di) {
				t.Fatalf("w=%s Di=%s: termDen %s, but %s works", w.RatString(), Di, D, q)
			}
		}
		for _, m := range []int64{1, 3, 1 << 40} {
			Dm := new(big.Int).Mul(D, big.NewInt(m))
			want := new(big.Rat).Mul(w, new(big.Rat).SetFrac(Dm, Di))
			if c := coef(w, Dm, Di); want.Num().Cmp(c) != 0 {
				t.Fatalf("w=%s Di=%s D=%s: coef %s, want %s", w.RatString(), Di, Dm, c, want.RatString())
			}
		}
	}
}

// TestClampHigh: clampHigh gives min(z, δ) for values z ≥ 0 of 1–4 words
// against math/big, at z = δ − 1, δ, δ + 1, 0 and random z, for δ = 0,
// small, random and δ ≥ 2^(64W−1) (no W-word value reaches it).
func TestClampHigh(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	const P = 6
	for it := range 3000 {
		W := 1 + it%4
		var δ *big.Int
		switch rng.IntN(5) {
		case 0:
			δ = new(big.Int)
		case 1:
			δ = big.NewInt(int64(1 + rng.IntN(3)))
		case 2: // at or past the top of the signed W-word range
			δ = new(big.Int).Lsh(big.NewInt(1), uint(64*W-1+rng.IntN(70)))
			δ.Sub(δ, big.NewInt(int64(rng.IntN(2))))
		default:
			δ = new(big.Int).Rsh(new(big.Int).Abs(signedBig(wideValue(rng, W))), 1)
		}
		top := new(big.Int).Lsh(big.NewInt(1), uint(64*W-1)) // z < top
		zs := make([]*big.Int, P)
		for p := range zs {
			var z *big.Int
			switch p {
			case 0:
				z = new(big.Int).Sub(δ, big.NewInt(1))
			case 1:
				z = new(big.Int).Set(δ)
			case 2:
				z = new(big.Int).Add(δ, big.NewInt(1))
			case 3:
				z = new(big.Int)
			default:
				z = new(big.Int).Rsh(new(big.Int).Abs(signedBig(wideValue(rng, W))), 1)
			}
			if z.Sign() < 0 || z.Cmp(top) >= 0 {
				z = new(big.Int).Sub(top, big.NewInt(1))
			}
			zs[p] = z
		}
		buf := make([]uint64, P*W)
		for p, z := range zs {
			setBig(buf[p*W:p*W+W], z)
		}
		clampHigh(buf, W, bigWords(δ), δ.BitLen())
		for p, z := range zs {
			want := z
			if z.Cmp(δ) > 0 {
				want = δ
			}
			if got := signedBig(buf[p*W : p*W+W]); got.Cmp(want) != 0 {
				t.Fatalf("W=%d δ=%s z=%s: got %s, want %s", W, δ, z, got, want)
			}
		}
	}
}

// TestFindPairs: two ReLU neurons with the same weights and denominator
// are a pair only when every neuron of the next layer reads them with
// opposite weights (and one reads them at all); the head is the one with
// the larger bias (the first on a tie).
func TestFindPairs(t *testing.T) {
	r := func(a, b int64) *big.Rat { return big.NewRat(a, b) }
	// layer: neurons 0, 1 the candidate pair, 2 another ReLU with other weights
	build := func() (Layer, Layer) {
		l := NewLayer(2, 3, ReLU)
		for _, j := range []int{0, 1} {
			l.W[j][0].Set(r(3, 4))
			l.W[j][1].Set(r(-5, 1))
		}
		l.W[2][0].Set(r(1, 1))
		l.B[0].Set(r(1, 1))
		next := NewLayer(3, 2, ReLU)
		next.W[0][0].Set(r(7, 3))
		next.W[0][1].Set(r(-7, 3))
		next.W[1][2].Set(r(1, 1))
		return l, next
	}
	dens := func(l Layer) []*big.Int {
		d := make([]*big.Int, l.Out())
		for j := range d {
			d[j] = big.NewInt(4)
		}
		return d
	}
	l, next := build()
	if m := findPairs(&l, &next, dens(l)); m == nil || m[0] != 1 || m[1] != 0 || m[2] != -1 {
		t.Fatalf("pair not found: %v", m)
	}
	cases := []struct {
		name string
		mut  func(l, next *Layer, d []*big.Int)
	}{
		{"readers' weights not opposite", func(l, next *Layer, d []*big.Int) { next.W[1][1].Set(r(1, 1)) }},
		{"weights differ", func(l, next *Layer, d []*big.Int) { l.W[1][0].Set(r(3, 8)) }},
		{"denominators differ", func(l, next *Layer, d []*big.Int) { d[1] = big.NewInt(8) }},
		{"not ReLU", func(l, next *Layer, d []*big.Int) { l.Act[1] = Identity }},
		{"no reader", func(l, next *Layer, d []*big.Int) { next.W[0][0].SetInt64(0); next.W[0][1].SetInt64(0) }},
	}
	for _, c := range cases {
		l, next := build()
		d := dens(l)
		c.mut(&l, &next, d)
		if m := findPairs(&l, &next, d); m != nil && m[0] >= 0 {
			t.Errorf("%s: pair found: %v", c.name, m)
		}
	}
	// the engine's head: the larger bias; the other is dead; equal biases: the first
	for _, bias := range [][2]int64{{1, 0}, {0, 1}, {2, 2}} {
		net := &Network{InputDim: 2, Hidden: []Layer{NewLayer(2, 2, ReLU)}, Readout: NewLayer(2, 1, Identity)}
		for j := range 2 {
			net.Hidden[0].W[j][0].SetInt64(3)
			net.Hidden[0].W[j][1].SetInt64(-1)
			net.Hidden[0].B[j].SetInt64(bias[j])
		}
		net.Readout.W[0][0].SetInt64(5)
		net.Readout.W[0][1].SetInt64(-5)
		xs := [][]float64{{0, 0}, {1, 3}, {1, 4}, {-1, 0}, {2, -1}}
		e, err := CompileExact(net, xs)
		if err != nil {
			t.Fatal(err)
		}
		h := 0
		if bias[1] > bias[0] {
			h = 1
		}
		ns := e.layers[0].neurons
		if ns[h].clamp == nil || !ns[1-h].dead || ns[1-h].clamp != nil || ns[h].dead {
			t.Errorf("biases %v: head %d not chosen (clamp %v %v, dead %v %v)", bias, h, ns[0].clamp, ns[1].clamp, ns[0].dead, ns[1].dead)
		}
		checkWidths(t, net, xs, rand.New(rand.NewPCG(1, 2)))
	}
}

// reluPairs is shaped like Park's ReLU networks (construct/park toReLU): a
// running value u (the x-chain) copied through every layer, a running value
// v (the label chain) that adds c·(a − b) for the previous layer's pair,
// (sometimes wide), and a pair a = ReLU(λ·pre + δ), b = ReLU(λ·pre) (in random order, δ
// ∈ {1, 1/2, 0, −1}) with λ = 2^e (e up to 3000 or small) and pre =
// g·(m_0·u + m_1·v + m_2·(a' − b')) − θ over the previous layer, g a power of
// two or 3 or 6, θ often 0 (a pre-activation exactly 0 at the origin).
// Readers' coefficients on a pair are sometimes dense (2–7 random words,
// like Park's label bits). Sometimes pre = v + m_2·(a' − b') − θ (a unit term on the wide v: a pair
// head decided from the top words, see wideHead), and sometimes a reader's
// weights are not exactly opposite, or one pair neuron is an identity, and
// the pair is evaluated as two ReLUs.
func reluPairs(rng *rand.Rand, d int) *Network {
	pow := func(e int) *big.Rat {
		return new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), uint(e)))
	}
	small := func() *big.Rat {
		r := big.NewRat(int64(rng.IntN(9)-4), int64(1)<<rng.IntN(6))
		if r.Sign() == 0 {
			r.SetInt64(1)
		}
		return r
	}
	net := &Network{InputDim: d}
	l := NewLayer(d, 2, ReLU)
	wv := new(big.Rat).SetFrac64(int64(1+rng.IntN(5)), 3)
	if rng.IntN(2) == 0 { // a wide label value
		wv.Mul(wv, pow(rng.IntN(600)))
	}
	for i := range d {
		l.W[0][i].Set(small())
		l.W[1][i].Set(wv)
	}
	l.B[0].SetInt64(int64(rng.IntN(300)))
	l.B[1].SetInt64(int64(rng.IntN(300)))
	net.Hidden = append(net.Hidden, l)
	in := 2
	// reader weights on the previous pair (a', b'): +c on the head, −c (or not quite) on the other
	readPair := func(row []*big.Rat, c *big.Rat) {
		if rng.IntN(3) == 0 { // a dense coefficient of several words (Park's label bits)
			ws := make([]big.Word, 2+rng.IntN(6))
			for i := range ws {
				ws[i] = big.Word(rng.Uint64())
			}
			c = new(big.Rat).SetFrac(new(big.Int).SetBits(ws), new(big.Int).Lsh(bigOne, uint(rng.IntN(200))))
			if rng.IntN(2) == 0 {
				c.Neg(c)
			}
		}
		row[2].Set(c)
		row[3].Neg(c)
		if rng.IntN(8) == 0 {
			row[3].Add(row[3], big.NewRat(1, 1<<uint(rng.IntN(20))))
		}
	}
	for range 2 + rng.IntN(10) {
		nl := NewLayer(in, 4, ReLU)
		nl.W[0][0].SetInt64(1) // u copied
		nl.W[1][1].SetInt64(1) // v + c·(a' − b')
		if in == 4 {
			readPair(nl.W[1], small())
		}
		e := rng.IntN(4)
		if rng.IntN(2) == 0 {
			e = rng.IntN(3000)
		}
		g := []*big.Rat{big.NewRat(1, 1), big.NewRat(3, 1), big.NewRat(6, 1), pow(rng.IntN(40)), big.NewRat(1, 4)}[rng.IntN(5)]
		lg := new(big.Rat).Mul(pow(e), g)
		m0, m1, m2 := small(), small(), small()
		if rng.IntN(3) == 0 { // ReLU(v + m2·(a' − b') − θ + δ): a unit term on the wide v, as in Park's label chain
			lg.SetInt64(1)
			e = 0
			m0.SetInt64(0)
			m1.SetInt64(1)
		}
		theta := new(big.Rat)
		if rng.IntN(2) == 0 {
			theta = small()
		}
		δ := []*big.Rat{big.NewRat(1, 1), big.NewRat(1, 2), new(big.Rat), big.NewRat(-1, 1)}[rng.IntN(4)]
		ia, ib := 2, 3
		if rng.IntN(2) == 0 {
			ia, ib = 3, 2
		}
		for _, j := range []int{ia, ib} {
			nl.W[j][0].Mul(lg, m0)
			nl.W[j][1].Mul(lg, m1)
			if in == 4 {
				c := new(big.Rat).Mul(lg, m2)
				nl.W[j][2].Set(c)
				nl.W[j][3].Neg(c)
			}
			nl.B[j].Mul(new(big.Rat).Neg(pow(e)), theta)
		}
		nl.B[ia].Add(nl.B[ia], δ)
		if rng.IntN(10) == 0 {
			nl.Act[ib] = Identity
		}
		net.Hidden = append(net.Hidden, nl)
		in = 4
	}
	ro := NewLayer(in, 2, Identity)
	ro.W[0][1].SetInt64(1)
	ro.W[1][0].Set(small())
	if in == 4 {
		readPair(ro.W[0], small())
	}
	net.Readout = ro
	return net
}

// TestReLUPairsFamily: the reluPairs family has fused pairs (a clamped
// head and a dead mate; some heads decided from the top words; some read
// with dense coefficients, see addTermTop) and pairs that are not fused,
// so TestEngineRandom exercises all.
func TestReLUPairsFamily(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	heads, unfused, wide, tops := 0, 0, 0, 0
	for range 60 {
		d := 1 + rng.IntN(3)
		net := reluPairs(rng, d)
		xs := [][]float64{randomInput(rng, d), randomInput(rng, d)}
		e, err := CompileExact(net, xs)
		if err != nil {
			t.Fatal(err)
		}
		for k := 1; k < len(e.layers); k++ {
			for _, n := range e.layers[k].neurons {
				for _, tm := range n.terms {
					if tm.top != nil {
						tops++
					}
				}
			}
			if k == len(e.layers)-1 {
				break
			}
			ns := e.layers[k].neurons
			switch {
			case ns[2].clamp != nil || ns[3].clamp != nil:
				heads++
				if ns[2].wide != nil || ns[3].wide != nil {
					wide++
				}
				if ns[2].dead == ns[3].dead {
					t.Fatalf("layer %d: a head without a dead mate", k+1)
				}
			default:
				unfused++
			}
		}
	}
	if heads == 0 || unfused == 0 || wide == 0 || tops == 0 {
		t.Fatalf("%d fused pairs (%d decided from the top words), %d unfused, %d dense reads of a head: the family does not exercise all", heads, wide, unfused, tops)
	}
}

// TestAddTermOneWord: addTermOneWord (a coefficient with one nonzero word
// a·2^(64·lo): a power of two, a one-word or a unit coefficient) equals
// z + c·h modulo 2^(64W) computed with math/big, for negative and narrow
// values, the most negative K-word value, offsets lo past W, and widths K
// below, equal to and above W.
func TestAddTermOneWord(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for trial := range 6000 {
		W := 1 + rng.IntN(10)
		K := max(1, W+rng.IntN(9)-4)
		P := 1 + rng.IntN(4)
		a := rng.Uint64() | 1
		switch rng.IntN(3) {
		case 0:
			a = 1
		case 1:
			a = 1 << rng.IntN(64)
		}
		lo := rng.IntN(W + 2)
		c := new(big.Int).Lsh(new(big.Int).SetUint64(a), uint(64*lo))
		if rng.IntN(2) == 0 {
			c.Neg(c)
		}
		tm := &xterm{neg: c.Sign() < 0, unit: c.CmpAbs(bigOne) == 0, mag: bigWords(new(big.Int).Abs(c)), lo: lo, bits: c.BitLen()}
		z := make([]uint64, P*W)
		h := make([]uint64, P*K)
		for p := range P {
			copy(z[p*W:], wideValue(rng, W))
			copy(h[p*K:], wideValue(rng, K))
			if rng.IntN(8) == 0 { // −2^(64K−1)
				clear(h[p*K : p*K+K])
				h[p*K+K-1] = 1 << 63
			}
		}
		mod := new(big.Int).Lsh(bigOne, uint(64*W))
		want := make([]*big.Int, P)
		for p := range P {
			v := new(big.Int).Mul(c, signedBig(h[p*K:p*K+K]))
			v.Add(v, signedBig(z[p*W:p*W+W]))
			want[p] = v.Mod(v, mod)
		}
		addTermOneWord(z, h, W, K, tm, make([]uint64, K))
		for p := range P {
			if got := new(big.Int).Mod(signedBig(z[p*W:p*W+W]), mod); got.Cmp(want[p]) != 0 {
				t.Fatalf("trial %d W=%d K=%d point %d c=%s: got %s, want %s", trial, W, K, p, c, got, want[p])
			}
		}
	}
}

// TestWideHeadOut: the pair head decided from the top words (wideHeadOut)
// gives min(ReLU(H + t + B), δ) against math/big, with H + t + B placed at
// −1, 0, 1, δ − 1, δ, δ + 1 and at random, t of either sign in m words, H
// of K words (K below, equal to and above m), B of any sign and width,
// δ = 0 and δ up to m words.
func TestWideHeadOut(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for trial := range 6000 {
		m := 1 + rng.IntN(4)
		K := max(1, m+rng.IntN(10)-2)
		const P = 9
		var δ *big.Int
		switch rng.IntN(4) {
		case 0:
			δ = new(big.Int)
		case 1:
			δ = big.NewInt(1 + rng.Int64N(3))
		default:
			δ = new(big.Int).Rsh(new(big.Int).Abs(signedBig(wideValue(rng, m))), 1)
		}
		wh := &wideHead{m: m}
		h := make([]uint64, P*K)
		z := make([]uint64, P*m)
		ts := make([]*big.Int, P)
		hs := make([]*big.Int, P)
		for p := range P {
			copy(h[p*K:], wideValue(rng, K))
			copy(z[p*m:], wideValue(rng, m))
			hs[p], ts[p] = signedBig(h[p*K:p*K+K]), signedBig(z[p*m:p*m+m])
		}
		// B puts point 0's Z at a boundary (or anywhere), the others follow
		targets := []*big.Int{big.NewInt(-1), big.NewInt(0), big.NewInt(1), new(big.Int).Sub(δ, bigOne), δ, new(big.Int).Add(δ, bigOne)}
		var bz *big.Int
		if i := rng.IntN(len(targets) + 1); i < len(targets) {
			q := rng.IntN(P)
			bz = new(big.Int).Sub(targets[i], hs[q])
			bz.Sub(bz, ts[q])
		} else {
			bz = signedBig(wideValue(rng, 1+rng.IntN(K+2)))
		}
		wh.consts(bz, δ)
		wideHeadOut(z, h, K, wh, bigWords(δ), make([]uint64, m))
		for p := range P {
			want := new(big.Int).Add(hs[p], ts[p])
			want.Add(want, bz)
			if want.Sign() < 0 {
				want.SetInt64(0)
			}
			if want.Cmp(δ) > 0 {
				want.Set(δ)
			}
			if got := signedBig(z[p*m : p*m+m]); got.Cmp(want) != 0 {
				t.Fatalf("trial %d m=%d K=%d point %d H=%s t=%s B=%s δ=%s: got %s, want %s", trial, m, K, p, hs[p], ts[p], bz, δ, got, want)
			}
		}
	}
}

// TestWideHeadInPlace: a pair head decided from the top words of a wide
// value v is evaluated before the neuron v' = v + 7·(a − b) that takes v's
// slot over (see evalLayer): at x = 2 the head's Z = v + (a − b) − θ + δ is
// inside (0, δ), where v already changed in place would give δ.
func TestWideHeadInPlace(t *testing.T) {
	p200 := new(big.Rat).SetInt(new(big.Int).Lsh(bigOne, 200))
	net := &Network{InputDim: 1}
	l1 := NewLayer(1, 3, ReLU) // v = 2^200·x, a = ReLU(x), b = ReLU(x − 1)
	l1.W[0][0].Set(p200)
	l1.W[1][0].SetInt64(1)
	l1.W[2][0].SetInt64(1)
	l1.B[2].SetInt64(-1)
	l2 := NewLayer(3, 3, ReLU) // v' = v + 7(a − b); pair on v + (a − b) − θ, δ = 3
	l2.W[0][0].SetInt64(1)
	l2.W[0][1].SetInt64(7)
	l2.W[0][2].SetInt64(-7)
	theta := new(big.Rat).Add(new(big.Rat).Mul(p200, big.NewRat(2, 1)), big.NewRat(2, 1))
	for _, j := range []int{1, 2} {
		l2.W[j][0].SetInt64(1)
		l2.W[j][1].SetInt64(1)
		l2.W[j][2].SetInt64(-1)
		l2.B[j].Neg(theta)
	}
	l2.B[1].Add(l2.B[1], big.NewRat(3, 1))
	net.Hidden = []Layer{l1, l2}
	ro := NewLayer(3, 2, Identity)
	ro.W[0][0].SetInt64(1)
	ro.W[1][1].SetInt64(5)
	ro.W[1][2].SetInt64(-5)
	net.Readout = ro
	xs := [][]float64{{0}, {1}, {2}, {3}}
	e, err := CompileExact(net, xs)
	if err != nil {
		t.Fatal(err)
	}
	ns := e.layers[1].neurons
	if ns[1].wide == nil || ns[0].base < 0 {
		t.Fatalf("the head is not decided from the top words (%v) or v' does not take v's slot (base %d)", ns[1].wide != nil, ns[0].base)
	}
	outs, err := e.Outputs(context.Background(), xs, nil)
	if err != nil {
		t.Fatal(err)
	}
	// x = 2: v = 2^201, a − b = 1, the head's Z = 2^201 + 1 − θ + 3 = 2 ∈ (0, 3): 5·2
	if got := outs[2][1]; got.Cmp(big.NewRat(10, 1)) != 0 {
		t.Fatalf("x = 2: output %s, want 10", got.RatString())
	}
	checkWidths(t, net, xs, rand.New(rand.NewPCG(3, 4)))
}

// TestAddTermTop: addTermTop (an input in [0, δ] read with a dense
// coefficient) equals z + c·h modulo 2^(64W) computed with math/big, for h
// = 0, h = δ (the precomputed |c|·δ) and h anywhere else in [0, δ] (the
// product), δ and c of several widths and either sign of c.
func TestAddTermTop(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	for trial := range 4000 {
		W := 3 + rng.IntN(10)
		K := 1 + rng.IntN(4)
		P := 1 + rng.IntN(6)
		δ := new(big.Int).Rsh(new(big.Int).Abs(signedBig(wideValue(rng, K))), 1)
		if δ.Sign() == 0 {
			δ.SetInt64(2)
		}
		c := new(big.Int).Abs(signedBig(wideValue(rng, 2+rng.IntN(W+2))))
		c.SetBit(c, 64+rng.IntN(64), 1) // several nonzero words
		if rng.IntN(2) == 0 {
			c.Neg(c)
		}
		tm := &xterm{neg: c.Sign() < 0, mag: bigWords(new(big.Int).Abs(c)), bits: c.BitLen()}
		for tm.lo < len(tm.mag) && tm.mag[tm.lo] == 0 {
			tm.lo++
		}
		tm.top, tm.cmax = bigWords(δ), bigWords(new(big.Int).Mul(δ, new(big.Int).Abs(c)))
		for tm.cmaxLo < len(tm.cmax) && tm.cmax[tm.cmaxLo] == 0 {
			tm.cmaxLo++
		}
		z := make([]uint64, P*W)
		h := make([]uint64, P*K)
		hs := make([]*big.Int, P)
		for p := range P {
			copy(z[p*W:], wideValue(rng, W))
			switch rng.IntN(3) {
			case 0:
				hs[p] = new(big.Int)
			case 1:
				hs[p] = new(big.Int).Set(δ)
			default:
				hs[p] = new(big.Int).Mod(new(big.Int).Abs(signedBig(wideValue(rng, K))), δ)
			}
			setBig(h[p*K:p*K+K], hs[p])
		}
		mod := new(big.Int).Lsh(bigOne, uint(64*W))
		want := make([]*big.Int, P)
		for p := range P {
			v := new(big.Int).Mul(c, hs[p])
			v.Add(v, signedBig(z[p*W:p*W+W]))
			want[p] = v.Mod(v, mod)
		}
		addTermTop(z, h, W, K, tm, make([]uint64, W+K))
		for p := range P {
			if got := new(big.Int).Mod(signedBig(z[p*W:p*W+W]), mod); got.Cmp(want[p]) != 0 {
				t.Fatalf("trial %d W=%d K=%d point %d c=%s h=%s δ=%s: got %s, want %s", trial, W, K, p, c, hs[p], δ, got, want[p])
			}
		}
	}
}
