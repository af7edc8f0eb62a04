package gemm

import "golang.org/x/sys/cpu"

// gemmAsm selects the AVX2+FMA micro-kernels of gemm_amd64.s; tests turn it
// off to check the Go kernel on the same machine.
var gemmAsm = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// sgemm6x16 adds the 6×16 float32 product of the packed strips a (k×6) and
// b (k×16) to c (row stride ldc elements).
//
//go:noescape
func sgemm6x16(k int, a, b, c *float32, ldc int)

// dgemm6x8 adds the 6×8 float64 product of the packed strips a (k×6) and
// b (k×8) to c (row stride ldc elements).
//
//go:noescape
func dgemm6x8(k int, a, b, c *float64, ldc int)

// sgemmKernelAsm checks the bounds of one tile and runs sgemm6x16 (k ≥ 1).
func sgemmKernelAsm(k int, a, b, c []float32, ldc int) {
	_, _, _ = a[6*k-1], b[16*k-1], c[5*ldc+15]
	sgemm6x16(k, &a[0], &b[0], &c[0], ldc)
}

// dgemmKernelAsm checks the bounds of one tile and runs dgemm6x8 (k ≥ 1).
func dgemmKernelAsm(k int, a, b, c []float64, ldc int) {
	_, _, _ = a[6*k-1], b[8*k-1], c[5*ldc+7]
	dgemm6x8(k, &a[0], &b[0], &c[0], ldc)
}
