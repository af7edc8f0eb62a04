package nn

import (
	"fmt"
	"math/bits"
	"runtime"
	"unsafe"

	"github.com/memnet/memnet/limits"
)

// ExactMemory is the memory, in bytes, an exact evaluation by e of n points
// is estimated to allocate beyond the network and the points (see
// docs/limits.md), known once e is compiled and before any point is
// evaluated. It is meant as an upper bound; the parts:
//
//   - Compiled: the compiled terms (one per nonzero weight) with their
//     coefficient words, and the neurons' constants;
//   - Scratch: per worker (one per CPU, at most one per chunk), the value
//     slots of two consecutive layers on a chunk of P points (each neuron
//     P × its proven words, rounded up to the power of two the slot pool
//     allocates, counted per size class at its largest over consecutive
//     layer pairs, twice for slots a tightened neuron takes from a smaller
//     class), the read-out buffer, and the input words;
//   - Shared: with a taint split (UseSplit), the per-point values and keys
//     of the split layer kept for all n points, the group map and indices;
//   - Results: Classes' n classes and flags.
type ExactMemory struct {
	Compiled, Scratch, Shared, Results int64
	Workers, Chunk                     int
}

// Total is the sum of the parts.
func (m ExactMemory) Total() int64 {
	return sat(sat(m.Compiled, m.Scratch), sat(m.Shared, m.Results))
}

func sat(a, b int64) int64 {
	if s := a + b; s >= a && s >= b {
		return s
	}
	return 1<<63 - 1
}

// satMul multiplies non-negative a and b, saturating.
func satMul(a, b int64) int64 {
	if a == 0 || b == 0 {
		return 0
	}
	if hi, lo := bits.Mul64(uint64(a), uint64(b)); hi != 0 || lo > 1<<63-1 {
		return 1<<63 - 1
	} else {
		return int64(lo)
	}
}

// pow2 is the capacity the slot pool gives a request of k words.
func pow2(k int64) int64 {
	if k <= 1 {
		return 1
	}
	return 1 << bits.Len64(uint64(k-1))
}

// Memory estimates the memory an exact evaluation of n points allocates
// (see ExactMemory).
func (e *Exact) Memory(n int) ExactMemory {
	var m ExactMemory
	termSize := int64(unsafe.Sizeof(xterm{}))
	neuronSize := int64(unsafe.Sizeof(xneuron{}))
	words := func(w []uint64) int64 { return 8 * int64(len(w)) }
	for k := range e.layers {
		l := &e.layers[k]
		m.Compiled = sat(m.Compiled, satMul(int64(len(l.neurons)), neuronSize+64))
		for j := range l.neurons {
			nr := &l.neurons[j]
			m.Compiled = sat(m.Compiled, words(nr.bmag)+words(nr.negB)+words(nr.clamp))
			for t := range nr.terms {
				tm := &nr.terms[t]
				m.Compiled = sat(m.Compiled, termSize+words(tm.mag)+words(tm.top)+words(tm.cmax))
			}
			if nr.wide != nil {
				m.Compiled = sat(m.Compiled, satMul(int64(len(nr.wide.sub.terms)), termSize+64))
			}
		}
	}
	P := e.chunkSize(n)
	m.Chunk = P
	chunks := (n + P - 1) / P
	m.Workers = max(1, min(runtime.GOMAXPROCS(0), chunks))
	// with a split, phase 1 (on a one-neuron layer's forms: layers A+1..S)
	// and phase 3 (layers after S) take larger chunks (evalAnchored,
	// sharedChunk), and phase 3 has a second scratch for its groups, at
	// most one per point of its chunk
	L := len(e.layers)
	perWorker := e.scratchMemory(P, 0, L)
	if sh := e.share; sh != nil {
		ws := make([]int, L)
		for k := range e.layers {
			ws[k] = e.layers[k].outWords
		}
		P3 := e.sharedChunk(n, P, ws)
		perWorker = max(perWorker, satMul(2, e.scratchMemory(P3, sh.S, L)))
		m.Chunk = max(P, P3)
		if A := e.anchorLayer(sh.S); A >= 0 {
			P1 := e.anchorChunkSize(n, P)
			perWorker = max(perWorker, e.scratchMemory(P1, A, sh.S+1))
			m.Chunk = max(m.Chunk, P1)
		}
	}
	m.Scratch = satMul(int64(m.Workers), perWorker)
	if sh := e.share; sh != nil {
		lS := &e.layers[sh.S]
		_, kw := fieldOffsets(lS, sh.keyIdx)
		_, pw := fieldOffsets(lS, sh.ptIdx)
		// pv and gid, order and start; a group per point at worst: its key
		// (the map's string and the keys slice) and the map entry
		perPoint := 8*int64(pw) + 12 + 2*8*int64(kw) + 64
		m.Shared = satMul(int64(n), perPoint)
		// the split layer's shared values the next layer reads, in the
		// layer's widest output words, for every group (at worst a group
		// per point)
		m.Shared = sat(m.Shared, satMul(satMul(int64(n), int64(len(sh.iface[0]))), 8*int64(max(1, lS.outWords))))
		// the anchors and their order (evalAnchored)
		if A := e.anchorLayer(sh.S); A >= 0 {
			m.Shared = sat(m.Shared, satMul(int64(n), 8*int64(max(1, e.layers[A].outWords))+4))
		}
	}
	m.Results = satMul(int64(n), 9)
	return m
}

