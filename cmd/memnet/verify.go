package main

import (
	"bufio"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/memnet/memnet/nn"
	"github.com/memnet/memnet/pipeline"
)

func verifyCmd() *cobra.Command {
	var df dataFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "verify NET.mnet --data FILE",
		Short: "Check a network on every point in exact arithmetic (exit status 0 only if all are right)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			model, err := nn.Load(args[0])
			if err != nil {
				return err
			}
			ds, err := df.load()
			if err != nil {
				return err
			}
			bar, done := progress(int64(ds.N()), "verifying")
			v, err := pipeline.Verify(model, ds, bar)
			done()
			if err != nil {
				return err
			}
			if asJSON {
				if err := printJSON(os.Stdout, v); err != nil {
					return err
				}
			} else {
				if v.Regression {
					verdict := "WITHIN EPS"
					if !v.Exact {
						verdict = "NOT WITHIN EPS"
					}
					fmt.Printf("%s: regression network, largest |f(x) − target| = %.6g over %d distinct points (eps %g)\n", verdict, v.MaxError, v.DistinctPoints, v.Eps)
					fmt.Printf("  %s, %.3f s\n", v.Evaluator, v.Seconds)
					if !v.Exact {
						return exitError{1}
					}
					return nil
				}
				verdict := "EXACT: every distinct point is classified correctly in exact arithmetic"
				if !v.Exact {
					verdict = fmt.Sprintf("NOT EXACT: %d of %d distinct points wrong", v.DistinctPoints-v.ExactCorrect, v.DistinctPoints)
				}
				fmt.Println(verdict)
				fmt.Printf("  points %d (distinct %d), exact outputs equal to the label: %d\n", v.Points, v.DistinctPoints, v.ExactEqual)
				fmt.Printf("  float64 correct %d/%d (bit-exact %d), float32 correct %d/%d\n",
					v.Float64Correct, v.DistinctPoints, v.Float64BitExact, v.Float32Correct, v.DistinctPoints)
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
				fmt.Printf("  exact %.3f s (%s), float %.3f s\n", v.ExactSeconds, v.Evaluator, v.FloatSeconds)
				for _, w := range v.Wrong {
					fmt.Printf("  wrong: row %d label %s exact output %s\n", w.Row, w.Label, w.Output)
				}
			}
			if !v.Exact {
				return exitError{1}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the verdict as JSON")
	df.add(cmd, true)
	return cmd
}

func inspectCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "inspect NET.mnet",
		Short: "Describe a network: size, bits and the theorem's predicted counts",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			model, err := nn.Load(args[0])
			if err != nil {
				return err
			}
			info := pipeline.Inspect(model)
			if asJSON {
				return printJSON(os.Stdout, info)
			}
			fmt.Printf("method %s (%s)\n", info.Method, info.Theorem)
			fmt.Printf("  input dim %d, classes %d, built for %d points, options %v\n", info.InputDim, info.Classes, info.Points, info.Options)
			fmt.Printf("  width %d, depth %d, neurons %d\n", info.Width, info.Depth, info.Neurons)
			fmt.Printf("  params %d (%d weights + %d biases), max weight bits %d, total bits %d, dyadic %v\n",
				info.Params, info.WeightsNonzero, info.BiasesNonzero, info.MaxWeightBits, info.TotalWeightBits, info.Dyadic)
			for _, k := range pipeline.PredictedKeys(info.Predicted) {
				fmt.Printf("  predicted %s = %d\n", k, info.Predicted[k])
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}

func predictCmd() *cobra.Command {
	var df dataFlags
	cmd := &cobra.Command{
		Use:   "predict NET.mnet --data FILE",
		Short: "Print the label the network gives each data row (exact arithmetic), one per line",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			model, err := nn.Load(args[0])
			if err != nil {
				return err
			}
			xs, err := df.loadRows()
			if err != nil {
				return err
			}
			labels, err := pipeline.Predict(model, xs)
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
	df.add(cmd, true)
	return cmd
}
