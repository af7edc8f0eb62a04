package nn

import (
	"fmt"
	"math"
	"math/big"

	"github.com/memnet/memnet/internal/gemm"
)

// FloatNet is a float64 or float32 view of a network: every weight rounded to
// the nearest F. Products are rounded before they are added (no fused
// multiply-add), as most runtimes do. It evaluates what a framework's dense
// Gemm evaluates: every input coordinate is converted to F (a coordinate
// beyond F's range becomes ±Inf), and every column is a product, zero
// weights included, so 0·(±Inf or NaN) = NaN reaches the sum. (Zero weights
// are skipped while every input of a layer is finite, where 0·h = ±0
// changes no sum's value; when a layer's input holds a non-finite value, the
// neurons with a zero weight on it become NaN at those points.)
//
// Parameters are packed in one array, layer after layer (weights row by row,
// then biases), and EvalBatch pushes a batch of points through each layer
// together, points innermost, so deep narrow networks stream their
// parameters once per batch and the inner loop has no serial dependency.
type FloatNet[F float32 | float64] struct {
	in     int
	width  int
	layers []floatLayer
	params []F
	acts   []Activation
	// the nonzero weights of every neuron: sparse[rowStart[r]:rowStart[r+1]]
	// for the r-th neuron of the network, counting layer after layer
	rowStart []int32
	sparse   []sparseWeight[F]
	// Rounded counts weights and biases that are not exact in F, Overflow
	// those of them that became ±Inf.
	Rounded, Overflow int
	// firstInf names the first weight that overflowed.
	firstInf string
	// hopeless: every output is proven to stand for no class on every
	// point (see Hopeless); nanStop[k]: if every value after layer k is NaN,
	// so is the verdict (every output stands for no class).
	hopeless bool
	nanStop  []bool
	// anyStop[k]: the same when nothing is known about the values after layer k
	anyStop []bool
	// strips is the strip evaluation plan (float_strip.go); nil: scalar
	strips *stripPlan[F]
	// readIn lists the input coordinates with a nonzero weight in the
	// first layer, in increasing order, when they are fewer than all
	// (nil: every coordinate is read); see loadRead.
	readIn []int32
}

// sparseWeight is a nonzero weight w on input in (the strip kernels' term).
type sparseWeight[F float32 | float64] = gemm.Term[F]

type floatLayer struct {
	off, in, out, act int // params offset, shape, acts offset (= first neuron's row)
}

// Float64 returns the float64 view of n.
func (n *Network) Float64() *FloatNet[float64] { return newFloatNet[float64](n) }

// Float32 returns the float32 view of n.
func (n *Network) Float32() *FloatNet[float32] { return newFloatNet[float32](n) }

func newFloatNet[F float32 | float64](n *Network) *FloatNet[F] {
	f := &FloatNet[F]{in: n.InputDim, width: n.InputDim}
	_, is32 := any(F(0)).(float32)
	var place string
	round := func(r *big.Rat) F {
		var v F
		var exact bool
		if is32 {
			w, e := r.Float32()
			v, exact = F(w), e
		} else {
			w, e := r.Float64()
			v, exact = F(w), e
		}
		if !exact {
			f.Rounded++
			if math.IsInf(float64(v), 0) {
				f.Overflow++
				if f.firstInf == "" {
					f.firstInf = place
				}
			}
		}
		return v
	}
	for k, l := range n.Layers() {
		fl := floatLayer{off: len(f.params), in: l.In(), out: l.Out(), act: len(f.acts)}
		for j := range l.W {
			f.rowStart = append(f.rowStart, int32(len(f.sparse)))
			for i, w := range l.W[j] {
				place = fmt.Sprintf("layer %d neuron %d weight %d", k+1, j+1, i+1)
				v := round(w)
				f.params = append(f.params, v)
				if v != 0 {
					f.sparse = append(f.sparse, sparseWeight[F]{In: int32(i), W: v})
				}
			}
		}
		for j := range l.B {
			place = fmt.Sprintf("layer %d neuron %d bias", k+1, j+1)
			f.params = append(f.params, round(l.B[j]))
		}
		f.acts = append(f.acts, l.Act...)
		f.layers = append(f.layers, fl)
		f.width = max(f.width, fl.out)
	}
	f.rowStart = append(f.rowStart, int32(len(f.sparse)))
	if len(f.layers) > 0 {
		l := f.layers[0]
		read := make([]bool, l.in)
		for _, t := range f.sparse[f.rowStart[0]:f.rowStart[l.out]] {
			read[t.In] = true
		}
		for i, r := range read {
			if r {
				f.readIn = append(f.readIn, int32(i))
			}
		}
		if len(f.readIn) == l.in {
			f.readIn = nil
		}
	}
	f.analyse()
	f.planStrips()
	return f
}

