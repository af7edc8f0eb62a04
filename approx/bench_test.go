package approx

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkBuild builds the d=2 gauss network (cell means included) at
// several n: go test ./approx -run XXX -bench . -benchtime 1x
func BenchmarkBuild(b *testing.B) {
	f, _ := Named("gauss", 2)
	for _, n := range []int{8, 16, 32, 64} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := Build(context.Background(), f, Config{N: n, Theta: 1e-4}, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchBuilt runs op on the d=2 gauss network at each n.
func benchBuilt(b *testing.B, ns []int, op func(a *Approx, f Target) error) {
	f, _ := Named("gauss", 2)
	for _, n := range ns {
		a, err := Build(context.Background(), f, Config{N: n, Theta: 1e-4}, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			for b.Loop() {
				if err := op(a, f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkMeasure measures L1 and L2 errors (4 nodes per axis per piece).
func BenchmarkMeasure(b *testing.B) {
	benchBuilt(b, []int{8, 16, 32}, func(a *Approx, f Target) error {
		_, err := Measure(context.Background(), a, f, 4, []float64{1, 2}, nil)
		return err
	})
}

// BenchmarkCheckCores is the exact check at 3 points of every cell core.
func BenchmarkCheckCores(b *testing.B) {
	benchBuilt(b, []int{8, 16, 32}, func(a *Approx, _ Target) error {
		_, err := CheckCores(a, nil)
		return err
	})
}
