package vardi

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"
	"sync"
	"sync/atomic"
	"time"

	"github.com/memnet/memnet/nn"
)

// This file is the grouped exact evaluator of spec §12 (ours): a real
// forward pass of the stored network in integer fixed point, which shares
// the work that does not depend on the individual point between the points
// of one interval.
//
// Evaluation is split at a layer S (the materialisation layer, Layout.Split).
// In layer S a few neurons are declared per-point (the carried t); every
// other neuron of layer S, and every later neuron that reads none of the
// per-point neurons, is "shared". By construction of the dependency
// ("tainted if any nonzero weight reads a tainted neuron") a shared neuron's
// value is a function of the shared values of layer S alone. So:
//
//	phase 1 (per point)  layers 1..S, all neurons; key = shared values of layer S
//	phase 2 (per key)    shared neurons of layers > S, once per distinct key
//	phase 3 (per point)  per-point neurons of layers > S, reading phase-2 values
//
// This is exact for any split and any declared set (a bad choice is only
// slower), and every stored weight and bias is read by some phase: nothing is
// re-derived from the data. For Theorem 3.1 networks the keys are the m
// pairs (U'_j, W'_j), so the bit extraction runs m times instead of N times
// and the cost is Θ(N·m + m·n·ρ·M/64) ≈ N^1.5 instead of N².
//
// Two further exact shortcuts (spec §12 items 2 and 5): terms whose input is
// zero are skipped, and a ReLU neuron whose only nonzero term is 1·h with
// h > 0 and no bias takes h's value without copying.

type vterm struct {
	src   int32
	unit  int8 // ±1 when the mantissa is ±1
	shift uint32
	w     *big.Int
}

type vnode struct {
	terms []vterm
	bias  *big.Int // at the neuron's scale, nil when zero
	act   nn.Activation
	scale int
	w64   []int64 // weights as int64 (128-bit path)
	b128  i128    // bias (128-bit path)
}

type program struct {
	inDim    int
	inScale  []int
	nodes    []vnode // hidden and read-out neurons, global ids from inDim on
	layerEnd []int   // end id (exclusive) of each layer: input, hidden..., read-out
	total    int
	split    int // global layer index of the split layer
	// per-split
	tainted      []bool
	shared0      []int // shared neurons of the split layer
	point0       []int // per-point neurons of the split layer
	sharedN      []int // shared neurons after the split layer, in order
	pointN       []int // per-point neurons after the split layer, in order
	iface        []int // shared neurons read by per-point ones (or outputs)
	ifaceIdx     map[int]int
	outputs      []int
	alias        []bool     // carrier neuron never evaluated (consumers read its root)
	root         []int32    // root of each neuron's alias chain
	small        []bool     // prefix neuron evaluated in 128 bits
	dots         []*dotPlan // first-layer neurons with an exact accumulator (kulisch.go)
	inputsNeeded bool       // some first-layer neuron reads the inputs as integers
	unchecked    []int      // input coordinates read by no accumulator
	prefix       []int32    // prefix neurons to evaluate in phase 1, in order (no carriers)
	ops          []pop      // compact phase-1 program (fast128.go)
	pterms       []pterm
	bterms       []bterm
	ops2, ops3   []pop  // phases 2 and 3
	nslots       int    // 128-bit slots per point (assignSlots)
	needBig      []bool // prefix neuron whose value is also needed as a big.Int
}

