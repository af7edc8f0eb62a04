package gemm

// kernelFor returns the micro-kernel for F: c[i·ldc+j] += Σ_p a[p·mr+i]·b[p·nr+j]
// over one mr×nr tile, in assembly where the CPU allows (gemmAsm) and in Go
// otherwise.
func kernelFor[F Float]() func(k int, a, b, c []F, ldc int) {
	var f F
	if gemmAsm {
		switch any(f).(type) {
		case float32:
			return any(sgemmKernelAsm).(func(int, []F, []F, []F, int))
		case float64:
			return any(dgemmKernelAsm).(func(int, []F, []F, []F, int))
		}
	}
	return gemmKernelGo[F]
}
