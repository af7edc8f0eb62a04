//go:build !amd64

package gemm

// gemmAsm is false where there are no assembly micro-kernels.
var gemmAsm = false

func sgemmKernelAsm(k int, a, b, c []float32, ldc int) { gemmKernelGo(k, a, b, c, ldc) }
func dgemmKernelAsm(k int, a, b, c []float64, ldc int) { gemmKernelGo(k, a, b, c, ldc) }
