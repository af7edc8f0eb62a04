package order

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"

	"github.com/memnet/memnet/construct"
	"github.com/memnet/memnet/construct/project"
	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/pipeline"
)

func TestMain(m *testing.M) { ptest.MainWithDefault(m, "prism") }

// TestOrderEqualsInProcess checks the Beam global order against the
// in-process one on real and integer points with repeated projections
// (ties broken by index), over several key ranges.
func TestOrderEqualsInProcess(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	xs := make([][]float64, 3000)
	for i := range xs {
		xs[i] = []float64{float64(rng.IntN(40)), rng.NormFloat64(), 0.25 * float64(rng.IntN(8))}
	}
	for _, w := range [][]float64{{1, 0, 0}, {0.5, -1.125, 3}} {
		want := project.Along(xs, w)
		o := &Orderer{Dir: t.TempDir(), Parts: 5, RangeRows: 700}
		got, err := o.Order(context.Background(), xs, w)
		if err != nil {
			t.Fatal(err)
		}
		if got.Scale != want.Scale || !slices.Equal(got.Order, want.Order) {
			t.Fatalf("w=%v: Beam order differs from in-process (scale %d vs %d)", w, got.Scale, want.Scale)
		}
		for i := range xs {
			if got.Tau[i].Cmp(want.Tau[i]) != 0 {
				t.Fatalf("w=%v: τ_%d differs", w, i)
			}
		}
	}
}

// TestBuildByteIdentical builds with every project-then-sort method
// in-process and with the global order on Beam (Prism) and compares the
// saved networks byte for byte: vardi at N = 10⁵ (integer data) and every
// other such method at N = 10⁴.
func TestBuildByteIdentical(t *testing.T) {
	cases := []struct {
		method string
		n, d   int
		ints   bool
		params map[string]string
	}{
		{"vardi", 100000, 12, true, nil},
		{"vardi", 10000, 6, false, nil},
		{"hz", 10000, 6, false, nil},
		{"hz-phases", 10000, 6, false, nil},
		{"park", 10000, 6, false, nil},
		{"zhang", 10000, 6, false, nil},
		{"ysj", 10000, 6, false, nil},
	}
	if testing.Short() {
		cases = cases[1:]
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s-%d", c.method, c.n), func(t *testing.T) {
			ds := synth(t, c.n, c.d, c.ints)
			build := func(ctx context.Context) []byte {
				b, err := pipeline.Build(ctx, ds, c.method, construct.Options{Seed: 3, Params: c.params})
				if err != nil {
					t.Fatal(err)
				}
				out := filepath.Join(t.TempDir(), "n.mnet")
				if err := b.Model.Save(out); err != nil {
					t.Fatal(err)
				}
				return readFile(t, out)
			}
			local := build(context.Background())
			o := &Orderer{Dir: t.TempDir(), Parts: 4}
			viaBeam := build(project.WithOrderer(context.Background(), o))
			if o.Runs == 0 {
				t.Fatal("the build never asked the Beam orderer")
			}
			if !bytes.Equal(local, viaBeam) {
				t.Fatalf("%s N=%d: the network built with the Beam global order differs from the in-process build (%d vs %d bytes)", c.method, c.n, len(viaBeam), len(local))
			}
		})
	}
}

// synth is n points of dimension d (integers in [0, 256) or reals with few
// fractional bits) with labels in 0..9, as a validated dataset.
func synth(t *testing.T, n, d int, ints bool) *data.Dataset {
	rng := rand.New(rand.NewPCG(uint64(n), uint64(d)))
	var sb strings.Builder
	for range n {
		for k := range d {
			if ints {
				fmt.Fprintf(&sb, "%d,", rng.IntN(256))
			} else {
				fmt.Fprintf(&sb, "%.4f,", rng.NormFloat64())
			}
			_ = k
		}
		fmt.Fprintf(&sb, "%d\n", rng.IntN(10))
	}
	ds, err := data.ReadCSV(strings.NewReader(sb.String()), "synth.csv", 0)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
