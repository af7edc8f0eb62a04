package train

import "github.com/memnet/memnet/internal/gemm"

// gemmMul computes c = a·b + beta·c for row-major matrices with the packed,
// blocked GEMM of internal/gemm (gemm.Mul: a m×k or, with ta, stored k×m;
// b k×n or, with tb, stored n×k; c m×n).
func gemmMul[F Float](ta, tb bool, m, n, k int, a, b []F, beta F, c []F) {
	gemm.Mul(ta, tb, m, n, k, a, b, beta, c)
}
