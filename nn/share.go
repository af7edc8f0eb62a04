package nn

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
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
//	phase 2 (per key)    shared neurons after S, once per distinct key
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
	// phase 1
	gid := make([]int32, n)
	pv := make([]uint64, n*len(sh.ptIdx)*wS)
	groups := map[string]int32{}
	var keys [][]uint64
	var mu sync.Mutex
	kw := len(sh.keyIdx) * wS
	P := e.chunkSize(n)
	err := e.chunks(ctx, n, P, func(lo, hi int, s *xscratch) error {
		if err := e.loadInputs(xs[lo:hi], s); err != nil {
			return err
		}
		for k := 0; k <= S; k++ {
			e.evalLayer(&e.layers[k], false, &s.a, hi-lo, &s.b, nil, 0, s)
			s.a, s.b = s.b, s.a
		}
		cur := &s.a
		key := make([]uint64, kw)
		mu.Lock()
		defer mu.Unlock()
		for p := range hi - lo {
			for q, j := range sh.keyIdx {
				store(key[q*wS:(q+1)*wS], cur.at(j, p))
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
			gid[lo+p] = g
			base := (lo + p) * len(sh.ptIdx) * wS
			for q, j := range sh.ptIdx {
				store(pv[base+q*wS:base+(q+1)*wS], cur.at(j, p))
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	G := len(keys)
	// phase 2: the shared neurons once per group; keep the interface values
	gv := make([][]uint64, L) // gv[k][(idx*G+g)*ws[k] ...]
	for k := S; k < L; k++ {
		gv[k] = make([]uint64, len(sh.iface[k-S])*G*ws[k])
	}
	for q, j := range sh.keyIdx {
		if a := sh.ifaceAt[0][j]; a >= 0 {
			for g := range G {
				copy(gv[S][(a*G+g)*wS:(a*G+g+1)*wS], keys[g][q*wS:(q+1)*wS])
			}
		}
	}
	lS := &e.layers[S]
	PG := e.chunkSize(G)
	err = e.chunks(ctx, G, PG, func(lo, hi int, s *xscratch) error {
		Pc := hi - lo
		s.fresh(&s.a, lS.out, wS, Pc)
		for q, j := range sh.keyIdx {
			for p := range Pc {
				store(s.a.at(j, p), keys[lo+p][q*wS:(q+1)*wS])
			}
		}
		for k := S + 1; k < L; k++ {
			e.evalLayer(&e.layers[k], k == L-1, &s.a, Pc, &s.b, sh.tainted[k-S], 1, s)
			s.a, s.b = s.b, s.a
			for a, j := range sh.iface[k-S] {
				for p := range Pc {
					g := lo + p
					store(gv[k][(a*G+g)*ws[k]:(a*G+g+1)*ws[k]], s.a.at(j, p))
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	// phase 3: the per-point neurons, chunk by chunk
	var done atomic.Int64
	return e.chunks(ctx, n, P, func(lo, hi int, s *xscratch) error {
		Pc := hi - lo
		s.fresh(&s.a, lS.out, wS, Pc)
		for p := range Pc {
			base := (lo + p) * len(sh.ptIdx) * wS
			for q, j := range sh.ptIdx {
				store(s.a.at(j, p), pv[base+q*wS:base+(q+1)*wS])
			}
			g := int(gid[lo+p])
			for a, j := range sh.iface[0] {
				store(s.a.at(j, p), gv[S][(a*G+g)*wS:(a*G+g+1)*wS])
			}
		}
		for k := S + 1; k < L; k++ {
			e.evalLayer(&e.layers[k], k == L-1, &s.a, Pc, &s.b, sh.shared[k-S], ws[k], s)
			s.a, s.b = s.b, s.a
			for a, j := range sh.iface[k-S] {
				for p := range Pc {
					g := int(gid[lo+p])
					store(s.a.at(j, p), gv[k][(a*G+g)*ws[k]:(a*G+g+1)*ws[k]])
				}
			}
		}
		if err := visit(lo, s.readout(Pc)); err != nil {
			return err
		}
		if progress != nil {
			progress(done.Add(int64(Pc)))
		}
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
