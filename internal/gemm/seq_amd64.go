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
