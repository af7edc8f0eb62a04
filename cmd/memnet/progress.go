package main

import (
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Progress bars: every step of the command line that can take more than a
// couple of seconds (build, the exact and float phases of verify, bench,
// sweep, compare) draws one bar on standard error, from the helpers below.
// Bars are drawn only when standard error is a terminal, so piped or
// redirected output stays clean. MEMNET_PROGRESS=1 forces them on (the
// tests use it) and MEMNET_PROGRESS=0 turns them off.

// progressOn reports whether bars are drawn.
func progressOn() bool {
	switch os.Getenv("MEMNET_PROGRESS") {
	case "1":
		return true
	case "0":
		return false
	}
	return term.IsTerminal(int(os.Stderr.Fd()))
}

// bar is one progress bar; a nil *bar draws nothing, so callers need no
// checks.
type bar struct {
	pb      *progressbar.ProgressBar
	stop    chan struct{} // closed by finish
	stopped chan struct{} // closed when the redraw ticker has stopped
	once    sync.Once
}

// newBar starts a bar counting to total, described by what, or returns nil
// when bars are off. A ticker redraws it twice a second so the elapsed time
// moves even while a long step reports nothing.
func newBar(total int64, what string) *bar {
	if !progressOn() || total < 1 {
		return nil
	}
	b := &bar{stop: make(chan struct{}), stopped: make(chan struct{})}
	b.pb = progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(os.Stderr),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowCount(),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetRenderBlankState(true),
	)
	go func() {
		t := time.NewTicker(500 * time.Millisecond)
		defer t.Stop()
		defer close(b.stopped)
		for {
			select {
			case <-b.stop:
				return
			case <-t.C:
				_ = b.pb.Add64(0)
			}
		}
	}()
	return b
}

// set moves the bar to done.
func (b *bar) set(done int64) {
	if b != nil {
		_ = b.pb.Set64(done)
	}
}

// describe changes the bar's description.
func (b *bar) describe(what string) {
	if b != nil {
		b.pb.Describe(what)
	}
}

// finish completes and clears the bar.
func (b *bar) finish() {
	if b == nil {
		return
	}
	b.once.Do(func() {
		close(b.stop)
		<-b.stopped
		_ = b.pb.Finish()
	})
}

// callback returns b.set, or nil when b draws nothing (so engines that skip
// progress work on nil can).
func (b *bar) callback() func(done int64) {
	if b == nil {
		return nil
	}
	return b.set
}

// progress returns a callback moving a bar to the work done (nil when bars
// are off) and a function that clears it.
func progress(total int64, what string) (func(done int64), func()) {
	b := newBar(total, what)
	return b.callback(), b.finish
}

// phases draws one bar per phase of a multi-phase step: each call with a
// new phase name finishes the previous phase's bar and starts the next.
// Call the returned done function at the end.
func phases(prefix string) (func(phase string, done, total int64), func()) {
	if !progressOn() {
		return nil, func() {}
	}
	var mu sync.Mutex
	var cur *bar
	var name string
	update := func(phase string, done, total int64) {
		mu.Lock()
		defer mu.Unlock()
		if phase != name || cur == nil {
			cur.finish()
			cur, name = newBar(total, prefix+" ("+phase+")"), phase
		}
		cur.set(done)
	}
	return update, func() {
		mu.Lock()
		defer mu.Unlock()
		cur.finish()
	}
}

// steps draws one bar over total steps (methods built and verified, say):
// each call of the returned start function marks the previous step done and
// names the one starting. Call the returned done function at the end.
func steps(total int, prefix string) (start func(what string), done func()) {
	b := newBar(int64(total), prefix)
	n := int64(0)
	return func(what string) {
		b.set(n)
		b.describe(prefix + ": " + what)
		n++
	}, b.finish
}
