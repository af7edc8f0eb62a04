package nn

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/internal/cputime"
)

// TestMeasureFloatView times the float32 and float64 views of a network
// on IDX images or a CSV file, one thread, whole batches (a measurement,
// not a test: it runs only with FLOAT_MEASURE=NET.mnet,DATA and prints
// points/s; docs/floatexact.md has the figures and the onnxruntime side,
// scripts/floatexact_speed.sh runs both alternately).
//
//	FLOAT_MEASURE=fashion.mnet,train-images-idx3-ubyte.gz go test ./nn -run MeasureFloatView -v
func TestMeasureFloatView(t *testing.T) {
	spec := os.Getenv("FLOAT_MEASURE")
	if spec == "" {
		t.Skip("set FLOAT_MEASURE=NET.mnet,DATA")
	}
	netPath, dataPath, _ := strings.Cut(spec, ",")
	m, err := Load(netPath)
	if err != nil {
		t.Fatal(err)
	}
	var xs [][]float64
	if strings.Contains(dataPath, "idx") {
		xs, err = data.LoadIDXImages(dataPath)
	} else {
		var ds *data.Dataset
		ds, err = data.Load(data.LoadOptions{Path: dataPath})
		if ds != nil {
			xs = ds.X
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	reps := 2
	defer func(d int) { stripDensity = d }(stripDensity)
	for range reps {
		for _, d := range []int{4, 1 << 30, 0} { // the default plan, every layer dense, every layer sparse
			stripDensity = d
			measureView(t, "float32", m.Net.Float32(), xs)
			measureView(t, "float64", m.Net.Float64(), xs)
		}
	}
}

func measureView[F float32 | float64](t *testing.T, name string, f *FloatNet[F], xs [][]float64) {
	outs := make([][]F, len(xs))
	flat := make([]F, len(xs)*f.layers[len(f.layers)-1].out)
	for i := range outs {
		outs[i] = flat[i*f.layers[len(f.layers)-1].out : (i+1)*f.layers[len(f.layers)-1].out]
	}
	c0, w0 := cputime.Seconds(), time.Now()
	if err := f.EvalBatch(xs, outs); err != nil {
		t.Fatal(err)
	}
	c := cputime.Seconds() - c0
	t.Logf("%s view (strip plan %v): %d points, %.3f CPU-s, %.3f s wall, %.0f points/CPU-s", name, f.strips != nil, len(xs), c, time.Since(w0).Seconds(), float64(len(xs))/c)
}
