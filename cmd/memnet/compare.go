package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/memnet/memnet/pipeline"
)

func init() { extraCommands = append(extraCommands, compareCmd) }

func compareCmd() *cobra.Command {
	var df dataFlags
	var ho heldOutFlags
	var methods string
	var asJSON, markdown bool
	var timeout time.Duration
	var seed int64
	var floatSample int
	var opts []string
	var tr trainCompareFlags
	cmd := &cobra.Command{
		Use:   "compare --data FILE [--methods a,b,...] [--json | --markdown]",
		Short: "Build every construction on the same data, verify each exactly, and tabulate sizes against the theorems",
		Long: `compare builds each construction (or the chosen ones) on the data, verifies it on
every point in exact arithmetic, and prints one row per method, then the VC row
⌈√N⌉ and a legend. Columns:

  width, depth  largest hidden layer; hidden layers
  params        nonzero weights + nonzero biases of the built network
  realisation   our construction's worst-case params for this N, d, C (built ≤ it)
  theorem       the theorem's params formula for this data; * = constants 1
                (the paper states only O(·)), plain = the paper's constants
  built/thm     params / theorem
  /VC(L)        params / depth-aware VC lower bound (N−L)/(L·log2(8e·U))
                (Bartlett–Harvey–Liaw–Mehrabian 2019; L depth, U units)
  /bits LB      params / bit-complexity lower bound (Vardi et al. Thm 6.1
                counting) for the network's largest weight bits
  w/2           width / 2, the smallest width for every dataset (Hernández–Zuazua)
  W²L²/NlgΔ     width²·depth² / (N·log2(2r/δ)) (Yang & Yang: O(N log 1/δ)
                suffices, Ω(N/log 1/δ) needed; constants 1)
  max bits      largest bit length of a nonzero weight or bias
  float64       points float64 evaluation gets right / points checked
  float32 proven  yes when the float-exactness certificate proves every float32
                evaluation, in any summation order, exact on the data (docs/floatexact.md)
  build s, verify s, exact   times and the exact verdict on every point
  ‖θ‖₂², ‖θ‖∞   squared L2 norm and largest magnitude over every weight and bias

"trivial" marks a lower bound ≤ 0. --json gives every count of every row against
the theorem's form, our realisation and the lower bounds (docs/theory.md). A
method that fails or runs past --timeout is reported in its row and the others
go on; a method that does not take the data (n/a, e.g. floatexact on
non-integer coordinates) says why; the exit status is 1 unless every applicable
method is exact.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if asJSON && markdown {
				return fmt.Errorf("--json and --markdown exclude each other")
			}
			params, err := perMethodParams(opts)
			if err != nil {
				return err
			}
			ds, err := df.load()
			if err != nil {
				return err
			}
			if n := realLabelsNote(ds); n != "" {
				fmt.Fprintln(os.Stderr, "note: "+n)
			}
			o := pipeline.CompareOptions{Methods: methodList(methods), Seed: seed, Params: params, Timeout: timeout, FloatSample: floatSample}
			if err := ho.apply(&o, df); err != nil {
				return err
			}
			start, done := steps(len(orAll(o.Methods)), "compare")
			o.Progress = func(m string) { start(m + " (build + exact verify)") }
			rows := pipeline.Compare(cmd.Context(), ds, o)
			done()
			rows = append(rows, tr.rows(cmd, ds, !asJSON)...)
			rows = append(rows, pipeline.VCRow(ds))
			switch {
			case asJSON:
				if err := printJSON(os.Stdout, rows); err != nil {
					return err
				}
			default:
				f := pipeline.Text
				if markdown {
					f = pipeline.Markdown
				}
				fmt.Printf("dataset: %s (N=%d distinct points, d=%d, M=%d)\n\n", ds.Name, ds.N(), ds.D(), ds.M())
				if err := pipeline.PrintCompare(os.Stdout, rows, f); err != nil {
					return err
				}
			}
			if !pipeline.AllExact(rows) {
				return exitError{1}
			}
			return nil
		},
	}
	df.add(cmd, true)
	cmd.Flags().StringVar(&methods, "methods", "", "comma-separated methods (default: all registered: "+methodNames()+")")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the rows as a JSON array")
	cmd.Flags().BoolVar(&markdown, "markdown", false, "print a Markdown table")
	cmd.Flags().DurationVar(&timeout, "timeout", 0, "time limit per method for build and verification (e.g. 2m; 0 = none)")
	cmd.Flags().Int64Var(&seed, "seed", 1, "seed for the constructions' random choices")
	cmd.Flags().IntVar(&floatSample, "float-sample", 0, "judge the float views on at most this many points (0 = all)")
	cmd.Flags().StringArrayVar(&opts, "opt", nil, "method option METHOD.NAME=VALUE (repeatable), e.g. zhang.layout=fused")
	tr.add(cmd)
	ho.add(cmd)
	return cmd
}

// perMethodParams parses METHOD.NAME=VALUE options.
func perMethodParams(opts []string) (map[string]map[string]string, error) {
	p := map[string]map[string]string{}
	for _, o := range opts {
		k, v, ok := strings.Cut(o, "=")
		m, name, ok2 := strings.Cut(k, ".")
		if !ok || !ok2 || m == "" || name == "" {
			return nil, fmt.Errorf("--opt %q: want METHOD.NAME=VALUE", o)
		}
		if p[m] == nil {
			p[m] = map[string]string{}
		}
		p[m][name] = v
	}
	return p, nil
}