// Layer returns the rounded weights (row by row) and biases of layer k, the
// read-out being the last.
func (f *FloatNet[F]) Layer(k int) (w []F, b []F) {
	l := f.layers[k]
	w = f.params[l.off : l.off+l.in*l.out]
	return w, f.params[l.off+l.in*l.out : l.off+l.in*l.out+l.out]
}

// Eval computes the outputs for x into out.
func (f *FloatNet[F]) Eval(x []float64, out []F) error {
	return f.EvalBatch([][]float64{x}, [][]F{out})
}

// EvalBatch computes the outputs of every point of xs into outs.
func (f *FloatNet[F]) EvalBatch(xs [][]float64, outs [][]F) error {
	for lo := 0; lo < len(xs); lo += f.batch() {
		hi := min(len(xs), lo+f.batch())
		if _, err := f.evalBatch(xs[lo:hi], outs[lo:hi], false, nil); err != nil {
			return err
		}
	}
	return nil
}

// batchValues bounds the values a batch buffer holds (points × widest
// layer): 2^20, 8 MiB in float64, so that a network with 10^5 neurons in a
// layer evaluates 10 points at a time instead of allocating gigabytes.
const batchValues = 1 << 20

// batch is the number of points evaluated together: stripBatch with a
// strip plan, else layerBatch.
func (f *FloatNet[F]) batch() int {
	if f.strips != nil {
		return stripBatch[F]()
	}
	return f.layerBatch()
}

// layerBatch is the batch of the layer-major scalar path: up to 256 points,
// fewer when the widest layer would make the buffers larger than
// batchValues.
func (f *FloatNet[F]) layerBatch() int { return max(1, min(256, batchValues/max(1, f.width))) }

// floatScratch is a worker's pair of batch buffers (and the strip path's
// panel), reused across batches.
type floatScratch[F float32 | float64] struct{ cur, next, panel []F }

// buffers returns the scratch sized for nb points, allocating only when it
// is too small.
func (s *floatScratch[F]) buffers(n int) (cur, next []F) {
	if cap(s.cur) < n {
		s.cur, s.next = make([]F, n), make([]F, n)
	}
	return s.cur[:n], s.next[:n]
}

// evalBatch runs the layers over the batch, layer-major with the points
// innermost: values are stored neuron by neuron (cur[i*nb+p] is neuron i of
// point p), and each weight is applied to the whole batch in one loop.
// Every neuron adds its bias, then its terms in input order, each product
// rounded to F, so outputs are bit-identical to a point-at-a-time
// evaluation. sc (nil: fresh buffers) holds the batch buffers. With stop,
// a batch whose values are all NaN after a layer
// from which NaN provably reaches the verdict (nanStop) is abandoned:
// stopped is true and outs are set to NaN.
func (f *FloatNet[F]) evalBatch(xs [][]float64, outs [][]F, stop bool, sc *floatScratch[F]) (stopped bool, err error) {
	nb := len(xs)
	if sc == nil {
		sc = new(floatScratch[F])
	}
	for _, x := range xs {
		if len(x) != f.in {
			return false, fmt.Errorf("evaluation: input has %d coordinates, network wants %d", len(x), f.in)
		}
	}
	if f.strips != nil {
		f.evalStrips(xs, outs, stop, sc)
		return false, nil
	}
	cur, next := sc.buffers(nb * f.width)
	nonFinite := f.loadRead(xs, cur)
	for k := range f.layers {
		l := &f.layers[k]
		nonFinite = f.evalLayer(k, cur, next, nb, nil, nonFinite)
		cur, next = next, cur
		if stop && f.nanStop[k] && allNaN(cur[:l.out*nb]) {
			nan := F(math.NaN())
			for p := range outs {
				for j := range outs[p] {
					outs[p][j] = nan
				}
			}
			return true, nil
		}
	}
	for p := range outs {
		for j := range outs[p] {
			outs[p][j] = cur[j*nb+p]
		}
	}
	return false, nil
}

// loadInputs converts the points xs to F into cur (cur[i*nb+p] is
// coordinate i of point p) and reports whether any became non-finite.
func loadInputs[F float32 | float64](xs [][]float64, cur []F) (nonFinite bool) {
	nb := len(xs)
	for p, x := range xs {
		for i, v := range x {
			c := F(v)
			cur[i*nb+p] = c
			nonFinite = nonFinite || c-c != 0
		}
	}
	return nonFinite
}

