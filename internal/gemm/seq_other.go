//go:build !amd64

package gemm

// seqAsm is false where there are no assembly strip kernels.
var seqAsm = false

func seqTilesAsm[F Float](k int, a []F, astride int, b, c []F, ldc int, bias []F, relu bool, ntiles int) bool {
	return false
}

func seqRowAsm[F Float](k int, a, b []F, bstride int, c []F, cstride int, bias []F, relu bool) bool {
	return false
}

func seqSparseAsm[F Float](n int, terms []Term[F], h []F, ldh int, z []F, bias F, relu bool) bool {
	return seqSparseGo(0, n, terms, h, ldh, z, bias, relu)
}