// scratchMemory is one worker's scratch for chunks of P points evaluating
// layers k0..k1−1, with layer k0−1's values (the input when k0 = 0) as
// their input (see ExactMemory).
func (e *Exact) scratchMemory(P, k0, k1 int) int64 {
	// slots per size class for each layer (the input first)
	const classes = 64
	layerClasses := make([][classes]int64, len(e.layers)+1)
	if k0 == 0 {
		layerClasses[0][bits.Len64(uint64(pow2(int64(P*max(1, e.inWords)))))-1] += int64(e.inDim)
	}
	for k := max(0, k0-1); k < k1; k++ {
		for j := range e.layers[k].neurons {
			w := max(1, e.layers[k].neurons[j].words)
			layerClasses[k+1][bits.Len64(uint64(pow2(int64(P)*int64(w))))-1]++
		}
	}
	var slots int64
	for c := range classes {
		var peak int64
		for k := range layerClasses {
			cur := layerClasses[k][c]
			if k+1 < len(layerClasses) {
				cur += layerClasses[k+1][c]
			}
			peak = max(peak, cur)
		}
		slots = sat(slots, satMul(peak, satMul(int64(1)<<c, 8)))
	}
	ro := &e.layers[len(e.layers)-1]
	perWorker := sat(satMul(2, slots), satMul(satMul(int64(ro.out), int64(P)), 8*int64(max(1, ro.words))))
	// per-layer arrays (widths, bounds, flags) and the kernels' temporaries
	perWorker = sat(perWorker, satMul(int64(e.maxWidth), 64))
	perWorker = sat(perWorker, satMul(int64(P), 8*int64(max(1, e.maxWords()))))
	// evaluation on forms: two big.Ints per neuron of two layers
	perWorker = sat(perWorker, satMul(int64(e.maxWidth), 4*(8*int64(max(1, e.maxWords()))+32)))
	return perWorker
}

// maxWords is the largest proven width of any layer.
func (e *Exact) maxWords() int {
	w := e.inWords
	for k := range e.layers {
		w = max(w, e.layers[k].words, e.layers[k].outWords)
	}
	return w
}

// CheckMemory refuses, with a *limits.Error naming --max-memory, an exact
// evaluation by e of n points whose estimated memory (Memory) exceeds
// limits.Memory; outputs adds the exact outputs Outputs returns (a big.Rat
// per output and point). It is called after compiling and before
// evaluating.
func (e *Exact) CheckMemory(n int, outputs bool) error {
	m := e.Memory(n)
	need := m.Total()
	if outputs {
		ro := &e.layers[len(e.layers)-1]
		perOut := int64(64+8+32) + 8*int64(max(1, ro.words)) + 8*int64(len(e.outDen.Bits())+1)
		need = sat(need, satMul(satMul(int64(n), int64(ro.out)), perOut))
	}
	return limits.CheckMemory(fmt.Sprintf("exact evaluation of %d points (%d worker(s) × chunks of %d points, words proven per neuron)", n, m.Workers, m.Chunk), need)
}
