package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/memnet/memnet/construct"
	"github.com/memnet/memnet/pipeline"
)

func buildCmd() *cobra.Command {
	var df dataFlags
	var method, out string
	var seed int64
	var opts []string
	var asJSON, verbose bool
	cmd := &cobra.Command{
		Use:   "build --method NAME --data FILE -o NET.mnet",
		Short: "Construct a network that memorizes a dataset",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			params, err := methodParams(cmd, opts)
			if err != nil {
				return err
			}
			if method, err = checkMethod(method); err != nil {
				return err
			}
			ds, err := df.load()
			if err != nil {
				return err
			}
			if n := realLabelsNote(ds); n != "" && params["regression"] != "true" {
				fmt.Fprintln(os.Stderr, "note: "+n)
			}
			if method == "auto" {
				return buildAuto(cmd, ds, params, seed, out, asJSON)
			}
			bar, done := progress(int64(ds.N()), "building")
			o := construct.Options{Seed: seed, Params: params}
			if bar != nil {
				o.Progress = func(d, _ int64) { bar(d) }
			}
			b, err := pipeline.Build(cmd.Context(), ds, method, o)
			done()
			if err != nil {
				return err
			}
			if err := cmd.Context().Err(); err != nil {
				return err
			}
			if err := b.Model.Save(out); err != nil {
				return err
			}
			if asJSON {
				return printJSON(os.Stdout, struct {
					Out string `json:"out"`
					*pipeline.Info
					BuildSeconds float64  `json:"build_seconds"`
					Notes        []string `json:"notes,omitempty"`
				}{out, pipeline.Inspect(b.Model), b.Seconds, b.Result.Notes})
			}
			if verbose {
				printSummary(ds.Name, ds.N(), ds.Duplicates, ds.D(), ds.M(), b)
			} else {
				printBuildShort(ds.Name, ds.N(), ds.Duplicates, ds.D(), ds.M(), b)
			}
			fmt.Printf("wrote %s\n", out)
			return nil
		},
	}
	cmd.Flags().StringVar(&method, "method", "hz", "construction: "+methodNames()+", or auto (fewest predicted parameters within --max-width, --max-depth, --max-bits)")
	cmd.Flags().Int("max-width", 0, "auto: width limit (0 = none)")
	cmd.Flags().Bool("float32", false, "auto: only a network proven exact in float32 in any summation order (nn.Certify on the data)")
	cmd.Flags().StringVarP(&out, "out", "o", "", "network file to write (.mnet) (required)")
	cmd.Flags().Int64Var(&seed, "seed", 1, "seed for the construction's random choices")
	addVerbose(cmd, &verbose)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the summary as JSON")
	df.add(cmd, true)
	addMethodFlags(cmd, &opts)
	_ = cmd.MarkFlagRequired("out")
	return cmd
}

// checkMethod returns --method's name in lower case (names are
// case-insensitive), or an error listing the names there are; it runs
// before any data is read.
func checkMethod(name string) (string, error) {
	lower := strings.ToLower(name)
	if lower == "auto" {
		return lower, nil
	}
	if _, err := construct.Lookup(lower); err != nil {
		return "", fmt.Errorf("unknown method %q: give one of %s, or auto", name, methodNames())
	}
	return lower, nil
}

// checkMethodsFlag refuses, in one line and before any work, a --methods
// list (compare, demo, bench, sweep) naming a construction that does not
// exist.
func checkMethodsFlag(cmd *cobra.Command) error {
	f := cmd.Flags().Lookup("methods")
	if f == nil || f.Value.Type() != "string" {
		return nil
	}
	for _, m := range methodList(f.Value.String()) {
		if _, err := construct.Lookup(m); err != nil {
			return fmt.Errorf("--methods: unknown method %q: give some of %s", m, methodNames())
		}
	}
	return nil
}

func methodNames() string {
	var names []string
	for _, m := range construct.Methods() {
		names = append(names, m.Name())
	}
	return strings.Join(names, ", ")
}

func printSummary(name string, n, dups, d, m int, b *pipeline.Built) {
	st := b.Stats
	fmt.Printf("%s network for %s: N=%d distinct points", b.Model.Method, name, n)
	if dups > 0 {
		fmt.Printf(" (%d repeated row(s) dropped)", dups)
	}
	fmt.Printf(", d=%d, M=%d\n", d, m)
	fmt.Printf("  theorem: %s\n", b.Model.Theorem)
	fmt.Printf("  width %d, depth %d, neurons %d\n", st.Width, st.Depth, st.Neurons)
	fmt.Printf("  params %d (%d weights + %d biases), max weight bits %d, total bits %d, dyadic %v\n",
		st.Params, st.WeightsNonzero, st.BiasesNonzero, st.MaxWeightBits, st.TotalWeightBits, st.Dyadic)
	fmt.Printf("  %s\n", normsText(st.Norms))
	for _, k := range normHintKeys(b.Result.Hints) {
		fmt.Printf("  %s = %s (%s)\n", k, b.Result.Hints[k], b.Result.Hints[k+"_source"])
	}
	pipeline.PrintAccounting(os.Stdout, pipeline.Account(b.Model))
	for _, note := range b.Result.Notes {
		fmt.Printf("  note: %s\n", note)
	}
	fmt.Printf("  built in %.3f s\n", b.Seconds)
}
