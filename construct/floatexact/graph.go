package floatexact

import (
	"errors"
	"math/big"

	"github.com/memnet/memnet/nn"
)

// graph is the network as a DAG of integer ReLU neurons before it is cut
// into layers (spec §3 "Layering"). Node ids 0..d-1 are the inputs.
type graph struct {
	d       int
	kind    string  // the part being built, recorded in new nodes
	nodes   []gnode // hidden neurons, id = d + index
	outputs []gnode // the linear read-out
}

type term struct {
	src int32
	w   int64
}

type gnode struct {
	terms []term
	bias  int64
	kind  string // what part of the construction it belongs to (for reports)
}

// relu adds the neuron ReLU(bias + Σ w·src) and returns its id. Zero weights
// are dropped and repeated sources merged.
func (g *graph) relu(bias int64, ts ...term) int32 {
	g.nodes = append(g.nodes, gnode{terms: clean(ts), bias: bias, kind: g.kind})
	return int32(g.d + len(g.nodes) - 1)
}

func (g *graph) output(bias int64, ts ...term) {
	g.outputs = append(g.outputs, gnode{terms: clean(ts), bias: bias})
}

func clean(ts []term) []term {
	out := make([]term, 0, len(ts))
	for _, t := range ts {
		merged := false
		for k := range out {
			if out[k].src == t.src {
				out[k].w += t.w
				merged = true
			}
		}
		if !merged {
			out = append(out, t)
		}
	}
	k := 0
	for _, t := range out {
		if t.w != 0 {
			out[k] = t
			k++
		}
	}
	return out[:k]
}

func t(src int32, w int64) term { return term{src, w} }

// layout is the graph cut into layers: the level of every node and the
// carries ReLU(1·h) that move a value to the layer that reads it.
type layout struct {
	level   []int // by node id (inputs 0)
	maxCons []int // largest level of a consumer (depth+1 for read-out sources)
	depth   int
	carries int
}

// paramsByKind counts the nonzero weights and biases of each part, its
// carries included (one weight each), and the read-out as "readout".
func (g *graph) paramsByKind(lay layout) map[string]int {
	c := g.carriesByKind(lay)
	for _, nd := range g.nodes {
		c[nd.kind] += len(nd.terms)
		if nd.bias != 0 {
			c[nd.kind]++
		}
	}
	for _, o := range g.outputs {
		c["readout"] += len(o.terms)
		if o.bias != 0 {
			c["readout"]++
		}
	}
	return c
}

// carriesByKind counts the carries of each part of the construction.
func (g *graph) carriesByKind(lay layout) map[string]int {
	c := map[string]int{}
	for id := g.d; id < len(lay.level); id++ {
		c[g.nodes[id-g.d].kind] += lay.maxCons[id] - lay.level[id] - 1
	}
	return c
}

// layer assigns levels: from ASAP levels and from ALAP levels, each improved
// by moving single neurons within their slack to the level that needs the
// fewest carries, keeping the better result. Neurons that read the input
// stay in layer 1 so no input is ever carried.
func (g *graph) layer() layout {
	n := g.d + len(g.nodes)
	asap := make([]int, n)
	for k, nd := range g.nodes {
		l := 1
		for _, tm := range nd.terms {
			l = max(l, asap[tm.src]+1)
		}
		asap[g.d+k] = l
	}
	depth := 0
	for k := range g.nodes {
		depth = max(depth, asap[g.d+k])
	}
	consumers := make([][]int32, n)
	for k, nd := range g.nodes {
		for _, tm := range nd.terms {
			consumers[tm.src] = append(consumers[tm.src], int32(g.d+k))
		}
	}
	readoutSrc := make([]bool, n)
	for _, o := range g.outputs {
		for _, tm := range o.terms {
			readoutSrc[tm.src] = true
		}
	}
	readsInput := func(id int) bool {
		for _, tm := range g.nodes[id-g.d].terms {
			if int(tm.src) < g.d {
				return true
			}
		}
		return false
	}
	alap := make([]int, n)
	for id := n - 1; id >= g.d; id-- {
		l := depth
		for _, c := range consumers[id] {
			l = min(l, alap[c]-1)
		}
		if readsInput(id) {
			l = 1
		}
		alap[id] = l
	}
	cost := func(level []int) (lay layout) {
		lay = layout{level: level, maxCons: make([]int, n), depth: depth}
		for id := g.d; id < n; id++ {
			m := level[id] + 1
			if readoutSrc[id] {
				m = depth + 1
			}
			for _, c := range consumers[id] {
				m = max(m, level[c])
			}
			lay.maxCons[id] = m
			lay.carries += m - level[id] - 1
		}
		return lay
	}
	improve := func(level []int) layout {
		chain := func(id int32) int {
			if int(id) < g.d {
				return 0
			}
			m := level[id] + 1
			if readoutSrc[id] {
				m = depth + 1
			}
			for _, c := range consumers[id] {
				m = max(m, level[c])
			}
			return m - level[id] - 1
		}
		for sweep := 0; sweep < 6; sweep++ {
			moved := false
			for id := g.d; id < n; id++ {
				if readsInput(id) {
					continue
				}
				lo := 1
				for _, tm := range g.nodes[id-g.d].terms {
					lo = max(lo, level[tm.src]+1)
				}
				hi := depth
				for _, c := range consumers[id] {
					hi = min(hi, level[c]-1)
				}
				local := func() int {
					s := chain(int32(id))
					for _, tm := range g.nodes[id-g.d].terms {
						s += chain(tm.src)
					}
					return s
				}
				cur := level[id]
				best, bestCost := cur, local()
				for l := lo; l <= hi; l++ {
					level[id] = l
					if c := local(); c < bestCost {
						best, bestCost = l, c
					}
				}
				level[id] = best
				if best != cur {
					moved = true
				}
			}
			if !moved {
				break
			}
		}
		return cost(level)
	}
	// mixed: parts that feed the table read (rows, address, gates) as late
	// as their consumers allow, the rest as early as possible
	mixed := append([]int(nil), asap...)
	for id := n - 1; id >= g.d; id-- {
		switch g.nodes[id-g.d].kind {
		case "rows", "address", "gates":
		default:
			continue
		}
		if readsInput(id) || readoutSrc[id] {
			continue
		}
		l := depth
		for _, c := range consumers[id] {
			l = min(l, mixed[c]-1)
		}
		mixed[id] = max(l, mixed[id])
	}
	best := improve(asap)
	for _, l := range []layout{improve(alap), improve(mixed)} {
		if l.carries < best.carries {
			best = l
		}
	}
	return best
}

