package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
	"github.com/memnet/memnet/pipeline"
	"github.com/memnet/memnet/train"
)

func init() { extraCommands = append(extraCommands, trainCmd) }

// epochBar draws a progress bar over epochs (with loss and accuracy) on a
// terminal; it returns nil callbacks when standard error is not one.
func epochBar(epochs int) (func(train.Progress), func()) {
	if !term.IsTerminal(int(os.Stderr.Fd())) || epochs < 1 {
		return nil, func() {}
	}
	bar := progressbar.NewOptions(epochs,
		progressbar.OptionSetWriter(os.Stderr),
		progressbar.OptionSetDescription("training"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100_000_000),
		progressbar.OptionClearOnFinish(),
	)
	return func(p train.Progress) {
		bar.Describe(fmt.Sprintf("epoch %d/%d  loss %.4g  train acc %.2f%%", p.Epoch, p.Epochs, p.Loss, 100*p.Accuracy))
		_ = bar.Set(p.Epoch)
	}, func() { _ = bar.Finish() }
}

// trainFlags are the optimizer flags shared by train and the experiments.
type trainFlags struct {
	optimizer, loss, milestones string
	epochs, batch               int
	lr, lambda, momentum        float64
	seed                        uint64
	dtype                       string
}

func (f *trainFlags) add(cmd *cobra.Command, epochs int) {
	cmd.Flags().StringVar(&f.optimizer, "optimizer", "adam", "adam, sgd (momentum, step schedule) or lbfgs (full batch)")
	cmd.Flags().StringVar(&f.loss, "loss", "ce", "ce (cross-entropy) or squared")
	cmd.Flags().IntVar(&f.epochs, "epochs", epochs, "passes over the data (lbfgs: iterations)")
	cmd.Flags().IntVar(&f.batch, "batch", 128, "mini-batch size (0 = full batch)")
	cmd.Flags().Float64Var(&f.lr, "lr", 0, "learning rate (0 = 0.1 for sgd, 1e-3 for adam)")
	cmd.Flags().Float64Var(&f.lambda, "lambda", 0, "λ of the regularizer λ‖θ‖² on every parameter (PyTorch weight_decay w is λ = w/2)")
	cmd.Flags().Float64Var(&f.momentum, "momentum", 0.9, "sgd momentum")
	cmd.Flags().StringVar(&f.milestones, "milestones", "0.3,0.7", "sgd: fractions of the epochs at which the learning rate is multiplied by 0.1 (Park et al. App. A)")
	cmd.Flags().Uint64Var(&f.seed, "seed", 1, "seed for the initial weights and the shuffling")
	cmd.Flags().StringVar(&f.dtype, "dtype", "float64", "float64 or float32")
}

func (f *trainFlags) config() (train.Config, bool, error) {
	var c train.Config
	opt, err := train.ParseOptimizer(f.optimizer)
	if err != nil {
		return c, false, err
	}
	c = train.Config{Optimizer: opt, Epochs: f.epochs, Batch: f.batch, LR: f.lr, Lambda: f.lambda, Momentum: f.momentum, Seed: f.seed}
	switch f.loss {
	case "ce", "cross-entropy":
	case "squared", "mse":
		c.Loss = train.Squared
	default:
		return c, false, fmt.Errorf("--loss %q: want ce or squared", f.loss)
	}
	for _, m := range splitList(f.milestones) {
		v, err := strconv.ParseFloat(m, 64)
		if err != nil || v < 0 || v > 1 {
			return c, false, fmt.Errorf("--milestones %q: want fractions in [0,1]", f.milestones)
		}
		c.Milestones = append(c.Milestones, v)
	}
	switch f.dtype {
	case "float64":
		return c, false, nil
	case "float32":
		return c, true, nil
	}
	return c, false, fmt.Errorf("--dtype %q: want float64 or float32", f.dtype)
}

