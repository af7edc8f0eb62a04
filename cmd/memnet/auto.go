package main

import (
	"fmt"
	"os"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/pipeline"
)

// buildAuto is `build --method auto`: the construction and options with the
// fewest predicted parameters within --max-width, --max-depth and
// --max-bits, built, checked against the limits, verified exactly, saved.
func buildAuto(cmd *cobra.Command, ds *data.Dataset, params map[string]string, seed int64, out string, asJSON bool) error {
	var l pipeline.Limits
	var err error
	if l.MaxWidth, err = cmd.Flags().GetInt("max-width"); err != nil {
		return err
	}
	if l.Float32, err = cmd.Flags().GetBool("float32"); err != nil {
		return err
	}
	for name, dst := range map[string]*int{"max-depth": &l.MaxDepth, "max-bits": &l.MaxBits} {
		if v, ok := params[name]; ok {
			if *dst, err = strconv.Atoi(v); err != nil || *dst < 0 {
				return fmt.Errorf("--%s %q: want a non-negative integer", name, v)
			}
			delete(params, name)
		}
	}
	if len(params) > 0 {
		return fmt.Errorf("--method auto chooses the options itself; drop %s", formatOptions(params))
	}
	bar, done := progress(int64(ds.N()), "building")
	var pr func(d, t int64)
	if bar != nil {
		pr = func(d, _ int64) { bar(d) }
	}
	res, err := pipeline.Auto(cmd.Context(), ds, l, seed, pr)
	done()
	if err != nil {
		if !asJSON {
			printCandidates(res.Candidates)
			for _, s := range res.Log {
				fmt.Println("  " + s)
			}
		}
		return err
	}
	if err := cmd.Context().Err(); err != nil {
		return err
	}
	if err := res.Built.Model.Save(out); err != nil {
		return err
	}
	if asJSON {
		return printJSON(os.Stdout, struct {
			Out string `json:"out"`
			*pipeline.AutoResult
			*pipeline.Info
		}{out, res, pipeline.Inspect(res.Built.Model)})
	}
	c := res.Chosen
	fmt.Printf("auto: %s; chose %s\n", limitsPhrase(l), c.Label())
	bits := "bits not predicted, checked after the build"
	if c.Bits >= 0 {
		bits = fmt.Sprintf("largest weight %d bits", c.Bits)
	}
	fmt.Printf("  why: the fewest parameters in our realisations' worst case (%d) among the candidates whose worst-case width %d, depth %d and bits %s fit the limits\n", c.Count, c.Width, c.Depth, bits)
	for _, s := range res.Log {
		fmt.Println("  passed over: " + s)
	}
	printCandidates(res.Candidates)
	printSummary(ds.Name, ds.N(), ds.Duplicates, ds.D(), ds.M(), res.Built)
	v := res.Verified
	fmt.Printf("  verified exactly on all %d points (%s); float64 %d/%d\n", v.DistinctPoints, v.Evaluator, v.Float64Correct, v.DistinctPoints)
	if res.Certificate != nil {
		fmt.Printf("  %s\n", res.Certificate.Summary())
	}
	fmt.Printf("wrote %s\n", out)
	return nil
}

// limitsPhrase is "limits width ≤ 3, depth ≤ 2000", or "no limits given".
func limitsPhrase(l pipeline.Limits) string {
	if l == (pipeline.Limits{}) {
		return "no limits given"
	}
	return "limits " + l.String()
}

// candidatesLegend explains the columns of the candidates table.
const candidatesLegend = `    (params: our realisation's worst-case nonzero weights + biases;
     width, depth: predicted; bits: predicted largest weight's bits, ? = known only after building;
     fits / excluded: the prediction against --max-width, --max-depth, --max-bits)
`

func printCandidates(cs []pipeline.Candidate) {
	fmt.Println("  candidates (our realisations' worst-case counts, docs/theory.md):")
	defer fmt.Print(candidatesLegend)
	for _, c := range cs {
		verdict := "fits"
		if !c.Fits {
			verdict = "excluded: " + c.Why
		}
		bits := "?"
		if c.Bits >= 0 {
			bits = fmt.Sprint(c.Bits)
		}
		if c.Estimated {
			verdict += " (estimated counts: our own construction, no worst case stated)"
		}
		fmt.Printf("    %-32s params %9d  width %6d  depth %7d  bits %5s  %s\n", c.Label(), c.Count, c.Width, c.Depth, bits, verdict)
	}
}
