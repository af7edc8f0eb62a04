package pipeline

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/memnet/memnet/data"
)

// intData is n distinct random integer points in [0, 16)^4 with m classes.
func intData(n, m int) *data.Dataset {
	rng := rand.New(rand.NewPCG(5, 6))
	var xs [][]float64
	var labels []string
	seen := map[string]bool{}
	for len(xs) < n {
		x := []float64{float64(rng.IntN(16)), float64(rng.IntN(16)), float64(rng.IntN(16)), float64(rng.IntN(16))}
		if k := fmt.Sprint(x); !seen[k] {
			seen[k] = true
			xs = append(xs, x)
			labels = append(labels, fmt.Sprint(rng.IntN(m)))
		}
	}
	ds, err := data.FromRaw("ints", xs, labels, nil)
	if err != nil {
		panic(err)
	}
	return ds
}

// TestAutoFloat32: auto --float32 returns only a network the float32
// certificate proves, passing over cheaper ones it does not.
func TestAutoFloat32(t *testing.T) {
	ds := intData(300, 5)
	res, err := Auto(context.Background(), ds, Limits{Float32: true}, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Certificate == nil || !res.Certificate.Proven || !res.Verified.Exact {
		t.Fatalf("chose %s without a proven certificate: %+v", res.Chosen.Label(), res.Certificate)
	}
	plain, err := Auto(context.Background(), ds, Limits{}, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if plain.Certificate != nil {
		t.Fatal("a certificate without --float32")
	}
}

// TestCompareFloat32Column: floatexact is proven in float32 on integer data
// and not applicable (not failed) on real data.
func TestCompareFloat32Column(t *testing.T) {
	rows := Compare(context.Background(), intData(200, 3), CompareOptions{Methods: []string{"floatexact", "hz"}, Seed: 1})
	if !rows[0].Float32Proven || !rows[0].Exact || rows[1].Float32Proven {
		t.Fatalf("float32 proven: floatexact %v, hz %v", rows[0].Float32Proven, rows[1].Float32Proven)
	}
	real, err := data.FromRaw("reals", [][]float64{{0.5, 1}, {1, 2}}, []string{"a", "b"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rows = Compare(context.Background(), real, CompareOptions{Methods: []string{"floatexact"}})
	if rows[0].NotApplicable == "" || rows[0].Error != "" || !AllExact(rows) {
		t.Fatalf("row %+v", rows[0])
	}
}
