//go:build unix

// Package cputime reads the process's CPU time, for benchmarks and
// measurements on a shared machine (where wall time says more about the
// load than about the code).
package cputime

import "syscall"

// Seconds is the user + system CPU time of the process (all its threads),
// or 0 when it cannot be read.
func Seconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
