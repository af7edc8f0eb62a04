package data

import (
	"context"
	"fmt"
	"testing"

	"github.com/memnet/memnet/internal/cputime"
)

// BenchmarkMinDistance times minDistance on Gaussian points (the setting of
// `build` at N = 10⁵, d = 10, and a few others), reporting the process's
// CPU seconds per call beside the wall time (the machine is shared).
func BenchmarkMinDistance(b *testing.B) {
	for _, c := range []struct{ n, d int }{{10000, 10}, {100000, 10}, {100000, 3}, {100000, 16}, {3000, 64}} {
		ds := Gaussian(c.n, c.d, 2, 1)
		b.Run(fmt.Sprintf("gaussian-n%d-d%d", c.n, c.d), func(b *testing.B) {
			cpu0 := cputime.Seconds()
			for b.Loop() {
				_, evals, _ := minDistance(context.Background(), ds.X)
				b.ReportMetric(float64(evals), "evals")
			}
			b.ReportMetric((cputime.Seconds()-cpu0)/float64(b.N), "CPU-s/op")
		})
	}
}
