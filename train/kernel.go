package train

import "github.com/memnet/memnet/internal/gemm"

// smallLayer is the size (in·out) below which our own loops are used
// instead of gemm. With gemm's assembly micro-kernel, BenchmarkLayer (one
// product on 128 rows) and BenchmarkEpoch (deep-w16-d100, res-w32-b8) have
// gemm ahead from width 16 on; widths 4 and 8 were within the noise of a
// loaded machine. Measurements in docs/train.md.
const smallLayer = 64

// wideLayer is the size from which a layer counts as wide when deciding
// whether to run a batch as one chunk (see chunking).
const wideLayer = 1024

// affine sets z (np×out) to h·W + b for np rows of h (np×in).
func affine[F Float](np, in, out int, h, w, b, z []F) {
	affineAct(np, in, out, h, w, b, z, false)
}

// affineAct sets z (np×out) to h·W + b for np rows of h (np×in), and with
// act to ReLU(h·W + b); wide layers fuse the bias and the ReLU into the GEMM.
func affineAct[F Float](np, in, out int, h, w, b, z []F, act bool) {
	if in*out >= smallLayer {
		gemm.MulEpi(false, false, np, out, in, h[:np*in], w, z[:np*out], gemm.Epilogue[F]{Bias: b, ReLU: act})
		return
	}
	for p := range np {
		copy(z[p*out:(p+1)*out], b)
	}
	smallAffine(np, in, out, h, w, z)
	if act {
		relu(z[:np*out])
	}
}

// smallAffine adds h·W to z (already holding the bias rows) with our loops.
func smallAffine[F Float](np, in, out int, h, w, z []F) {
	if out == 2 {
		for p := range np {
			hr := h[p*in : (p+1)*in]
			z0, z1 := z[2*p], z[2*p+1]
			for i, v := range hr {
				if v != 0 {
					z0 += v * w[2*i]
					z1 += v * w[2*i+1]
				}
			}
			z[2*p], z[2*p+1] = z0, z1
		}
		return
	}
	for p := range np {
		hr := h[p*in : (p+1)*in]
		zr := z[p*out : (p+1)*out]
		for i, v := range hr {
			if v == 0 {
				continue
			}
			wr := w[i*out : (i+1)*out]
			for j := range zr {
				zr[j] += v * wr[j]
			}
		}
	}
}

// backAffine adds the gradient of z = h·W + b to gw (in×out) and gb from dz
// (np×out) and, when dh is not nil, sets dh = dz·Wᵀ.
func backAffine[F Float](np, in, out int, h, w, dz, gw, gb, dh []F) {
	backAffineMasked(np, in, out, h, w, dz, nil, gw, gb, dh)
}

// backAffineMasked is backAffine after zeroing dz where the ReLU output a
// (np×out, or nil for no ReLU) is not positive; the mask and the bias
// gradient are one pass over dz.
func backAffineMasked[F Float](np, in, out int, h, w, dz, a, gw, gb, dh []F) {
	if in == 2 && out == 2 {
		if a != nil {
			maskRelu(dz[:np*out], a[:np*out])
		}
		back22(np, h, w, dz, gw, gb, dh)
		return
	}
	gb = gb[:out]
	for p := range np {
		dr := dz[p*out : (p+1)*out]
		if a != nil {
			ar := a[p*out : (p+1)*out]
			for j, v := range dr {
				if ar[j] <= 0 {
					dr[j] = 0
					continue
				}
				gb[j] += v
			}
			continue
		}
		for j, v := range dr {
			gb[j] += v
		}
	}
	if in*out >= smallLayer {
		gemmMul(true, false, in, out, np, h[:np*in], dz[:np*out], 1, gw)
		if dh != nil {
			gemmMul(false, true, np, in, out, dz[:np*out], w, 0, dh[:np*in])
		}
		return
	}
	for p := range np {
		hr := h[p*in : (p+1)*in]
		dr := dz[p*out : (p+1)*out]
		for i, v := range hr {
			if v == 0 {
				continue
			}
			gr := gw[i*out : (i+1)*out]
			for j, d := range dr {
				gr[j] += v * d
			}
		}
		if dh == nil {
			continue
		}
		hd := dh[p*in : (p+1)*in]
		for i := range hd {
			wr := w[i*out : (i+1)*out]
			var s F
			for j, d := range dr {
				s += d * wr[j]
			}
			hd[i] = s
		}
	}
}

func relu[F Float](z []F) {
	for i, v := range z {
		if v < 0 {
			z[i] = 0
		}
	}
}

// maskRelu zeroes d where the ReLU output a is zero (the subgradient at 0 is 0).
func maskRelu[F Float](d, a []F) {
	for i, v := range a {
		if v <= 0 {
			d[i] = 0
		}
	}
}

// back22 is backAffine for a 2×2 layer, the layer of width-2 networks.
func back22[F Float](np int, h, w, dz, gw, gb, dh []F) {
	w0, w1, w2, w3 := w[0], w[1], w[2], w[3]
	var b0, b1, g0, g1, g2, g3 F
	h, dz = h[:2*np], dz[:2*np]
	for p := 0; p < 2*np; p += 2 {
		h0, h1, d0, d1 := h[p], h[p+1], dz[p], dz[p+1]
		b0 += d0
		b1 += d1
		g0 += h0 * d0
		g1 += h0 * d1
		g2 += h1 * d0
		g3 += h1 * d1
		if dh != nil {
			dh[p] = d0*w0 + d1*w1
			dh[p+1] = d0*w2 + d1*w3
		}
	}
	gb[0] += b0
	gb[1] += b1
	gw[0] += g0
	gw[1] += g1
	gw[2] += g2
	gw[3] += g3
}
