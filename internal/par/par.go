// Package par runs loops on every core and stops them when their context
// is done: the one parallel helper of nn, verdict and pipeline.
package par

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
)

// Workers is the number of goroutines Do starts (at most): GOMAXPROCS.
func Workers() int { return runtime.GOMAXPROCS(0) }

// Do runs f over [0, n) in chunks of at most chunk indices (chunk < 1:
// one), on up to Workers() goroutines, each with its own state from
// newState (which may be nil: S's zero value). Chunks are handed out in
// order; no chunk is handed out once ctx is done or a call of f has
// failed. Do waits for the running calls and returns the first error of
// f, or ctx's error when ctx ended the loop early, or nil. A call of f
// should take well under a second, so that cancellation stops every
// worker within one.
func Do[S any](ctx context.Context, n, chunk int, newState func() S, f func(lo, hi int, s S) error) error {
	if n <= 0 {
		return ctx.Err()
	}
	chunk = max(1, chunk)
	workers := min(Workers(), (n+chunk-1)/chunk)
	var next atomic.Int64
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	fail := func(err error) {
		once.Do(func() { first = err })
		next.Store(int64(n))
	}
	done := ctx.Done()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var s S
			if newState != nil {
				s = newState()
			}
			for {
				if done != nil {
					select {
					case <-done:
						fail(ctx.Err())
						return
					default:
					}
				}
				lo := int(next.Add(int64(chunk))) - chunk
				if lo >= n {
					return
				}
				if err := f(lo, min(n, lo+chunk), s); err != nil {
					fail(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if first == nil && ctx.Err() != nil && next.Load() < int64(n) {
		return ctx.Err()
	}
	return first
}
