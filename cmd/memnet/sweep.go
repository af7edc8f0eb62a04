package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/memnet/memnet/construct/ridge"
	"github.com/memnet/memnet/nn"
	"github.com/memnet/memnet/pipeline"
	"github.com/memnet/memnet/plot"
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
			csvPath, err := writeSweepCSV(cmd.Context(), out, rows)
			if err != nil {
				return err
			}
			fmt.Printf("sweep: N = %s, d = %d, C = %d, seed %d: %d builds in %.1f s\n", joinInts(sizes), d, classes, seed, len(rows), time.Since(t0).Seconds())
			if err := pipeline.PrintCompare(os.Stdout, rows, pipeline.Text); err != nil {
				return err
			}
			files, err := writeSweepPlots(os.Stdout, rows, out)
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

// writeSweepCSV writes rows to dir/sweep.csv, atomically, unless ctx is
// done: an interrupted sweep returns without writing, so the complete
// results of an earlier run are never replaced by partial ones.
func writeSweepCSV(ctx context.Context, dir string, rows []pipeline.CompareRow) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := pipeline.WriteSweepCSV(&buf, rows); err != nil {
		return "", err
	}
	p := filepath.Join(dir, "sweep.csv")
	return p, nn.WriteFileAtomic(p, buf.Bytes())
}

// sweepSeries groups exact rows by method into (N, value) series.
func sweepSeries(rows []pipeline.CompareRow, value func(pipeline.CompareRow) float64) ([]plot.Series, []string) {
	var order []string
	by := map[string]*plot.Series{}
	var notes []string
	for _, r := range rows {
		if r.NotApplicable != "" {
			continue
		}
		if r.Error != "" || !r.Exact {
			notes = append(notes, fmt.Sprintf("%s at N=%d left out (not built exactly)", r.Method, r.N))
			continue
		}
		s, ok := by[r.Method]
		if !ok {
			s = &plot.Series{Name: r.Method}
			by[r.Method] = s
			order = append(order, r.Method)
		}
		s.X = append(s.X, float64(r.N))
		s.Y = append(s.Y, value(r))
	}
	var out []plot.Series
	for _, m := range order {
		out = append(out, *by[m])
	}
	return out, notes
}

