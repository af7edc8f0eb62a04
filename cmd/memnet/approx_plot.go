package main

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/memnet/memnet/approx"
	"github.com/memnet/memnet/plot"
)

func approxScalingCmd() *cobra.Command {
	var functions, dims, out string
	var p float64
	var points, nMin, nMax int
	var asJSON bool
	var maxDepth int64
	cmd := &cobra.Command{
		Use:   "scaling [--functions gauss,kink,osc] [--dims 1,2,3] [--p P] -o depth_vs_eps.png",
		Short: "Depth of the width-(d+1) network against ε (log-log, fitted slope beside −d)",
		Long: `scaling chooses, for a range of ε, the smallest n with ‖f − f_n‖_p ≤ ε/2 (as
approx --eps does), builds the network approx builds for it, and plots its measured depth
(the formula d·n + 2n^d − 1 is printed where they differ) against ε on log-log axes, per function and dimension, with the fitted slope beside the
−d the summary's ‖f‖^d ε^{−d} form predicts for f ∈ W^{1,p}. The ε range spans n ≈ 8 to
512 for d = 1, 16 to 128 for d = 2 and 6 to 20 for d = 3 (--n-min, --n-max).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := plot.CheckPath(out); err != nil {
				return err
			}
			if !(p >= 1) || math.IsInf(p, 0) {
				return fmt.Errorf("--p %v: want 1 ≤ p < ∞", p)
			}
			var ds []int
			for _, s := range splitList(dims) {
				d, err := strconv.Atoi(s)
				if err != nil || d < 1 || d > 3 {
					return fmt.Errorf("--dims %q: want dimensions 1, 2 or 3", s)
				}
				ds = append(ds, d)
			}
			nLo := map[int]int{1: 8, 2: 16, 3: 6}
			nHi := map[int]int{1: 512, 2: 128, 3: 20}
			if nMin > 0 {
				nLo = map[int]int{1: nMin, 2: nMin, 3: nMin}
			}
			if nMax > 0 {
				nHi = map[int]int{1: nMax, 2: nMax, 3: nMax}
			}
			type row struct {
				Function string              `json:"function"`
				D        int                 `json:"d"`
				Slope    float64             `json:"slope"`
				Points   []approx.ScalePoint `json:"points"`
			}
			var rows []row
			var series []plot.Series
			var refs []float64
			bar, finish := progress(int64(len(splitList(functions))*len(ds)*points), "building networks")
			defer finish()
			built := int64(0)
			for _, name := range splitList(functions) {
				for _, d := range ds {
					f, err := approx.Named(name, d)
					if err != nil {
						return err
					}
					eps, err := approx.EpsRange(cmd.Context(), f, f.Box(), p, nLo[d], nHi[d], points)
					if err != nil {
						return err
					}
					base := built
					pts, err := approx.Scaling(cmd.Context(), f, f.Box(), p, eps, maxDepth, func(done int64) {
						if bar != nil {
							bar(base + done)
						}
					})
					built += int64(len(eps))
					if err != nil {
						return err
					}
					s := plot.Series{Name: fmt.Sprintf("%s, d=%d", name, d)}
					for _, pt := range pts {
						s.X, s.Y = append(s.X, pt.Eps), append(s.Y, float64(pt.Depth))
					}
					fit, _ := plot.FitPowerLaw(s)
					rows = append(rows, row{name, d, fit.Exponent, pts})
					series = append(series, s)
					refs = append(refs, -float64(d))
				}
			}
			finish()
			title := fmt.Sprintf("depth against ε in L^%g (n: smallest with ‖f − f_n‖ ≤ ε/2; depth of the built network)", p)
			notes, err := plot.DepthVsEps(title, series, refs, out)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(os.Stdout, rows)
			}
			fmt.Printf("depth against ε (L^%g); every network built and its hidden layers counted; slope = least-squares fit of\nlog depth on log ε, theory −d; \"≠ formula\" marks a built depth other than d·n + 2n^d − 1:\n", p)
			fmt.Printf("  %-10s %-3s %-8s %s\n", "function", "d", "slope", "ε → n (built depth)")
			for _, r := range rows {
				var parts []string
				for _, pt := range r.Points {
					mark := ""
					if pt.Depth != pt.DepthFormula {
						mark = fmt.Sprintf(" ≠ formula %d", pt.DepthFormula)
					}
					parts = append(parts, fmt.Sprintf("%.3g→%d (%d%s)", pt.Eps, pt.N, pt.Depth, mark))
				}
				fmt.Printf("  %-10s %-3d %-8.3f %s\n", r.Function, r.D, r.Slope, strings.Join(parts, ", "))
			}
			for _, n := range notes {
				fmt.Printf("note: %s\n", n)
			}
			fmt.Printf("wrote %s\n", out)
			return nil
		},
	}
	cmd.Flags().StringVar(&functions, "functions", "gauss,kink,osc", "built-in functions (comma-separated)")
	cmd.Flags().StringVar(&dims, "dims", "1,2,3", "dimensions")
	cmd.Flags().Float64Var(&p, "p", 2, "the p of L^p")
	cmd.Flags().IntVar(&points, "points", 8, "number of ε values per line")
	cmd.Flags().IntVar(&nMin, "n-min", 0, "the largest ε is 2‖f − f_n‖ at this n (default 8, 16, 6 for d = 1, 2, 3)")
	cmd.Flags().IntVar(&nMax, "n-max", 0, "the smallest ε is 2‖f − f_n‖ at this n (default 512, 128, 20 for d = 1, 2, 3)")
	cmd.Flags().Int64Var(&maxDepth, "max-depth", 1_000_000, "refuse ε whose depth exceeds this")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the points as JSON")
	cmd.Flags().StringVarP(&out, "out", "o", "depth_vs_eps.png", "picture (.png or .svg)")
	return cmd
}
