package pipeline

import (
	"context"
	"sync"
	"testing"

	"github.com/memnet/memnet/construct"
	"github.com/memnet/memnet/data"
)

// TestVerifyPhases checks that Verify reports the exact phase and then
// the float phase, each up to every point, and that the float phase counted
// in chunks (5000 points: three chunks) gives Verify's counts.
func TestVerifyPhases(t *testing.T) {
	ds := data.Gaussian(5000, 2, 3, 1)
	b, err := Build(context.Background(), ds, "zhang", construct.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	last := map[string]int64{}
	var order []string
	v, err := Verify(context.Background(), b.Model, ds, VerifyOptions{Report: func(phase string, done, total int64) {
		mu.Lock()
		defer mu.Unlock()
		if total != int64(ds.N()) {
			t.Errorf("%s: total %d, want %d", phase, total, ds.N())
		}
		if len(order) == 0 || order[len(order)-1] != phase {
			order = append(order, phase)
		}
		last[phase] = max(last[phase], done)
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(order) != 2 || order[0] != PhaseExact || order[1] != PhaseFloat || last[PhaseFloat] != int64(ds.N()) {
		t.Errorf("phases %v, last counts %v", order, last)
	}
	w, err := Verify(context.Background(), b.Model, ds, VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !v.Exact || v.Proof != "exact arithmetic" || v.Float64Correct != w.Float64Correct || v.Float32Correct != w.Float32Correct || v.Float64BitExact != w.Float64BitExact {
		t.Errorf("chunked %+v, whole %+v", v, w)
	}
}
