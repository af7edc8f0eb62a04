package train

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/memnet/memnet/internal/cputime"
)

// BenchmarkConvEpoch is one SGD epoch (batch 64, momentum 0.9, float32,
// 8 steps) of a convolutional residual network over 512 random 7×7
// images, for scripts/conv_speed.sh, which times PyTorch's Conv2d on the
// same shapes. It reports the process's CPU seconds per epoch (CPU-s/op),
// which on a shared machine says more than the wall time.
func BenchmarkConvEpoch(b *testing.B) {
	for _, cb := range [][2]int{{16, 1}, {8, 4}, {4, 16}} {
		b.Run(fmt.Sprintf("c%d-b%d", cb[0], cb[1]), func(b *testing.B) {
			a := ConvArch{H: 7, W: 7, Cin: 1, C: cb[0], B: cb[1], Out: 10}
			xs, y := images(512, 7, 7, 1, 10, 1)
			net, err := NewConv[float32](a, rand.New(rand.NewPCG(1, 1)))
			if err != nil {
				b.Fatal(err)
			}
			net.Standardize(xs)
			cfg := Config{Optimizer: SGD, LR: 0.01, Momentum: 0.9, Epochs: 1, Batch: 64, Lambda: 5e-5}
			if err := cfg.defaults(len(xs)); err != nil {
				b.Fatal(err)
			}
			x := net.inputs(xs)
			ev := newConvEvaluator(net, cfg.Loss)
			var epochs int
			epoch := func() {
				if err := runFirstOrder(context.Background(), net.Params, net.In(), ev, x, y, cfg, func(float64) {}, &epochs); err != nil {
					b.Fatal(err)
				}
			}
			epoch() // buffers allocated, as PyTorch's script warms up
			b.ResetTimer()
			c0 := cputime.Seconds()
			for range b.N {
				epoch()
			}
			b.ReportMetric((cputime.Seconds()-c0)/float64(b.N), "CPU-s/op")
		})
	}
}
