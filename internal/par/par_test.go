package par

import (
	"context"
	"errors"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

func TestDoCoversAll(t *testing.T) {
	for _, c := range []struct{ n, chunk int }{{0, 1}, {1, 1}, {10, 3}, {1000, 7}, {5, 0}} {
		seen := make([]atomic.Int32, c.n)
		states := atomic.Int32{}
		err := Do(context.Background(), c.n, c.chunk, func() *int { states.Add(1); return new(int) }, func(lo, hi int, s *int) error {
			for i := lo; i < hi; i++ {
				seen[i].Add(1)
			}
			*s += hi - lo
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for i := range seen {
			if seen[i].Load() != 1 {
				t.Fatalf("n=%d chunk=%d: index %d seen %d times", c.n, c.chunk, i, seen[i].Load())
			}
		}
		if int(states.Load()) > Workers() {
			t.Errorf("%d states for %d workers", states.Load(), Workers())
		}
	}
}

func TestDoFirstError(t *testing.T) {
	boom := errors.New("boom")
	var calls atomic.Int32
	err := Do(context.Background(), 1000, 1, nil, func(lo, hi int, _ struct{}) error {
		calls.Add(1)
		if lo == 3 {
			return boom
		}
		return nil
	})
	if err != boom || calls.Load() > 3+int32(Workers())+1 {
		t.Errorf("error %v after %d calls", err, calls.Load())
	}
}

// cpuSeconds is the process's user + system CPU time.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// TestDoCancel: a loop of busy chunks (about 10 ms each) returns ctx's
// error within a second of the cancel, and no worker burns CPU afterwards.
func TestDoCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		errc <- Do(ctx, 1<<30, 1, nil, func(lo, hi int, _ struct{}) error {
			t0 := time.Now()
			for time.Since(t0) < 10*time.Millisecond {
			}
			return nil
		})
	}()
	time.Sleep(200 * time.Millisecond)
	t0 := time.Now()
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error %v", err)
		}
	case <-time.After(time.Second):
		t.Fatal("Do did not return within 1 s of the cancel")
	}
	if d := time.Since(t0); d > time.Second {
		t.Fatalf("returned %v after the cancel", d)
	}
	c0 := cpuSeconds()
	time.Sleep(300 * time.Millisecond)
	if used := cpuSeconds() - c0; used > 0.1 {
		t.Errorf("%.2f CPU-s used in the 0.3 s after Do returned", used)
	}
}
