package nn

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"unsafe"

	"github.com/memnet/memnet/internal/par"
)

// Structure sharing (the taint split). Choose a hidden layer S and a set of
// its neurons called per-point; every other neuron of layer S is shared. A
// later neuron is per-point ("tainted") when one of its nonzero weights reads
// a per-point neuron of the layer before, shared otherwise. A shared neuron's
// value is then a function of the shared values of layer S alone, so points
// whose shared values at layer S are equal share it. The evaluation:
//
//	phase 1 (per point)  layers up to S; the key of a point is its shared values at S
//	phase 2 (per key)    shared neurons after S, once per distinct key in each chunk of phase 3
//	phase 3 (per point)  per-point neurons after S, reading the phase-2 values they need
//
// Points are grouped by the exact values, so the result is exact for any S
// and any per-point set: a poor choice only costs time. The split is read
// from hints (a network file's "split" and "per_point"); it never decides a
// value. For Vardi et al.'s networks the keys are the interval constants
// (U'_j, W'_j), so the bit extraction runs once per interval.
type share struct {
	S       int
	tainted [][]bool // per layer ≥ S: neuron is per-point
	shared  [][]bool // complement, for skipping in phase 3
	iface   [][]int  // per layer ≥ S: shared neurons a per-point neuron of the next layer reads (the read-out: every shared output)
	ifaceAt [][]int  // neuron → index in iface (−1)
	keyIdx  []int    // shared neurons of layer S (the key)
	ptIdx   []int    // per-point neurons of layer S
}

// UseSplit sets the taint split used by Classes and Outputs: layer split
// (0-based hidden layer) with perPoint its per-point neurons. It returns an
// error, and leaves the engine unchanged, when they name no such layer or
// neurons.
func (e *Exact) UseSplit(split int, perPoint []int) error {
	if split < 0 || split >= len(e.layers)-1 {
		return fmt.Errorf("split layer %d is not a hidden layer", split)
	}
	L := len(e.layers)
	sh := &share{S: split}
	for k := split; k < L; k++ {
		l := &e.layers[k]
		t := make([]bool, l.out)
		if k == split {
			for _, j := range perPoint {
				if j < 0 || j >= l.out {
					return fmt.Errorf("per-point neuron %d is not in layer %d", j, split+1)
				}
				t[j] = true
			}
		} else {
			prev := sh.tainted[k-split-1]
			for j := range l.neurons {
				for _, tm := range l.neurons[j].terms {
					if prev[tm.in] {
						t[j] = true
						break
					}
				}
			}
		}
		sh.tainted = append(sh.tainted, t)
		nt := make([]bool, l.out)
		for j := range t {
			nt[j] = !t[j]
		}
		sh.shared = append(sh.shared, nt)
	}
	for k := split; k < L; k++ {
		l := &e.layers[k]
		at := make([]int, l.out)
		for j := range at {
			at[j] = -1
		}
		var idx []int
		if k == L-1 {
			for j := range l.out {
				if !sh.tainted[k-split][j] {
					at[j] = len(idx)
					idx = append(idx, j)
				}
			}
		} else {
			next := &e.layers[k+1]
			for j2 := range next.neurons {
				if !sh.tainted[k+1-split][j2] {
					continue
				}
				for _, tm := range next.neurons[j2].terms {
					i := int(tm.in)
					if !sh.tainted[k-split][i] && at[i] < 0 {
						at[i] = len(idx)
						idx = append(idx, i)
					}
				}
			}
		}
		sh.iface = append(sh.iface, idx)
		sh.ifaceAt = append(sh.ifaceAt, at)
	}
	for j := range e.layers[split].out {
		if sh.tainted[0][j] {
			sh.ptIdx = append(sh.ptIdx, j)
		} else {
			sh.keyIdx = append(sh.keyIdx, j)
		}
	}
	e.share = sh
	return nil
}

// store copies a value (any number of words) into dst, sign-extending or
// keeping the low words (the range analysis proves the value fits
// len(dst) words).
func store(dst, v []uint64) {
	n := copy(dst, v)
	ext := uint64(int64(v[len(v)-1]) >> 63)
	for q := n; q < len(dst); q++ {
		dst[q] = ext
	}
}

