package vardi

import (
	"math/big"
)

// The blocks are first built as sparse layers of ReLU neurons with integer
// weights and biases, then assembled into an nn.Network (assemble.go).

// sterm is one edge: weight w on neuron src of the previous layer; src = tSrc
// stands for the shared Stage-I neuron t (carried as neuron 0 of every layer).
type sterm struct {
	src     int
	w       *big.Int
	crafted bool // w is a crafted integer U'_j or W'_j
}

const tSrc = -1

// snode is a ReLU neuron σ(Σ w·h + bias).
type snode struct {
	terms []sterm
	bias  *big.Int // nil for zero
	tag   string   // "U"/"W" for the neuron carrying a crafted integer
	ival  int      // interval of the crafted integer
}

// lin is an affine form in the previous layer's neurons.
type lin struct {
	terms []sterm
	c     *big.Int // nil for zero
}

var (
	bOne      = big.NewInt(1)
	bMinusOne = big.NewInt(-1)
	bTwo      = big.NewInt(2)
	bFour     = big.NewInt(4)
)

func ref(i int) lin { return lin{terms: []sterm{{src: i, w: bOne}}} }

func (l lin) isZero() bool { return len(l.terms) == 0 && (l.c == nil || l.c.Sign() == 0) }

// plus returns a + k·b (k a small integer coefficient shared read-only).
func plus(a lin, k *big.Int, b lin) lin {
	out := lin{terms: append([]sterm(nil), a.terms...), c: a.c}
	for _, t := range b.terms {
		out.terms = append(out.terms, sterm{src: t.src, w: new(big.Int).Mul(k, t.w)})
	}
	if b.c != nil && b.c.Sign() != 0 {
		bc := new(big.Int).Mul(k, b.c)
		if out.c != nil {
			bc.Add(bc, out.c)
		}
		out.c = bc
	}
	return merge(out)
}

// scaled returns k·a + c.
func scaled(a lin, k *big.Int, c *big.Int) lin {
	return plus(lin{c: c}, k, a)
}

// merge adds up repeated sources and drops zero coefficients.
func merge(l lin) lin {
	var out lin
	out.c = l.c
	for _, t := range l.terms {
		found := false
		for i := range out.terms {
			if out.terms[i].src == t.src {
				out.terms[i].w = new(big.Int).Add(out.terms[i].w, t.w)
				found = true
			}
		}
		if !found {
			out.terms = append(out.terms, t)
		}
	}
	k := 0
	for _, t := range out.terms {
		if t.w.Sign() != 0 {
			out.terms[k] = t
			k++
		}
	}
	out.terms = out.terms[:k]
	return out
}

// layerBuf collects the neurons of one layer.
type layerBuf struct{ nodes []snode }

// relu adds σ(e) and returns its index in the layer.
func (b *layerBuf) relu(e lin) int {
	n := snode{terms: e.terms}
	if e.c != nil && e.c.Sign() != 0 {
		n.bias = e.c
	}
	b.nodes = append(b.nodes, n)
	return len(b.nodes) - 1
}

// blockShape fixes the sizes of one Theorem-3.1 network (one block).
type blockShape struct {
	n, m   int   // points per interval, intervals
	rho, c int   // bits per point value and per label
	C      int64 // label multiplier in the gate (number of classes)
}

func (s blockShape) L() int { return max(s.rho, s.c) }

// block is one built block: its layers (after the shared Stage I) and its
// output, an affine form in its last layer's neurons.
type block struct {
	layers [][]snode
	out    lin
	split  int // index (in layers) of the materialisation layer
}

// buildBlock builds Stages II and III of Theorem 3.1 for the given intervals
// (len(iv) == s.m), reading the shared Stage-I value t.
func buildBlock(s blockShape, iv []Interval) *block {
	bk := &block{}
	bk.layers = stageII(s, iv)
	bk.split = len(bk.layers) - 1
	l3, out := stageIII(s)
	bk.layers = append(bk.layers, l3...)
	bk.out = out
	return bk
}

