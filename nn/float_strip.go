package nn

import (
	"math"

	"github.com/memnet/memnet/internal/gemm"
)

// This file is the strip evaluation of a float view: the dense layers run
// on internal/gemm's unfused strip kernels (AVX2 on amd64), which compute
// each neuron exactly as evalLayer does — bias first, then every term in
// input order, each product rounded to F before the add, no FMA — so the
// outputs are bit for bit those of the scalar path (and of a
// point-at-a-time evaluation; nn.TestFloatStripBitIdentical).
//
// Layout: a batch is gemm.SeqStrips strips of nr = gemm.Lanes[F]() points;
// strip s holds its values neuron by neuron, buf[s·W·nr + i·nr + lane], W
// the widest materialized layer rounded up to gemm.SeqRows. Dense layers
// read their input strips in place (no packing: the strip is the kernel's
// b operand) with weights packed once, when the view is built. A wide
// dense layer followed by a dense layer is streamed: it is computed
// stripPanel neurons at a time into a small panel, which the next layer
// consumes at once, continuing its sums from where the previous panel left
// them, so zhang's 10^5-neuron hidden layer never occupies memory and
// stays in cache. Sparse layers run evalLayer on each strip.

// denseLayer is a layer evaluated with the strip kernels.
type denseLayer[F float32 | float64] struct {
	// tiles: row strip r of gemm.SeqRows neurons, tiles[r·in·SeqRows +
	// p·SeqRows + i] = W[r·SeqRows+i][p] (zero past the last neuron);
	// nil when the layer is evaluated row by row (rowMode)
	tiles []F
	bias  []F // padded to a multiple of SeqRows
	// rowMode: fewer than rowModeMax neurons, each run with gemm.SeqRow over
	// the strips (a tile would be mostly padding)
	rowMode bool
	relu    bool // every neuron is ReLU (fused into the kernel)
	ident   bool // every neuron is the identity
}

// Strip-evaluation parameters (variables so that tests can force every path).
var (
	// stripDensity: a layer is dense when nnz·stripDensity ≥ in·out
	stripDensity = 4
	// stripStreamMin: a dense layer at least this wide, followed by a dense
	// layer, is streamed
	stripStreamMin = 1024
	// stripPanel is the number of neurons of a streamed layer computed at a
	// time (a multiple of gemm.SeqRows)
	stripPanel = 240
	// rowModeMax: dense layers narrower than this run row by row
	rowModeMax = 4
)

// stripPlan is the strip evaluation plan of a view; nil: the view uses the
// layer-major scalar path (evalLayer on whole batches).
type stripPlan[F float32 | float64] struct {
	dense    []*denseLayer[F] // nil: sparse layer
	streamed []bool           // layer k is streamed into k+1
	scan     []bool           // layer k's output is scanned for non-finite values (a sparse layer follows)
	w        int              // strip height (values per lane)
	panel    int              // streamed panel height
}

// planStrips decides the strip plan. A layer is dense when its nonzero
// weights fill at least 1/stripDensity of its matrix. The strip path runs
// when its estimated cost, a quarter of the dense layers' matrix entries
// (the tile kernels keep weights in registers and points in lanes) plus
// four times the sparse layers' nonzero weights (evalLayer on strips of
// 8 or 16 points, below the sparse kernel's chunk), is below that of the
// layer-major path (every nonzero weight once, on gemm.SeqSparse), and a
// batch of strips stays within batchValues. On the floatexact Fashion
// network (11,869 nonzero weights, 92,352 matrix entries) the layer-major
// path measured 0.20–0.23 CPU-s for 60,000 points in float32 (0.075 once
// it loaded only the inputs the first layer reads, loadRead), the strip
// path 0.58–0.71 with the default density and 0.32 with every layer dense.
func (f *FloatNet[F]) planStrips() {
	L := len(f.layers)
	p := &stripPlan[F]{dense: make([]*denseLayer[F], L), streamed: make([]bool, L), scan: make([]bool, L), panel: stripPanel}
	var stripCost, layerCost int
	for k := range f.layers {
		l := &f.layers[k]
		nnz := int(f.rowStart[l.act+l.out] - f.rowStart[l.act])
		layerCost += nnz
		if nnz == 0 || nnz*stripDensity < l.in*l.out {
			stripCost += 4 * nnz
			continue
		}
		stripCost += l.in * l.out / 4
	}
	if stripCost >= layerCost {
		return
	}
	for k := range f.layers {
		l := &f.layers[k]
		nnz := int(f.rowStart[l.act+l.out] - f.rowStart[l.act])
		if nnz > 0 && nnz*stripDensity >= l.in*l.out {
			p.dense[k] = f.packDense(k)
		}
	}
	for k := 0; k+1 < L; k++ {
		if p.dense[k] != nil && !p.dense[k].rowMode && p.dense[k+1] != nil && f.layers[k].out >= stripStreamMin && (k == 0 || !p.streamed[k-1]) {
			p.streamed[k] = true
		}
	}
	p.w = roundUp(f.in, gemm.SeqRows)
	sparseLater := false
	for k := L - 1; k >= 0; k-- {
		p.scan[k] = sparseLater && p.dense[k] != nil
		sparseLater = sparseLater || p.dense[k] == nil
		if !p.streamed[k] {
			p.w = max(p.w, roundUp(f.layers[k].out, gemm.SeqRows))
		}
	}
	if gemm.SeqStrips*gemm.Lanes[F]()*p.w > batchValues {
		return
	}
	f.strips = p
}

