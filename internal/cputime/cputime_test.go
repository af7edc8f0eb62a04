//go:build unix

package cputime

import "testing"

// TestSecondsGrows checks that busy work shows up as CPU time.
func TestSecondsGrows(t *testing.T) {
	t0 := Seconds()
	x := 0
	for i := 0; Seconds()-t0 < 0.01 && i < 1e10; i++ {
		x += i
	}
	if t1 := Seconds(); t1 <= t0 {
		t.Fatalf("CPU time %v then %v (%d)", t0, t1, x)
	}
}
