package floatexact

import (
	"context"
	"os"
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
