package nn

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
)

// TestParallelContext: Parallel covers [0, n) exactly once, and once its
// context is done it hands out no chunk and returns the context's error.
func TestParallelContext(t *testing.T) {
	const n = 10000
	seen := make([]atomic.Int32, n)
	if err := Parallel(context.Background(), n, func(lo, hi int, done *atomic.Int64) error {
		for i := lo; i < hi; i++ {
			seen[i].Add(1)
		}
		done.Add(int64(hi - lo))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for i := range seen {
		if c := seen[i].Load(); c != 1 {
			t.Fatalf("index %d covered %d times", i, c)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int64
	err := Parallel(ctx, n, func(lo, hi int, _ *atomic.Int64) error {
		if calls.Add(1) == 3 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("after cancel: error %v, want context.Canceled", err)
	}
	if c := calls.Load(); c >= n/64 {
		t.Errorf("%d chunks ran after the context was cancelled at the third", c)
	}
}