// network cuts the graph into nn layers (dense rows of exact integers; one
// shared zero stands for every absent weight).
func (g *graph) network(lay layout) (*nn.Network, error) {
	n := g.d + len(g.nodes)
	zero := new(big.Rat)
	// slots[ℓ] lists the node whose value sits in each neuron of layer ℓ
	// (the node itself at its level, a carry of it above).
	slots := make([][]int32, lay.depth+1)
	pos := make([]map[int32]int, lay.depth+1)
	for l := range pos {
		pos[l] = map[int32]int{}
	}
	for i := range g.d {
		pos[0][int32(i)] = i
	}
	for id := g.d; id < n; id++ {
		for l := lay.level[id]; l < lay.maxCons[id]; l++ {
			pos[l][int32(id)] = len(slots[l])
			slots[l] = append(slots[l], int32(id))
		}
	}
	rat := func(v int64) *big.Rat {
		if v == 0 {
			return zero
		}
		return new(big.Rat).SetInt64(v)
	}
	net := &nn.Network{InputDim: g.d}
	in := g.d
	mk := func(out int, act nn.Activation) nn.Layer {
		ly := nn.Layer{W: make([][]*big.Rat, out), B: make([]*big.Rat, out), Act: make([]nn.Activation, out)}
		for j := range out {
			ly.W[j] = make([]*big.Rat, in)
			for i := range ly.W[j] {
				ly.W[j][i] = zero
			}
			ly.B[j] = zero
			ly.Act[j] = act
		}
		return ly
	}
	missing := false
	at := func(l int, src int32) int {
		p, ok := pos[l][src]
		missing = missing || !ok
		return p
	}
	fill := func(ly *nn.Layer, j int, nd gnode, l int) {
		for _, tm := range nd.terms {
			ly.W[j][at(l-1, tm.src)] = rat(tm.w)
		}
		ly.B[j] = rat(nd.bias)
	}
	for l := 1; l <= lay.depth; l++ {
		ly := mk(len(slots[l]), nn.ReLU)
		for j, id := range slots[l] {
			if lay.level[id] == l {
				fill(&ly, j, g.nodes[int(id)-g.d], l)
			} else {
				ly.W[j][at(l-1, id)] = rat(1)
			}
		}
		net.Hidden = append(net.Hidden, ly)
		in = len(slots[l])
	}
	ro := mk(len(g.outputs), nn.Identity)
	for j, o := range g.outputs {
		fill(&ro, j, o, lay.depth+1)
	}
	net.Readout = ro
	if missing {
		return nil, errors.New("internal error: a neuron reads a value its previous layer does not hold")
	}
	return net, nil
}

// eval computes every node's exact value at input x (int64; the invariant
// keeps every value far from overflow) and the outputs.
func (g *graph) eval(x []int64) (vals, outs []int64) {
	vals = make([]int64, g.d+len(g.nodes))
	copy(vals, x)
	one := func(nd gnode) int64 {
		v := nd.bias
		for _, tm := range nd.terms {
			v += tm.w * vals[tm.src]
		}
		return v
	}
	for k, nd := range g.nodes {
		vals[g.d+k] = max(one(nd), 0)
	}
	for _, o := range g.outputs {
		outs = append(outs, one(o))
	}
	return vals, outs
}
