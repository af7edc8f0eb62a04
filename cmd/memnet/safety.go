package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/spf13/cobra"

	"github.com/memnet/memnet/limits"
	"github.com/memnet/memnet/nn"
)

// addLimitFlags adds the resource limits (docs/limits.md) to every command.
func addLimitFlags(root *cobra.Command) {
	pf := root.PersistentFlags()
	pf.String("max-memory", limits.Bytes(limits.DefaultMemory), "refuse a step whose estimated memory exceeds this (e.g. 8GiB)")
	pf.String("max-input-bytes", limits.Bytes(limits.DefaultInputBytes), "refuse a data file larger than this once decompressed")
	pf.String("max-network-bytes", limits.Bytes(limits.DefaultNetworkBytes), "refuse a network file (.mnet, exact JSON) larger than this once decompressed")
	pf.Int64("max-number-digits", limits.DefaultNumberDigits, "refuse a number in a network file longer than this many characters, before parsing it")
	// a command's own persistent hook must not replace this one
	cobra.EnableTraverseRunHooks = true
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		for _, f := range []struct {
			name string
			set  func(int64)
		}{
			{"max-memory", limits.SetMemory},
			{"max-input-bytes", limits.SetInputBytes},
			{"max-network-bytes", limits.SetNetworkBytes},
		} {
			if !cmd.Flags().Changed(f.name) {
				continue
			}
			v, _ := cmd.Flags().GetString(f.name)
			n, err := limits.ParseSize(v)
			if err != nil {
				return fmt.Errorf("--%s: %v", f.name, err)
			}
			f.set(n)
		}
		if cmd.Flags().Changed("max-number-digits") {
			n, _ := cmd.Flags().GetInt64("max-number-digits")
			if n < 1 {
				return fmt.Errorf("--max-number-digits %d: want a positive count", n)
			}
			limits.SetNumberDigits(n)
		}
		// Let the garbage collector work harder near the limit, so garbage
		// does not push the process far past what the estimates allow.
		debug.SetMemoryLimit(limits.Memory() + limits.Memory()/4)
		return nil
	}
}

// interruptGrace is how long a command may take to stop by itself after
// SIGINT or SIGTERM before exitOnInterrupt ends the process.
const interruptGrace = 2 * time.Second

// exitOnInterrupt ends the process with "memnet: interrupted" and status 130
// once ctx is done and the command has not returned within interruptGrace
// (steps that do not watch the context yet), after any file being written
// has been completed: no command runs on after Ctrl-C, and none leaves a
// partial or temporary file.
func exitOnInterrupt(ctx context.Context) {
	<-ctx.Done()
	time.Sleep(interruptGrace)
	nn.HoldWrites()
	fmt.Fprintln(os.Stderr, "memnet: interrupted")
	os.Exit(130)
}

// checkOutput refuses an output path before any work is done: an empty
// path, a directory, a missing parent directory, or a path that is one of
// the inputs (the same file, also through links).
func checkOutput(out string, inputs ...string) error {
	if out == "" {
		return errors.New("-o is empty: give the file to write")
	}
	if st, err := os.Stat(out); err == nil {
		if st.IsDir() {
			return fmt.Errorf("-o %s is a directory: give a file name", out)
		}
		for _, in := range inputs {
			if in == "" {
				continue
			}
			if ist, err := os.Stat(in); err == nil && os.SameFile(st, ist) {
				return fmt.Errorf("-o %s is the input file %s: refusing to overwrite an input", out, in)
			}
		}
	}
	dir := filepath.Dir(out)
	if target, err := filepath.EvalSymlinks(out); err == nil {
		dir = filepath.Dir(target)
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("cannot write %s: the directory %s does not exist", out, dir)
	}
	return nil
}