func roundUp(n, m int) int { return (n + m - 1) / m * m }

// packDense packs layer k's weights for the strip kernels.
func (f *FloatNet[F]) packDense(k int) *denseLayer[F] {
	l := &f.layers[k]
	w, b := f.Layer(k)
	d := &denseLayer[F]{rowMode: l.out < rowModeMax, relu: true, ident: true}
	for _, a := range f.acts[l.act : l.act+l.out] {
		d.relu = d.relu && a == ReLU
		d.ident = d.ident && a == Identity
	}
	R := gemm.SeqRows
	d.bias = make([]F, roundUp(l.out, R))
	copy(d.bias, b)
	if d.rowMode {
		return d
	}
	d.tiles = make([]F, roundUp(l.out, R)*l.in)
	for j := range l.out {
		r, i := j/R, j%R
		t := d.tiles[r*l.in*R:]
		for p, v := range w[j*l.in : (j+1)*l.in] {
			t[p*R+i] = v
		}
	}
	return d
}

// stripBatch is the batch size of the strip evaluation: whole groups of
// gemm.SeqStrips strips, about 256 points.
func stripBatch[F float32 | float64]() int {
	g := gemm.SeqStrips * gemm.Lanes[F]()
	return max(g, 256/g*g)
}

// evalStrips evaluates xs (any count) group by group with the strip plan
// into outs; with stop, a group whose values are all NaN after a layer
// whose nanStop holds is abandoned, its outputs set to NaN.
func (f *FloatNet[F]) evalStrips(xs [][]float64, outs [][]F, stop bool, sc *floatScratch[F]) {
	p := f.strips
	nr := gemm.Lanes[F]()
	g := gemm.SeqStrips * nr
	sw := p.w * nr
	cur, next := sc.buffers(gemm.SeqStrips * sw)
	if len(sc.panel) < gemm.SeqStrips*p.panel*nr {
		sc.panel = make([]F, gemm.SeqStrips*p.panel*nr)
	}
	L := len(f.layers)
	nan := F(math.NaN())
	for lo := 0; lo < len(xs); lo += g {
		m := min(g, len(xs)-lo)
		nonFinite := false
		for s := range gemm.SeqStrips {
			st := cur[s*sw : s*sw+f.in*nr]
			clear(st)
			for lane := range nr {
				q := s*nr + lane
				if q >= m {
					break
				}
				for i, v := range xs[lo+q] {
					c := F(v)
					st[i*nr+lane] = c
					nonFinite = nonFinite || c-c != 0
				}
			}
		}
		stopped := false
		for k := 0; k < L; k++ {
			last := k // the layer whose outputs cur holds after this step
			switch {
			case p.streamed[k]:
				f.stripStream(k, cur, next, sc.panel, sw)
				last = k + 1
			case p.dense[k] != nil:
				f.stripDense(k, cur, next, sw)
			default:
				nf := false
				for s := range gemm.SeqStrips {
					nf = f.evalLayer(k, cur[s*sw:(s+1)*sw], next[s*sw:(s+1)*sw], nr, nil, nonFinite) || nf
				}
				nonFinite = nf
			}
			cur, next = next, cur
			k = last
			if p.scan[k] {
				nonFinite = anyNonFinite(cur, sw, f.layers[k].out*nr, gemm.SeqStrips)
			}
			if stop && f.nanStop[k] && stripsAllNaN(cur, sw, f.layers[k].out, nr, m) {
				for q := range m {
					for j := range outs[lo+q] {
						outs[lo+q][j] = nan
					}
				}
				stopped = true
				break
			}
		}
		if stopped {
			continue
		}
		for q := range m {
			s, lane := q/nr, q%nr
			o := outs[lo+q]
			for j := range o {
				o[j] = cur[s*sw+j*nr+lane]
			}
		}
	}
}

