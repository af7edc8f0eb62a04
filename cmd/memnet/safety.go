package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
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
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
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
		if err := checkPaths(cmd, args); err != nil {
			return err
		}
		if err := checkMethodsFlag(cmd); err != nil {
			return err
		}
		// The limits the system puts on the process (ulimit -v, the
		// cgroup's memory.max) bound --max-memory, so a step is refused
		// rather than ending in the runtime's "fatal error: out of memory".
		limits.FitMemoryToProcess()
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

// inputFlags name the flags whose value is a file a command reads;
// outputFlags those whose value is a path it writes. A command's
// positional arguments are inputs too (verify NET.mnet, export NET.mnet, ...).
var (
	inputFlags  = []string{"data", "labels", "init", "grid"}
	outputFlags = []string{"out", "plot"}
)

// checkPaths is the one place every command's output paths are checked,
// before any work (run as the root's pre-run hook): each output is refused
// when it is one of the inputs (also through links) or another output, and,
// when it is a file (not an output directory, whose usage says
// "directory"), when it is empty, a directory or in a missing directory.
func checkPaths(cmd *cobra.Command, args []string) error {
	inputs := slices.Clone(args)
	for _, name := range inputFlags {
		if f := cmd.Flags().Lookup(name); f != nil && f.Value.Type() == "string" {
			inputs = append(inputs, f.Value.String())
		}
	}
	var outs []string
	for _, name := range outputFlags {
		f := cmd.Flags().Lookup(name)
		if f == nil || f.Value.Type() != "string" {
			continue
		}
		out, flag := f.Value.String(), "--"+name
		if name == "out" {
			flag = "-o"
		}
		if out == "" && !f.Changed {
			continue // not asked for
		}
		if strings.Contains(f.Usage, "directory") {
			// an output directory: only refused when it is an input file
			if err := checkNotInput(flag, out, inputs); err != nil {
				return err
			}
			continue
		}
		if err := checkOutput(flag, out, inputs...); err != nil {
			return err
		}
		for _, o := range outs {
			if samePath(o, out) {
				return fmt.Errorf("%s %s is also another output of the command: give each output its own file", flag, out)
			}
		}
		outs = append(outs, out)
	}
	return nil
}

// checkNotInput refuses out when it is one of inputs (the same file).
func checkNotInput(flag, out string, inputs []string) error {
	st, err := os.Stat(out)
	if err != nil {
		return nil
	}
	for _, in := range inputs {
		if in == "" {
			continue
		}
		if ist, err := os.Stat(in); err == nil && os.SameFile(st, ist) {
			if !ist.Mode().IsRegular() {
				continue // a directory argument, not a file to lose
			}
			return fmt.Errorf("%s %s is the input file %s: refusing to overwrite an input", flag, out, in)
		}
	}
	return nil
}

// checkOutput refuses the path out of the output flag named flag before any
// work is done: an empty path, a directory, a missing parent directory, or a
// path that is one of the inputs (the same file, also through links).
func checkOutput(flag, out string, inputs ...string) error {
	if out == "" {
		return fmt.Errorf("%s is empty: give the file to write", flag)
	}
	if st, err := os.Stat(out); err == nil {
		if st.IsDir() {
			return fmt.Errorf("%s %s is a directory: give a file name", flag, out)
		}
		if err := checkNotInput(flag, out, inputs); err != nil {
			return err
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

// samePath reports whether a and b name one file: the same file on disk, or
// (for files not written yet) the same absolute path.
func samePath(a, b string) bool {
	if sa, err := os.Stat(a); err == nil {
		if sb, err := os.Stat(b); err == nil {
			return os.SameFile(sa, sb)
		}
	}
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == bb
}
