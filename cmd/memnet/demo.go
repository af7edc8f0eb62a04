package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/memnet/memnet/construct"
	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/pipeline"
)

func demoCmd() *cobra.Command {
	var asJSON bool
	var methods, outDir string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Build every construction on a built-in dataset (two spirals, N=1000), verify exactly, print a table",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ds := pipeline.DemoDataset()
			rows := pipeline.Compare(cmd.Context(), ds, pipeline.CompareOptions{Methods: methodList(methods), Seed: 1})
			rows = append(rows, pipeline.VCRow(ds))
			if asJSON {
				if err := printJSON(os.Stdout, rows); err != nil {
					return err
				}
				if outDir != "" {
					// The JSON stays alone on standard output.
					return writeDemoPlots(cmd.Context(), os.Stderr, outDir, ds, methodList(methods))
				}
				return nil
			}
			fmt.Printf("dataset: %s (N=%d, d=%d, M=%d)\n\n", ds.Name, ds.N(), ds.D(), ds.M())
			if err := pipeline.PrintCompare(os.Stdout, rows, pipeline.Text); err != nil {
				return err
			}
			if !pipeline.AllExact(rows) {
				return exitError{1}
			}
			fmt.Println("\nEvery network was checked on every point in exact arithmetic.")
			if outDir != "" {
				if err := writeDemoPlots(cmd.Context(), os.Stdout, outDir, ds, methodList(methods)); err != nil {
					return err
				}
			}
			fmt.Print(demoNext)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the rows as JSON")
	cmd.Flags().StringVar(&methods, "methods", "", "comma-separated methods (default: all)")
	cmd.Flags().StringVar(&outDir, "out", "", "also write the plots (a sweep of the methods on random data, hz trajectories on the spirals) into this directory")
	return cmd
}

// demoNext ends the demo: what to try next, with files that exist beside
// the repository (the README's Usage section has more).
const demoNext = `
What to try next (memnet is ` + "`go run ./cmd/memnet`" + `, or ` + "`go install ./cmd/memnet`" + `; README.md, Usage, has more):
  memnet build --method hz --data ../shared/data/iris.csv -o iris.mnet   build one network and save it
  memnet verify iris.mnet --data ../shared/data/iris.csv                 check it again on every point, exactly
  memnet compare --data ../shared/data/digits.csv.gz                     this table on real data (1797 digits)
  memnet demo --out demo/                                                also draw a sweep and the hz trajectories
  memnet methods                                                         the constructions and their theorems
`

func benchCmd() *cobra.Command {
	var methods, ns string
	var d, classes int
	var seed int64
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Time build and exact/float verification on random Gaussian data at several N",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var rows []pipeline.CompareRow
			var sizes []int
			for _, s := range splitList(ns) {
				n, err := strconv.Atoi(s)
				if err != nil || n < 1 {
					return fmt.Errorf("--n %q: want positive integers", s)
				}
				sizes = append(sizes, n)
			}
			ms := methodList(methods)
			start, done := steps(len(sizes)*len(orAll(ms)), "bench")
			for _, n := range sizes {
				ds := data.Gaussian(n, d, classes, uint64(seed))
				o := pipeline.CompareOptions{Methods: ms, Seed: seed, Progress: func(m string) { start(fmt.Sprintf("N=%d %s", n, m)) }}
				rows = append(rows, pipeline.Compare(cmd.Context(), ds, o)...)
			}
			done()
			if asJSON {
				return printJSON(os.Stdout, rows)
			}
			fmt.Printf("bench: random Gaussian data, d = %d, C = %d, seed %d, at N = %s; each method built, verified exactly on every point, and evaluated in float64 (one row per method and N)\n\n",
				d, classes, seed, joinInts(sizes))
			return pipeline.PrintCompare(os.Stdout, rows, pipeline.Text)
		},
	}
	cmd.Flags().StringVar(&methods, "methods", "", "comma-separated methods (default: all)")
	cmd.Flags().StringVar(&ns, "n", "1000,5000,10000", "comma-separated dataset sizes")
	cmd.Flags().IntVar(&d, "d", 10, "input dimension")
	cmd.Flags().IntVar(&classes, "classes", 10, "number of classes")
	cmd.Flags().Int64Var(&seed, "seed", 1, "seed for data and constructions")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the rows as JSON")
	return cmd
}

func geometryCmd() *cobra.Command {
	var df dataFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "geometry --data FILE",
		Short: "Report N, d, M, the norm bound r, the minimum distance δ and Δ of a dataset",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ds, err := df.load()
			if err != nil {
				return err
			}
			g := data.Geometry(ds)
			if asJSON {
				return printJSON(os.Stdout, g)
			}
			return printJSON(os.Stdout, g)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	df.add(cmd, true)
	return cmd
}

func methodsCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "methods",
		Short: "List the constructions memnet can build",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			for _, m := range construct.Methods() {
				fmt.Printf("%-8s %s\n", m.Name(), m.Describe())
			}
		},
	}
}

// orAll returns methods, or every registered method's name when it is empty.
func orAll(methods []string) []string {
	if len(methods) > 0 {
		return methods
	}
	return splitList(methodNames())
}

// methodList is a comma-separated --methods list in lower case (method
// names are case-insensitive).
func methodList(s string) []string {
	return splitList(strings.ToLower(s))
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
