package floatexact

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/memnet/memnet/construct"
	"github.com/memnet/memnet/data"
)

// TestMeasureFashion builds the Fashion-MNIST (or MNIST) training set named by
// FLOATEXACT_MEASURE (an IDX image file; labels found beside it) and logs the
// counts and times. It is skipped unless the variable is set.
func TestMeasureFashion(t *testing.T) {
	path := os.Getenv("FLOATEXACT_MEASURE")
	if path == "" {
		t.Skip("set FLOATEXACT_MEASURE=/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")
	}
	ds, err := data.Load(data.LoadOptions{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	res, err := Method{}.Build(context.Background(), ds, construct.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st := res.Net.Stats()
	t.Logf("N=%d params %d (%.4f per point) depth %d width %d build %.2f s", ds.N(), st.Params, float64(st.Params)/float64(ds.N()), st.Depth, st.Width, time.Since(t0).Seconds())
	for _, n := range res.Notes {
		t.Log(n)
	}
}

// synthImages is n random "images": d integer pixels uniform in 0..255 and
// labels uniform in 0..m−1.
func synthImages(n, d, m int, seed uint64) *data.Dataset {
	rng := rand.New(rand.NewPCG(seed, 0x696d67))
	ds := &data.Dataset{Name: fmt.Sprintf("images(n=%d,d=%d)", n, d)}
	back := make([]float64, n*d)
	for k := range back {
		back[k] = float64(rng.IntN(256))
	}
	for i := range n {
		ds.X = append(ds.X, back[i*d:(i+1)*d:(i+1)*d])
		ds.Y = append(ds.Y, rng.IntN(m))
		ds.Rows = append(ds.Rows, i+1)
	}
	for k := range m {
		ds.Classes = append(ds.Classes, fmt.Sprint(k))
	}
	return ds
}

// TestMeasureSynthetic logs params/N at the sizes in FLOATEXACT_SYNTH (e.g.
// "10000,100000") for d = 784 synthetic integer images, C = 10, beside the
// floor N·log2(C)/32 (docs/floatexact.md). Skipped unless the variable is set.
func TestMeasureSynthetic(t *testing.T) {
	sizes := os.Getenv("FLOATEXACT_SYNTH")
	if sizes == "" {
		t.Skip("set FLOATEXACT_SYNTH=10000,100000")
	}
	for _, s := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatal(err)
		}
		ds := synthImages(n, 784, 10, 1)
		t0 := time.Now()
		res, err := Method{}.Build(context.Background(), ds, construct.Options{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		st := res.Net.Stats()
		t.Logf("N=%d d=784 C=10: params %d = %.4f/N (floor %.4f/N), depth %d, width %d, build %.2f s", n, st.Params, float64(st.Params)/float64(n),
			math.Log2(10)/32, st.Depth, st.Width, time.Since(t0).Seconds())
		for _, note := range res.Notes {
			t.Log(note)
		}
	}
}

// BenchmarkBuild builds d = 784 synthetic integer images (N = 10^4, C = 10);
// the table solve and the network are most of it, the certificate (every
// neuron at every point) the rest. BENCH_N overrides N.
func BenchmarkBuild(b *testing.B) {
	n := 10000
	if s := os.Getenv("BENCH_N"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	ds := synthImages(n, 784, 10, 1)
	b.ResetTimer()
	for range b.N {
		if _, err := (Method{}).Build(context.Background(), ds, construct.Options{Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