// loadRead is loadInputs for evalBatch's layer path: when every coordinate
// of every point converts to a finite F, it writes only the coordinates the
// first layer reads (readIn), since then evalLayer reads nothing else (it
// skips zero weights); otherwise it loads them all, as loadInputs does.
// floatexact's Fashion network reads 56 of the 784 pixels, and the full
// transposed load was about two thirds of its float32 evaluation.
func (f *FloatNet[F]) loadRead(xs [][]float64, cur []F) (nonFinite bool) {
	if f.readIn == nil {
		return loadInputs(xs, cur)
	}
	for _, x := range xs {
		for _, v := range x {
			if c := F(v); c-c != 0 {
				return loadInputs(xs, cur)
			}
		}
	}
	nb := len(xs)
	for _, i := range f.readIn {
		col := cur[int(i)*nb : int(i)*nb+nb]
		for p, x := range xs {
			col[p] = F(x[i])
		}
	}
	return false
}

// evalLayer computes layer k on a batch of nb points: cur holds its inputs
// (cur[i*nb+p] is input i of point p), next receives its outputs. Every
// neuron adds its bias, then its terms in input order, each product rounded
// to F. Neurons with skip[j] are not computed (next keeps what it holds).
// inNonFinite says cur may hold a non-finite value: then (with skip nil,
// when every input is valid) a neuron with a zero weight on an input that
// is ±Inf or NaN at a point is NaN there, as in a dense Gemm. It reports
// whether any computed output is non-finite.
func (f *FloatNet[F]) evalLayer(k int, cur, next []F, nb int, skip []bool, inNonFinite bool) (nonFinite bool) {
	l := &f.layers[k]
	var bad []int // inputs holding a non-finite value at some point
	if inNonFinite && skip == nil {
		for i := range l.in {
			for _, v := range cur[i*nb : (i+1)*nb] {
				if v-v != 0 {
					bad = append(bad, i)
					break
				}
			}
		}
	}
	wts := f.params[l.off : l.off+l.in*l.out]
	bias := f.params[l.off+l.in*l.out : l.off+l.in*l.out+l.out]
	acts := f.acts[l.act : l.act+l.out]
	for j := 0; j < l.out; j++ {
		if skip != nil && skip[j] {
			continue
		}
		z := next[j*nb : (j+1)*nb]
		b := bias[j]
		row := f.sparse[f.rowStart[l.act+j]:f.rowStart[l.act+j+1]]
		act := acts[j]
		// the kernel adds the terms in order, each product rounded (no
		// FMA), applies ReLU and reports non-finite outputs
		fused := len(row) > 0 && (act == ReLU || act == Identity)
		var nf bool
		if len(row) == 0 {
			for p := range z {
				z[p] = b
			}
		} else {
			nf = gemm.SeqSparse(nb, row, cur, nb, z, b, act == ReLU)
		}
		for _, i := range bad {
			if wts[j*l.in+i] != 0 {
				continue
			}
			nan := F(math.NaN())
			for p, v := range cur[i*nb : (i+1)*nb] {
				if v-v != 0 {
					z[p] = nan // 0·(±Inf or NaN); ReLU keeps NaN, so its order does not matter
					nf = true
				}
			}
		}
		if !fused {
			applyAct(act, z)
			nf = false
			if act != Step && !nonFinite {
				for _, v := range z {
					if v-v != 0 {
						nf = true
						break
					}
				}
			}
		}
		nonFinite = nonFinite || nf
	}
	return nonFinite
}

// applyAct applies a to the pre-activations z in place.
func applyAct[F float32 | float64](a Activation, z []F) {
	switch a {
	case ReLU:
		for p, v := range z {
			if v < 0 {
				z[p] = 0
			}
		}
	case Step:
		for p, v := range z {
			if v >= 0 {
				z[p] = 1
			} else {
				z[p] = 0
			}
		}
	case Sigmoid:
		for p, v := range z {
			z[p] = F(1 / (1 + math.Exp(-float64(v))))
		}
	}
}

func allNaN[F float32 | float64](v []F) bool {
	for _, x := range v {
		if x == x {
			return false
		}
	}
	return true
}

// What is known about a neuron's float value on every point.
type fstate uint8

const (
	fAny    fstate = iota // may be finite
	fNaN                  // NaN
	fPosNaN               // +Inf or NaN
	fNegNaN               // −Inf or NaN
	fNonFin               // ±Inf or NaN
)

// sumState is the state of a + b in floating point.
func sumState(a, b fstate) fstate {
	switch {
	case a == fNaN || b == fNaN:
		return fNaN
	case a == fAny:
		return b
	case b == fAny || a == b:
		return a
	}
	return fNonFin // +Inf + −Inf is NaN, and other mixes are some non-finite
}

