package train

import "github.com/memnet/memnet/internal/gemm"

// The convolutions reach the GEMM only through these two functions, so
// that moving the GEMM into a shared package (issue 25) touches one place.

// convMul sets c = a·b + beta·c, a m×k (or, with ta, stored k×m), b k×n (or,
// with tb, stored n×k), beta 0 or 1: gemm.Mul.
func convMul[F Float](ta, tb bool, m, n, k int, a, b []F, beta F, c []F) {
	gemmMul(ta, tb, m, n, k, a, b, beta, c)
}

// convMulAct adds a·b to c (shapes as in convMul) and, with act, clamps c
// at zero once the product is added: gemm.MulEpi without a bias.
func convMulAct[F Float](ta, tb bool, m, n, k int, a, b, c []F, act bool) {
	gemm.MulEpi(ta, tb, m, n, k, a, b, c, gemm.Epilogue[F]{ReLU: act})
}