// compile builds the program for inputs with the given per-coordinate scales.
func compile(net *nn.Network, lay *Layout, inScale []int) (*program, error) {
	if err := net.Check(); err != nil {
		return nil, err
	}
	if !net.IsDyadic() || net.HasActivation(nn.Sigmoid) {
		return nil, errors.New("vardi verify: the network is not dyadic ReLU")
	}
	p := &program{inDim: net.InputDim, inScale: inScale}
	layers, err := nn.FixedPoint(net, inScale)
	if err != nil {
		return nil, err
	}
	prevOff, off := 0, net.InputDim
	p.layerEnd = append(p.layerEnd, net.InputDim)
	for _, layer := range layers {
		for _, n := range layer {
			nd := vnode{bias: n.Bias, act: n.Act, scale: n.Scale}
			for _, t := range n.Terms {
				nd.terms = append(nd.terms, vterm{src: int32(prevOff + t.In), unit: int8(t.Unit), shift: uint32(t.Shift), w: t.W})
			}
			p.nodes = append(p.nodes, nd)
		}
		prevOff = off
		off += len(layer)
		p.layerEnd = append(p.layerEnd, off)
	}
	p.total = off
	// Static aliases (exact): a ReLU neuron σ(1·h), no bias, whose source h is
	// itself a ReLU or step neuron (so h ≥ 0) always equals h. Consumers read
	// the root directly and the carrier is never evaluated.
	p.alias = make([]bool, p.total)
	root := make([]int32, p.total)
	for id := range root {
		root[id] = int32(id)
	}
	for id := p.inDim; id < p.total; id++ {
		nd := &p.nodes[id-p.inDim]
		for k := range nd.terms {
			nd.terms[k].src = root[nd.terms[k].src]
		}
		if nd.act == nn.ReLU && nd.bias == nil && len(nd.terms) == 1 && nd.terms[0].unit == 1 && nd.terms[0].shift == 0 {
			src := int(nd.terms[0].src)
			if src >= p.inDim {
				if a := p.nodes[src-p.inDim].act; a == nn.ReLU || a == nn.Step {
					p.alias[id] = true
					root[id] = int32(src)
				}
			}
		}
	}
	p.root = root
	for j := p.layerEnd[len(p.layerEnd)-2]; j < off; j++ {
		p.outputs = append(p.outputs, int(root[j]))
	}
	// split and taint
	split := 0
	var perPoint []int
	if lay != nil {
		split = lay.Split + 1 // global layer index (0 = input)
		perPoint = lay.PerPoint
	}
	if split < 1 || split >= len(p.layerEnd)-1 {
		return nil, fmt.Errorf("vardi verify: split layer %d out of range", split)
	}
	p.split = split
	p.tainted = make([]bool, p.total)
	lo := p.layerEnd[split-1]
	hi := p.layerEnd[split]
	isPP := map[int]bool{}
	for _, j := range perPoint {
		if j < 0 || lo+j >= hi {
			return nil, fmt.Errorf("vardi verify: per-point neuron %d out of range", j)
		}
		isPP[lo+j] = true
	}
	seen := map[int32]bool{}
	for id := lo; id < hi; id++ {
		r := root[id]
		if seen[r] {
			continue
		}
		seen[r] = true
		if isPP[id] {
			p.tainted[r] = true
			p.point0 = append(p.point0, int(r))
		} else {
			p.shared0 = append(p.shared0, int(r))
		}
	}
	p.ifaceIdx = map[int]int{}
	addIface := func(id int) {
		if _, ok := p.ifaceIdx[id]; !ok {
			p.ifaceIdx[id] = len(p.iface)
			p.iface = append(p.iface, id)
		}
	}
	for id := hi; id < p.total; id++ {
		if p.alias[id] {
			continue
		}
		nd := &p.nodes[id-p.inDim]
		for _, t := range nd.terms {
			if p.tainted[t.src] {
				p.tainted[id] = true
				break
			}
		}
		if p.tainted[id] {
			p.pointN = append(p.pointN, id)
			for _, t := range nd.terms {
				if !p.tainted[t.src] {
					addIface(int(t.src))
				}
			}
		} else {
			p.sharedN = append(p.sharedN, id)
		}
	}
	for _, id := range p.outputs {
		if !p.tainted[id] {
			addIface(id)
		}
	}
	return p, nil
}

// worker state: one value pointer and one owned integer per neuron.
type wstate struct {
	v128 []i128
	val  []*big.Int
	own  []big.Int
	tmp  big.Int
	zero big.Int
	key  []byte
	acc  [maxLimbs]uint64
}

func (p *program) newState() *wstate {
	s := &wstate{val: make([]*big.Int, p.total), own: make([]big.Int, p.total), v128: make([]i128, p.nslots)}
	for i := range s.val {
		s.val[i] = &s.zero
	}
	return s
}

func (p *program) setInput(x []float64, s *wstate) error {
	if len(x) != p.inDim {
		return fmt.Errorf("input has %d coordinates, network wants %d", len(x), p.inDim)
	}
	if !p.inputsNeeded {
		// the first layer reads the floats directly (kulisch.go); only check
		// the coordinates that no accumulator reads
		for _, i := range p.unchecked {
			v := x[i]
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("input coordinate %d is %v", i, v)
			}
			if _, e := nn.FloatParts(v); e > p.inScale[i] {
				return fmt.Errorf("input coordinate %d has more fractional bits than compiled for", i)
			}
		}
		return nil
	}
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("input coordinate %d is %v", i, v)
		}
		m, e := nn.FloatParts(v)
		if e > p.inScale[i] {
			return fmt.Errorf("input coordinate %d has more fractional bits than compiled for", i)
		}
		z := &s.own[i]
		z.SetInt64(m)
		z.Lsh(z, uint(p.inScale[i]-e))
		s.val[i] = z
		if p.small[i] {
			s.v128[i] = i128FromBig(z)
		}
	}
	return nil
}

