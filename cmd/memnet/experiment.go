package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/memnet/memnet/data"

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
			if err := o.Check(); err != nil {
				return err
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

func parseInts(flag, s string) ([]int, error) {
	var out []int
	for _, f := range splitList(s) {
		v, err := strconv.Atoi(f)
		if err != nil || v < 1 {
			return nil, fmt.Errorf("--%s %q: want positive integers", flag, s)
		}
		out = append(out, v)
	}
	return out, nil
}

// parseBudget reads "CxB,CxB,…" (channels × blocks).
func parseBudget(s string) ([][2]int, error) {
	var out [][2]int
	for _, f := range splitList(s) {
		cs, bs, ok := strings.Cut(f, "x")
		c, err1 := strconv.Atoi(cs)
		b, err2 := strconv.Atoi(bs)
		if !ok || err1 != nil || err2 != nil || c < 1 || b < 0 {
			return nil, fmt.Errorf("--budget %q: want CHANNELSxBLOCKS,… (e.g. 16x1,8x4)", s)
		}
		out = append(out, [2]int{c, b})
	}
	return out, nil
}

func parkDepthWidthCmd() *cobra.Command {
	var grid, widths, blocks, sets, fashionDir, digits, out, network, budget string
	var replot bool
	var o experiment.ParkOptions
	var n, nTest, pool int
	cmd := &cobra.Command{
		Use:   "park-depth-width [--grid small|default|paper-small] --out DIR",
		Short: "Park et al. §6: depth against width at equal parameter budgets (convolutional or dense residual networks); Figure 1 table, Figure 2 heat maps",
		Long: fmt.Sprintf(`park-depth-width trains residual networks for every width c and block count b of a
grid, and the Figure-1 list of architectures of about equal parameter count from
shallow-wide to deep-narrow, on subsets of Fashion-MNIST (28×28 images average-pooled
to 7×7) and of the 8×8 digits (standing in for MNIST), optionally with labels drawn
at random (the pure memorization test).

--grid paper-small (the primary variant) trains Park et al.'s Appendix A family:
convolutional residual networks (3×3 stem to c channels, b blocks
h ↦ ReLU(conv(ReLU(conv h)) + h), global average pooling, linear read-out) on the
first %d Fashion-MNIST training images for %d epochs (Park et al.'s epoch count on
CIFAR-10), with Park et al.'s optimizer (SGD, momentum 0.9, batch 64, lr 0.1 with
×0.1 steps at 30%% and 70%% of the iterations, weight decay 1e-4), 3 trials per
architecture (docs/train.md gives the time it takes and the results).

--grid small and default train the second variant, residual MLPs (dense layers in
place of the convolutions: stem d → c, b blocks h ↦ ReLU(W₂ReLU(W₁h+b₁)+b₂+h),
read-out), with learning rate 0.02 (0.1 sends 33-layer residual MLPs without
normalization to chance level), one trial.

Training accuracy is the saved network's, by the exact verifier. Writes
DIR/park_depth_width.csv, DIR/park_<dataset>_train.png / _test.png heat maps (rows b,
columns c: the paper's Figure 2) and DIR/park_<dataset>_figure1.png (the budget
architectures with ± one standard deviation over the trials: Figure 1), and prints
the grids and the Figure-1 table. --widths, --blocks, --budget, --n, --epochs,
--lr and --trials override the grid's values.`, experiment.ParkPaperN, experiment.ParkPaperEpochs),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			g, ok := experiment.ParkGrids[grid]
			if !ok {
				return fmt.Errorf("--grid %q: want small, default or paper-small", grid)
			}
			pick := func(flag, val, def string) string {
				if cmd.Flags().Changed(flag) {
					return val
				}
				return def
			}
			var err error
			if o.Widths, err = parseInts("widths", pick("widths", widths, g.Widths)); err != nil {
				return err
			}
			if o.Blocks, err = parseInts("blocks", pick("blocks", blocks, g.Blocks)); err != nil {
				return err
			}
			if !cmd.Flags().Changed("n") {
				n = g.N
			}
			if !cmd.Flags().Changed("test") {
				nTest = g.Test
			}
			if !cmd.Flags().Changed("epochs") {
				o.Epochs = g.Epochs
			}
			if !cmd.Flags().Changed("lr") {
				o.LR = g.LR
			}
			if !cmd.Flags().Changed("trials") {
				o.Trials = g.Trials
			}
			switch network := pick("network", network, map[bool]string{true: "conv", false: "mlp"}[g.Conv]); network {
			case "conv":
				o.Conv = true
			case "mlp":
			default:
				return fmt.Errorf("--network %q: want conv or mlp", network)
			}
			if o.Budget, err = parseBudget(pick("budget", budget, g.Budget)); err != nil {
				return err
			}
			if n < 1 || nTest < 0 || pool < 1 || o.Epochs < 1 || o.Batch < 1 || o.Trials < 1 || o.Trials > 1000 || !(o.LR > 0) || !(o.Lambda >= 0) {
				return fmt.Errorf("--n %d, --test %d, --pool %d, --epochs %d, --batch %d, --trials %d, --lr %g, --lambda %g: want n, pool, epochs, batch ≥ 1, test ≥ 0, 1 ≤ trials ≤ 1000, lr > 0, lambda ≥ 0", n, nTest, pool, o.Epochs, o.Batch, o.Trials, o.LR, o.Lambda)
			}
			if replot {
				return parkReplot(out, o)
			}
			var fashion, fashionTest, dig *data.Dataset
			for _, name := range splitList(pick("datasets", sets, g.Sets)) {
				random := false
				base := name
				if b, ok := strings.CutSuffix(name, "-random"); ok {
					base, random = b, true
				}
				var s experiment.ParkSet
				switch base {
				case "fashion":
					if fashion == nil {
						dir := fashionDir
						if fashion, err = data.Load(data.LoadOptions{Path: filepath.Join(dir, "train-images-idx3-ubyte.gz"), Labels: filepath.Join(dir, "train-labels-idx1-ubyte.gz")}); err != nil {
							return err
						}
						if fashionTest, err = data.Load(data.LoadOptions{Path: filepath.Join(dir, "t10k-images-idx3-ubyte.gz"), Labels: filepath.Join(dir, "t10k-labels-idx1-ubyte.gz")}); err != nil {
							return err
						}
					}
					s, err = experiment.Subset(name, fashion, fashionTest, n, nTest, random, pool, o.Seed)
				case "digits":
					if dig == nil {
						if dig, err = data.Load(data.LoadOptions{Path: digits}); err != nil {
							return err
						}
					}
					m := min(n, dig.N()*2/3)
					test := &data.Dataset{Name: dig.Name, X: dig.X[m:], Y: dig.Y[m:], Classes: dig.Classes}
					s, err = experiment.Subset(name, dig, test, m, nTest, random, 1, o.Seed)
				default:
					return fmt.Errorf("--datasets: unknown %q (want fashion, digits, each optionally with -random)", name)
				}
				if err != nil {
					return err
				}
				o.Sets = append(o.Sets, s)
			}
			if len(o.Sets) == 0 {
				return fmt.Errorf("--datasets: none given")
			}
			if err := o.Check(); err != nil {
				return err
			}
			if err := os.MkdirAll(out, 0o755); err != nil {
				return err
			}
			cells := len(o.Sets) * (len(o.Widths)*len(o.Blocks) + len(o.Budget))
			bar, done := progress(int64(cells), "park-depth-width cells")
			if bar != nil {
				o.Progress = func(d, _ int) { bar(int64(d)) }
			}
			res, err := experiment.ParkDepthWidth(cmd.Context(), o)
			done()
			if err != nil {
				return err
			}
			csv := filepath.Join(out, "park_depth_width.csv")
			if err := writeFile(csv, func(b *bytes.Buffer) error { return res.WriteCSV(b) }); err != nil {
				return err
			}
			pngs, err := parkPictures(res, out)
			if err != nil {
				return err
			}
			if err := res.PrintTables(os.Stdout); err != nil {
				return err
			}
			fmt.Printf("wrote %s and %s\n", csv, strings.Join(pngs, ", "))
			return nil
		},
	}
	cmd.Flags().StringVar(&grid, "grid", "default", "small, default or paper-small")
	cmd.Flags().StringVar(&network, "network", "", "conv (Park et al.'s convolutional residual networks) or mlp (residual MLPs) (default: the grid's: conv for paper-small)")
	cmd.Flags().StringVar(&budget, "budget", "", "Figure-1 architectures CHANNELSxBLOCKS,… of about equal parameter count, trained besides the grid (default: the grid's)")
	cmd.Flags().StringVar(&widths, "widths", "", "widths c (overrides the grid's)")
	cmd.Flags().StringVar(&blocks, "blocks", "", "residual block counts b (overrides the grid's)")
	cmd.Flags().StringVar(&sets, "datasets", "", "fashion, fashion-random, digits, digits-random (default: the grid's)")
	cmd.Flags().IntVar(&n, "n", 0, "training points per dataset (default: the grid's)")
	cmd.Flags().IntVar(&nTest, "test", 0, "test points per dataset (default: the grid's)")
	cmd.Flags().IntVar(&o.Epochs, "epochs", 0, "epochs (default: the grid's)")
	cmd.Flags().IntVar(&o.Batch, "batch", 64, "mini-batch size (Park et al.: 64)")
	cmd.Flags().Float64Var(&o.LR, "lr", 0, "initial learning rate (default: the grid's: 0.1 for paper-small, as Park et al.; 0.02 for the MLP grids, since 0.1 sends deep residual MLPs without normalization to chance level)")
	cmd.Flags().Float64Var(&o.Lambda, "lambda", 5e-5, "λ of λ‖θ‖² (PyTorch weight decay 2λ; Park et al.: 1e-4)")
	cmd.Flags().IntVar(&o.Trials, "trials", 0, "independent trials per cell, averaged (default: the grid's: 3 for paper-small, as Park et al.; 1 for the MLP grids)")
	cmd.Flags().IntVar(&pool, "pool", 4, "Fashion-MNIST: average-pool k×k blocks (4: 28×28 → 7×7; 1: none)")
	cmd.Flags().Uint64Var(&o.Seed, "seed", 1, "seed for initialization, shuffling and random labels")
	cmd.Flags().StringVar(&fashionDir, "fashion", "/usr/share/datasets/fashion-mnist", "directory of the Fashion-MNIST IDX files")
	cmd.Flags().StringVar(&digits, "digits", "testdata/digits.csv.gz", "the 8×8 digits CSV")
	cmd.Flags().StringVar(&out, "out", "park-depth-width", "output directory")
	cmd.Flags().BoolVar(&replot, "replot", false, "train nothing: draw the heat maps and Figure 1 again from DIR/park_depth_width.csv (grid and budget from the flags)")
	return cmd
}

// parkReplot draws the pictures of a finished grid again from its CSV.
func parkReplot(out string, o experiment.ParkOptions) error {
	csv := filepath.Join(out, "park_depth_width.csv")
	f, err := os.Open(csv)
	if err != nil {
		return err
	}
	defer f.Close()
	res, err := experiment.ReadParkCSV(f, csv, o)
	if err != nil {
		return err
	}
	pngs, err := parkPictures(res, out)
	if err != nil {
		return err
	}
	if err := res.PrintFigure1(os.Stdout); err != nil {
		return err
	}
	fmt.Printf("wrote %s\n", strings.Join(pngs, ", "))
	return nil
}

// parkPictures writes a grid's heat maps and Figure-1 charts into out.
func parkPictures(res *experiment.ParkResult, out string) ([]string, error) {
	pngs, err := res.HeatMaps(func(set, kind string) string { return filepath.Join(out, fmt.Sprintf("park_%s_%s.png", set, kind)) })
	if err != nil {
		return nil, err
	}
	figs, err := res.Figure1(func(set string) string { return filepath.Join(out, fmt.Sprintf("park_%s_figure1.png", set)) })
	return append(pngs, figs...), err
}