// termState is the state of F(w·h) for a nonzero weight w.
func termState(w float64, h fstate) fstate {
	switch {
	case math.IsNaN(w) || h == fNaN:
		return fNaN
	case math.IsInf(w, 0):
		// ±Inf·0 is NaN, ±Inf·finite ≠ 0 is ±Inf
		if h == fAny || h == fNonFin {
			return fNonFin
		}
		if (h == fPosNaN) == (w > 0) {
			return fPosNaN
		}
		return fNegNaN
	case h == fAny || h == fNonFin:
		return h
	}
	if (h == fPosNaN) == (w > 0) {
		return fPosNaN
	}
	return fNegNaN
}

func actState(a Activation, z fstate) fstate {
	switch a {
	case Identity:
		return z
	case ReLU:
		if z == fNaN || z == fPosNaN {
			return z // NaN < 0 and +Inf < 0 are false
		}
	case Sigmoid:
		if z == fNaN {
			return fNaN
		}
	}
	return fAny // ReLU(−Inf) = 0, STEP(anything) ∈ {0, 1}
}

// propagate runs the state analysis from layer `from` on with input states
// in and reports whether every output then stands for no class on every
// point (ClassOfFloat): one output that is not finite, or several outputs of
// which one is NaN or all are +Inf or NaN. Once a layer's states are all NaN
// or all unknown, the answer after that layer is taken from nanStop or
// anyStop (filled from the last layer backwards), so the analysis is linear
// in the depth for the common cases.
func (f *FloatNet[F]) propagate(from int, in []fstate, limit int) bool {
	cur := in
	for k := from; k < len(f.layers); k++ {
		if k-from >= limit {
			return false // not decided within limit layers: claim nothing
		}
		l := &f.layers[k]
		bias := f.params[l.off+l.in*l.out : l.off+l.in*l.out+l.out]
		next := make([]fstate, l.out)
		nan, unknown := true, true
		for j := range l.out {
			z := fAny
			if b := float64(bias[j]); math.IsNaN(b) {
				z = fNaN
			} else if math.IsInf(b, 1) {
				z = fPosNaN
			} else if math.IsInf(b, -1) {
				z = fNegNaN
			}
			for _, sw := range f.sparse[f.rowStart[l.act+j]:f.rowStart[l.act+j+1]] {
				z = sumState(z, termState(float64(sw.W), cur[sw.In]))
			}
			next[j] = actState(f.acts[l.act+j], z)
			nan = nan && next[j] == fNaN
			unknown = unknown && next[j] == fAny
		}
		cur = next
		if k+1 < len(f.layers) && k > from {
			if nan {
				return f.nanStop[k]
			}
			if unknown {
				return f.anyStop[k]
			}
		}
	}
	if len(cur) == 1 {
		return cur[0] != fAny
	}
	allPos := true
	for _, s := range cur {
		if s == fNaN {
			return true
		}
		allPos = allPos && s == fPosNaN
	}
	return allPos
}

// stopLimit bounds the layers one early-stop analysis walks: mixed states
// (NaN carried by identity chains beside STEP outputs) would otherwise walk
// to the end from every layer, quadratic in the depth (Park's 15,000-layer
// networks); an undecided stop is simply not taken.
const stopLimit = 64

// analyse decides Hopeless and the early stops.
func (f *FloatNet[F]) analyse() {
	L := len(f.layers)
	f.nanStop, f.anyStop = make([]bool, L), make([]bool, L)
	for k := L - 1; k >= 0; k-- {
		nan, unknown := make([]fstate, f.layers[k].out), make([]fstate, f.layers[k].out)
		for i := range nan {
			nan[i] = fNaN
		}
		f.nanStop[k] = f.propagate(k+1, nan, stopLimit)
		f.anyStop[k] = f.propagate(k+1, unknown, stopLimit)
	}
	f.hopeless = f.Overflow > 0 && f.propagate(0, make([]fstate, f.in), len(f.layers))
}

// Hopeless reports whether the float view's outputs are proven, from its
// weights alone, to stand for no class on any point: a weight that
// overflowed to ±Inf makes some pre-activation non-finite on every point
// (±Inf·h is ±Inf or NaN, and a non-finite term makes the sum non-finite),
// and that non-finite value provably reaches the outputs (identity passes
// it, ReLU passes NaN and +Inf, sigmoid NaN; STEP and ReLU(−Inf) do not).
// reason says which weight.
func (f *FloatNet[F]) Hopeless() (bool, string) {
	if !f.hopeless {
		return false, ""
	}
	return true, fmt.Sprintf("%d weights overflow to ±Inf (first: %s) and a non-finite value reaches the outputs on every point", f.Overflow, f.firstInf)
}
