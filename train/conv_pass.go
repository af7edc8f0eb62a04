package train

// convWork holds one chunk's feature maps and backward buffers. A feature
// map of np images is (np·H·W) × C, row-major: pixel rows, channel columns.
type convWork[F Float] struct {
	x      []F   // np × H·W·Cin, standardized
	acts   [][]F // stem output, then each block's output
	mid    [][]F // per block: r = ReLU(conv₁(h) + b₁)
	pool   []F   // np × C, the average over the pixels
	out    []F   // np × Out
	cols   []F   // im2col of one convolution's input: (np·H·W) × 9·max(Cin, C)
	dcols  []F
	d, e   []F // backward: gradients of feature maps
	f      []F
	dpool  []F
	dout   []F
	grad   []F
	images int
}

func (n *ConvNet[F]) newWork(np int) *convWork[F] {
	a := n.Arch
	hw := a.H * a.W
	m := np * hw * a.C
	wk := &convWork[F]{x: make([]F, np*n.In()), images: np}
	wk.acts = append(wk.acts, make([]F, m))
	for range a.B {
		wk.acts = append(wk.acts, make([]F, m))
		wk.mid = append(wk.mid, make([]F, m))
	}
	wk.pool, wk.dpool = make([]F, np*a.C), make([]F, np*a.C)
	wk.out, wk.dout = make([]F, np*a.Out), make([]F, np*a.Out)
	k := 9 * max(a.Cin, a.C)
	wk.cols, wk.dcols = make([]F, np*hw*k), make([]F, np*hw*k)
	wk.d, wk.e, wk.f = make([]F, m), make([]F, m), make([]F, m)
	return wk
}

// im2col writes, for each of np images of h×w pixels and c channels, the
// 3×3 zero-padded neighbourhood of every pixel as one row of 9c values
// (column (ky·3 + kx)·c + ch holds pixel (y + ky − 1, x + kx − 1)).
func im2col[F Float](np, h, w, c int, in, cols []F) {
	k := 9 * c
	for p := range np {
		img := in[p*h*w*c : (p+1)*h*w*c]
		for y := range h {
			for x := range w {
				row := cols[((p*h+y)*w+x)*k : ((p*h+y)*w+x+1)*k]
				for ky := range 3 {
					yy := y + ky - 1
					for kx := range 3 {
						xx := x + kx - 1
						dst := row[(ky*3+kx)*c : (ky*3+kx+1)*c]
						if yy < 0 || yy >= h || xx < 0 || xx >= w {
							clear(dst)
							continue
						}
						copy(dst, img[(yy*w+xx)*c:(yy*w+xx+1)*c])
					}
				}
			}
		}
	}
}

// col2im sets out (np images, h×w×c) to the sum, over every row of cols, of
// its 9c values scattered back to the pixels im2col read them from (the
// adjoint of im2col).
func col2im[F Float](np, h, w, c int, cols, out []F) {
	k := 9 * c
	clear(out[:np*h*w*c])
	for p := range np {
		img := out[p*h*w*c : (p+1)*h*w*c]
		for y := range h {
			for x := range w {
				row := cols[((p*h+y)*w+x)*k : ((p*h+y)*w+x+1)*k]
				for ky := range 3 {
					yy := y + ky - 1
					if yy < 0 || yy >= h {
						continue
					}
					for kx := range 3 {
						xx := x + kx - 1
						if xx < 0 || xx >= w {
							continue
						}
						src := row[(ky*3+kx)*c : (ky*3+kx+1)*c]
						dst := img[(yy*w+xx)*c : (yy*w+xx+1)*c]
						for i, v := range src {
							dst[i] += v
						}
					}
				}
			}
		}
	}
}

// conv sets z ((np·H·W) × out) to the 3×3 same-padded convolution of in
// (np images, in channels) plus the bias, as im2col followed by the dense
// product of kernel.go's affine.
func (n *ConvNet[F]) conv(np int, c convOffsets, in, z []F, wk *convWork[F]) {
	a := n.Arch
	rows := np * a.H * a.W
	cols := wk.cols[:rows*9*c.in]
	im2col(np, a.H, a.W, c.in, in, cols)
	affine(rows, 9*c.in, c.out, cols, n.Params[c.w:c.b], n.Params[c.b:c.b+c.out], z[:rows*c.out])
}

// backConv adds the convolution's weight and bias gradients for the output
// gradient dz and, when din is not nil, sets din to the input's gradient.
func (n *ConvNet[F]) backConv(np int, c convOffsets, in, dz, din []F, wk *convWork[F]) {
	a := n.Arch
	rows := np * a.H * a.W
	cols := wk.cols[:rows*9*c.in]
	im2col(np, a.H, a.W, c.in, in, cols)
	var dcols []F
	if din != nil {
		dcols = wk.dcols[:rows*9*c.in]
	}
	g := wk.grad
	backAffine(rows, 9*c.in, c.out, cols, n.Params[c.w:c.b], dz[:rows*c.out], g[c.w:c.b], g[c.b:c.b+c.out], dcols)
	if din != nil {
		col2im(np, a.H, a.W, c.in, dcols, din)
	}
}

