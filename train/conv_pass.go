package train

// The feature maps are stored channel-major: a map of np images is C × N
// (N = np·H·W), row ch holding channel ch of every pixel of every image
// (image by image, each in row-major pixel order). A convolution is then
// one product per chunk, Z (out × N) = Wᵀ · cols, whose long side is the
// pixels, so the GEMM's tiles are full even for 4 or 8 channels, and its
// im2col rows are whole shifted copies of a channel's pixel rows.

// convWork holds one chunk's feature maps and backward buffers.
type convWork[F Float] struct {
	x    []F   // np × H·W·Cin, standardized, height-width-channel per image
	acts [][]F // stem output, then each block's output (C × N each)
	mid  [][]F // per block: r = ReLU(conv₁(h) + b₁)
	pool []F   // np × C, the average over the pixels
	out  []F   // np × Out
	// cols holds the im2col rows of every convolution when keep (the
	// backward pass reads them again), else of one at a time.
	cols   []F
	keep   bool
	colOff []int // with keep: each convolution's start in cols (9·in·N per convolution)
	// outside is outsidePixels(H, W), the pixels im2col pads with zeros.
	outside [9][]int32
	dcols   []F
	d, e    []F // backward: gradients of feature maps
	f       []F
	dpool   []F
	dout    []F
	grad    []F
	images  int
}

// newWork allocates the buffers of a chunk of up to np images; with keep,
// every convolution's im2col rows are kept for the backward pass.
func (n *ConvNet[F]) newWork(np int, keep bool) *convWork[F] {
	a := n.Arch
	hw := a.H * a.W
	m := np * hw * a.C
	wk := &convWork[F]{x: make([]F, np*n.In()), images: np, keep: keep, outside: outsidePixels(a.H, a.W)}
	wk.acts = append(wk.acts, make([]F, m))
	for range a.B {
		wk.acts = append(wk.acts, make([]F, m))
		wk.mid = append(wk.mid, make([]F, m))
	}
	wk.pool, wk.dpool = make([]F, np*a.C), make([]F, np*a.C)
	wk.out, wk.dout = make([]F, np*a.Out), make([]F, np*a.Out)
	k := 9 * max(a.Cin, a.C) * np * hw
	total := k
	if keep {
		total = 0
		for _, c := range n.convs() {
			wk.colOff = append(wk.colOff, total)
			total += 9 * c.in * np * hw
		}
	}
	wk.cols, wk.dcols = make([]F, total), make([]F, k)
	wk.d, wk.e, wk.f = make([]F, m), make([]F, m), make([]F, m)
	return wk
}

// colsOf is the im2col buffer (9·in × N) of convolution i (in convs order).
func (wk *convWork[F]) colsOf(i, in, N int) []F {
	if !wk.keep {
		return wk.cols[:9*in*N]
	}
	return wk.cols[wk.colOff[i] : wk.colOff[i]+9*in*N]
}

// im2col sets cols (9c × N, N = np·h·w) to the 3×3 zero-padded
// neighbourhoods: row (ky·3 + kx)·c + ch, column (p, y, x) holds channel
// ch of pixel (y + ky − 1, x + kx − 1) of image p, which in is read at
// ch·cs + (p·h·w + pixel)·ps (cs = N, ps = 1 for a channel-major map;
// cs = 1, ps = c for images in height-width-channel order); outside is
// outsidePixels(h, w).
func im2col[F Float](np, h, w, c int, in []F, cs, ps int, cols []F, outside *[9][]int32) {
	hw := h * w
	N := np * hw
	for ky := range 3 {
		dy := ky - 1
		y0, y1 := max(0, -dy), min(h, h-dy) // rows whose neighbour is inside
		for kx := range 3 {
			dx := kx - 1
			x0, x1 := max(0, -dx), min(w, w-dx)
			for ch := range c {
				row := cols[((ky*3+kx)*c+ch)*N : ((ky*3+kx)*c+ch+1)*N]
				if y0 >= y1 || x0 >= x1 {
					clear(row)
					continue
				}
				if ps == 1 {
					// One shifted copy of the whole channel row (every
					// image), then zeros where the shift left an image or
					// wrapped round a pixel row.
					lo, hi := y0*w+x0, (np-1)*hw+(y1-1)*w+x1
					s := ch*cs + dy*w + dx
					copy(row[lo:hi], in[s+lo:s+hi])
				}
				for p := range np {
					dst := row[p*hw : (p+1)*hw]
					for _, q := range outside[ky*3+kx] {
						dst[q] = 0
					}
					if ps == 1 {
						continue
					}
					base := ch*cs + p*hw*ps
					for y := y0; y < y1; y++ {
						dr := dst[y*w : (y+1)*w]
						s := base + ((y+dy)*w+dx)*ps
						for x := x0; x < x1; x++ {
							dr[x] = in[s+x*ps]
						}
					}
				}
			}
		}
	}
}

