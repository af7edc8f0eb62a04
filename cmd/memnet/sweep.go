package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/memnet/memnet/pipeline"
)

func init() { extraCommands = append(extraCommands, sweepCmd) }

func sweepCmd() *cobra.Command {
	var methods, ns, out string
	var d, classes, floatSample int
	var seed int64
	var lattice, radius bool
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "sweep --methods a,b --n 100,1000,10000 --d D --classes C --seed S --out DIR",
		Short: "Build every construction on random data at several N; write sweep.csv and log-log plots of parameters and bits against N",
		Long: `sweep builds and verifies (exactly, on every point) each method on a random Gaussian
dataset at each N, writes DIR/sweep.csv, DIR/params_vs_n.png and .svg (log-log, one
line per method with its fitted exponent in the legend, dashed reference slopes N,
N^(2/3), √N and the VC floor ⌈√N⌉) and DIR/bits_vs_n.png and .svg (largest weight's
bits against N), DIR/norm_vs_n.png and .svg (‖θ‖₂² against N), and prints the fitted exponents (params ≈ c·N^a), where the fitted
lines cross inside the measured N range (never extrapolated beyond it) and where
each method drops below N parameters. The float views are judged on a sample
of --float-sample points (the exact verdict always covers every point).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var sizes []int
			for _, s := range splitList(ns) {
				n, err := strconv.Atoi(s)
				if err != nil || n < 1 {
					return fmt.Errorf("--n %q: want positive integers", s)
				}
				sizes = append(sizes, n)
			}
			if len(sizes) == 0 {
				return fmt.Errorf("--n: no sizes")
			}
			if err := os.MkdirAll(out, 0o755); err != nil {
				return err
			}
			ms := orAll(methodList(methods))
			start, done := steps(len(sizes)*len(ms), "sweep")
			t0 := time.Now()
			o := pipeline.SweepOptions{Ns: sizes, D: d, Classes: classes, Seed: seed, Lattice: lattice,
				Compare:  pipeline.CompareOptions{Methods: ms, Timeout: timeout, FloatSample: floatSample, Radius: radius},
				Progress: func(n int, m string) { start(fmt.Sprintf("N=%d %s", n, m)) }}
			rows := pipeline.Sweep(cmd.Context(), o)
			done()
			csvPath, err := pipeline.SaveSweepCSV(cmd.Context(), out, rows)
			if err != nil {
				return err
			}
			fmt.Printf("sweep: N = %s, d = %d, C = %d, seed %d: %d builds in %.1f s\n", joinInts(sizes), d, classes, seed, len(rows), time.Since(t0).Seconds())
			if err := pipeline.PrintCompare(os.Stdout, rows, pipeline.Text); err != nil {
				return err
			}
			files, err := pipeline.WriteSweepPlots(os.Stdout, rows, out)
			if err != nil {
				return err
			}
			fmt.Printf("\nwrote %s", csvPath)
			for _, f := range files {
				fmt.Printf(", %s", f)
			}
			fmt.Println()
			if !pipeline.AllExact(rows) {
				return exitError{1}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&methods, "methods", "", "comma-separated methods (default: all)")
	cmd.Flags().StringVar(&ns, "n", "100,1000,10000,100000", "comma-separated dataset sizes")
	cmd.Flags().IntVar(&d, "d", 10, "input dimension")
	cmd.Flags().IntVar(&classes, "classes", 10, "number of classes")
	cmd.Flags().Int64Var(&seed, "seed", 1, "seed for data and constructions")
	cmd.Flags().StringVarP(&out, "out", "o", "sweep-out", "directory for sweep.csv and the plots")
	cmd.Flags().DurationVar(&timeout, "timeout", 0, "time limit per method and N (0 = none)")
	cmd.Flags().BoolVar(&radius, "radius", false, "compute the robust radius of every network (sweep.csv columns robust_radius_*; docs/compare.md)")
	cmd.Flags().BoolVar(&lattice, "lattice", false, "integer lattice points (data.Lattice) instead of Gaussian ones, so floatexact applies")
	cmd.Flags().IntVar(&floatSample, "float-sample", 2000, "judge the float views on at most this many points per build (0 = all)")
	return cmd
}

// joinInts is "1, 2, 3".
func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ", ")
}
