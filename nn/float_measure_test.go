package nn

import (
	"context"
	"encoding/binary"
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/internal/cputime"
	"github.com/memnet/memnet/internal/par"
)

// TestMeasureFloatView times the float32 view of a network on IDX images
// or a CSV file (a measurement, not a test: it runs only with
// FLOAT_MEASURE=NET.mnet,DATA). Each run evaluates every point as verify's
// float phase does — batches handed to GOMAXPROCS workers (par.Do), each
// reusing its buffers — and prints one line "memnet float32 threads=T
// points=N cpu=S wall=S points/cpu-s=R", the CPU-s being the process's
// user + system time during the evaluation only (not reading the data or
// building the view, printed separately). FLOAT_REPS (default 1) repeats
// it; FLOAT_OUT=FILE writes the outputs, point by point, as little-endian
// float32 (to compare with onnxruntime's: scripts/floatexact_speed.sh);
// FLOAT_PLANS=1 also times the float32 and float64 views under each strip
// plan (the default, every layer dense, every layer sparse).
//
//	FLOAT_MEASURE=fashion.mnet,train-images-idx3-ubyte.gz GOMAXPROCS=1 go test ./nn -run MeasureFloatView -v
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
	reps := 1
	if r, err := strconv.Atoi(os.Getenv("FLOAT_REPS")); err == nil && r > 0 {
		reps = r
	}
	c0 := cputime.Seconds()
	f := m.Net.Float32()
	read := len(f.readIn)
	if f.readIn == nil {
		read = f.in
	}
	entries := 0
	for _, l := range f.layers {
		entries += l.in * l.out
	}
	t.Logf("memnet float32 view built in %.3f CPU-s (strip plan %v; %d layers, %d nonzero weights of %d matrix entries; the first layer reads %d of %d inputs)",
		cputime.Seconds()-c0, f.strips != nil, len(f.layers), len(f.sparse), entries, read, f.in)
	var outs [][]float32
	for range reps {
		outs = measureParallel(t, f, xs)
	}
	if path := os.Getenv("FLOAT_OUT"); path != "" {
		buf := make([]byte, 0, 4*len(outs)*len(outs[0]))
		for _, o := range outs {
			for _, v := range o {
				buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
			}
		}
		if err := os.WriteFile(path, buf, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if os.Getenv("FLOAT_PLANS") == "" {
		return
	}
	defer func(d int) { stripDensity = d }(stripDensity)
	for _, d := range []int{4, 1 << 30, 0} { // the default plan, every layer dense, every layer sparse
		stripDensity = d
		measureView(t, "float32", m.Net.Float32(), xs)
		measureView(t, "float64", m.Net.Float64(), xs)
	}
}

// measureParallel evaluates xs with f as countView does (without judging)
// and prints the timing line.
func measureParallel(t *testing.T, f *FloatNet[float32], xs [][]float64) [][]float32 {
	out := f.layers[len(f.layers)-1].out
	flat := make([]float32, len(xs)*out)
	outs := make([][]float32, len(xs))
	for i := range outs {
		outs[i] = flat[i*out : (i+1)*out]
	}
	batch := f.batch()
	c0, w0 := cputime.Seconds(), time.Now()
	err := par.Do(context.Background(), (len(xs)+batch-1)/batch, 4, func() *floatScratch[float32] { return new(floatScratch[float32]) }, func(blo, bhi int, sc *floatScratch[float32]) error {
		for b := blo; b < bhi; b++ {
			lo, hi := b*batch, min(len(xs), (b+1)*batch)
			if _, err := f.evalBatch(xs[lo:hi], outs[lo:hi], false, sc); err != nil {
				return err
			}
		}
		return nil
	})
	c, w := cputime.Seconds()-c0, time.Since(w0).Seconds()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("memnet float32 threads=%d points=%d cpu=%.4f wall=%.4f points/cpu-s=%.0f", runtime.GOMAXPROCS(0), len(xs), c, w, float64(len(xs))/c)
	return outs
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
