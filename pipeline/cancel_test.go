package pipeline

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/memnet/memnet/construct"
	"github.com/memnet/memnet/data"
)

// TestVerifyCancelStopsWorkers: cancelling a verification (zhang, N = 2·10^4:
// the ridge sweep, then the float views, about 3 CPU-s in all) returns the
// context's error within a second, and then no worker goes on: the process
// uses (almost) no CPU, at most 0.05 CPU-s, in the second after (issue 19: Ctrl-C leaves
// both cores idle within 1 s). Cancelled early (exact phase) and late
// (float phase).
func TestVerifyCancelStopsWorkers(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 2·10^4-point network")
	}
	ds := data.Gaussian(20000, 5, 3, 11)
	b, err := Build(context.Background(), ds, "zhang", construct.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, after := range []time.Duration{50 * time.Millisecond, 800 * time.Millisecond} {
		runtime.GC() // the earlier runs' garbage is not this run's work
		ctx, cancel := context.WithCancel(context.Background())
		var err error
		done := make(chan struct{})
		go func() {
			defer close(done)
			_, err = Verify(ctx, b.Model, ds, VerifyOptions{Report: func(string, int64, int64) {}})
		}()
		time.Sleep(after)
		idleAfterCancel(t, fmt.Sprintf("verify cancelled after %v", after), cancel, done)
		if err != nil && !errors.Is(err, context.Canceled) {
			t.Fatalf("cancel after %v: %v", after, err)
		}
		if err == nil {
			t.Logf("cancel after %v: verification had finished", after)
		}
	}
}

// idleAfterCancel cancels, waits for run to return (within a second), and
// then checks that the process uses (almost) no CPU, at most 0.05 CPU-s,
// between 1 s and 2 s after the cancel: every worker has stopped.
func idleAfterCancel(t *testing.T, what string, cancel context.CancelFunc, done <-chan struct{}) {
	t.Helper()
	t0 := time.Now()
	cancel()
	select {
	case <-done:
	case <-time.After(time.Second):
		t.Fatalf("%s: did not return within 1 s of the cancel", what)
	}
	time.Sleep(time.Second - time.Since(t0))
	c0 := cpuSeconds()
	time.Sleep(time.Second)
	if used := cpuSeconds() - c0; used > 0.05 {
		t.Errorf("%s: %.2f CPU-s used between 1 s and 2 s after the cancel", what, used)
	}
}

// cancelN is large enough that every construction's build takes seconds of
// CPU (so the cancels below land inside the builds' long loops), and that
// the geometry is r only (N²·d above construct's 10¹¹).
const cancelN = 150000

// TestCompareCancelStopsWorkers: cancelling compare (every method at once,
// each in its own Compare, so that the cancel lands inside every
// construction's build: projection, interpolation, layer assembly, the
// table solve, the certificate) stops every worker within a second and
// leaves the process idle (issue 19: Ctrl-C leaves both cores idle).
// Cancelled early (projections) and late (the builds' main loops).
func TestCompareCancelStopsWorkers(t *testing.T) {
	if testing.Short() {
		t.Skip("builds every construction on 1.5·10^5 points")
	}
	gauss := data.Gaussian(cancelN, 5, 3, 11)
	lattice := data.Lattice(cancelN, 5, 3, 11)
	for _, after := range []time.Duration{300 * time.Millisecond, 2500 * time.Millisecond} {
		runtime.GC() // the earlier runs' garbage is not this run's work
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		rows := make([][]CompareRow, 0)
		var mu sync.Mutex
		for _, m := range construct.Methods() {
			ds := gauss
			if m.Name() == "floatexact" {
				ds = lattice
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := Compare(ctx, ds, CompareOptions{Methods: []string{m.Name()}, Seed: 1})
				mu.Lock()
				rows = append(rows, r)
				mu.Unlock()
			}()
		}
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		time.Sleep(after)
		idleAfterCancel(t, fmt.Sprintf("compare cancelled after %v", after), cancel, done)
		for _, r := range rows {
			if len(r) != 1 {
				t.Fatalf("compare of one method returned %d rows", len(r))
			}
			if r[0].Error == "" && r[0].NotApplicable == "" {
				t.Logf("cancel after %v: %s had finished", after, r[0].Method)
			}
		}
	}
}

// TestCompareCancelInGeometry: compare computes the dataset's geometry
// (δ and Δ: seconds of CPU at N = 3·10^4) before any build; a cancel then
// stops it too.
func TestCompareCancelInGeometry(t *testing.T) {
	if testing.Short() {
		t.Skip("seconds of geometry")
	}
	ds := data.Gaussian(30000, 5, 3, 11)
	runtime.GC()
	ctx, cancel := context.WithCancel(context.Background())
	var rows []CompareRow
	done := make(chan struct{})
	go func() {
		defer close(done)
		rows = Compare(ctx, ds, CompareOptions{Methods: []string{"zhang"}, Seed: 1})
	}()
	time.Sleep(300 * time.Millisecond)
	idleAfterCancel(t, "compare cancelled in the geometry", cancel, done)
	if len(rows) != 1 || !strings.Contains(rows[0].Error, "interrupted") {
		t.Errorf("rows after the cancel: %+v, want one interrupted row", rows)
	}
}

// TestSweepCancelStopsWorkers: cancelling a sweep (every method on lattice
// points, so floatexact applies) stops it within a second and leaves the
// process idle; the sweep reports no further sizes after the cancel.
func TestSweepCancelStopsWorkers(t *testing.T) {
	if testing.Short() {
		t.Skip("builds on 1.5·10^5 points")
	}
	for _, after := range []time.Duration{500 * time.Millisecond, 3 * time.Second} {
		runtime.GC() // the earlier runs' garbage is not this run's work
		ctx, cancel := context.WithCancel(context.Background())
		var rows []CompareRow
		done := make(chan struct{})
		go func() {
			defer close(done)
			rows = Sweep(ctx, SweepOptions{Ns: []int{cancelN, 2 * cancelN}, D: 5, Classes: 3, Seed: 1, Lattice: true})
		}()
		time.Sleep(after)
		idleAfterCancel(t, fmt.Sprintf("sweep cancelled after %v", after), cancel, done)
		for _, r := range rows {
			if r.N != cancelN {
				t.Errorf("sweep cancelled after %v went on to N = %d", after, r.N)
			}
		}
	}
}