// forward computes every feature map and the outputs of the np images in
// wk.x and returns the outputs (np × Out).
func (n *ConvNet[F]) forward(np int, wk *convWork[F]) []F {
	a := n.Arch
	hw := a.H * a.W
	m := np * hw * a.C
	h := wk.acts[0][:m]
	n.conv(np, n.stem, wk.x, h, wk)
	relu(h)
	for k, b := range n.blocks {
		r, z := wk.mid[k][:m], wk.acts[k+1][:m]
		n.conv(np, b[0], h, r, wk)
		relu(r)
		n.conv(np, b[1], r, z, wk)
		for i := range z {
			z[i] += h[i]
		}
		relu(z)
		h = z
	}
	pool := wk.pool[:np*a.C]
	clear(pool)
	inv := 1 / F(hw)
	for p := range np {
		pr := pool[p*a.C : (p+1)*a.C]
		for q := range hw {
			for ch, v := range h[(p*hw+q)*a.C : (p*hw+q+1)*a.C] {
				pr[ch] += v
			}
		}
		for ch := range pr {
			pr[ch] *= inv
		}
	}
	o := wk.out[:np*a.Out]
	affine(np, a.C, a.Out, pool, n.Params[n.readW:n.readB], n.Params[n.readB:n.readB+a.Out], o)
	return o
}

// backward adds to wk.grad the gradient of Σ_p dout_p·o_p (dout in wk.dout).
func (n *ConvNet[F]) backward(np int, wk *convWork[F]) {
	a := n.Arch
	hw := a.H * a.W
	m := np * hw * a.C
	g := wk.grad
	dpool := wk.dpool[:np*a.C]
	backAffine(np, a.C, a.Out, wk.pool[:np*a.C], n.Params[n.readW:n.readB], wk.dout[:np*a.Out], g[n.readW:n.readB], g[n.readB:n.readB+a.Out], dpool)
	d := wk.d[:m]
	inv := 1 / F(hw)
	for p := range np {
		for q := range hw {
			for ch := range a.C {
				d[(p*hw+q)*a.C+ch] = dpool[p*a.C+ch] * inv
			}
		}
	}
	e, f := wk.e[:m], wk.f[:m]
	for k := len(n.blocks) - 1; k >= 0; k-- {
		b := n.blocks[k]
		z, r, h := wk.acts[k+1][:m], wk.mid[k][:m], wk.acts[k][:m]
		maskRelu(d, z)
		n.backConv(np, b[1], r, d, f, wk) // f = d/dr
		maskRelu(f, r)
		n.backConv(np, b[0], h, f, e, wk) // e = d/dh through the branch
		for i := range e {
			e[i] += d[i]
		}
		d, e = e, d
	}
	maskRelu(d, wk.acts[0][:m])
	n.backConv(np, n.stem, wk.x, d, nil, wk)
}

// convEvaluator runs a batch in chunks (cut as chunking cuts a narrow
// network's batch), one goroutine per chunk, and adds the chunk gradients
// in chunk order, so a seed gives the same network at any GOMAXPROCS.
type convEvaluator[F Float] struct {
	net   *ConvNet[F]
	loss  Loss
	works []*convWork[F]
	grad  []F
}

func newConvEvaluator[F Float](net *ConvNet[F], loss Loss) *convEvaluator[F] {
	return &convEvaluator[F]{net: net, loss: loss, grad: make([]F, len(net.Params))}
}

func (ev *convEvaluator[F]) gradient() []F { return ev.grad }

// step evaluates the b standardized images x with labels y; with withGrad,
// ev.grad receives dE/dθ of the batch mean loss. It returns the summed loss
// and the number classified right.
func (ev *convEvaluator[F]) step(x []F, y []int, withGrad bool) (float64, int) {
	n := ev.net
	b, d := len(y), n.In()
	size, count := chunking(b, false)
	for len(ev.works) < count {
		ev.works = append(ev.works, nil)
	}
	sums := make([]float64, count)
	corr := make([]int, count)
	parallel(count, func(c int) {
		lo, hi := c*size, min(b, (c+1)*size)
		np := hi - lo
		wk := ev.works[c]
		if wk == nil || wk.images < np {
			wk = n.newWork(size)
			wk.grad = make([]F, len(n.Params))
			ev.works[c] = wk
		}
		copy(wk.x, x[lo*d:hi*d])
		o := n.forward(np, wk)
		sums[c], corr[c] = lossGrad(ev.loss, np, n.Arch.Out, o, y[lo:hi], 1/float64(b), wk.dout)
		if withGrad {
			clear(wk.grad)
			n.backward(np, wk)
		}
	})
	if withGrad {
		copy(ev.grad, ev.works[0].grad)
		for c := 1; c < count; c++ {
			for i, v := range ev.works[c].grad {
				ev.grad[i] += v
			}
		}
	}
	var s float64
	var k int
	for c := range count {
		s += sums[c]
		k += corr[c]
	}
	return s, k
}