// stripDense computes dense layer k for every strip: cur holds its inputs,
// next receives its outputs.
func (f *FloatNet[F]) stripDense(k int, cur, next []F, sw int) {
	l := &f.layers[k]
	d := f.strips.dense[k]
	nr := gemm.Lanes[F]()
	R := gemm.SeqRows
	if d.rowMode {
		w, _ := f.Layer(k)
		for j := range l.out {
			gemm.SeqRow(l.in, w[j*l.in:(j+1)*l.in], cur, sw, next[j*nr:], sw, d.bias[j:j+1], d.relu)
		}
	} else {
		for s := range gemm.SeqStrips {
			gemm.SeqTiles(l.in, d.tiles, l.in*R, cur[s*sw:(s+1)*sw], next[s*sw:(s+1)*sw], nr, d.bias, d.relu, (l.out+R-1)/R)
		}
	}
	if !d.relu && !d.ident {
		for s := range gemm.SeqStrips {
			f.stripActs(k, 0, l.out, next[s*sw:], nr)
		}
	}
}

// stripStream computes dense layer k+1 from dense layer k (not rowMode), which is
// computed stripPanel neurons at a time into panel (strip s at
// panel[s·P·nr:], P the panel height) and consumed by layer k+1's kernels
// at once; their sums continue from panel to panel, so every neuron of
// k+1 is still bias first, then its terms in input order.
func (f *FloatNet[F]) stripStream(k int, cur, next, panel []F, sw int) {
	lk, ln := &f.layers[k], &f.layers[k+1]
	dk, dn := f.strips.dense[k], f.strips.dense[k+1]
	nr := gemm.Lanes[F]()
	R := gemm.SeqRows
	P := f.strips.panel
	ps := P * nr
	wn, _ := f.Layer(k + 1)
	for pc := 0; pc < lk.out; pc += P {
		kc := min(P, lk.out-pc)
		for s := range gemm.SeqStrips {
			pan := panel[s*ps : (s+1)*ps]
			gemm.SeqTiles(lk.in, dk.tiles[pc*lk.in:], lk.in*R, cur[s*sw:(s+1)*sw], pan, nr, dk.bias[pc:], dk.relu, (kc+R-1)/R)
			if !dk.relu && !dk.ident {
				f.stripActs(k, pc, pc+kc, pan[:kc*nr], nr)
			}
		}
		first, last := pc == 0, pc+kc == lk.out
		relu := dn.relu && last
		if dn.rowMode {
			for j := range ln.out {
				var bias []F
				if first {
					bias = dn.bias[j : j+1]
				}
				gemm.SeqRow(kc, wn[j*ln.in+pc:j*ln.in+pc+kc], panel, ps, next[j*nr:], sw, bias, relu)
			}
			continue
		}
		var bias []F
		if first {
			bias = dn.bias
		}
		for s := range gemm.SeqStrips {
			gemm.SeqTiles(kc, dn.tiles[pc*R:], ln.in*R, panel[s*ps:(s+1)*ps], next[s*sw:(s+1)*sw], nr, bias, relu, (ln.out+R-1)/R)
		}
	}
	if !dn.relu && !dn.ident {
		for s := range gemm.SeqStrips {
			f.stripActs(k+1, 0, ln.out, next[s*sw:], nr)
		}
	}
}

// stripActs applies the activations of layer k's neurons [j0, j1) to
// their pre-activations z (neuron j0 first, nr lanes each).
func (f *FloatNet[F]) stripActs(k, j0, j1 int, z []F, nr int) {
	acts := f.acts[f.layers[k].act:]
	for j := j0; j < j1; j++ {
		applyAct(acts[j], z[(j-j0)*nr:(j-j0+1)*nr])
	}
}

// anyNonFinite reports whether the first n values of any of the strips
// (sw apart) hold ±Inf or NaN.
func anyNonFinite[F float32 | float64](buf []F, sw, n, strips int) bool {
	for s := range strips {
		for _, v := range buf[s*sw : s*sw+n] {
			if v-v != 0 {
				return true
			}
		}
	}
	return false
}

// stripsAllNaN reports whether the out values of each of the first m
// points (lanes of consecutive strips, sw apart) are all NaN.
func stripsAllNaN[F float32 | float64](buf []F, sw, out, nr, m int) bool {
	for q := range m {
		s, lane := q/nr, q%nr
		for j := range out {
			if v := buf[s*sw+j*nr+lane]; v == v {
				return false
			}
		}
	}
	return true
}
