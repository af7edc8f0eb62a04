package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/memnet/memnet/nn"
	"github.com/memnet/memnet/pipeline"
)

func verifyCmd() *cobra.Command {
	var df dataFlags
	var ia inputAffineFlags
	var asJSON, verbose bool
	var eps float64
	cmd := &cobra.Command{
		Use:   "verify NET.mnet --data FILE",
		Short: "Check a network on every point in exact arithmetic (exit status 0 only if all are right)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
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
			if cmd.Flags().Changed("eps") {
				if model.Options["regression"] != "true" {
					return fmt.Errorf("--eps applies to regression networks; %s is a classification network", args[0])
				}
				if !(eps > 0 && eps <= 1) {
					return fmt.Errorf("--eps %g: want a number in (0, 1]", eps)
				}
			}
			report, done := phases("verifying")
			v, err := pipeline.VerifyContext(cmd.Context(), model, ds, report, pipeline.VerifyOptions{Eps: eps})
			done()
			if err != nil {
				return err
			}
			var certs []*nn.Certificate
			if !v.Regression {
				if certs, err = floatCertificates(model.Net, ds.X); err != nil {
					return err
				}
			}
			if asJSON {
				out := struct {
					*pipeline.Verified
					Certificates []*nn.Certificate `json:"float_certificates,omitempty"`
				}{v, certs}
				if err := printJSON(os.Stdout, out); err != nil {
					return err
				}
			} else {
				if v.Regression {
					verdict := "WITHIN EPS"
					if !v.Exact {
						verdict = "NOT WITHIN EPS"
					}
					from := "from the network file"
					if eps != 0 {
						from = "from --eps"
					}
					fmt.Printf("%s: regression network, largest |f(x) − target| = %.6g over %d distinct points (eps %g, %s)\n", verdict, v.MaxError, v.DistinctPoints, v.Eps, from)
					fmt.Printf("  %s, %.3f s\n", v.Evaluator, v.Seconds)
					if !v.Exact {
						return exitError{1}
					}
					return nil
				}
				if !verbose {
					printVerifyShort(v, certs, model.Classes)
					if model.Method == "import" { // printing only: the verdict above is the engine's
						if err := printFloatComparison(cmd, model, ds); err != nil {
							return err
						}
					}
					if !v.Exact {
						return exitError{1}
					}
					return nil
				}
				fmt.Println(verifyHeadline(v))
				if len(v.UnknownLabels) > 0 {
					fmt.Printf("  labels the network has no class for: %s (the network's classes: %s)\n", strings.Join(v.UnknownLabels, ", "), strings.Join(model.Classes, ", "))
				}
				interval := v.Proof == "interval arithmetic"
				if interval {
					fmt.Printf("  points %d (distinct %d)\n", v.Points, v.DistinctPoints)
				} else {
					fmt.Printf("  points %d (distinct %d), exact outputs equal to the label: %d\n", v.Points, v.DistinctPoints, v.ExactEqual)
				}
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
				if v.Float64Correct < v.DistinctPoints || v.Float32Correct < v.DistinctPoints {
					fmt.Println(floatNote)
				}
				phase := "exact"
				if interval {
					phase = "interval check"
				}
				fmt.Printf("  %s %.3f s (%s), float %.3f s\n", phase, v.ExactSeconds, v.Evaluator, v.FloatSeconds)
				fmt.Println("  (float counts: evaluated in our summation order; a PROVEN certificate below holds for every order)")
				for _, c := range certs {
					fmt.Printf("  %s\n", c.Summary())
				}
				for _, w := range v.Wrong {
					fmt.Println("  " + wrongLine(w))
				}
				if model.Method == "import" {
					if err := printFloatComparison(cmd, model, ds); err != nil {
						return err
					}
				}
			}
			if !v.Exact {
				return exitError{1}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the verdict as JSON")
	addVerbose(cmd, &verbose)
	cmd.Flags().Float64Var(&eps, "eps", 0, "regression networks: judge with this tolerance in (0, 1] instead of the file's eps")
	ia.add(cmd)
	df.add(cmd, true)
	return cmd
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
			labels, err := pipeline.PredictContext(cmd.Context(), model, xs, bar)
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

// floatCertificates returns the float32 certificate of net on xs and, when
// it does not hold, the float64 one (a float32 certificate implies float64).
func floatCertificates(net *nn.Network, xs [][]float64) ([]*nn.Certificate, error) {
	c32, err := nn.Certify(net, xs, nn.CertFloat32)
	if err != nil || c32.Proven {
		return []*nn.Certificate{c32}, err
	}
	c64, err := nn.Certify(net, xs, nn.CertFloat64)
	return []*nn.Certificate{c32, c64}, err
}
