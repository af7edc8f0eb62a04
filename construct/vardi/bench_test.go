package vardi

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
)

// digitsPath is the repository's copy of shared/data/digits.csv.gz.
const digitsPath = "../../testdata/digits.csv.gz"

// TestDigits memorizes the scikit-learn digits (1797 × 64, 10 classes).
func TestDigits(t *testing.T) {
	fh, err := os.Open(digitsPath)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	ds, err := data.ReadCSV(fh, "digits", -1)
	if err != nil {
		t.Fatal(err)
	}
	b, err := BuildNetwork(context.Background(), ds, Config{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	checkBuilt(t, "digits", b, ds, 12)
	st := b.Net.Stats()
	t.Logf("digits N=%d d=%d C=%d: depth %d width %d edges %d params %d max bits %d (ρ=%d n=%d m=%d)",
		ds.N(), ds.D(), ds.M(), st.Depth, st.Width, st.WeightsNonzero, st.Params, st.MaxWeightBits, b.Plan.Rho, b.Plan.NPer, b.Plan.M)
}

var benchSizes = []int{1000, 10000, 30000}

func BenchmarkBuild(b *testing.B) {
	for _, n := range benchSizes {
		ds := randomDataset(n, 10, 10, "grid", 1)
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := BuildNetwork(context.Background(), ds, Config{}, 1); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkVerify runs the exact engine, with the hints' taint split, on
// built networks.
func BenchmarkVerify(b *testing.B) {
	for _, n := range benchSizes {
		ds := randomDataset(n, 10, 10, "grid", 1)
		bt, err := BuildNetwork(context.Background(), ds, Config{}, 1)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			for b.Loop() {
				r, err := nn.ExactVerdict(context.Background(), bt.Net, ds.X, ds.Y, ds.M(), nn.ExactOptions{Hints: bt.Layout.Hints()})
				if err != nil || !r.Exact {
					b.Fatal(err, r)
				}
			}
		})
	}
}