// writeSweepPlots draws the sweep's plots into dir, prints the fits,
// crossings and sub-N points to w, and returns the files written.
func writeSweepPlots(w io.Writer, rows []pipeline.CompareRow, dir string) ([]string, error) {
	params, notes := sweepSeries(rows, func(r pipeline.CompareRow) float64 { return float64(r.Params) })
	bits, _ := sweepSeries(rows, func(r pipeline.CompareRow) float64 { return float64(r.MaxWeightBits) })
	ns := map[int]bool{}
	for _, r := range rows {
		ns[r.N] = true
	}
	var nsSorted []int
	for n := range ns {
		nsSorted = append(nsSorted, n)
	}
	sort.Ints(nsSorted)
	vc := plot.Series{Name: "VC lower bound √N (rounded up)"}
	for _, n := range nsSorted {
		vc.X = append(vc.X, float64(n))
		vc.Y = append(vc.Y, float64(ridge.VCLowerBound(n)))
	}
	pc := plot.Chart{Title: "nonzero parameters of the constructed networks", XLabel: "N (points)", YLabel: "parameters (nonzero weights + biases)",
		LogY: true, FitLegend: true, RefSlopes: []float64{1, 2.0 / 3, 0.5}, Series: params, Floor: &vc}
	p1, p2 := filepath.Join(dir, "params_vs_n.png"), filepath.Join(dir, "params_vs_n.svg")
	n1, err := pc.Save(7.5, 5.5, p1, p2)
	if err != nil {
		return nil, err
	}
	bc := plot.Chart{Title: "largest weight's bit complexity", XLabel: "N (points)", YLabel: "max weight bits", LogY: true, FitLegend: true, Series: bits}
	b1, b2 := filepath.Join(dir, "bits_vs_n.png"), filepath.Join(dir, "bits_vs_n.svg")
	n2, err := bc.Save(7.5, 5.5, b1, b2)
	if err != nil {
		return nil, err
	}
	normFiles, nNorm, err := writeNormPlot(rows, dir)
	if err != nil {
		return nil, err
	}
	notes = append(notes, nNorm...)
	// Depth-aware VC lower bound (Bartlett et al. 2019) of each method's own
	// network: the fewest params any network of that depth and size could
	// have; and W²L² against N·log2(2r/δ) and N/log2(2r/δ) (Yang & Yang).
	lowerOf := func(key string) func(pipeline.CompareRow) float64 {
		return func(r pipeline.CompareRow) float64 {
			if r.Theory != nil {
				for _, lb := range r.Theory.LowerBounds {
					if lb.Key == key {
						return lb.Value
					}
				}
			}
			return 0
		}
	}
	vcL, _ := sweepSeries(rows, lowerOf("vc_depth"))
	for i := range vcL {
		// each bound in its method's colour, dashed
		vcL[i].Like = vcL[i].Name
		vcL[i].Name += " bound: (N−L)/(L·log2(8eU))"
	}
	lc := plot.Chart{Title: "depth-aware VC lower bound on params for each network's depth L and units U", XLabel: "N (points)",
		YLabel: "parameters (built) and lower bounds", LogY: true, Series: append(params, vcL...), Floor: &vc}
	l1, l2 := filepath.Join(dir, "lower_bounds_vs_n.png"), filepath.Join(dir, "lower_bounds_vs_n.svg")
	n3, err := lc.Save(7.5, 5.5, l1, l2)
	if err != nil {
		return nil, err
	}
	wl2, _ := sweepSeries(rows, func(r pipeline.CompareRow) float64 {
		if r.Theory == nil {
			return 0
		}
		return r.Theory.WL2.Product
	})
	up, low := plot.Series{Name: "N·log2(2r/δ) (sufficient, constants 1)"}, plot.Series{Name: "N/log2(2r/δ) (necessary, constants 1)"}
	seen := map[int]bool{}
	for _, r := range rows {
		if r.Theory != nil && !seen[r.N] {
			seen[r.N] = true
			up.X, up.Y = append(up.X, float64(r.N)), append(up.Y, r.Theory.WL2.Upper)
			low.X, low.Y = append(low.X, float64(r.N)), append(low.Y, r.Theory.WL2.Lower)
		}
	}
	wc := plot.Chart{Title: "width²·depth² against N·log(1/δ) (Yang & Yang 2026)", XLabel: "N (points)", YLabel: "W²L²",
		LogY: true, FitLegend: true, Series: append(wl2, up), Floor: &low}
	w1, w2 := filepath.Join(dir, "wl2_vs_n.png"), filepath.Join(dir, "wl2_vs_n.svg")
	n4, err := wc.Save(7.5, 5.5, w1, w2)
	if err != nil {
		return nil, err
	}
	for _, n := range append(append(append(append(notes, n1...), n2...), n3...), n4...) {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	lo, hi := float64(nsSorted[0]), float64(nsSorted[len(nsSorted)-1])
	fits := map[string]plot.Fit{}
	fmt.Fprintln(w, "\nfitted exponents (params ≈ c·N^a, least squares on log-log):")
	for _, s := range params {
		f, ok := plot.FitPowerLaw(s)
		if !ok {
			fmt.Fprintf(w, "  %-11s too few points to fit\n", s.Name)
			continue
		}
		fits[s.Name] = f
		below := "never below N in the sweep"
		for i := range s.X {
			if s.Y[i] < s.X[i] {
				below = fmt.Sprintf("below N from N=%g in the sweep", s.X[i])
				break
			}
		}
		bf, _ := plot.FitPowerLaw(bitsOf(bits, s.Name))
		fmt.Fprintf(w, "  %-11s a = %.3f, c = %.3g (%d points); %s; max bits ∝ N^%.2f\n", s.Name, f.Exponent, f.Coef, f.Points, below, bf.Exponent)
	}
	fmt.Fprintln(w, "  (a: growth exponent of the nonzero parameters with N — 1 linear, 0.667 for N^(2/3), 0.5 for √N;")
	fmt.Fprintln(w, "   c: the fitted constant; points: sizes N fitted; \"below N\": the first measured N where params < N;")
	fmt.Fprintln(w, "   max bits ∝ N^b: the same fit for the largest weight's bits)")
	var names []string
	for m := range fits {
		names = append(names, m)
	}
	sort.Strings(names)
	fmt.Fprintf(w, "crossings of the fitted lines inside the measured range N = %g..%g (a fit says nothing outside it):\n", lo, hi)
	found := false
	for i := range names {
		for j := i + 1; j < len(names); j++ {
			if x, ok := plot.Crossing(fits[names[i]], fits[names[j]]); ok && x >= lo && x <= hi {
				fmt.Fprintf(w, "  %s and %s at N≈%.3g\n", names[i], names[j], x)
				found = true
			}
		}
	}
	if !found {
		fmt.Fprintln(w, "  none")
	}
	return append([]string{p1, p2, b1, b2, l1, l2, w1, w2}, normFiles...), nil
}

// joinInts is "1, 2, 3".
func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ", ")
}

func bitsOf(ss []plot.Series, name string) plot.Series {
	for _, s := range ss {
		if s.Name == name {
			return s
		}
	}
	return plot.Series{}
}
