package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/memnet/memnet/nn"
	"github.com/memnet/memnet/pipeline"
)

// printInspectExtra prints what inspect adds to the size counts: the
// parameter norms, and the construction's phases with their layer ranges.
func printInspectExtra(model *nn.Model, info *pipeline.Info) {
	fmt.Printf("  %s (every weight and bias), largest weight %d bits\n", normsText(info.Norms), info.MaxWeightBits)
	for _, k := range normHintKeys(model.Hints) {
		fmt.Printf("  %s = %s (%s)\n", k, model.Hints[k], model.Hints[k+"_source"])
	}
	if len(info.Phases) > 0 {
		terms := make([]string, len(info.Phases))
		for i, p := range info.Phases {
			terms[i] = fmt.Sprint(p.Last - p.First + 1)
		}
		bound := ""
		if info.Theory != nil {
			for _, c := range info.Theory.Counts {
				if c.Key == "depth" && c.Theorem != nil {
					bound = fmt.Sprintf(" ≤ the theorem's %s = %.0f", c.Theorem.Formula, c.Theorem.Value)
				}
			}
		}
		fmt.Printf("  depth %d; the file's phases sum to %s%s\n", info.Depth, strings.Join(terms, " + "), bound)
		fmt.Println("  phases as the file records them (hidden layers, 1-based, inclusive):")
		for _, p := range info.Phases {
			fmt.Printf("    %-55s %d–%d (%d layers)\n", p.Name, p.First, p.Last, p.Last-p.First+1)
		}
	}
}

// normHintKeys are the hints holding a norm value or bound stated by the
// construction's specification (keys norm_*, without their _source notes).
func normHintKeys(h map[string]string) []string {
	var ks []string
	for k := range h {
		if strings.HasPrefix(k, "norm_") && !strings.HasSuffix(k, "_source") {
			ks = append(ks, k)
		}
	}
	sort.Strings(ks)
	return ks
}

// phaseEnds are the last layers of the model's recorded phases, which the
// trajectory picture always shows, with "end: PHASE" notes for their panels.
func phaseEnds(model *nn.Model) ([]int, map[int]string) {
	var ends []int
	notes := map[int]string{}
	for _, p := range pipeline.Phases(model) {
		if p.Last >= p.First {
			ends = append(ends, p.Last)
			name, _, _ := strings.Cut(p.Name, ",")
			notes[p.Last] = "end: " + name
		}
	}
	return ends, notes
}