// outsidePixels lists, for each offset k = ky·3 + kx of the 3×3 window, the
// pixels (y·w + x) of an h×w image whose neighbour (y + ky − 1, x + kx − 1)
// lies outside the image: the entries im2col pads with zeros.
func outsidePixels(h, w int) [9][]int32 {
	var out [9][]int32
	for k := range 9 {
		dy, dx := k/3-1, k%3-1
		for y := range h {
			for x := range w {
				if yy, xx := y+dy, x+dx; yy < 0 || yy >= h || xx < 0 || xx >= w {
					out[k] = append(out[k], int32(y*w+x))
				}
			}
		}
	}
	return out
}

// col2im sets out (c × N, channel-major) to the adjoint of im2col applied
// to cols: every column's 9c values added back to the pixels im2col read
// them from. Each pixel receives its terms in the order of the pixels that
// read it (raster order, i.e. offsets (ky, kx) from (2, 2) down to (0, 0)),
// as the pixel-by-pixel scatter would add them. The entries of cols that
// read outside their image are set to zero (cols is scratch) so that each
// offset is one shifted addition over every image at once; adding +0 does
// not change a sum that started at +0. outside is outsidePixels(h, w).
func col2im[F Float](np, h, w, c int, cols, out []F, outside *[9][]int32) {
	hw := h * w
	N := np * hw
	clear(out[:c*N])
	for k := 8; k >= 0; k-- {
		dy, dx := k/3-1, k%3-1
		y0, y1 := max(0, -dy), min(h, h-dy)
		x0, x1 := max(0, -dx), min(w, w-dx)
		if y0 >= y1 || x0 >= x1 {
			continue
		}
		shift := dy*w + dx
		lo, hi := max(0, -shift), min(N, N-shift)
		for ch := range c {
			row := cols[(k*c+ch)*N : (k*c+ch+1)*N]
			for p := range np {
				img := row[p*hw : (p+1)*hw]
				for _, q := range outside[k] {
					img[q] = 0
				}
			}
			dst := out[ch*N+lo+shift : ch*N+hi+shift]
			for i, v := range row[lo:hi] {
				dst[i] += v
			}
		}
	}
}

// convAffine sets z (out × N) to Wᵀ·cols + b (b[j] added to row j), with
// act to its ReLU; W is k × out (row-major, as stored), cols k × N. Wide
// products run as one GEMM with the ReLU fused; narrow ones (k·out below
// smallLayer) in our loops, each sum taken in the same order as affine's.
func convAffine[F Float](k, out, N int, cols, w, b, z []F, act bool) {
	z = z[:out*N]
	for j := range out {
		zr := z[j*N : (j+1)*N]
		for q := range zr {
			zr[q] = b[j]
		}
	}
	if k*out >= smallLayer {
		convMulAct(true, false, out, N, k, w[:k*out], cols[:k*N], z, act)
		return
	}
	for j := range out {
		zr := z[j*N : (j+1)*N]
		for i := range k {
			wv := w[i*out+j]
			for q, v := range cols[i*N : (i+1)*N] {
				if v != 0 {
					zr[q] += v * wv
				}
			}
		}
	}
	if act {
		relu(z)
	}
}

// convBackAffine first zeroes dz (out × N) where the ReLU output a (out ×
// N, or nil for none) is not positive, then adds the gradient of
// z = Wᵀ·cols + b to gw (k × out) and gb and, when dcols is not nil, sets
// dcols (k × N) to W·dz. The mask and the bias gradient are one pass.
func convBackAffine[F Float](k, out, N int, cols, w, dz, a, gw, gb, dcols []F) {
	dz = dz[:out*N]
	for j := range out {
		s := gb[j]
		dr := dz[j*N : (j+1)*N]
		if a != nil {
			ar := a[j*N : (j+1)*N]
			for q, v := range dr {
				if ar[q] <= 0 {
					dr[q] = 0
					continue
				}
				s += v
			}
		} else {
			for _, v := range dr {
				s += v
			}
		}
		gb[j] = s
	}
	if k*out >= smallLayer {
		convMul(false, true, k, out, N, cols[:k*N], dz, 1, gw[:k*out])
		if dcols != nil {
			convMul(false, false, k, N, out, w[:k*out], dz, 0, dcols[:k*N])
		}
		return
	}
	for i := range k {
		cr := cols[i*N : (i+1)*N]
		for j := range out {
			dr := dz[j*N : (j+1)*N]
			s := gw[i*out+j]
			for q, v := range cr {
				if v != 0 {
					s += v * dr[q]
				}
			}
			gw[i*out+j] = s
		}
		if dcols == nil {
			continue
		}
		row := dcols[i*N : (i+1)*N]
		clear(row)
		for j := range out {
			wv := w[i*out+j]
			for q, d := range dz[j*N : (j+1)*N] {
				row[q] += d * wv
			}
		}
	}
}

