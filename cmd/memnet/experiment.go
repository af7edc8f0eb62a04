package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/memnet/memnet/train/experiment"
)

func init() { extraCommands = append(extraCommands, experimentCmd) }

func experimentCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "experiment NAME",
		Short: "Run the papers' training experiments (hz-lambda, park-depth-width)",
	}
	cmd.AddCommand(hzLambdaCmd(), parkDepthWidthCmd())
	return cmd
}

func parseFloats(flag, s string) ([]float64, error) {
	var out []float64
	for _, f := range splitList(s) {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil || !(v > 0) {
			return nil, fmt.Errorf("--%s %q: want positive numbers", flag, s)
		}
		out = append(out, v)
	}
	return out, nil
}

func writeFile(path string, write func(*bytes.Buffer) error) error {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

func hzLambdaCmd() *cobra.Command {
	var df dataFlags
	var o experiment.HZOptions
	var lambdas, out string
	cmd := &cobra.Command{
		Use:   "hz-lambda [--n 8 | --data FILE] [--lambdas 1e-2,...,1e-8] [--steps 20000] --out DIR",
		Short: "Hernández–Zuazua §4: regularized training from the explicit interpolant θ* as λ → 0",
		Long: `hz-lambda builds θ* with the HZ2 construction (width 2, depth 2N−1, exact rational
weights, no snap block; two spirals with --n points unless --data is given), then for
each λ trains J_λ(θ) = E(θ) + λ‖θ‖² (squared loss against the class index, full-batch
Adam keeping the best iterate, optionally L-BFGS after it) from θ*, from θ* + relative
noise, from --random He initializations, and by continuation (each λ from the previous
λ's result). It writes DIR/hz_lambda.csv, DIR/hz_lambda_loss.png (E against λ with
the bound λ‖θ*‖²) and DIR/hz_lambda_norm.png (‖θ_λ‖² with ‖θ*‖²), prints the table
and says for each start whether E ≤ λ‖θ*‖² and ‖θ_λ‖ ≤ ‖θ*‖ held and whether every
trained network still memorizes, by the exact verifier. Random starts that collapse
to a constant are reported as such.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if o.Lambdas, err = parseFloats("lambdas", lambdas); err != nil {
				return err
			}
			if df.path != "" {
				if o.Data, err = df.load(); err != nil {
					return err
				}
			} else if o.N < 2 {
				return fmt.Errorf("--n %d: want at least 2 points", o.N)
			}
			if err := os.MkdirAll(out, 0o755); err != nil {
				return err
			}
			runs := len(o.Lambdas) * (3 + o.Random)
			bar, done := progress(int64(runs), "hz-lambda runs")
			if bar != nil {
				o.Progress = func(d, _ int) { bar(int64(d)) }
			}
			res, err := experiment.HZLambda(cmd.Context(), o)
			done()
			if err != nil {
				return err
			}
			csv := filepath.Join(out, "hz_lambda.csv")
			if err := writeFile(csv, func(b *bytes.Buffer) error { return res.WriteCSV(b) }); err != nil {
				return err
			}
			lossPNG, normPNG := filepath.Join(out, "hz_lambda_loss.png"), filepath.Join(out, "hz_lambda_norm.png")
			notes, err := res.Plots(lossPNG, normPNG)
			if err != nil {
				return err
			}
			if err := res.PrintTable(os.Stdout); err != nil {
				return err
			}
			for _, n := range notes {
				fmt.Printf("plot note: %s\n", n)
			}
			fmt.Printf("wrote %s, %s, %s\n", csv, lossPNG, normPNG)
			return nil
		},
	}
	df.add(cmd, false)
	cmd.Flags().IntVar(&o.N, "n", 8, "points on the two spirals (without --data)")
	cmd.Flags().StringVar(&lambdas, "lambdas", "1e-2,1e-3,1e-4,1e-5,1e-6,1e-7,1e-8", "regularization weights λ, largest first")
	cmd.Flags().IntVar(&o.Steps, "steps", 20000, "full-batch Adam steps per run")
	cmd.Flags().Float64Var(&o.LR, "lr", 1e-3, "Adam learning rate")
	cmd.Flags().IntVar(&o.LBFGS, "lbfgs", 0, "L-BFGS iterations after Adam (0 = none)")
	cmd.Flags().IntVar(&o.Random, "random", 3, "random He initializations per λ")
	cmd.Flags().Float64Var(&o.Noise, "noise", 1e-3, "relative noise of the θ*+noise start")
	cmd.Flags().Uint64Var(&o.Seed, "seed", 1, "seed for the data, the projection, the noise and the random inits")
	cmd.Flags().StringVar(&out, "out", "hz-lambda", "output directory")
	return cmd
}

func parkDepthWidthCmd() *cobra.Command {
	return &cobra.Command{Use: "park-depth-width", Short: "Park et al. §6: deep-narrow vs shallow-wide residual MLPs at equal parameters", Hidden: true}
}
