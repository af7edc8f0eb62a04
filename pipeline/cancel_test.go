package pipeline

import (
	"context"
	"errors"
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
		ctx, cancel := context.WithCancel(context.Background())
		errc := make(chan error, 1)
		go func() {
			_, err := Verify(ctx, b.Model, ds, VerifyOptions{Report: func(string, int64, int64) {}})
			errc <- err
		}()
		time.Sleep(after)
		t0 := time.Now()
		cancel()
		select {
		case err := <-errc:
			if err != nil && !errors.Is(err, context.Canceled) {
				t.Fatalf("cancel after %v: %v", after, err)
			}
			if err == nil {
				t.Logf("cancel after %v: verification had finished", after)
			}
		case <-time.After(time.Second):
			t.Fatalf("cancel after %v: Verify did not return within 1 s", after)
		}
		// withContext returns at once; the workers must stop within 1 s
		time.Sleep(time.Second - time.Since(t0))
		c0 := cpuSeconds()
		time.Sleep(time.Second)
		if used := cpuSeconds() - c0; used > 0.05 {
			t.Errorf("cancel after %v: %.2f CPU-s used between 1 s and 2 s after the cancel", after, used)
		}
	}
}
