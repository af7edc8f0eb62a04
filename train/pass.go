package train

import (
	"math"
	"runtime"
	"sync"
	"sync/atomic"
)

// Loss selects the empirical loss E.
type Loss int

const (
	// CrossEntropy is the mean softmax cross-entropy over the M outputs.
	CrossEntropy Loss = iota
	// Squared is the mean squared error: with one output, (f(x) − y)² against
	// the class index y (Hernández–Zuazua's q = p_y = y); with M outputs,
	// ‖f(x) − e_y‖² against the one-hot vector.
	Squared
)

func (l Loss) String() string {
	if l == Squared {
		return "squared"
	}
	return "cross-entropy"
}

// work holds one chunk's activations and gradients.
type work[F Float] struct {
	x    []F   // np×In inputs
	acts [][]F // per layer: output (np×out)
	mid  [][]F // per block: r = ReLU(W₁h + b₁)
	d, e []F   // backward buffers (np×maxWidth)
	f    []F   // block backward buffer
	grad []F
}

func (n *Net[F]) maxWidth() int {
	w := n.In
	for _, l := range n.layers {
		w = max(w, l.out)
	}
	return w
}

// wide reports whether most of the network's multiply-adds are in wide
// layers (in·out ≥ wideLayer) (a deep narrow stack after a wide first layer
// is not wide: it runs chunked, on every core).
func (n *Net[F]) wide() bool {
	var big, small int
	for _, l := range n.layers {
		m := l.in * l.out
		if l.kind == block {
			m *= 2
		}
		if l.in*l.out >= wideLayer {
			big += m
		} else {
			small += m
		}
	}
	return big > small
}

func (n *Net[F]) newWork(np int) *work[F] {
	wk := &work[F]{x: make([]F, np*n.In)}
	for _, l := range n.layers {
		wk.acts = append(wk.acts, make([]F, np*l.out))
		var m []F
		if l.kind == block {
			m = make([]F, np*l.out)
		}
		wk.mid = append(wk.mid, m)
	}
	mw := n.maxWidth()
	wk.d, wk.e, wk.f = make([]F, np*mw), make([]F, np*mw), make([]F, np*mw)
	return wk
}

// forward computes every layer's output for the np rows of wk.x.
func (n *Net[F]) forward(np int, wk *work[F]) []F {
	h := wk.x
	ps := n.Params
	for k, l := range n.layers {
		z := wk.acts[k][:np*l.out]
		switch l.kind {
		case dense:
			affineAct(np, l.in, l.out, h, ps[l.w:l.b], ps[l.b:l.b+l.out], z, !l.readout && l.ident == nil)
			if !l.readout && l.ident != nil {
				for p := range np {
					for j, id := range l.ident {
						if !id && z[p*l.out+j] < 0 {
							z[p*l.out+j] = 0
						}
					}
				}
			}
		case block:
			c := l.in
			r := wk.mid[k][:np*c]
			affineAct(np, c, c, h, ps[l.w:l.b], ps[l.b:l.b+c], r, true)
			affine(np, c, c, r, ps[l.w2:l.b2], ps[l.b2:l.b2+c], z)
			for i := range z {
				z[i] += h[i]
			}
			relu(z)
		}
		h = z
	}
	return h
}

// lossGrad adds the loss of the np outputs o (labels y) to the returned sum
// and writes dE/do·scale into d.
func lossGrad[F Float](loss Loss, np, m int, o []F, y []int, scale float64, d []F) (sum float64, correct int) {
	for p := range np {
		row := o[p*m : (p+1)*m]
		dr := d[p*m : (p+1)*m]
		switch {
		case loss == Squared && m == 1:
			e := float64(row[0]) - float64(y[p])
			sum += e * e
			dr[0] = F(2 * e * scale)
			if k := math.Floor(float64(row[0]) + 0.5); k == float64(y[p]) && float64(row[0]) != k-0.5 {
				correct++
			}
			continue
		case loss == Squared:
			for j, v := range row {
				t := 0.0
				if j == y[p] {
					t = 1
				}
				e := float64(v) - t
				sum += e * e
				dr[j] = F(2 * e * scale)
			}
		default:
			mx := math.Inf(-1)
			for _, v := range row {
				mx = max(mx, float64(v))
			}
			var z float64
			for _, v := range row {
				z += math.Exp(float64(v) - mx)
			}
			sum += mx + math.Log(z) - float64(row[y[p]])
			for j, v := range row {
				g := math.Exp(float64(v)-mx) / z
				if j == y[p] {
					g--
				}
				dr[j] = F(g * scale)
			}
		}
		if argmaxStrict(row) == y[p] {
			correct++
		}
	}
	return sum, correct
}

func argmaxStrict[F Float](row []F) int {
	best := 0
	for j := 1; j < len(row); j++ {
		if row[j] > row[best] {
			best = j
		}
	}
	for j, v := range row {
		if j != best && !(v < row[best]) {
			return -1
		}
	}
	return best
}

