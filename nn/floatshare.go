package nn

import (
	"context"
	"errors"
	"math"
	"strings"
	"sync"
	"unsafe"

	"github.com/memnet/memnet/internal/par"
)

// Split is a taint split (see share): hidden layer Layer (0-based), with
// PerPoint its per-point neurons.
type Split struct {
	Layer    int
	PerPoint []int
}

// floatShare is the taint structure of a float view for a split: the same
// rules as share, read from the view's own nonzero weights.
type floatShare struct {
	S       int
	tainted [][]bool // per layer ≥ S
	shared  [][]bool
	iface   [][]int // per layer ≥ S: shared neurons a per-point neuron of the next layer reads (read-out: every shared output)
	keyIdx  []int
	ptIdx   []int
}

func (f *FloatNet[F]) share(sp *Split) *floatShare {
	L := len(f.layers)
	if sp == nil || sp.Layer < 0 || sp.Layer >= L-1 {
		return nil
	}
	fs := &floatShare{S: sp.Layer}
	for k := sp.Layer; k < L; k++ {
		l := &f.layers[k]
		t := make([]bool, l.out)
		if k == sp.Layer {
			for _, j := range sp.PerPoint {
				if j < 0 || j >= l.out {
					return nil
				}
				t[j] = true
			}
		} else {
			prev := fs.tainted[k-sp.Layer-1]
			for j := range l.out {
				for _, sw := range f.sparse[f.rowStart[l.act+j]:f.rowStart[l.act+j+1]] {
					if prev[sw.In] {
						t[j] = true
						break
					}
				}
			}
		}
		fs.tainted = append(fs.tainted, t)
		nt := make([]bool, l.out)
		for j := range t {
			nt[j] = !t[j]
		}
		fs.shared = append(fs.shared, nt)
	}
	for k := sp.Layer; k < L; k++ {
		l := &f.layers[k]
		var idx []int
		if k == L-1 {
			for j := range l.out {
				if !fs.tainted[k-sp.Layer][j] {
					idx = append(idx, j)
				}
			}
		} else {
			seen := make([]bool, l.out)
			nl := &f.layers[k+1]
			for j2 := range nl.out {
				if !fs.tainted[k+1-sp.Layer][j2] {
					continue
				}
				for _, sw := range f.sparse[f.rowStart[nl.act+j2]:f.rowStart[nl.act+j2+1]] {
					i := int(sw.In)
					if !fs.tainted[k-sp.Layer][i] && !seen[i] {
						seen[i] = true
						idx = append(idx, i)
					}
				}
			}
		}
		fs.iface = append(fs.iface, idx)
	}
	for j := range f.layers[sp.Layer].out {
		if fs.tainted[0][j] {
			fs.ptIdx = append(fs.ptIdx, j)
		} else {
			fs.keyIdx = append(fs.keyIdx, j)
		}
	}
	return fs
}

// evalShared evaluates every point of xs with the split fs, in the three
// phases of runShared: layers up to S per point (the key: the bits of the
// shared values at S), the shared neurons after S once per distinct key,
// the per-point neurons after S per point. A neuron's float value is a
// function of its inputs' float values, so grouping points by the exact
// bits of their keys gives each point the values a point-at-a-time
// evaluation gives (bit-identical; nn.TestFloatSharedBitIdentical). visit
// gets each point's outputs (from several goroutines).
// errNonFinite: a shared evaluation met a non-finite value; the caller
// evaluates plainly (where zero weights meeting it are handled as a Gemm does).
var errNonFinite = errors.New("float view: a non-finite value")

