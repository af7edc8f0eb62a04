package train

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkConvEpoch is one SGD pass (batch 64, float32) of a convolutional
// residual network over 512 random 7×7 images, for scripts/conv_speed.sh,
// which times PyTorch's Conv2d on the same shapes.
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
			cfg := Config{Optimizer: SGD, LR: 0.01, Momentum: 0.9, Epochs: 1, Batch: 64}
			b.ResetTimer()
			for range b.N {
				if _, err := TrainConv(context.Background(), net, xs, y, cfg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