func trainCmd() *cobra.Command {
	var df dataFlags
	var tf trainFlags
	var hidden, init, out string
	var blocks int
	var scalar, asJSON bool
	cmd := &cobra.Command{
		Use:   "train --data FILE --hidden 64,64 [--blocks B] --epochs N [--lambda X] [--optimizer adam|sgd|lbfgs] -o NET.mnet",
		Short: "Train a ReLU MLP (or residual MLP) by gradient descent, save it exactly and verify it exactly",
		Long: `train fits a ReLU network to the data by gradient descent on
J(θ) = E(θ) + λ‖θ‖² (E: mean cross-entropy, or squared error), saves it as
.mnet with every float weight written exactly (a float is a dyadic rational),
and reports the exact training accuracy by memnet's exact verifier — not only
the float one. Inputs are standardized inside the first layer, so the saved
network reads raw data. --blocks B appends B residual blocks
h ↦ ReLU(W₂ReLU(W₁h+b₁)+b₂+h) of the last hidden width (each is two layers in
the saved file). --init NET.mnet warm-starts from any network whose layers are
ReLU/identity (e.g. a Hernández–Zuazua build); --scalar trains one output
against the class index with the squared loss. Same seed, same file. The
exit status is 0 whether or not the network memorizes (see the report).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, f32, err := tf.config()
			if err != nil {
				return err
			}
			hs, err := train.ParseWidths(hidden)
			if err != nil {
				return err
			}
			ds, err := df.load()
			if err != nil {
				return err
			}
			spec := train.Spec{Hidden: hs, Blocks: blocks, Scalar: scalar, Float32: f32, Config: cfg}
			if init != "" {
				if len(hs) > 0 || blocks > 0 || scalar {
					return fmt.Errorf("--init %s: the network's own layers are trained; drop --hidden, --blocks and --scalar", init)
				}
				if spec.Init, err = nn.Load(init); err != nil {
					return fmt.Errorf("%s: %v", init, err)
				}
			} else if len(hs) == 0 {
				return fmt.Errorf("--hidden: give at least one hidden width (e.g. --hidden 64,64), or --init NET.mnet")
			}
			if scalar {
				spec.Config.Loss = train.Squared
			}
			bar, done := epochBar(cfg.Epochs)
			spec.Config.Progress = bar
			// the verification's bar replaces the epochs' at its first report
			var once sync.Once
			vbar, vdone := func(int64) {}, func() {}
			spec.VerifyProgress = func(d int64) {
				once.Do(func() {
					done()
					if b, f := progress(int64(ds.N()), "exact verification"); b != nil {
						vbar, vdone = b, f
					}
				})
				vbar(d)
			}
			o, err := train.Fit(cmd.Context(), ds, spec)
			done()
			vdone()
			if err != nil {
				return err
			}
			if err := o.Model.Save(out); err != nil {
				return err
			}
			if asJSON {
				return printJSON(os.Stdout, struct {
					Out     string            `json:"out"`
					Params  int               `json:"params"`
					Depth   int               `json:"depth"`
					Width   int               `json:"width"`
					Options map[string]string `json:"options"`
					*train.Result
					*train.Exact
				}{out, o.Params, o.Depth, o.Width, o.Model.Options, o.Result, o.Exact})
			}
			printTrained(ds.Name, ds.N(), o)
			fmt.Printf("wrote %s\n", out)
			return nil
		},
	}
	df.add(cmd, true)
	tf.add(cmd, 100)
	cmd.Flags().StringVar(&hidden, "hidden", "", "hidden widths, comma-separated (e.g. 64,64)")
	cmd.Flags().IntVar(&blocks, "blocks", 0, "residual blocks of the last hidden width after the hidden layers")
	cmd.Flags().StringVar(&init, "init", "", "warm start from this network (.mnet, ReLU/identity layers)")
	cmd.Flags().BoolVar(&scalar, "scalar", false, "one output trained with the squared loss against the class index")
	cmd.Flags().StringVarP(&out, "out", "o", "", "network file to write (.mnet)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the summary as JSON")
	_ = cmd.MarkFlagRequired("out")
	return cmd
}

func printTrained(name string, n int, o *train.Outcome) {
	r, e := o.Result, o.Exact
	opts := o.Model.Options
	fmt.Printf("trained network for %s: N=%d distinct points\n", name, n)
	// params as inspect counts them (nonzero weights + biases of the saved
	// network), beside the architecture's trained parameters
	fmt.Printf("  width %d, depth %d (saved layers), params %d (nonzero, as inspect counts; %d trained)\n", o.Width, o.Depth, o.Model.Net.Stats().Params, o.Params)
	fmt.Printf("  %s, %s loss, %s epochs, batch %s, lr %s, λ %s, %s, seed %s\n",
		opts["optimizer"], opts["loss"], opts["epochs"], opts["batch"], opts["lr"], opts["lambda"], opts["dtype"], opts["seed"])
	fmt.Printf("  loss E = %.6g, objective J = E + λ‖θ‖² = %.6g, ‖θ‖² = %.6g\n", r.Loss, r.J, r.Norm2)
	fmt.Printf("  float training accuracy %d/%d (%.2f%%)\n", r.FloatCorrect, n, 100*float64(r.FloatCorrect)/float64(n))
	verdict := "memorizes every point"
	if !e.Exact {
		verdict = "does NOT memorize every point"
	}
	fmt.Printf("  exact training accuracy %d/%d (%.2f%%): %s (%s, %.2f s)\n", e.Correct, e.Points, 100*float64(e.Correct)/float64(e.Points), verdict, e.Evaluator, e.Seconds)
	if r.Epochs > 0 {
		what := "epochs"
		if opts["optimizer"] == "lbfgs" {
			what = "L-BFGS iterations"
		}
		fmt.Printf("  trained in %.2f s (%d %s, %.4g s each)\n", r.Seconds, r.Epochs, what, r.EpochSeconds)
	}
}

// trainCompareFlags are compare's --train flags.
type trainCompareFlags struct {
	on     bool
	layers string
	epochs int
	budget time.Duration
	seed   uint64
}

func (f *trainCompareFlags) add(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&f.on, "train", false, "add trained rows: the smallest MLP (hidden width searched) reaching 100% exact training accuracy")
	cmd.Flags().StringVar(&f.layers, "train-layers", "1,2", "--train: hidden-layer counts, one row each (train-mlpL)")
	cmd.Flags().IntVar(&f.epochs, "train-epochs", 200, "--train: most epochs of one training run")
	cmd.Flags().DurationVar(&f.budget, "train-budget", 5*time.Minute, "--train: wall-time budget of each row's search")
	cmd.Flags().Uint64Var(&f.seed, "train-seed", 1, "--train: seed of the initial weights and the shuffling")
}

// rows returns the trained rows when --train is set.
func (f *trainCompareFlags) rows(cmd *cobra.Command, ds *data.Dataset, verbose bool) []pipeline.CompareRow {
	if !f.on {
		return nil
	}
	o := pipeline.TrainCompareOptions{Epochs: f.epochs, Budget: f.budget, Seed: f.seed}
	for _, s := range splitList(f.layers) {
		l, err := strconv.Atoi(s)
		if err != nil || l < 1 {
			return []pipeline.CompareRow{{Method: "train", Dataset: ds.Name, N: ds.N(), Error: fmt.Sprintf("--train-layers %q: want positive integers", f.layers)}}
		}
		o.Layers = append(o.Layers, l)
	}
	if verbose && progressOn() {
		// status on a terminal only (quiet when piped, as the bars are)
		o.Progress = func(m string, w int) { fmt.Fprintf(os.Stderr, "%s: training hidden width %d and verifying...\n", m, w) }
	}
	return pipeline.TrainRows(cmd.Context(), ds, o)
}