// stageII returns the m+2 layers of the pipelined interval selector; in the
// last one (the materialisation layer) neurons 0 and 1 hold U'_j and W'_j
// for the interval j containing t (0 and 0 at data points in no interval).
//
// Paper: Stage II, Lemma A.4 (selector accumulating y += u_j·g_j over the
// intervals) and Lemma A.6 (interval indicator). Ours (spec §6.3–6.4): the
// indicator g_j(t) = σ(1 − σ(a_j − t) − σ(t − b_j)), exactly 0/1 at every
// data point, pipelined so that layer k computes h for interval k, g for
// interval k−1 and accumulates interval k−2 (one layer per interval).
// Neuron order per layer: Yu, Yw (k ≥ 2), h1, h2 (k < m), g (k ≥ 1).
func stageII(s blockShape, iv []Interval) [][]snode {
	m := s.m
	var layers [][]snode
	yu, yw, h1, h2, g := -1, -1, -1, -1, -1
	tl := ref(tSrc)
	acc := func(b *layerBuf, prev int, crafted *big.Int, tag string, j int) int {
		e := lin{terms: []sterm{{g, crafted, true}}}
		if prev >= 0 {
			e.terms = append([]sterm{{prev, bOne, false}}, e.terms...)
		}
		i := b.relu(e)
		b.nodes[i].tag, b.nodes[i].ival = tag, j
		return i
	}
	for k := 0; k <= m; k++ {
		var b layerBuf
		nyu, nyw, nh1, nh2, ng := -1, -1, -1, -1, -1
		if k >= 2 {
			nyu = acc(&b, yu, iv[k-2].U, "U", k-2)
			nyw = acc(&b, yw, iv[k-2].W, "W", k-2)
		}
		if k < m {
			nh1 = b.relu(scaled(tl, bMinusOne, iv[k].Lo))              // σ(a_k − t)
			nh2 = b.relu(scaled(tl, bOne, new(big.Int).Neg(iv[k].Hi))) // σ(t − b_k)
		}
		if k >= 1 {
			ng = b.relu(lin{terms: []sterm{{src: h1, w: bMinusOne}, {src: h2, w: bMinusOne}}, c: bOne}) // g_{k−1}
		}
		layers = append(layers, b.nodes)
		yu, yw, h1, h2, g = nyu, nyw, nh1, nh2, ng
	}
	// materialisation layer
	var b layerBuf
	acc(&b, yu, iv[m-1].U, "U", m-1)
	acc(&b, yw, iv[m-1].W, "W", m-1)
	layers = append(layers, b.nodes)
	return layers
}

// pipe is the state of one bit-extraction pipeline between layers: the tent
// state Z, the chunk read so far α, as affine forms (absent: nil / zero).
type pipe struct {
	z     lin
	hasZ  bool
	alpha lin
	width int // bits per chunk (ρ or c)
	total int // bits of the crafted integer M = n·width
}

// bitLayer adds the neurons of pipeline p for bit layer p of chunk q.
//
// Ours (spec §7.1–7.2): tent map T(Z) = σ(2Z) − σ(4Z − 2^(M+2)) (Telgarsky's
// triangle map scaled to integers, [P] idea), exact read-out
// bit = σ(Z − 2^M + 1) − σ(Z − 2^M), accumulator α := 2α + bit.
func (p *pipe) bitLayer(b *layerBuf, q, bit int) {
	M := p.total
	if bit < p.width { // active
		j := q*p.width + bit
		var h1, h2 int
		last := j == M-1
		if !last {
			h1 = b.relu(scaled(p.z, bTwo, nil))
			h2 = b.relu(scaled(p.z, bFour, new(big.Int).Neg(pow2(M+2))))
		}
		P := b.relu(scaled(p.z, bOne, new(big.Int).Sub(bOne, pow2(M))))
		Q := b.relu(scaled(p.z, bOne, new(big.Int).Neg(pow2(M))))
		na := lin{terms: []sterm{{src: P, w: bOne}, {src: Q, w: bMinusOne}}}
		if !p.alpha.isZero() {
			A := b.relu(p.alpha)
			na.terms = append([]sterm{{src: A, w: bTwo}}, na.terms...)
		}
		p.alpha = na
		if last {
			p.z, p.hasZ = lin{}, false
		} else {
			p.z = lin{terms: []sterm{{src: h1, w: bOne}, {src: h2, w: bMinusOne}}}
		}
		return
	}
	p.carry(b)
}

