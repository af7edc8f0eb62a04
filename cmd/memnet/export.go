package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/memnet/memnet/export"
	"github.com/memnet/memnet/nn"
)

func init() { extraCommands = append(extraCommands, exportCmd) }

// exportOutcome is what `memnet export --json` prints.
type exportOutcome struct {
	Out     string          `json:"out"`
	Format  string          `json:"format"`
	Dtype   string          `json:"dtype"`
	Bytes   int             `json:"bytes"`
	Forced  bool            `json:"forced,omitempty"`
	Verdict *export.Verdict `json:"verdict,omitempty"`
	// Certificate is the float-exactness certificate computed on --data.
	Certificate *nn.Certificate `json:"float_certificate,omitempty"`
}

func exportCmd() *cobra.Command {
	var df dataFlags
	var format, dtypeName, out string
	var force, asJSON bool
	var radius string
	var timeout int
	cmd := &cobra.Command{
		Use:   "export NET.mnet --format onnx|npz|safetensors|json|vnncomp [--dtype float64|float32] [--data FILE] -o FILE|DIR",
		Short: "Write a network as ONNX, NumPy .npz, safetensors (rounded to a float type) or exact JSON",
		Long: `export writes a network for other tools. ONNX (opset 17: Gemm + Relu), .npz and
safetensors hold the weights rounded to --dtype; json keeps every weight as an
exact rational string and loses nothing.

Before writing a float format, export rounds every weight and counts those the
dtype cannot hold. With --data (the points the network was built for; loader
flags as for verify, the data format being --data-format) it also evaluates the
rounded network on every point and refuses when any point would change its
prediction. Without --data it refuses as soon as any weight is rounded, since
the effect on predictions is then unknown. --force writes the file anyway.
Weights too large for the dtype are always refused.

--format vnncomp --data FILE -o DIR writes a VNN-COMP benchmark: DIR/onnx/NET.onnx,
one VNN-LIB property per point (DIR/vnnlib/prop_I.vnnlib: "some input in the
box of --radius MU around the point is not given its label"), instances.csv and
expected.csv: sat where the ONNX file's network (its floats read back exactly)
misclassifies the point, unsat where it does not and the box is the point,
unknown otherwise (memnet decides the box centre only). See docs/vnnlib.md.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "vnncomp" { // the root's check lets a directory through for vnncomp only
				if err := checkOutput("-o", out, args[0], df.path, df.labels); err != nil {
					return err
				}
			}
			model, err := nn.Load(args[0]) // exported losslessly: its strings are not escaped
			if err != nil {
				return err
			}
			if format == "vnncomp" {
				return exportVNNCOMP(cmd, model, &df, dtypeName, radius, timeout, out, asJSON)
			}
			if format == "" {
				if format, err = export.FormatFromPath(out); err != nil {
					return fmt.Errorf("%v; or give --format", err)
				}
			} else if format, err = export.ParseFormat(format); err != nil {
				return err
			}
			dtype, err := export.ParseDtype(dtypeName)
			if err != nil {
				return err
			}
			res := exportOutcome{Out: out, Format: format, Dtype: string(dtype), Forced: force}
			if format == export.JSON {
				res.Dtype = "exact"
				if cmd.Flags().Changed("dtype") {
					fmt.Fprintln(os.Stderr, "note: --dtype is ignored for json, which keeps every weight exactly")
				}
			}
			var cert *nn.Certificate
			var v *export.Verdict
			if format != export.JSON {
				v = export.CheckWeights(model.Net, dtype)
				if df.path != "" {
					ds, err := df.load()
					if err != nil {
						return err
					}
					if ds.D() != model.Net.InputDim {
						return fmt.Errorf("%s has %d features per point; the network reads %d", ds.Name, ds.D(), model.Net.InputDim)
					}
					// a bar per phase on a terminal (the check takes seconds at 60k points)
					report, done := phases("export check")
					cert, err = export.CheckData(cmd.Context(), model.Net, len(model.Classes), ds.X, dtype, v, report)
					done()
					if err != nil {
						return err
					}
					if cert.Proven {
						model.Certificates = map[string]*nn.Certificate{string(dtype): cert}
					}
				}
				res.Verdict = v
				res.Certificate = cert
				if err := v.Refusal(force); err != nil {
					if asJSON {
						_ = printJSON(os.Stdout, res)
					}
					return err
				}
			}
			if err := cmd.Context().Err(); err != nil {
				return err
			}
			b, err := export.Bytes(model, format, dtype)
			if err != nil {
				return err
			}
			if err := nn.WriteFileAtomic(out, b); err != nil {
				return err
			}
			res.Bytes = len(b)
			if asJSON {
				return printJSON(os.Stdout, res)
			}
			if res.Verdict == nil {
				fmt.Printf("wrote %s (%s, exact: every weight as a rational string, %d bytes)\n", out, format, len(b))
				return nil
			}
			fmt.Printf("wrote %s (%s, %s, %d bytes)\n", out, format, dtype, len(b))
			fmt.Printf("  %s\n", res.Verdict.Summary())
			if cert != nil {
				fmt.Printf("  %s; stored in the file's metadata\n", cert.Summary())
			}
			if force && res.Verdict.Refusal(false) != nil {
				fmt.Println("  written with --force: the rounded network may predict differently from the exact one")
			}
			if !res.Verdict.Checked && res.Verdict.Rounded == 0 {
				fmt.Println("  every weight is exact in this dtype")
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "export format: onnx, npz, safetensors, json or vnncomp (default: from the -o extension)")
	cmd.Flags().StringVar(&radius, "radius", "", "vnncomp: ℓ∞ radius μ of each property's box, an exact number (default: the point itself)")
	cmd.Flags().IntVar(&timeout, "timeout", 60, "vnncomp: the timeout in seconds written in instances.csv")
	cmd.Flags().StringVar(&dtypeName, "dtype", "float64", "float type of the weights: float64 or float32 (not for json)")
	cmd.Flags().StringVarP(&out, "out", "o", "", "file to write (a directory for --format vnncomp)")
	cmd.Flags().BoolVar(&force, "force", false, "write even if rounding may change predictions")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the outcome and the float verdict as JSON")
	cmd.Flags().StringVar(&df.path, "data", "", "the points the network was built for: check that no prediction changes in the dtype (CSV, .npz, .npy, IDX as for verify)")
	cmd.Flags().StringVar(&df.labels, "labels", "", "label file for .npy features or IDX images")
	cmd.Flags().IntVar(&df.labelCol, "label-col", 0, "CSV label column, 1-based (0 = last; negative counts from the end)")
	cmd.Flags().StringVar(&df.format, "data-format", "", "force the data format: csv, npy, npz or idx (default: from the file)")
	_ = cmd.MarkFlagRequired("out")
	return cmd
}
