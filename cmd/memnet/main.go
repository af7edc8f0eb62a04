// Command memnet constructs neural networks that provably memorize a labelled
// dataset, verifies them exactly, and reports their size against the theory.
//
// The command is a thin layer over the packages: flags in, printing out.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"github.com/spf13/cobra"
)

// exitError carries an exit status without an error message (the command has
// printed its verdict already).
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// extraCommands are added by the files that define them, in init, so that
// each command lives in a file of its own.
var extraCommands []func() *cobra.Command

// addProfileFlag adds the hidden --cpuprofile FILE: a CPU profile of the
// command for go tool pprof (docs/engine.md). The file must not exist.
func addProfileFlag(root *cobra.Command) {
	root.PersistentFlags().String("cpuprofile", "", "write a CPU profile of the command to this new file (go tool pprof)")
	_ = root.PersistentFlags().MarkHidden("cpuprofile")
	prev := root.PersistentPreRunE
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		if prev != nil {
			if err := prev(cmd, args); err != nil {
				return err
			}
		}
		name, _ := cmd.Flags().GetString("cpuprofile")
		if name == "" {
			return nil
		}
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return fmt.Errorf("--cpuprofile: %v", err)
		}
		return pprof.StartCPUProfile(f)
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C ends the process at once
	}()
	go exitOnInterrupt(ctx)
	root := rootCmd()
	err := root.ExecuteContext(ctx)
	pprof.StopCPUProfile()
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintln(os.Stderr, "memnet: interrupted")
			os.Exit(130)
		}
		var ee exitError
		if errors.As(err, &ee) {
			os.Exit(ee.code)
		}
		fmt.Fprintln(os.Stderr, "memnet:", err)
		os.Exit(1)
	}
}

// rootCmd is the command tree: every command, the limit and profile flags,
// and each command's Examples.
func rootCmd() *cobra.Command {
	root := &cobra.Command{
		Version: version(),
		Use:     "memnet",
		Short:   "Construct, verify and measure neural networks that memorize a dataset exactly",
		Long: `memnet builds networks that memorize a labelled dataset with every weight computed
by formula from the data (never trained), verifies them on every point in exact
arithmetic, and reports their size against the theorems they instantiate.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(buildCmd(), verifyCmd(), inspectCmd(), predictCmd(), demoCmd(), benchCmd(), geometryCmd(), methodsCmd())
	for _, c := range extraCommands {
		root.AddCommand(c())
	}
	addLimitFlags(root)
	addProfileFlag(root)
	addExamples(root)
	return root
}
