package nn

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
)

// importedMLP is a network as a framework exports it: float32 weights
// (He-scaled normals), ReLU hidden layers of the given width, 10 outputs.
func importedMLP(rng *rand.Rand, d, depth, width int) *Network {
	net := &Network{InputDim: d}
	in := d
	for range depth {
		l := NewLayer(in, width, ReLU)
		for j := range width {
			for i := range in {
				l.W[j][i].SetFloat64(float64(float32(rng.NormFloat64() * 1.4 / float64(in))))
			}
			l.B[j].SetFloat64(float64(float32(rng.NormFloat64() * 0.01)))
		}
		net.Hidden = append(net.Hidden, l)
		in = width
	}
	ro := NewLayer(in, 10, Identity)
	for j := range ro.W {
		for i := range in {
			ro.W[j][i].SetFloat64(float64(float32(rng.NormFloat64() / float64(in))))
		}
	}
	net.Readout = ro
	return net
}

// BenchmarkEngineMLP times the exact engine (compile + classes) and the
// float views on an imported float32 MLP of depth 32 and width 16 on 10^4
// float32 points (d = 16), the network of issue 12's table:
//
//	go test ./nn -run '^$' -bench EngineMLP -benchtime 3x
func BenchmarkEngineMLP(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n, d = 10000, 16
	net := importedMLP(rng, d, 32, 16)
	xs := make([][]float64, n)
	y := make([]int, n)
	for p := range xs {
		xs[p] = make([]float64, d)
		for i := range xs[p] {
			xs[p][i] = float64(float32(rng.NormFloat64()))
		}
		y[p] = rng.IntN(10)
	}
	b.Run(fmt.Sprintf("exact/N=%d", n), func(b *testing.B) {
		for b.Loop() {
			if _, err := ExactVerdict(context.Background(), net, xs, y, 10, ExactOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run(fmt.Sprintf("float/N=%d", n), func(b *testing.B) {
		for b.Loop() {
			FloatCounts(context.Background(), net, xs, y, 10, FloatOptions{})
		}
	})
}
