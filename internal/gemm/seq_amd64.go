package gemm

import "golang.org/x/sys/cpu"

// seqAsm selects the AVX2 strip kernels of seq_amd64.s; tests turn it off
// to check the Go kernels on the same machine.
var seqAsm = cpu.X86.HasAVX2

//go:noescape
func sseq6x16(k int, a *float32, astride int, b, c *float32, ldc int, bias *float32, relu, ntiles int)

//go:noescape
func dseq6x8(k int, a *float64, astride int, b, c *float64, ldc int, bias *float64, relu, ntiles int)

//go:noescape
func sseq1x4(k int, a, b *float32, bstride int, c *float32, cstride int, bias *float32, relu int)

//go:noescape
func dseq1x4(k int, a, b *float64, bstride int, c *float64, cstride int, bias *float64, relu int)

//go:noescape
func ssparse(n int, terms *Term[float32], nt int, h *float32, ldh int, z *float32, bias *float32, relu int) (nonFinite int)

//go:noescape
func dsparse(n int, terms *Term[float64], nt int, h *float64, ldh int, z *float64, bias *float64, relu int) (nonFinite int)

// seqSparseAsm runs the assembly SeqSparse on n points (a positive
// multiple of SparseChunk; bounds checked by the caller, terms not empty).
func seqSparseAsm[F Float](n int, terms []Term[F], h []F, ldh int, z []F, bias F, relu bool) bool {
	switch z := any(z).(type) {
	case []float32:
		t, h, b := any(terms).([]Term[float32]), any(h).([]float32), float32(bias)
		return ssparse(n, &t[0], len(t), &h[0], ldh, &z[0], &b, flag(relu)) != 0
	case []float64:
		t, h, b := any(terms).([]Term[float64]), any(h).([]float64), float64(bias)
		return dsparse(n, &t[0], len(t), &h[0], ldh, &z[0], &b, flag(relu)) != 0
	}
	return seqSparseGo(0, n, terms, h, ldh, z, bias, relu)
}

func flag(b bool) int {
	if b {
		return 1
	}
	return 0
}

// first is &x[0], or nil for an empty slice.
func first[F Float](x []F) *F {
	if len(x) == 0 {
		return nil
	}
	return &x[0]
}

// seqTilesAsm runs the assembly SeqTiles (bounds checked by the caller, ntiles ≥ 1).
func seqTilesAsm[F Float](k int, a []F, astride int, b, c []F, ldc int, bias []F, relu bool, ntiles int) bool {
	switch c := any(c).(type) {
	case []float32:
		a, b, bias := any(a).([]float32), any(b).([]float32), any(bias).([]float32)
		sseq6x16(k, first(a), astride, first(b), &c[0], ldc, first(bias), flag(relu), ntiles)
	case []float64:
		a, b, bias := any(a).([]float64), any(b).([]float64), any(bias).([]float64)
		dseq6x8(k, first(a), astride, first(b), &c[0], ldc, first(bias), flag(relu), ntiles)
	default:
		return false
	}
	return true
}

// seqRowAsm runs the assembly SeqRow (bounds checked by the caller).
func seqRowAsm[F Float](k int, a, b []F, bstride int, c []F, cstride int, bias []F, relu bool) bool {
	switch c := any(c).(type) {
	case []float32:
		a, b, bias := any(a).([]float32), any(b).([]float32), any(bias).([]float32)
		sseq1x4(k, first(a), first(b), bstride, &c[0], cstride, first(bias), flag(relu))
	case []float64:
		a, b, bias := any(a).([]float64), any(b).([]float64), any(bias).([]float64)
		dseq1x4(k, first(a), first(b), bstride, &c[0], cstride, first(bias), flag(relu))
	default:
		return false
	}
	return true
}