// carry adds σ(Z) and σ(α) when present.
func (p *pipe) carry(b *layerBuf) {
	if p.hasZ {
		p.z = ref(b.relu(p.z))
	}
	if !p.alpha.isZero() {
		p.alpha = ref(b.relu(p.alpha))
	}
}

// stageIII returns the n·(L+2) layers of the bit-extraction stage, reading
// (Yu, Yw) = neurons (0, 1) of the materialisation layer, and the output form.
//
// Paper: Stage III (Telgarsky's triangle-map bit extraction, comparison with
// the input, label output; Lemma A.5/A.7 [P?]), width 12. Ours (spec §7.2):
// per chunk q, L = max(ρ, c) bit layers in which the u- and w-pipelines
// extract ρ and c bits in parallel, then a compare layer
// E1 = σ(α^u − t), E2 = σ(t − α^u − 1), B = σ(α^w), and a gate layer
// G = σ(B − C·E1 − C·E2), which is the label of the chunk's point when ⌊t⌋
// equals the chunk's value and 0 otherwise (spec §7.3); out accumulates G.
// Neuron order: out, u-neurons, w-neurons / out, Zu, Zw, E1, E2, B / out, Zu, Zw, G.
func stageIII(s blockShape) ([][]snode, lin) {
	L := s.L()
	u := &pipe{z: ref(0), hasZ: true, width: s.rho, total: s.n * s.rho}
	w := &pipe{z: ref(1), hasZ: true, width: s.c, total: s.n * s.c}
	tl := ref(tSrc)
	var out lin
	hasOut := false
	var layers [][]snode
	cm := big.NewInt(-s.C)
	for q := range s.n {
		for bit := range L {
			var b layerBuf
			if hasOut {
				out = ref(b.relu(out))
			}
			u.bitLayer(&b, q, bit)
			w.bitLayer(&b, q, bit)
			layers = append(layers, b.nodes)
		}
		// compare layer
		var b layerBuf
		if hasOut {
			out = ref(b.relu(out))
		}
		if u.hasZ {
			u.z = ref(b.relu(u.z))
		}
		if w.hasZ {
			w.z = ref(b.relu(w.z))
		}
		e1 := b.relu(plus(u.alpha, bMinusOne, tl))                                // σ(α^u − t)
		e2 := b.relu(plus(plus(tl, bMinusOne, u.alpha), bOne, lin{c: bMinusOne})) // σ(t − α^u − 1)
		bq := b.relu(w.alpha)                                                     // σ(α^w)
		u.alpha, w.alpha = lin{}, lin{}
		layers = append(layers, b.nodes)
		// gate layer
		var g layerBuf
		if hasOut {
			out = ref(g.relu(out))
		}
		if u.hasZ {
			u.z = ref(g.relu(u.z))
		}
		if w.hasZ {
			w.z = ref(g.relu(w.z))
		}
		G := g.relu(lin{terms: []sterm{{src: bq, w: bOne}, {src: e1, w: cm}, {src: e2, w: cm}}})
		layers = append(layers, g.nodes)
		if hasOut {
			out = lin{terms: []sterm{{src: out.terms[0].src, w: bOne}, {src: G, w: bOne}}}
		} else {
			out = ref(G)
		}
		hasOut = true
	}
	return layers, out
}

func pow2(k int) *big.Int { return new(big.Int).Lsh(big.NewInt(1), uint(k)) }
