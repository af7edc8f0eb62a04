package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/memnet/memnet/approx"
	"github.com/memnet/memnet/pipeline"
	"github.com/memnet/memnet/plot"
)

func init() { extraCommands = append(extraCommands, approxCmd) }

// approxFlags are the target-selection flags shared by approx and its
// subcommands.
type approxFlags struct {
	function, grid, box string
	d, outputs          int
}

func (a *approxFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&a.function, "function", "", "built-in test function: "+strings.Join(approx.Names(), ", "))
	cmd.Flags().StringVar(&a.grid, "grid", "", "CSV/CSV.gz/NPY grid of samples: columns x1..xd then f (header optional)")
	cmd.Flags().IntVar(&a.d, "d", 2, "input dimension of --function")
	cmd.Flags().IntVar(&a.outputs, "outputs", 1, "number of value columns of --grid (R^m-valued f)")
	cmd.Flags().StringVar(&a.box, "box", "", "box a1:b1,a2:b2,… (default: [−1,1]^d for --function, the grid's extent for --grid)")
}

func (a *approxFlags) target() (approx.Target, approx.Box, error) {
	var t approx.Target
	var err error
	switch {
	case a.function != "" && a.grid != "":
		return nil, nil, fmt.Errorf("give --function or --grid, not both")
	case a.function != "":
		t, err = approx.Named(a.function, a.d)
	case a.grid != "":
		t, err = approx.LoadGrid(a.grid, a.outputs)
	default:
		return nil, nil, fmt.Errorf("give --function NAME (%s) or --grid FILE", strings.Join(approx.Names(), ", "))
	}
	if err != nil {
		return nil, nil, err
	}
	var box approx.Box
	if a.box != "" {
		if box, err = approx.ParseBox(a.box); err != nil {
			return nil, nil, err
		}
	}
	return t, box, nil
}

