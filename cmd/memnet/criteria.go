package main

import (
	"errors"
	"fmt"
	"math"
	"os"

	"github.com/spf13/cobra"

	"github.com/memnet/memnet/construct/criteria"
	"github.com/memnet/memnet/data"
)

func init() { extraCommands = append(extraCommands, criteriaCmd) }

// criteriaOutcome is what `memnet criteria --json` prints.
type criteriaOutcome struct {
	Problem    criteria.Problem     `json:"problem"`
	DeltaFrom  string               `json:"delta_from"`
	Check      *criteria.Result     `json:"check,omitempty"`
	Suggestion *criteria.Suggestion `json:"suggestion,omitempty"`
}

func criteriaCmd() *cobra.Command {
	var df dataFlags
	var widths string
	var n, classes, dim, k int
	var delta float64
	var asJSON, suggest bool
	cmd := &cobra.Command{
		Use:   "criteria --widths 3x500,7x200 --n N --classes C --delta D [--dim d] [--json] [--suggest]",
		Short: "Check Theorem 3 (Park et al.) for a list of hidden widths, or suggest the smallest accepted one",
		Long: `criteria checks the four conditions of Theorem 3 of Park, Lee, Yun, Shin (COLT 2021):
whether hidden layers of the given widths memorize every Δ-separated set of N
points in dimension d with C classes. It prints every condition for the best
split (K; L_1..L_K) found, which condition fails and by how much, and exits with
status 0 when all hold and 1 when any fails. Condition 4 is the reconstructed
form A·B ≥ ⌈U/2^{K−2}⌉ (see docs/park.md).

--suggest prints the architecture with the fewest dense parameters that the
criteria accept (within the family described in docs/park.md). Dense
parameters count every weight and bias of fully connected layers of the given
widths with input d_x and a scalar read-out.

With --data the dataset gives N, C, d and Δ (Δ just above max/min distance,
computed by memnet geometry's method); flags given explicitly override it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p := criteria.Problem{N: n, C: classes, Dx: dim, Delta: delta}
			from := "--delta"
			if df.path != "" {
				ds, err := df.load()
				if err != nil {
					return err
				}
				g, err := data.Geometry(cmd.Context(), ds)
				if err != nil {
					return err
				}
				if !cmd.Flags().Changed("n") {
					p.N = ds.N()
				}
				if !cmd.Flags().Changed("classes") {
					p.C = max(ds.M(), 1)
				}
				if !cmd.Flags().Changed("dim") {
					p.Dx = ds.D()
				}
				if !cmd.Flags().Changed("delta") {
					p.Delta = math.Max(1, math.Nextafter(g.Delta, math.Inf(1)))
					from = "data: " + g.Method
					if !g.MaxDistExact {
						// Geometry's Δ uses a lower bound on the diameter; the
						// upper bound is the safe choice for the theorem.
						p.Delta = math.Max(1, math.Nextafter(g.MaxDistUpper/g.MinDist, math.Inf(1)))
						from += " (Δ from the diameter's upper bound)"
					}
				}
			}
			if p.N <= 0 || p.C <= 0 || p.Delta == 0 {
				return errors.New("criteria: give --n, --classes and --delta (or --data)")
			}
			out := criteriaOutcome{Problem: p, DeltaFrom: from}
			status := 0
			if suggest {
				s, err := criteria.Suggest(p)
				if err != nil {
					return err
				}
				out.Suggestion = s
			}
			if widths != "" {
				w, err := criteria.ParseWidths(widths)
				if err != nil {
					return err
				}
				r, err := criteria.CheckK(w, p, k)
				if err != nil {
					return err
				}
				out.Check = r
				if !r.OK {
					status = 1
				}
			} else if !suggest {
				return errors.New("criteria: give --widths or --suggest")
			}
			if asJSON {
				if err := printJSON(os.Stdout, out); err != nil {
					return err
				}
			} else {
				printCriteria(out)
			}
			if status != 0 {
				return exitError{status}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&widths, "widths", "", "hidden widths as runs WIDTHxCOUNT, e.g. 3x500,7x200")
	cmd.Flags().IntVar(&n, "n", 0, "number of points N")
	cmd.Flags().IntVar(&classes, "classes", 2, "number of classes C")
	cmd.Flags().IntVar(&dim, "dim", 1, "input dimension d_x (condition 2 uses Δ·√(2π d_x))")
	cmd.Flags().Float64Var(&delta, "delta", 0, "Δ: the data are Δ-separated (max distance < Δ · min distance)")
	cmd.Flags().IntVar(&k, "k", 0, "check only this K (default: every K in [2, log2 N])")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON (every condition listed)")
	cmd.Flags().BoolVar(&suggest, "suggest", false, "print the smallest-parameter architecture the criteria accept")
	df.add(cmd, false)
	return cmd
}

// criteriaLegend explains the terms of criteria's report.
const criteriaLegend = `
(dense parameters: Σ (d_{ℓ−1}+1)·d_ℓ + d_L + 1 with d_0 = d_x — every weight and bias of fully
 connected layers of these widths and a scalar read-out; split: the K phases Theorem 3 lets one
 choose, L_k the last layer of phase k (the best split found is shown); "short by 2^x": the
 condition's left side must grow 2^x-fold to hold; the status is 0 when accepted, 1 when rejected)
`

func printCriteria(o criteriaOutcome) {
	p := o.Problem
	fmt.Printf("problem: N = %d, C = %d, d_x = %d, Δ = %.6g (%s)\n", p.N, p.C, p.Dx, p.Delta, o.DeltaFrom)
	if r := o.Check; r != nil {
		verdict := "ACCEPTED"
		if !r.OK {
			verdict = "REJECTED"
		}
		fmt.Printf("widths %s: %d layers, %d dense parameters: %s\n", r.Widths, r.Layers, r.Params, verdict)
		if w := r.Witness; w != nil {
			fmt.Printf("split: K = %d, L_1..L_K = %s\n", w.K, joinInts(w.L))
		}
		for _, c := range r.Conditions {
			mark := "holds"
			if !c.Holds {
				mark = fmt.Sprintf("FAILS (short by 2^%.3g)", c.Log2Short)
				if c.Number == 1 {
					mark = fmt.Sprintf("FAILS (%d layers)", int(c.Log2Short))
				}
			}
			fmt.Printf("  %d. %s: %s\n     %s\n", c.Number, c.Name, mark, c.Detail)
		}
		for _, n := range r.Notes {
			fmt.Printf("note: %s\n", n)
		}
	}
	defer fmt.Print(criteriaLegend)
	if s := o.Suggestion; s != nil {
		fmt.Printf("suggested: %s (%d layers, %d dense parameters), split K = %d, L_1..L_K = %s\n", s.Widths, s.Layers, s.Params, s.Check.Witness.K, joinInts(s.Check.Witness.L))
		fmt.Printf("  family: %s\n", s.Family)
	}
}