// backward adds the gradient of Σ_p d_p·o_p (d in wk.d, set by lossGrad) to
// wk.grad.
func (n *Net[F]) backward(np int, wk *work[F]) {
	ps, g := n.Params, wk.grad
	d, e := wk.d, wk.e
	for k := len(n.layers) - 1; k >= 0; k-- {
		l := n.layers[k]
		h := wk.x
		if k > 0 {
			h = wk.acts[k-1]
		}
		h = h[:np*l.in]
		var dh []F
		if k > 0 {
			dh = e[:np*l.in]
		}
		switch l.kind {
		case dense:
			dz := d[:np*l.out]
			var mask []F // the ReLU output when the whole layer is ReLU
			if !l.readout {
				a := wk.acts[k][:np*l.out]
				if l.ident == nil {
					mask = a
				} else {
					for p := range np {
						for j, id := range l.ident {
							if !id && a[p*l.out+j] <= 0 {
								dz[p*l.out+j] = 0
							}
						}
					}
				}
			}
			backAffineMasked(np, l.in, l.out, h, ps[l.w:l.b], dz, mask, g[l.w:l.b], g[l.b:l.b+l.out], dh)
		case block:
			c := l.in
			dz := d[:np*c]
			r := wk.mid[k][:np*c]
			dr := wk.f[:np*c]
			backAffineMasked(np, c, c, r, ps[l.w2:l.b2], dz, wk.acts[k][:np*c], g[l.w2:l.b2], g[l.b2:l.b2+c], dr)
			backAffineMasked(np, c, c, h, ps[l.w:l.b], dr, r, g[l.w:l.b], g[l.b:l.b+c], dh)
			for i := range dh { // dh is nil for the first layer
				dh[i] += dz[i]
			}
		}
		d, e = e, d
	}
}

// chunking cuts a batch of b rows into chunks; the cut depends only on b
// and on whether the network is wide (most of its work in wide layers). A
// wide network runs the batch as one chunk: its products then go to gemm
// whole, which splits the result over goroutines (each element summed by
// one goroutine in a fixed order, so still deterministic) and keeps each
// block in cache while it sums over the batch — per-chunk gradients would stream the whole weight
// gradient through memory once per batch row.
func chunking(b int, wide bool) (size, count int) {
	if wide {
		return max(b, 1), 1
	}
	count = min((b+31)/32, 16)
	if count < 1 {
		count = 1
	}
	size = (b + count - 1) / count
	return size, (b + size - 1) / size
}

// evaluator runs forward (and backward) passes over batches in parallel
// chunks and reduces the chunk gradients in chunk order.
type evaluator[F Float] struct {
	net   *Net[F]
	loss  Loss
	works []*work[F]
	grad  []F
}

func newEvaluator[F Float](net *Net[F], loss Loss, batch int) *evaluator[F] {
	size, count := chunking(batch, net.wide())
	ev := &evaluator[F]{net: net, loss: loss, grad: make([]F, len(net.Params))}
	for range count {
		wk := net.newWork(size)
		wk.grad = make([]F, len(net.Params))
		ev.works = append(ev.works, wk)
	}
	return ev
}

// parallel runs f(c) for c in [0, count) on up to GOMAXPROCS goroutines.
func parallel(count int, f func(c int)) {
	workers := min(runtime.GOMAXPROCS(0), count)
	if workers <= 1 {
		for c := range count {
			f(c)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				c := int(next.Add(1)) - 1
				if c >= count {
					return
				}
				f(c)
			}
		}()
	}
	wg.Wait()
}

// step evaluates the batch x (b×In, standardized) with labels y. With
// withGrad, ev.grad receives dE/dθ of the batch mean loss (E only, no
// regularization). It returns the summed loss and the number correct.
func (ev *evaluator[F]) step(x []F, y []int, withGrad bool) (float64, int) {
	n := ev.net
	b := len(y)
	size, count := chunking(b, n.wide())
	if count > len(ev.works) {
		// a larger batch than planned (full-batch evaluation): grow
		for len(ev.works) < count {
			wk := n.newWork(size)
			wk.grad = make([]F, len(n.Params))
			ev.works = append(ev.works, wk)
		}
	}
	sums := make([]float64, count)
	corr := make([]int, count)
	parallel(count, func(c int) {
		lo, hi := c*size, min(b, (c+1)*size)
		np := hi - lo
		wk := ev.works[c]
		if len(wk.x) < np*n.In {
			*wk = *n.newWork(np)
			wk.grad = make([]F, len(n.Params))
		}
		copy(wk.x, x[lo*n.In:hi*n.In])
		o := n.forward(np, wk)
		sums[c], corr[c] = lossGrad(ev.loss, np, n.Out, o, y[lo:hi], 1/float64(b), wk.d)
		if withGrad {
			clear(wk.grad)
			n.backward(np, wk)
		}
	})
	if withGrad {
		g := ev.grad
		parts := 8
		parallel(parts, func(q int) {
			lo, hi := q*len(g)/parts, (q+1)*len(g)/parts
			copy(g[lo:hi], ev.works[0].grad[lo:hi])
			for c := 1; c < count; c++ {
				src := ev.works[c].grad[lo:hi]
				for i := range src {
					g[lo+i] += src[i]
				}
			}
		})
	}
	var s float64
	var k int
	for c := range count {
		s += sums[c]
		k += corr[c]
	}
	return s, k
}