func (f *FloatNet[F]) evalShared(ctx context.Context, xs [][]float64, fs *floatShare, visit func(p int, out []F)) error {
	batch := f.layerBatch()
	n := len(xs)
	S := fs.S
	L := len(f.layers)
	npt, nkey := len(fs.ptIdx), len(fs.keyIdx)
	gid := make([]int32, n)
	pv := make([]F, n*npt)
	groups := map[string]int32{}
	var keys [][]F
	var mu sync.Mutex
	nb := (n + batch - 1) / batch
	err := par.Do(ctx, nb, 1, func() *floatScratch[F] { return new(floatScratch[F]) }, func(blo, bhi int, sc *floatScratch[F]) error {
		cur, next := sc.buffers(batch * f.width)
		key := make([]uint64, nkey)
		for b := blo; b < bhi; b++ {
			lo, hi := b*batch, min(n, (b+1)*batch)
			m := hi - lo
			nonFinite := loadInputs(xs[lo:hi], cur)
			for k := 0; k <= S; k++ {
				nonFinite = f.evalLayer(k, cur, next, m, nil, nonFinite)
				cur, next = next, cur
			}
			if nonFinite {
				return errNonFinite // the later phases leave inputs unset, where a zero weight may meet ±Inf
			}
			mu.Lock()
			for p := range m {
				for q, j := range fs.keyIdx {
					key[q] = math.Float64bits(float64(cur[j*m+p]))
				}
				ks := ""
				if nkey > 0 {
					ks = unsafe.String((*byte)(unsafe.Pointer(&key[0])), 8*nkey)
				}
				g, ok := groups[ks]
				if !ok {
					g = int32(len(keys))
					kv := make([]F, nkey)
					for q, j := range fs.keyIdx {
						kv[q] = cur[j*m+p]
					}
					keys = append(keys, kv)
					groups[strings.Clone(ks)] = g
				}
				gid[lo+p] = g
				for q, j := range fs.ptIdx {
					pv[(lo+p)*npt+q] = cur[j*m+p]
				}
			}
			mu.Unlock()
		}
		return nil
	})
	if err != nil {
		return err
	}
	G := len(keys)
	gv := make([][]F, L) // gv[k][a*G+g]
	for k := S; k < L; k++ {
		gv[k] = make([]F, len(fs.iface[k-S])*G)
	}
	keyPos := make([]int, f.layers[S].out)
	for q, j := range fs.keyIdx {
		keyPos[j] = q
	}
	for a, j := range fs.iface[0] {
		for g := range G {
			gv[S][a*G+g] = keys[g][keyPos[j]]
		}
	}
	ngb := (G + batch - 1) / batch
	err = par.Do(ctx, ngb, 1, func() *floatScratch[F] { return new(floatScratch[F]) }, func(blo, bhi int, sc *floatScratch[F]) error {
		cur, next := sc.buffers(batch * f.width)
		for b := blo; b < bhi; b++ {
			lo, hi := b*batch, min(G, (b+1)*batch)
			m := hi - lo
			for q, j := range fs.keyIdx {
				for p := range m {
					cur[j*m+p] = keys[lo+p][q]
				}
			}
			for k := S + 1; k < L; k++ {
				if f.evalLayer(k, cur, next, m, fs.tainted[k-S], false) {
					return errNonFinite
				}
				cur, next = next, cur
				for a, j := range fs.iface[k-S] {
					copy(gv[k][a*G+lo:a*G+hi], cur[j*m:j*m+m])
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	outDim := f.layers[L-1].out
	return par.Do(ctx, nb, 1, func() *floatScratch[F] { return new(floatScratch[F]) }, func(blo, bhi int, sc *floatScratch[F]) error {
		cur, next := sc.buffers(batch * f.width)
		out := make([]F, outDim)
		for b := blo; b < bhi; b++ {
			lo, hi := b*batch, min(n, (b+1)*batch)
			m := hi - lo
			for p := range m {
				for q, j := range fs.ptIdx {
					cur[j*m+p] = pv[(lo+p)*npt+q]
				}
				g := int(gid[lo+p])
				for a, j := range fs.iface[0] {
					cur[j*m+p] = gv[S][a*G+g]
				}
			}
			for k := S + 1; k < L; k++ {
				if f.evalLayer(k, cur, next, m, fs.shared[k-S], false) {
					return errNonFinite
				}
				cur, next = next, cur
				for a, j := range fs.iface[k-S] {
					for p := range m {
						cur[j*m+p] = gv[k][a*G+int(gid[lo+p])]
					}
				}
			}
			for p := range m {
				for j := range out {
					out[j] = cur[j*m+p]
				}
				visit(lo+p, out)
			}
		}
		return nil
	})
}
