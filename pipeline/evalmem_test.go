package pipeline

import (
	"context"
	"errors"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/memnet/memnet/construct"
	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/export"
	"github.com/memnet/memnet/limits"
	"github.com/memnet/memnet/nn"
)

// peakHeapGrowth runs f and returns the largest growth of the live heap
// (HeapAlloc over its value after a collection before f) seen by sampling
// every half millisecond while f runs, and at its end.
func peakHeapGrowth(f func()) int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	peak := base
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var s runtime.MemStats
		t := time.NewTicker(500 * time.Microsecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				runtime.ReadMemStats(&s)
				peak = max(peak, s.HeapAlloc)
			}
		}
	}()
	f()
	close(stop)
	wg.Wait()
	runtime.ReadMemStats(&ms)
	peak = max(peak, ms.HeapAlloc)
	return int64(peak - base)
}

type memCase struct {
	name  string
	model *nn.Model
	ds    *data.Dataset
}

func memCases(t *testing.T) []memCase {
	t.Helper()
	load := func(f string) *data.Dataset {
		ds, err := data.Load(data.LoadOptions{Path: "../testdata/" + f})
		if err != nil {
			t.Fatal(err)
		}
		return ds
	}
	build := func(ds *data.Dataset, method string, opt map[string]string) *nn.Model {
		b, err := Build(context.Background(), ds, method, construct.Options{Seed: 1, Params: opt})
		if err != nil {
			t.Fatal(method, err)
		}
		return b.Model
	}
	iris, digits := load("iris.csv"), load("digits.csv.gz")
	g := data.Gaussian(4000, 16, 2, 1)
	g2 := data.Gaussian(20000, 2, 2, 1)
	raw, err := os.ReadFile("../testdata/digits_mlp.onnx")
	if err != nil {
		t.Fatal(err)
	}
	onnx, err := export.ReadONNX(raw, digits.Classes)
	if err != nil {
		t.Fatal(err)
	}
	return []memCase{
		{"iris hz", build(iris, "hz", nil), iris},
		{"digits vardi", build(digits, "vardi", nil), digits},
		{"digits park relu", build(digits, "park", map[string]string{"activation": "relu"}), digits},
		{"gaussian 4000 zhang", build(g, "zhang", nil), g},
		{"digits float32 ONNX", onnx, digits},
		{"gaussian 2e4 vardi", build(g2, "vardi", nil), g2}, // the taint split
	}
}

// TestEvalMemoryEstimate checks that the memory estimate of an exact
// verification (EvalMemory: what CheckEvalMemory and the compiled engine's
// CheckMemory refuse by) is at least the heap growth measured while
// Verify runs, and at most 20 times it, on networks of every kind of
// weights: hz (one wide layer), vardi (deep, wide integers; on 2·10^4
// points with the taint split), park ReLU, zhang and a float32-imported ONNX network.
func TestEvalMemoryEstimate(t *testing.T) {
	for _, c := range memCases(t) {
		est, err := EvalMemory(c.model.Net, c.ds.X)
		if err != nil {
			t.Fatal(c.name, err)
		}
		if strings.HasSuffix(c.name, "2e4 vardi") {
			ex, err := nn.CompileExact(c.model.Net, c.ds.X)
			if err != nil {
				t.Fatal(err)
			}
			if s, pp, ok := ex.FindSplit(c.ds.X); !ok || ex.UseSplit(s, pp) != nil || ex.Memory(c.ds.N()).Shared == 0 {
				t.Fatalf("%s: no taint split, the case does not test its memory", c.name)
			}
		}
		var verr error
		grew := peakHeapGrowth(func() {
			_, verr = Verify(context.Background(), c.model, c.ds, VerifyOptions{})
		})
		if verr != nil {
			t.Fatal(c.name, verr)
		}
		t.Logf("%-20s estimate %9d B, measured peak heap growth %9d B, ratio %.1f", c.name, est, grew, float64(est)/float64(grew))
		if est < grew {
			t.Errorf("%s: estimate %d B is below the measured heap growth %d B", c.name, est, grew)
		}
		if est > 20*grew {
			t.Errorf("%s: estimate %d B is more than 20× the measured heap growth %d B", c.name, est, grew)
		}
	}
}

// TestEvalMemoryRefused checks that a small --max-memory refuses an exact
// verification and a predict before evaluating, with a limits.Error whose
// one-line message names --max-memory: below the pre-compile estimate
// (CheckEvalMemory, in Verify and Predict), and below the compiled engine's
// estimate ((*nn.Exact).CheckMemory, which nn.ExactVerdict and predict call
// between compiling and evaluating).
func TestEvalMemoryRefused(t *testing.T) {
	defer limits.Reset()
	c := memCases(t)[1] // digits vardi
	check := func(what string, err error) {
		t.Helper()
		var le *limits.Error
		if !errors.As(err, &le) || le.Kind != "memory" {
			t.Fatalf("%s: got %v, want a memory limit error", what, err)
		}
		if msg := err.Error(); !strings.Contains(msg, limits.MemoryFlag) || strings.Contains(msg, "\n") {
			t.Errorf("%s: message %q is not one line naming %s", what, msg, limits.MemoryFlag)
		}
	}
	limits.SetMemory(1 << 20)
	_, err := Verify(context.Background(), c.model, c.ds, VerifyOptions{})
	check("verify", err)
	_, err = Predict(context.Background(), c.model, c.ds.X, nil)
	check("predict", err)

	ex, err := nn.CompileExact(c.model.Net, c.ds.X)
	if err != nil {
		t.Fatal(err)
	}
	m := ex.Memory(c.ds.N()).Total()
	limits.SetMemory(m - 1)
	check("compiled engine", ex.CheckMemory(c.ds.N(), false))
	limits.SetMemory(m)
	if err := ex.CheckMemory(c.ds.N(), false); err != nil {
		t.Errorf("limit at the estimate: %v", err)
	}
	limits.Reset()
	if _, err := Verify(context.Background(), c.model, c.ds, VerifyOptions{}); err != nil {
		t.Errorf("default limit: %v", err)
	}
}