// runShared is run for an engine with a split (see share).
func (e *Exact) runShared(ctx context.Context, xs [][]float64, progress func(done int64), visit func(lo int, c chunkOut) error) error {
	sh := e.share
	n := len(xs)
	S := sh.S
	L := len(e.layers)
	ws := make([]int, L) // stored words per layer: every output's range fits
	for k := range e.layers {
		ws[k] = e.layers[k].outWords
	}
	wS := ws[S]
	// Keys and per-point values at S are kept in each neuron's own output
	// width (the words its range proves), not the layer's widest: at
	// N = 10^6 a Vardi layer holds interval constants of 167 words beside
	// a point's few-word projection.
	lS := &e.layers[S]
	koff, kw := fieldOffsets(lS, sh.keyIdx)
	poff, pw := fieldOffsets(lS, sh.ptIdx)
	// phase 1
	gid := make([]int32, n)
	pv := make([]uint64, n*pw)
	groups := map[string]int32{}
	var keys [][]uint64
	var mu sync.Mutex
	P := e.chunkSize(n)
	// the bar moves through the two passes (the points up to the split,
	// then the groups and the points after it, in step)
	prog := newPhasedProgress(progress, int64(n), int64(n), int64(n))
	// with a one-neuron layer A before S, the points are taken in the
	// order of its value and evaluated on affine forms (engine_affine.go)
	A, P1 := e.anchorLayer(S), P
	var av []uint64
	var aK int
	var ord []int32
	if A >= 0 {
		var err error
		if av, aK, ord, err = e.anchors(ctx, xs, A); err != nil {
			return err
		}
		P1 = e.anchorChunkSize(n, P)
	}
	err := e.chunks(ctx, n, P1, func(lo, hi int, s *xscratch) error {
		if ord != nil {
			e.evalAnchored(av, aK, ord[lo:hi], A, S, s)
		} else {
			if err := e.loadInputs(xs[lo:hi], s); err != nil {
				return err
			}
			for k := 0; k <= S; k++ {
				e.evalLayer(&e.layers[k], false, &s.a, hi-lo, &s.b, nil, 0, s)
				s.a, s.b = s.b, s.a
			}
		}
		cur := &s.a
		key := make([]uint64, kw)
		mu.Lock()
		defer mu.Unlock()
		for p := range hi - lo {
			for q, j := range sh.keyIdx {
				store(key[koff[q]:koff[q+1]], cur.at(j, p))
			}
			ks := ""
			if kw > 0 {
				ks = unsafe.String((*byte)(unsafe.Pointer(&key[0])), 8*len(key))
			}
			g, ok := groups[ks]
			if !ok {
				g = int32(len(keys))
				kc := append([]uint64(nil), key...)
				keys = append(keys, kc)
				groups[strings.Clone(ks)] = g // ks aliases key, which the next point overwrites
			}
			i := lo + p
			if ord != nil {
				i = int(ord[i])
			}
			gid[i] = g
			base := i * pw
			for q, j := range sh.ptIdx {
				store(pv[base+poff[q]:base+poff[q+1]], cur.at(j, p))
			}
		}
		prog.add(0, int64(hi-lo))
		return nil
	})
	if err != nil {
		return err
	}
	G := len(keys)
	// The shared values of layer S that per-point neurons of layer S+1 read.
	gvS := make([]uint64, len(sh.iface[0])*G*wS) // [(a*G+g)*wS ...]
	for q, j := range sh.keyIdx {
		if a := sh.ifaceAt[0][j]; a >= 0 {
			for g := range G {
				store(gvS[(a*G+g)*wS:(a*G+g+1)*wS], keys[g][koff[q]:koff[q+1]])
			}
		}
	}
	// phases 2 and 3, chunk by chunk: the points are taken in group order
	// (a stable counting sort of gid), so a chunk holds few groups; the
	// shared neurons are evaluated for the chunk's groups (phase 2, on a
	// second scratch) in step with the per-point neurons of its points
	// (phase 3), and each layer's shared values are gathered from the
	// group evaluation. A group split between two chunks is evaluated in
	// both; no layer's shared values are kept for all groups at once (at
	// N = 10^6 that table was most of the memory).
	order := make([]int32, n)
	start := make([]int32, G+1)
	for _, g := range gid {
		start[g+1]++
	}
	for g := range G {
		start[g+1] += start[g]
	}
	for i, g := range gid {
		order[start[g]] = int32(i)
		start[g]++
	}
	// chunks hold whole groups where they fit (groupCuts): a group split
	// between two chunks would be evaluated in both
	// the per-point values and the shared values that per-point neurons
	// read at layer S, each in its own output words (no other is read)
	inW := make([]int, lS.out)
	for j := range inW {
		inW[j] = 1
	}
	for _, j := range append(append([]int(nil), sh.ptIdx...), sh.iface[0]...) {
		inW[j] = max(1, lS.neurons[j].outWords)
	}
	return e.chunksAt(ctx, groupCuts(start[:G], e.sharedChunk(n, P, ws)), func(lo, hi int, s *xscratch) error {
		Pc := hi - lo
		idx := order[lo:hi]
		// the chunk's groups, in order, and each point's place among them
		if s.aux == nil {
			s.aux = &xscratch{}
		}
		sg := s.aux
		glist, loc := sg.glist[:0], growInts(sg.loc, Pc)
		for p, i := range idx {
			g := int(gid[i])
			if len(glist) == 0 || glist[len(glist)-1] != g {
				glist = append(glist, g)
			}
			loc[p] = len(glist) - 1
		}
		sg.glist, sg.loc = glist, loc
		Gc := len(glist)
		sg.fresh(&sg.a, lS.out, wS, Gc)
		for q, j := range sh.keyIdx {
			for c, g := range glist {
				store(sg.a.at(j, c), keys[g][koff[q]:koff[q+1]])
			}
		}
		s.freshWidths(&s.a, inW, Pc)
		for p, i := range idx {
			base := int(i) * pw
			for q, j := range sh.ptIdx {
				store(s.a.at(j, p), pv[base+poff[q]:base+poff[q+1]])
			}
			g := int(gid[i])
			for a, j := range sh.iface[0] {
				store(s.a.at(j, p), gvS[(a*G+g)*wS:(a*G+g+1)*wS])
			}
		}
		for k := S + 1; k < L; k++ {
			e.evalLayer(&e.layers[k], k == L-1, &sg.a, Gc, &sg.b, sh.tainted[k-S], 1, sg)
			sg.a, sg.b = sg.b, sg.a
			e.evalLayer(&e.layers[k], k == L-1, &s.a, Pc, &s.b, sh.shared[k-S], ws[k], s)
			s.a, s.b = s.b, s.a
			for _, j := range sh.iface[k-S] {
				for p := range Pc {
					store(s.a.at(j, p), sg.a.at(j, loc[p]))
				}
			}
		}
		c := s.readout(Pc)
		c.idx = idx
		if err := visit(lo, c); err != nil {
			return err
		}
		prog.add(1, int64(Pc))
		return nil
	})
}

// chunks runs f over [0,n) in chunks of P on every core (par.Do, each
// worker with its own scratch); the first error wins, and ctx's error once
// ctx is done.
func (e *Exact) chunks(ctx context.Context, n, P int, f func(lo, hi int, s *xscratch) error) error {
	return par.Do(ctx, n, P, func() *xscratch { return &xscratch{} }, func(lo, hi int, s *xscratch) error {
		if err := f(lo, hi, s); err != nil {
			return fmt.Errorf("points %d–%d: %w", lo+1, hi, err)
		}
		return nil
	})
}

// fieldOffsets lays the neurons idx of layer l end to end, each in its
// output words (at least one): field q is [off[q], off[q+1]) of total words.
func fieldOffsets(l *xlayer, idx []int) (off []int, total int) {
	off = make([]int, len(idx)+1)
	for q, j := range idx {
		off[q+1] = off[q] + max(1, l.neurons[j].outWords)
	}
	return off, off[len(idx)]
}
