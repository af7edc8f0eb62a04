package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/memnet/memnet/limits"
	"github.com/memnet/memnet/pipeline"
	"github.com/memnet/memnet/verdict"
)

func verifyCmd() *cobra.Command {
	var df dataFlags
	var ia inputAffineFlags
	var asJSON, regression, verbose bool
	var eps float64
	var shard, out string
	var floatSample int
	cmd := &cobra.Command{
		Use:   "verify NET.mnet --data FILE",
		Short: "Check a network on every point in exact arithmetic (exit status 0 only if all are right)",
		Long: `verify checks a network on every distinct point of the data in exact arithmetic
(exit status 0 only if all are right) and counts what float64 and float32 get right.

With --shard i/k it judges only the points whose exact coordinates hash to i mod k
(repeated and conflicting rows land in one shard) and writes a partial verdict
(JSON: the network's SHA-256, the data's fingerprint and the fingerprint of the
shard's rows) to -o; "memnet verify merge" joins the partial verdicts of every shard
into the whole file's verdict, checking that the shards' rows add up to the data's.`,
		Example: `  memnet verify iris.mnet --data iris.csv
  memnet verify iris.mnet --data iris.csv --shard 0/2 --json -o part-0.json
  memnet verify iris.mnet --data iris.csv --shard 1/2 --json -o part-1.json
  memnet verify merge part-0.json part-1.json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			crit, err := criterion(cmd, regression, eps)
			if err != nil {
				return err
			}
			var sh verdict.Shard
			if cmd.Flags().Changed("shard") {
				var err error
				if sh, err = verdict.ParseShard(shard); err != nil {
					return err
				}
				if out == "" || !asJSON {
					return errors.New("--shard writes a partial verdict: give --json and -o FILE")
				}
			} else if out != "" {
				return errors.New("-o applies to --shard (the verdict is printed)")
			}
			model, err := loadModel(args[0])
			if err != nil {
				return err
			}
			if model, err = ia.apply(model); err != nil {
				return err
			}
			ds, err := df.load()
			if err != nil {
				return err
			}
			safeDataset(ds) // label names are printed
			report, done := phases("verifying")
			opt := pipeline.VerifyOptions{Criterion: crit, Report: report, FloatSample: floatSample}
			if sh.Count > 0 {
				p, err := pipeline.VerifyShard(cmd.Context(), model, ds, sh, opt)
				done()
				if err != nil {
					return err
				}
				return writeFile(out, func(b *bytes.Buffer) error { return p.WriteJSON(b) })
			}
			v, err := pipeline.Verify(cmd.Context(), model, ds, opt)
			done()
			if err != nil {
				return err
			}
			if !v.Regression {
				// with --float-sample the certificates cover the same
				// sampled points (each certificate states its count)
				xs, index := ds.X, []int(nil)
				if floatSample > 0 && ds.N() > floatSample {
					xs, index = make([][]float64, floatSample), make([]int, floatSample)
					for k := range xs {
						index[k] = int(int64(k) * int64(ds.N()) / int64(floatSample))
						xs[k] = ds.X[index[k]]
					}
				}
				if v.Certificates, err = pipeline.Certificates(cmd.Context(), model.Net, xs, index, false); err != nil {
					return err
				}
			}
			err = printVerdict(v, model.Classes, asJSON, verbose)
			if !asJSON && !v.Regression && model.Method == "import" { // printing only: the verdict is the engine's
				if e := printFloatComparison(cmd, model, ds); e != nil {
					return e
				}
			}
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the verdict as JSON")
	cmd.Flags().BoolVar(&regression, "regression", false, "judge as regression: labels are real targets, |f(x) − target| ≤ --eps at every point (default: classification)")
	cmd.Flags().Float64Var(&eps, "eps", 0, "with --regression: the tolerance, in (0, 1]")
	cmd.Flags().StringVar(&shard, "shard", "", "judge only shard i/k of the points and write a partial verdict (with --json -o FILE)")
	cmd.Flags().StringVarP(&out, "out", "o", "", "with --shard: the partial verdict file to write")
	cmd.Flags().IntVar(&floatSample, "float-sample", 0, "judge the float views on at most this many evenly spaced points (0 = all; the exact verdict covers every point)")
	addVerbose(cmd, &verbose)
	ia.add(cmd)
	df.add(cmd, true)
	cmd.AddCommand(verifyMergeCmd())
	return cmd
}

func verifyMergeCmd() *cobra.Command {
	var asJSON, verbose bool
	cmd := &cobra.Command{
		Use:   "merge PART.json...",
		Short: "Join the partial verdicts of every shard (verify --shard) into the whole data's verdict",
		Long: `merge reads the partial verdicts "memnet verify --shard i/k --json -o FILE" wrote for
i = 0..k-1, checks that they name the same network and data (SHA-256) and criterion and
that their shards are disjoint and complete, and prints the verdict, JSON and exit status
verify gives on the whole data (timings are the shards' sums).

merge trusts the partials' counts: it evaluates no point again. It refuses partials that
are inconsistent — counts above the shard's points, a verdict or a list of wrong points
that disagrees with the counts, a shard given twice or missing, or different network or
data hashes, shard counts, criteria or labels — but a partial whose writer lied about
its own points in a consistent way is not detected: run "memnet verify --shard i/k"
again on any shard you do not trust.`,
		Example: `  memnet verify merge part-*.json`,
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			parts := make([]*verdict.Partial, len(args))
			for i, a := range args {
				f, err := os.Open(a)
				if err != nil {
					return err
				}
				parts[i], err = verdict.ReadPartial(io.LimitReader(f, limits.InputBytes()), a)
				f.Close()
				if err != nil {
					return err
				}
			}
			v, err := verdict.Merge(parts)
			if err != nil {
				return err
			}
			return printVerdict(v, parts[0].Classes, asJSON, verbose)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the verdict as JSON")
	addVerbose(cmd, &verbose)
	return cmd
}

// criterion is the criterion the command line states: classification,
// or regression with --regression --eps E.
func criterion(cmd *cobra.Command, regression bool, eps float64) (verdict.Criterion, error) {
	switch {
	case regression && !cmd.Flags().Changed("eps"):
		return verdict.Criterion{}, errors.New("--regression needs the tolerance: give --eps E")
	case !regression && cmd.Flags().Changed("eps"):
		return verdict.Criterion{}, errors.New("--eps is the regression tolerance: give --regression too")
	case regression && !(eps > 0 && eps <= 1):
		return verdict.Criterion{}, fmt.Errorf("--eps %g: want a number in (0, 1]", eps)
	}
	return verdict.Criterion{Regression: regression, Eps: eps}, nil
}

// printVerdict prints v (as JSON with asJSON) and returns exit status 1
// unless it is exact.
func printVerdict(v *pipeline.Verified, classes []string, asJSON, verbose bool) error {
	if asJSON {
		if err := printJSON(os.Stdout, v); err != nil {
			return err
		}
	} else if v.Regression {
		head := "WITHIN EPS"
		if !v.Exact {
			head = "NOT WITHIN EPS"
		}
		fmt.Printf("%s: regression (--regression), largest |f(x) − target| ≤ %v over %d distinct points (eps %v)\n", head, v.MaxError, v.DistinctPoints, v.Eps)
		fmt.Printf("  %s, %.3f s\n", v.Evaluator, v.Seconds)
	} else if verbose {
		printClassification(v, classes)
	} else {
		printVerifyShort(v, v.Certificates, classes)
	}
	if v.FileClaim != "" && !asJSON {
		fmt.Printf("  the network file claims %s (the file's claim, which decides nothing: the criterion is the command line's, --regression --eps E)\n", v.FileClaim)
	}
	if !v.Exact {
		return exitError{1}
	}
	return nil
}

// printClassification prints a classification verdict.
func printClassification(v *pipeline.Verified, classes []string) {
	fmt.Println(verifyHeadline(v))
	if len(v.UnknownLabels) > 0 {
		fmt.Printf("  labels the network has no class for: %s (the network's classes: %s)\n", strings.Join(v.UnknownLabels, ", "), strings.Join(classes, ", "))
	}
	interval := v.Proof == "interval arithmetic"
	if interval {
		fmt.Printf("  points %d (distinct %d)\n", v.Points, v.DistinctPoints)
	} else {
		fmt.Printf("  points %d (distinct %d), exact outputs equal to the label: %d\n", v.Points, v.DistinctPoints, v.ExactEqual)
	}
	fc := floatChecked(v)
	fmt.Printf("  float64 correct %d/%d (bit-exact %d), float32 correct %d/%d%s\n",
		v.Float64Correct, fc, v.Float64BitExact, v.Float32Correct, fc, floatSampleNote(v))
	if fw := v.FloatWeights; fw != nil {
		fmt.Printf("  weights not exact in float64: %d (%d overflow to ±Inf), in float32: %d (%d overflow)\n",
			fw.Float64Rounded, fw.Float64Overflow, fw.Float32Rounded, fw.Float32Overflow)
		if fw.Float64Note != "" {
			fmt.Printf("  float64 0/%d without evaluation: %s\n", v.DistinctPoints, fw.Float64Note)
		}
		if fw.Float32Note != "" {
			fmt.Printf("  float32 0/%d without evaluation: %s\n", v.DistinctPoints, fw.Float32Note)
		}
	}
	if v.Float64Correct < fc || v.Float32Correct < fc {
		fmt.Println(floatNote)
	}
	phase := "exact"
	if interval {
		phase = "interval check"
	}
	fmt.Printf("  %s %.3f s (%s), float %.3f s\n", phase, v.ExactSeconds, v.Evaluator, v.FloatSeconds)
	fmt.Println("  (float counts: evaluated in our summation order; a PROVEN certificate below holds for every order)")
	for _, c := range v.Certificates {
		fmt.Printf("  %s\n", c.Summary())
	}
	for _, w := range v.Wrong {
		fmt.Println("  " + wrongLine(w))
	}
}

// floatChecked is the number of points the float views were judged on:
// every distinct point, or the --float-sample.
func floatChecked(v *pipeline.Verified) int {
	if v.FloatChecked > 0 {
		return v.FloatChecked
	}
	return v.DistinctPoints
}

// floatSampleNote says the float views (and certificates) cover a sample, or is empty.
func floatSampleNote(v *pipeline.Verified) string {
	if v.FloatChecked > 0 && v.FloatChecked < v.DistinctPoints {
		return fmt.Sprintf(" (float views and certificates on %d evenly spaced points of %d, --float-sample; the exact verdict covers all)", v.FloatChecked, v.DistinctPoints)
	}
	return ""
}

// floatNote explains float counts below the number of points, which do not
// contradict an exact verdict.
const floatNote = "  (float64/float32: the same weights rounded to that type and evaluated as a framework would;\n" +
	"   points they get wrong do not change the verdict above, which is about the network's exact weights)"

// verifyHeadline is the first line of verify's verdict. Networks with
// sigmoid activations are judged by interval arithmetic (a sound enclosure
// of each output), which proves the classification but computes no exact
// output, and the headline says so.
func verifyHeadline(v *pipeline.Verified) string {
	wrong := v.DistinctPoints - v.ExactCorrect
	if v.Proof == "interval arithmetic" {
		if v.Exact {
			return "PROVEN (interval arithmetic): every distinct point is classified correctly"
		}
		return fmt.Sprintf("NOT PROVEN (interval arithmetic): %d of %d distinct points not proven right", wrong, v.DistinctPoints)
	}
	if v.Exact {
		return "EXACT: every distinct point is classified correctly in exact arithmetic"
	}
	return fmt.Sprintf("NOT EXACT: %d of %d distinct points wrong", wrong, v.DistinctPoints)
}

// wrongLine describes one wrong point: its row, its label, the label the
// network gives it and the exact output.
func wrongLine(w pipeline.WrongPoint) string {
	s := fmt.Sprintf("wrong: row %d: label %s", w.Row, quoted(w.Label))
	if w.UnknownLabel {
		s += " (not a class of the network)"
	}
	switch {
	case w.Output == "":
		s += ", output not proven to round to it"
	case w.Predicted == "?":
		s += fmt.Sprintf(", the network's output %s stands for no class", abbrevOutput(w.Output))
	default:
		s += fmt.Sprintf(", the network says %s (exact output %s)", quoted(w.Predicted), abbrevOutput(w.Output))
	}
	return s
}

func inspectCmd() *cobra.Command {
	var asJSON, verbose bool
	cmd := &cobra.Command{
		Use:   "inspect NET.mnet",
		Short: "Describe a network: size, bits, the theorem's form of its counts, our realisation's worst case and the lower bounds",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			model, err := loadModel(args[0])
			if err != nil {
				return err
			}
			info := pipeline.Inspect(model)
			if asJSON {
				return printJSON(os.Stdout, info)
			}
			if !verbose {
				printInspectShort(info)
				return nil
			}
			// the file's records are printed as its claims
			fmt.Printf("method %s (%s), as the file records it\n", info.Method, info.Theorem)
			fmt.Printf("  input dim %d, classes %d, the file says built for %d points, options %s\n", info.InputDim, info.Classes, info.Points, formatOptions(info.Options))
			fmt.Printf("  width %d, depth %d, neurons %d\n", info.Width, info.Depth, info.Neurons)
			fmt.Printf("  params %d (%d weights + %d biases), max weight bits %d, total bits %d, dyadic %v\n",
				info.Params, info.WeightsNonzero, info.BiasesNonzero, info.MaxWeightBits, info.TotalWeightBits, info.Dyadic)
			fmt.Println("  the file's theory record (the theorem's values and our realisation as recorded, not recomputed; built counts measured):")
			pipeline.PrintAccounting(os.Stdout, info.Theory)
			printInspectExtra(model, info)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	addVerbose(cmd, &verbose)
	return cmd
}

func predictCmd() *cobra.Command {
	var df dataFlags
	var ia inputAffineFlags
	cmd := &cobra.Command{
		Use:   "predict NET.mnet --data FILE",
		Short: "Print the label the network gives each data row (exact arithmetic), one per line",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			model, err := loadModel(args[0])
			if err != nil {
				return err
			}
			if model, err = ia.apply(model); err != nil {
				return err
			}
			xs, err := df.loadRows()
			if err != nil {
				return err
			}
			bar, done := progress(int64(len(xs)), "predicting")
			labels, err := pipeline.Predict(cmd.Context(), model, xs, bar)
			done()
			if err != nil {
				return err
			}
			w := bufio.NewWriter(os.Stdout)
			for _, l := range labels {
				fmt.Fprintln(w, l)
			}
			return w.Flush()
		},
	}
	ia.add(cmd)
	df.add(cmd, true)
	return cmd
}