// conv sets z (out × N) to convolution i (c, in convs order) of in (read
// as im2col reads it, strides cs and ps) plus the bias, with act its ReLU.
func (n *ConvNet[F]) conv(np, i int, c convOffsets, in []F, cs, ps int, z []F, act bool, wk *convWork[F]) {
	a := n.Arch
	N := np * a.H * a.W
	cols := wk.colsOf(i, c.in, N)
	im2col(np, a.H, a.W, c.in, in, cs, ps, cols, &wk.outside)
	convAffine(9*c.in, c.out, N, cols, n.Params[c.w:c.b], n.Params[c.b:c.b+c.out], z, act)
}

// backConv adds convolution i's weight and bias gradients for the output
// gradient dz, zeroed first where the ReLU output mask (nil: none) is not
// positive, and, when din is not nil, sets din (channel-major) to the
// input's gradient. Its im2col rows are the forward pass's when kept.
func (n *ConvNet[F]) backConv(np, i int, c convOffsets, in []F, cs, ps int, dz, mask, din []F, wk *convWork[F]) {
	a := n.Arch
	N := np * a.H * a.W
	cols := wk.colsOf(i, c.in, N)
	if !wk.keep {
		im2col(np, a.H, a.W, c.in, in, cs, ps, cols, &wk.outside)
	}
	var dcols []F
	if din != nil {
		dcols = wk.dcols[:9*c.in*N]
	}
	g := wk.grad
	convBackAffine(9*c.in, c.out, N, cols, n.Params[c.w:c.b], dz, mask, g[c.w:c.b], g[c.b:c.b+c.out], dcols)
	if din != nil {
		col2im(np, a.H, a.W, c.in, dcols, din, &wk.outside)
	}
}

// forward computes every feature map and the outputs of the np images in
// wk.x and returns the outputs (np × Out).
func (n *ConvNet[F]) forward(np int, wk *convWork[F]) []F {
	a := n.Arch
	hw := a.H * a.W
	N := np * hw
	m := N * a.C
	h := wk.acts[0][:m]
	n.conv(np, 0, n.stem, wk.x, 1, a.Cin, h, true, wk)
	for k, b := range n.blocks {
		r, z := wk.mid[k][:m], wk.acts[k+1][:m]
		n.conv(np, 1+2*k, b[0], h, N, 1, r, true, wk)
		n.conv(np, 2+2*k, b[1], r, N, 1, z, false, wk)
		for i, v := range h {
			if s := z[i] + v; s < 0 {
				z[i] = 0
			} else {
				z[i] = s
			}
		}
		h = z
	}
	pool := wk.pool[:np*a.C]
	inv := 1 / F(hw)
	for ch := range a.C {
		for p := range np {
			var s F
			for _, v := range h[ch*N+p*hw : ch*N+(p+1)*hw] {
				s += v
			}
			pool[p*a.C+ch] = s * inv
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
	N := np * hw
	m := N * a.C
	g := wk.grad
	dpool := wk.dpool[:np*a.C]
	backAffine(np, a.C, a.Out, wk.pool[:np*a.C], n.Params[n.readW:n.readB], wk.dout[:np*a.Out], g[n.readW:n.readB], g[n.readB:n.readB+a.Out], dpool)
	d := wk.d[:m]
	inv := 1 / F(hw)
	for ch := range a.C {
		for p := range np {
			v := dpool[p*a.C+ch] * inv
			dr := d[ch*N+p*hw : ch*N+(p+1)*hw]
			for q := range dr {
				dr[q] = v
			}
		}
	}
	e, f := wk.e[:m], wk.f[:m]
	for k := len(n.blocks) - 1; k >= 0; k-- {
		b := n.blocks[k]
		z, r, h := wk.acts[k+1][:m], wk.mid[k][:m], wk.acts[k][:m]
		n.backConv(np, 2+2*k, b[1], r, N, 1, d, z, f, wk) // d masked by z; f = d/dr
		n.backConv(np, 1+2*k, b[0], h, N, 1, f, r, e, wk) // f masked by r; e = d/dh through the branch
		for i := range e {
			e[i] += d[i]
		}
		d, e = e, d
	}
	n.backConv(np, 0, n.stem, wk.x, 1, a.Cin, d, wk.acts[0][:m], nil, wk)
}

// convEvaluator runs a batch in chunks (cut as chunking cuts a narrow
// network's batch), one goroutine per chunk, and adds the chunk gradients
// in chunk order, so a seed gives the same network at any GOMAXPROCS.
type convEvaluator[F Float] struct {
	net   *ConvNet[F]
	loss  Loss
	works []*convWork[F]
	grad  []F
	sums  []float64
	corr  []int
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
		ev.sums = append(ev.sums, 0)
		ev.corr = append(ev.corr, 0)
	}
	sums, corr := ev.sums[:count], ev.corr[:count]
	parallel(count, func(c int) {
		lo, hi := c*size, min(b, (c+1)*size)
		np := hi - lo
		wk := ev.works[c]
		if wk == nil || wk.images < np || (withGrad && !wk.keep) {
			wk = n.newWork(size, withGrad)
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
