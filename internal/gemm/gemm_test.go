package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/memnet/memnet/internal/cputime"
)

// naiveGemm is the reference: c = a·b + beta·c (and the Epilogue) in float64,
// with the bound Σ_p |a||b| + |bias| of each element for the tolerance.
func naiveGemm[F Float](ta, tb bool, m, n, k int, a, b []F, beta float64, c []F, ep Epilogue[F]) (want, mag []float64) {
	want, mag = make([]float64, m*n), make([]float64, m*n)
	for i := range m {
		for j := range n {
			s := beta * float64(c[i*n+j])
			if ep.Bias != nil {
				s = float64(ep.Bias[j])
			}
			t := math.Abs(s)
			for p := range k {
				av, bv := a[i*k+p], b[p*n+j]
				if ta {
					av = a[p*m+i]
				}
				if tb {
					bv = b[j*k+p]
				}
				s += float64(av) * float64(bv)
				t += math.Abs(float64(av) * float64(bv))
			}
			if ep.ReLU {
				s = max(s, 0)
			}
			want[i*n+j], mag[i*n+j] = s, t
		}
	}
	return want, mag
}

func checkGemm[F Float](t *testing.T, rng *rand.Rand, ta, tb bool, m, n, k int, beta float64, ep bool) {
	t.Helper()
	fill := func(x []F) {
		for i := range x {
			x[i] = F(rng.NormFloat64())
			if rng.IntN(4) == 0 {
				x[i] = 0 // pixel-like zeros
			}
		}
	}
	a, b, c := make([]F, m*k), make([]F, k*n), make([]F, m*n)
	fill(a)
	fill(b)
	fill(c)
	var e Epilogue[F]
	if ep {
		e.Bias = make([]F, n)
		fill(e.Bias)
		e.ReLU = true
	}
	want, mag := naiveGemm(ta, tb, m, n, k, a, b, beta, c, e)
	if ep {
		MulEpi(ta, tb, m, n, k, a, b, c, e)
	} else {
		Mul(ta, tb, m, n, k, a, b, F(beta), c)
	}
	eps := 0x1p-52
	if _, ok := any(c[0]).(float32); ok {
		eps = 0x1p-23
	}
	for i, w := range want {
		// each sum of k+2 terms rounds at most k+2 times
		if d := math.Abs(float64(c[i]) - w); d > float64(k+2)*eps*mag[i] {
			t.Fatalf("ta=%v tb=%v m=%d n=%d k=%d beta=%v ep=%v: c[%d,%d] = %v, want %v (|diff| %g, bound %g)",
				ta, tb, m, n, k, beta, ep, i/n, i%n, c[i], w, d, float64(k+2)*eps*mag[i])
		}
	}
}

// TestGemm checks gemm against the naive product for every shape class:
// sizes below, at and past the tile (6×16, 6×8), the block (96 rows, 256
// deep) and the parallel threshold, with each transpose, beta 0 and 1, the
// fused bias+ReLU, the assembly and the Go micro-kernels, float32 and float64.
func TestGemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	shapes := [][3]int{{1, 1, 1}, {1, 1, 0}, {5, 7, 3}, {6, 16, 1}, {6, 8, 9}, {7, 17, 5}, {12, 32, 33},
		{13, 9, 257}, {97, 23, 256}, {100, 31, 300}, {2, 250, 10}, {128, 10, 256}, {130, 140, 300}, {200, 33, 520}}
	kernels := []bool{false}
	if gemmAsm {
		kernels = append(kernels, true)
	}
	defer func(old bool) { gemmAsm = old }(gemmAsm)
	for _, asm := range kernels {
		gemmAsm = asm
		for _, procs := range []int{1, 2} {
			old := runtime.GOMAXPROCS(procs)
			for _, s := range shapes {
				if procs > 1 && s[0]*s[1]*s[2] < gemmParallel {
					continue // the same single-goroutine path as procs = 1
				}
				for _, ta := range []bool{false, true} {
					for _, tb := range []bool{false, true} {
						for _, beta := range []float64{0, 1} {
							m, n, k := s[0], s[1], s[2]
							checkGemm[float32](t, rng, ta, tb, m, n, k, beta, false)
							checkGemm[float64](t, rng, ta, tb, m, n, k, beta, false)
						}
						checkGemm[float32](t, rng, ta, tb, s[0], s[1], s[2], 0, true)
						checkGemm[float64](t, rng, ta, tb, s[0], s[1], s[2], 0, true)
					}
				}
			}
			runtime.GOMAXPROCS(old)
		}
	}
}

// TestGemmThreads checks that a product split over goroutines is bit for
// bit the single-thread product.
func TestGemmThreads(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	m, n, k := 128, 256, 784
	a, b := make([]float32, m*k), make([]float32, k*n)
	for i := range a {
		a[i] = float32(rng.NormFloat64())
	}
	for i := range b {
		b[i] = float32(rng.NormFloat64())
	}
	var outs [2][]float32
	for i, procs := range []int{1, 2} {
		old := runtime.GOMAXPROCS(procs)
		outs[i] = make([]float32, m*n)
		Mul(false, false, m, n, k, a, b, 0, outs[i])
		runtime.GOMAXPROCS(old)
	}
	for i := range outs[0] {
		if outs[0][i] != outs[1][i] {
			t.Fatalf("element %d: %v with 1 thread, %v with 2", i, outs[0][i], outs[1][i])
		}
	}
}

// BenchmarkGemm reports GFLOPS (2mnk per product) of gemm on the products of
// one batch of 128 rows of a 784-256-10 and a 784-32-10 network (forward,
// weight gradient, input gradient); scripts/gemm_openblas.py times the same
// shapes with OpenBLAS.
func BenchmarkGemm(b *testing.B) {
	for _, s := range gemmShapes {
		for _, dt := range []string{"float32", "float64"} {
			b.Run(fmt.Sprintf("%s-%dx%dx%d-%s", s.name, s.m, s.n, s.k, dt), func(b *testing.B) {
				if dt == "float32" {
					benchGemm[float32](b, s)
				} else {
					benchGemm[float64](b, s)
				}
			})
		}
	}
}

// gemmShape is one product of BenchmarkGemm: c (m×n) = op(a)·op(b), depth k.
type gemmShape struct {
	name    string
	ta, tb  bool
	m, n, k int
}

var gemmShapes = []gemmShape{
	{"fwd256", false, false, 128, 256, 784},
	{"gradW256", true, false, 784, 256, 128},
	{"fwd10", false, false, 128, 10, 256},
	{"gradW10", true, false, 256, 10, 128},
	{"gradX10", false, true, 128, 256, 10},
	{"fwd32", false, false, 128, 32, 784},
	{"gradW32", true, false, 784, 32, 128},
	{"square512", false, false, 512, 512, 512},
}

func benchGemm[F Float](b *testing.B, s gemmShape) {
	a, x, c := make([]F, s.m*s.k), make([]F, s.k*s.n), make([]F, s.m*s.n)
	for i := range a {
		a[i] = F(i%7) - 3
	}
	for i := range x {
		x[i] = F(i%5) - 2
	}
	cpu0 := cputime.Seconds()
	for b.Loop() {
		Mul(s.ta, s.tb, s.m, s.n, s.k, a, x, 0, c)
	}
	b.ReportMetric(2*float64(s.m*s.n*s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
	b.ReportMetric(2*float64(s.m*s.n*s.k)*float64(b.N)/(cputime.Seconds()-cpu0)/1e9, "GFLOPS/CPU-s")
}