// GroupedStats describes one grouped evaluation.
type GroupedStats struct {
	Groups                 int
	SharedNeurons          int // evaluated once per group
	PointNeurons           int // evaluated per point after the split
	PrefixNeurons          int // evaluated per point up to the split
	Phase1, Phase2, Phase3 float64
}

// EvalGrouped evaluates net exactly at every point of xs with the grouped
// evaluator and calls out(i, z, scale) with the single output value
// z·2^-scale of point i (z is only valid during the call). out is called
// from several goroutines. lay may be nil (no grouping: every neuron is
// evaluated per point).
func EvalGrouped(net *nn.Network, lay *Layout, xs [][]float64, out func(i int, z *big.Int, scale int)) (*GroupedStats, error) {
	if net.OutputDim() != 1 {
		return nil, errors.New("vardi verify: want one output")
	}
	if lay == nil {
		lay = &Layout{Split: len(net.Hidden) - 1}
		for j := range net.Hidden[lay.Split].Out() {
			lay.PerPoint = append(lay.PerPoint, j)
		}
	}
	inScale, mn, mx := columnStats(net.InputDim, xs)
	p, err := compile(net, lay, inScale)
	if err != nil {
		return nil, err
	}
	n := len(xs)
	if n == 0 {
		return &GroupedStats{}, nil
	}
	p.planSmall(rangesAt(mn, mx, p.inScale))
	// one state per worker goroutine, reused across chunks within a phase
	var states sync.Pool
	newPool := func() { states = sync.Pool{New: func() any { return p.newState() }} }
	newPool()
	st := &GroupedStats{SharedNeurons: len(p.sharedN), PointNeurons: len(p.pointN), PrefixNeurons: p.layerEnd[p.split] - p.inDim}
	// phase 1
	t0 := time.Now()
	var mu sync.Mutex
	groupOf := map[string]int32{}
	var reps [][]*big.Int // shared split values per group
	gid := make([]int32, n)
	ptv := make([][]*big.Int, n)
	err = parallel(n, func(lo, hi int) error {
		var batch [prefixBatch]*wstate
		for b := range batch {
			batch[b] = states.Get().(*wstate)
			defer states.Put(batch[b])
		}
		for i := lo; i < hi; i++ {
			b := (i - lo) % prefixBatch
			if b == 0 {
				// evaluate the prefixes of points i..i+B−1 together
				bn := min(prefixBatch, hi-i)
				for k := range bn {
					if err := p.setInput(xs[i+k], batch[k]); err != nil {
						return fmt.Errorf("point %d: %w", i+k+1, err)
					}
				}
				if k, err := p.evalPrefixBatch(xs[i:i+bn], batch[:bn]); err != nil {
					return fmt.Errorf("point %d: %w", i+k+1, err)
				}
			}
			s := batch[b]
			key := s.key[:0]
			for _, id := range p.shared0 {
				v := s.val[id]
				ws := v.Bits()
				key = binary.AppendUvarint(key, uint64(len(ws)*2+int(max(0, -v.Sign()))))
				for _, w := range ws {
					key = binary.LittleEndian.AppendUint64(key, uint64(w))
				}
			}
			s.key = key
			mu.Lock()
			g, ok := groupOf[string(key)]
			if !ok {
				g = int32(len(reps))
				groupOf[string(key)] = g
				r := make([]*big.Int, len(p.shared0))
				for k, id := range p.shared0 {
					r[k] = new(big.Int).Set(s.val[id])
				}
				reps = append(reps, r)
			}
			mu.Unlock()
			gid[i] = g
			pv := make([]*big.Int, len(p.point0))
			for k, id := range p.point0 {
				pv[k] = new(big.Int).Set(s.val[id])
			}
			ptv[i] = pv
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	st.Groups = len(reps)
	st.Phase1 = time.Since(t0).Seconds()
	// phase 2
	newPool()
	t1 := time.Now()
	cache := make([][]*big.Int, len(reps))
	err = parallel(len(reps), func(lo, hi int) error {
		s := states.Get().(*wstate)
		defer states.Put(s)
		for g := lo; g < hi; g++ {
			for k, id := range p.shared0 {
				s.val[id] = reps[g][k]
			}
			for k := range p.ops2 {
				p.evalBig(&p.ops2[k], s)
			}
			c := make([]*big.Int, len(p.iface))
			for k, id := range p.iface {
				c[k] = new(big.Int).Set(s.val[id])
			}
			cache[g] = c
			reps[g] = nil
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	st.Phase2 = time.Since(t1).Seconds()
	// phase 3
	newPool()
	t2 := time.Now()
	outID := p.outputs[0]
	outScale := p.nodes[outID-p.inDim].scale
	err = parallel(n, func(lo, hi int) error {
		s := states.Get().(*wstate)
		defer states.Put(s)
		for i := lo; i < hi; i++ {
			for k, id := range p.point0 {
				s.val[id] = ptv[i][k]
			}
			c := cache[gid[i]]
			for k, id := range p.iface {
				s.val[id] = c[k]
			}
			for k := range p.ops3 {
				p.evalBig(&p.ops3[k], s)
			}
			out(i, s.val[outID], outScale)
			ptv[i] = nil
		}
		return nil
	})
	st.Phase3 = time.Since(t2).Seconds()
	return st, err
}

// Report is the verdict of Verify.
type Report struct {
	Points       int   `json:"distinct_points"`
	ExactCorrect int   `json:"exact_correct"` // output rounds to the label
	ExactEqual   int   `json:"exact_equal"`   // output equals the label exactly
	Exact        bool  `json:"exact"`
	Wrong        []int `json:"wrong,omitempty"` // up to 20 wrong points (0-based)
	Stats        GroupedStats
	Seconds      float64 `json:"exact_seconds"`
}

// Verify checks exactly, with the grouped evaluator, that net maps every
// point of xs to its label (classes classes; one output rounded to the class
// index, as nn.Verify judges it).
func Verify(net *nn.Network, lay *Layout, xs [][]float64, y []int, classes int) (*Report, error) {
	if len(xs) != len(y) {
		return nil, errors.New("vardi verify: points and labels differ in number")
	}
	t0 := time.Now()
	r := &Report{Points: len(xs)}
	var correct, equal atomic.Int64
	var mu sync.Mutex
	st, err := EvalGrouped(net, lay, xs, func(i int, z *big.Int, scale int) {
		want := new(big.Int).Lsh(big.NewInt(int64(y[i])), uint(scale))
		if z.Cmp(want) == 0 {
			correct.Add(1)
			equal.Add(1)
			return
		}
		o := new(big.Rat).SetFrac(z, new(big.Int).Lsh(big.NewInt(1), uint(scale)))
		if nn.ClassOfRat([]*big.Rat{o}, classes) == y[i] {
			correct.Add(1)
			return
		}
		mu.Lock()
		if len(r.Wrong) < 20 {
			r.Wrong = append(r.Wrong, i)
		}
		mu.Unlock()
	})
	if err != nil {
		return nil, err
	}
	r.Stats = *st
	r.ExactCorrect, r.ExactEqual = int(correct.Load()), int(equal.Load())
	r.Exact = r.ExactCorrect == len(xs)
	r.Seconds = time.Since(t0).Seconds()
	return r, nil
}

// parallel runs f over [0,n) in chunks on every core; the first error wins.
func parallel(n int, f func(lo, hi int) error) error {
	return nn.Parallel(n, func(lo, hi int, _ *atomic.Int64) error { return f(lo, hi) })
}

// inputRanges returns the exact integer range of each coordinate at its scale.
func inputRanges(xs [][]float64, inScale []int) (lo, hi []*big.Int) {
	d := len(inScale)
	mn := make([]float64, d)
	mx := make([]float64, d)
	copy(mn, xs[0])
	copy(mx, xs[0])
	for _, x := range xs {
		for k, v := range x {
			mn[k] = min(mn[k], v)
			mx[k] = max(mx[k], v)
		}
	}
	return rangesAt(mn, mx, inScale)
}

// rangesAt returns the integers of the column minima and maxima at their scales.
func rangesAt(mn, mx []float64, inScale []int) (lo, hi []*big.Int) {
	d := len(inScale)
	lo, hi = make([]*big.Int, d), make([]*big.Int, d)
	conv := func(v float64, sc int) *big.Int {
		m, e := nn.FloatParts(v)
		z := big.NewInt(m)
		return z.Lsh(z, uint(sc-e))
	}
	for k := range d {
		lo[k], hi[k] = conv(mn[k], inScale[k]), conv(mx[k], inScale[k])
	}
	return lo, hi
}