func approxCmd() *cobra.Command {
	var af approxFlags
	var req approx.Request
	var out, plotPath string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "approx --function NAME | --grid FILE --n N | --eps E [--p P] [--box a1:b1,…] [--json] [-o net.mnet]",
		Short: "Build the Hernández–Zuazua width-(d+1) network approximating f in L^p, and measure its error",
		Long: `approx builds, exactly, the width-(d+1) ReLU network of the Hernández–Zuazua universal
approximation theorem as reconstructed in the specification §3 (docs/hz.md): the cell means
c_j of f on an n^d grid of the box, d·n width-(d+1) "flatten" layers that send every cell
core to its lattice point, then the width-2 HZ2 memorization of the lattice values
(width m+1 for R^m-valued f). Depth d·n + 2n^d − 1.

It reports width, depth (beside d·n + 2n^d − 1 and the summary's ‖f‖^d_{W^{1,p}} ε^{−d}
form), parameters, ‖θ‖₂², ‖θ‖_∞, the L^1 and L^2 errors ‖f − Φ‖_p by Monte Carlo on
--samples points drawn uniformly from the box (independent of the cells; a 95% interval),
and by Gauss–Legendre quadrature on every core and strip piece of every cell (Φ in
float64), split into ‖f − f_n‖_p and the strip term ‖f_n − Φ‖_p beside its bound, and
checks in exact arithmetic that Φ = c_j at three points of every cell core.

With --eps, n is the smallest with ‖f − f_n‖_p ≤ ε/2 (doubling, then bisection) and θ
makes the strip bound ≤ ε/2. Networks deeper than --max-depth are refused before
any work.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if plotPath != "" {
				if err := plot.CheckPath(plotPath); err != nil {
					return err
				}
			}
			t, box, err := af.target()
			if err != nil {
				return err
			}
			if plotPath != "" && t.Dim() > 2 {
				return fmt.Errorf("--plot: pictures are drawn for d = 1 (graphs) and d = 2 (heat maps), not d = %d", t.Dim())
			}
			req.Target, req.Box = t, box
			bars := func(what string, total int64) (func(int64), func()) { return progress(total, what) }
			rep, a, err := approx.Run(cmd.Context(), &req, bars)
			if err != nil {
				return err
			}
			if out != "" {
				if err := pipeline.ApproxModel(a, rep).Save(out); err != nil {
					return err
				}
			}
			var plotNotes []string
			if plotPath != "" {
				if plotNotes, err = pipeline.ApproxPicture(cmd.Context(), a, t, plotPath); err != nil {
					return err
				}
			}
			if asJSON {
				if err := printJSON(os.Stdout, rep); err != nil {
					return err
				}
			} else {
				printApprox(rep)
				if out != "" {
					fmt.Printf("wrote %s\n", out)
				}
				for _, n := range plotNotes {
					fmt.Printf("note: %s\n", n)
				}
				if plotPath != "" {
					fmt.Printf("wrote %s\n", plotPath)
				}
			}
			if rep.Cores != nil && !rep.Cores.Exact {
				return exitError{1}
			}
			return nil
		},
	}
	af.add(cmd)
	cmd.Flags().IntVar(&req.N, "n", 0, "cells per axis")
	cmd.Flags().Float64Var(&req.Eps, "eps", 0, "target L^p error: choose n (and θ) from it")
	cmd.Flags().Float64Var(&req.P, "p", 2, "the p of L^p (1 ≤ p < ∞) used with --eps; L^1 and L^2 are always reported")
	cmd.Flags().Float64Var(&req.Theta, "theta", 0, "strip fraction θ ∈ (0, 1/2) (default 2^-12 with --n, from the bound with --eps)")
	cmd.Flags().BoolVar(&req.Signed, "signed", false, "allow negative f: shift the cell means by a constant (reported), undone in the read-out")
	cmd.Flags().IntVar(&req.Quad, "quad", 0, "Gauss–Legendre nodes per axis on each core and strip piece for the error (default 4, fewer for d ≥ 4)")
	cmd.Flags().Int64Var(&req.MaxDepth, "max-depth", approx.DefaultMaxDepth, "refuse networks deeper than this")
	cmd.Flags().IntVar(&req.Samples, "samples", approx.DefaultSamples, "uniform points of the Monte Carlo error estimate")
	cmd.Flags().Uint64Var(&req.Seed, "seed", 1, "seed of the Monte Carlo points")
	cmd.Flags().BoolVar(&req.NoCheck, "no-check", false, "skip the exact check Φ = c_j on the cores")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	cmd.Flags().StringVarP(&out, "out", "o", "", "write the network (.mnet)")
	cmd.Flags().StringVar(&plotPath, "plot", "", "picture (.png/.svg): for d=1 the graphs of f, f_n and Φ; for d=2 heat maps of f, Φ and |f − Φ|")
	cmd.AddCommand(approxScalingCmd())
	return cmd
}

func printApprox(r *approx.Report) {
	fmt.Printf("approx: %s, box %s\n", r.Function, boxString(r.Box))
	fmt.Printf("  grid: n=%d cells per axis (%d cells), strip fraction θ_k = δ_k/h_k = %s", r.N, r.Cells, floatList(r.Theta))
	if r.Shift != 0 {
		fmt.Printf(", f shifted by +%.6g (undone in the read-out)", r.Shift)
	}
	fmt.Println()
	fmt.Printf("  network: width %d (d+1 = %d, m+1 = %d), depth %d = %d flatten + %d memorization; spec §3: d·n + 2n^d − 1 = %d\n",
		r.Width, r.D+1, r.M+1, r.Depth, r.DepthFlatten, r.DepthMemorize, r.DepthFormula)
	fmt.Printf("  params %d, max weight bits %d, ‖θ‖₂² = %.4g, ‖θ‖_∞ = %.4g\n", r.Params, r.MaxWeightBits, r.NormL2Squared, r.NormMax)
	if r.Sobolev > 0 {
		eps := "measured L^p error"
		if r.Eps > 0 {
			eps = "ε"
		}
		fmt.Printf("  summary's depth form ‖f‖^d_{W^{1,%g}} ε^{−d} = %.4g (‖f‖_{W^{1,%g}} ≈ %.4g, ε = %s; the paper's constant is unknown)\n", r.P, r.SummaryForm, r.P, r.Sobolev, eps)
	} else {
		fmt.Printf("  f is not in W^{1,p}: no depth rate is promised\n")
	}
	if r.Eps > 0 {
		fmt.Printf("  ε = %g: n chosen with ‖f − f_n‖_%g = %.4g ≤ ε/2, θ with strip bound ≤ ε/2\n", r.Eps, r.P, r.FnChoiceError)
	}
	if mc := r.MC; mc != nil {
		fmt.Printf("  error ‖f − Φ‖_p on %d independent uniform points (Monte Carlo, seed %d, %d in strips), %g%% CLT interval:\n", mc.Samples, mc.Seed, mc.StripHits, 100*mc.Level)
		for i, p := range mc.P {
			fmt.Printf("    p=%-3g %-12.5g [%.5g, %.5g]\n", p, mc.Estimate[i], mc.Lo[i], mc.Hi[i])
		}
	}
	e := r.Errors
	fmt.Printf("  errors by quadrature on the cells (%s):\n", r.Quadrature)
	fmt.Printf("    %-4s %-12s %-12s %-14s %-12s\n", "p", "‖f − Φ‖_p", "‖f − f_n‖_p", "strip ‖f_n − Φ‖_p", "strip bound")
	for i, p := range e.P {
		fmt.Printf("    %-4g %-12.5g %-12.5g %-17.4g %-12.4g\n", p, e.Total[i], e.FN[i], e.Strip[i], e.StripBound[i])
	}
	fmt.Printf("    (strip bound = (q_max + B)·(m·|S|)^{1/p}, B = %.4g bounds Φ on the box, |S| = %.3g the strips' measure;\n     max |Φ − c_j| at core nodes in float64: %.2g)\n", e.B, e.StripMeasure, e.MaxCoreDeviation)
	if c := r.Cores; c != nil {
		verdict := "EXACT"
		if !c.Exact {
			verdict = "NOT EXACT (" + c.FirstWrong + ")"
		}
		fmt.Printf("  cores: Φ = c_j in exact arithmetic at %d/%d points (lower corner, upper corner, centre of each of the %d cores): %s\n", c.Equal, c.Points, c.Cells, verdict)
	}
	fmt.Printf("  build %.3f s, error measurement %.3f s, exact core check %.3f s\n", r.BuildSeconds, r.MeasureSeconds, r.CheckSeconds)
}

// boxString writes a box as "[0, 2] × [−1, 1]".
func boxString(b [][2]float64) string {
	parts := make([]string, len(b))
	for i, iv := range b {
		parts[i] = fmt.Sprintf("[%g, %g]", iv[0], iv[1])
	}
	return strings.Join(parts, " × ")
}

// floatList writes numbers as "0.000244, 0.000244".
func floatList(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf("%.3g", x)
	}
	return strings.Join(parts, ", ")
}
