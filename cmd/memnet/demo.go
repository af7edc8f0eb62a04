package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

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
			if err := cmd.Context().Err(); err != nil {
				return err // interrupted: no partial table, no files
			}
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

// demoNext ends the demo: what to try next, with files that are in every
// clone of the repository (testdata/; the README's Usage section has more).
const demoNext = `
What to try next, from the repository's root (memnet is ` + "`go run ./cmd/memnet`" + `, or run
` + "`go install ./cmd/memnet`" + ` once: it puts memnet in $(go env GOPATH)/bin; README.md, Usage, has more):
  memnet build --method hz --data testdata/iris.csv -o iris.mnet   build one network and save it
  memnet verify iris.mnet --data testdata/iris.csv                 check it again on every point, exactly
  memnet compare --data testdata/digits.csv.gz                     this table on real data (1797 digits)
  memnet demo --out demo/                                          also draw a sweep and the hz trajectories
  memnet methods                                                   the constructions and their theorems
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
		Use:   "geometry --data FILE [--json]",
		Short: "Report the quantities the theorems read: N, d, M, r, δ, Δ, log R, log Δ",
		Long: `geometry prints the dataset's size and the geometric quantities the theorems'
bounds read: r = the largest norm ‖x_i‖, δ = the smallest distance between two
points, the diameter, Δ = diameter/δ (Park et al.'s Δ-separation; a Δ above
this ratio is valid), log2 Δ (Park's compression-1 term ⌈log2(Δ√(2πd))⌉),
R = 10·r·N²·√(πd)/δ with log2 R (Vardi et al.'s range, constant as in
shared/papers/vardi-optimal.md), and log2(2r/δ) (the W²L² comparison).
Distances are computed in float64; the minimum distance is exact, the
diameter exact up to N²·d = 2·10⁹ and bounded above that.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ds, err := df.load()
			if err != nil {
				return err
			}
			g, err := data.Geometry(cmd.Context(), ds)
			if err != nil {
				return err
			}
			q := pipeline.TheoryOfGeometry(g)
			if asJSON {
				return printJSON(os.Stdout, struct {
					data.GeometryReport
					Theory pipeline.GeometryTheory `json:"theory"`
				}{g, q})
			}
			printGeometry(os.Stdout, ds.Name, g, q)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	df.add(cmd, true)
	return cmd
}

func printGeometry(w io.Writer, name string, g data.GeometryReport, q pipeline.GeometryTheory) {
	fmt.Fprintf(w, "dataset %s: N = %d distinct points, d = %d, M = %d classes\n", name, g.N, g.D, g.M)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  r\tlargest norm ‖x_i‖\t%.6g\n", g.MaxNorm)
	if g.N < 2 || g.MinDist <= 0 {
		tw.Flush()
		fmt.Fprintln(w, "  (fewer than two distinct points: no distances)")
		return
	}
	fmt.Fprintf(tw, "  δ\tsmallest distance (exact)\t%.6g\n", g.MinDist)
	if g.MaxDistExact {
		fmt.Fprintf(tw, "  diam\tlargest distance (exact)\t%.6g\n", g.MaxDist)
		fmt.Fprintf(tw, "  Δ\tdiam/δ\t%s\n", ratioText(g.Delta, q.Log2Delta))
	} else {
		fmt.Fprintf(tw, "  diam\tlargest distance (bounds)\t%.6g .. %.6g\n", g.MaxDist, g.MaxDistUpper)
		fmt.Fprintf(tw, "  Δ\tdiam/δ (the theorems use the upper value)\t%.6g .. %s\n", g.Delta, ratioText(q.DeltaUpper, q.Log2Delta))
	}
	fmt.Fprintf(tw, "  log2 Δ\t\t%.3f\n", q.Log2Delta)
	fmt.Fprintf(tw, "  log2 R\tR = 10·r·N²·√(πd)/δ\t%.3f\n", q.Log2R)
	fmt.Fprintf(tw, "  log2(2r/δ)\t\t%.3f\n", q.Log2InvDelta)
	tw.Flush()
	fmt.Fprintln(w, "which theorem reads what:")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  park (Park et al. Thms 1–3)\tlog Δ: ⌈log2(Δ·√(2πd))⌉ = %.0f compression-1 layers in the worst case\n", q.ParkC1Layers)
	fmt.Fprintln(tw, "  vardi (Vardi et al. Thm 3.1)\tlog R: depth √(N log N) + √(N/log N)·max(log R, log C)")
	fmt.Fprintln(tw, "  W²L² column of compare\tlog2(2r/δ): N·log(1/δ) sufficient, N/log(1/δ) necessary (Yang & Yang)")
	fmt.Fprintln(tw, "  hz, zhang, ysj\tN, d, M only")
	tw.Flush()
	fmt.Fprintf(w, "method: %s\n", g.Method)
}

// ratioText prints a ratio, or 2^log2 when it does not fit in float64.
func ratioText(v, log2 float64) string {
	if v >= math.MaxFloat64 {
		return fmt.Sprintf("2^%.3f (beyond float64)", log2)
	}
	return fmt.Sprintf("%.6g", v)
}

func methodsCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "methods",
		Short: "List the constructions memnet can build",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			for _, m := range construct.Methods() {
				fmt.Printf("%-11s %s\n", m.Name(), m.Describe())
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
