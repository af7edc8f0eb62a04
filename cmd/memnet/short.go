package main

import (
	"fmt"
	"math"
	"strings"

	"github.com/spf13/cobra"

	"github.com/memnet/memnet/nn"
	"github.com/memnet/memnet/pipeline"
)

// addVerbose adds --verbose: build, inspect and verify print a short
// summary by default (what was built or found, exact or not, size against
// the theorem) and everything else with --verbose.
func addVerbose(cmd *cobra.Command, v *bool) {
	cmd.Flags().BoolVarP(v, "verbose", "v", false, "print every count, norm, lower bound and note, not only the summary")
}

// normText is a norm for printing: %.6g when it fits in float64, else 2^k
// from its base-2 logarithm (never 1.79769e+308 for a norm that overflowed).
func normText(v, log2 float64) string {
	if v >= math.MaxFloat64 {
		return fmt.Sprintf("2^%.2f", log2)
	}
	return fmt.Sprintf("%.6g", v)
}

// normsText is "‖θ‖₂² = …, ‖θ‖_∞ = …".
func normsText(n nn.Norms) string {
	return fmt.Sprintf("‖θ‖₂² = %s, ‖θ‖_∞ = %s", normText(n.NormL2Squared, n.Log2L2Squared), normText(n.NormMax, n.Log2Max))
}

// sizeLine is the network's size in one line.
func sizeLine(st nn.Stats) string {
	w := "exact rational weights"
	if st.Dyadic {
		w = "exact dyadic weights"
	}
	return fmt.Sprintf("width %d, depth %d, %d params (%d weights + %d biases), largest weight %d bits; %s",
		st.Width, st.Depth, st.Params, st.WeightsNonzero, st.BiasesNonzero, st.MaxWeightBits, w)
}

// theoremLine sets params, depth and width against the theorem's formulas
// of a, and says whether the counts are within our construction's worst
// case; "" when the record states none.
func theoremLine(a *pipeline.Accounting) string {
	if a == nil {
		return ""
	}
	var parts []string
	within, stated := true, false
	for _, c := range a.Counts {
		if c.Realisation != nil && c.WithinRealisation != nil {
			stated = true
			within = within && *c.WithinRealisation
		}
		if c.Theorem == nil || c.Theorem.Value <= 0 || (c.Key != "params" && c.Key != "depth" && c.Key != "width") {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %d = %.3g × %s", c.Key, c.Built, c.RatioTheorem, ceilText(c.Theorem.Value)))
	}
	if len(parts) == 0 {
		return ""
	}
	s := "against the theorem's formulas: " + strings.Join(parts, ", ")
	switch {
	case stated && within:
		s += "; within our construction's worst case"
	case stated:
		s += "; ABOVE our construction's stated worst case"
	}
	return s
}

func ceilText(v float64) string {
	if v >= 1e7 {
		return fmt.Sprintf("%.3g", v)
	}
	return fmt.Sprintf("%.0f", math.Ceil(v))
}

// printBuildShort is build's default summary.
func printBuildShort(name string, n, dups, d, m int, b *pipeline.Built) {
	fmt.Printf("%s network for %s: N=%d distinct points", b.Model.Method, name, n)
	if dups > 0 {
		fmt.Printf(" (%d repeated row(s) dropped)", dups)
	}
	fmt.Printf(", d=%d, M=%d, built in %.3f s\n", d, m, b.Seconds)
	fmt.Printf("  %s\n", sizeLine(b.Stats))
	fmt.Printf("  %s\n", b.Model.Theorem)
	if l := theoremLine(pipeline.Account(b.Model)); l != "" {
		fmt.Printf("  %s\n", l)
	}
	fmt.Println("  (memnet verify checks it on the data in exact arithmetic; --verbose prints every count, norm, lower bound and note)")
}

// printInspectShort is inspect's default summary. What the file records
// (method, points, theorem, the theory record) is printed as its claim;
// the sizes are measured from the weights.
func printInspectShort(info *pipeline.Info) {
	fmt.Printf("network: %s\n", sizeLine(info.Stats))
	fmt.Printf("  input dim %d, %d classes, %s\n", info.InputDim, info.Classes, normsText(info.Norms))
	fmt.Printf("  the file says: method %s, built for %d points", info.Method, info.Points)
	if info.Theorem != "" {
		fmt.Printf(", %s", info.Theorem)
	}
	fmt.Println()
	if l := theoremLine(info.Theory); l != "" {
		fmt.Printf("  %s\n", strings.Replace(l, "against the theorem's formulas", "against the theorem's formulas as the file records them", 1))
	}
	fmt.Println("  (memnet verify NET --data FILE checks it exactly; --verbose prints options, every count, lower bounds and phases)")
}

// maxWrongShown bounds the wrong points verify lists by default.
const maxWrongShown = 10

// printVerifyShort is verify's default summary of a classification verdict.
func printVerifyShort(v *pipeline.Verified, certs []*nn.Certificate, classes []string) {
	fmt.Println(verifyHeadline(v))
	if len(v.UnknownLabels) > 0 {
		fmt.Printf("  labels the network has no class for: %s (the network's classes: %s)\n", abbrevList(v.UnknownLabels), abbrevList(classes))
	}
	fc := floatChecked(v)
	fmt.Printf("  %d points (%d distinct); float64 %d/%d right, float32 %d/%d%s", v.Points, v.DistinctPoints, v.Float64Correct, fc, v.Float32Correct, fc, floatSampleNote(v))
	for _, c := range certs {
		if c.Proven {
			fmt.Printf("; PROVEN exact in %s in any summation order", c.Format)
			break
		}
	}
	fmt.Println()
	if v.Float64Correct < fc || v.Float32Correct < fc {
		fmt.Println("  (float counts: the weights rounded to float64/float32 as a framework would; they do not change the exact verdict)")
	}
	for i, w := range v.Wrong {
		if i == maxWrongShown {
			fmt.Printf("  … and %d more wrong points (--verbose lists them all)\n", len(v.Wrong)-maxWrongShown)
			break
		}
		fmt.Println("  " + wrongLine(w))
	}
	fmt.Println("  (--verbose: the evaluator, times, weights rounded in float64/float32, the certificates)")
}

// maxOutputChars bounds an exact output printed in a line: a wrong output of
// a deep network can be a fraction of thousands of digits.
const maxOutputChars = 60

// abbrevOutput is an exact output, cut to maxOutputChars with its length.
func abbrevOutput(s string) string {
	if len(s) <= maxOutputChars {
		return s
	}
	return fmt.Sprintf("%s… (%d characters; --json has it all)", s[:maxOutputChars], len(s))
}

// abbrevList joins at most 10 names.
func abbrevList(xs []string) string {
	if len(xs) <= 10 {
		return strings.Join(xs, ", ")
	}
	return fmt.Sprintf("%s, … (%d in all)", strings.Join(xs[:10], ", "), len(xs))
}
