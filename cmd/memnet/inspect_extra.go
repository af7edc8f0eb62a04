package main

import (
	"fmt"

	"github.com/memnet/memnet/nn"
	"github.com/memnet/memnet/pipeline"
)

// printInspectExtra prints what inspect adds to the size counts: the
// parameter norms, and the construction's phases with their layer ranges.
func printInspectExtra(model *nn.Model, info *pipeline.Info) {
	fmt.Printf("  ‖θ‖₂² = %.6g, ‖θ‖_∞ = %.6g (every weight and bias), largest weight %d bits\n", info.NormL2Squared, info.NormMax, info.MaxWeightBits)
	for _, k := range []string{"norm_l2_squared_bound", "norm_max_bound"} {
		if v, ok := model.Hints[k]; ok {
			fmt.Printf("  %s = %s (%s)\n", k, v, model.Hints[k+"_source"])
		}
	}
	if len(info.Phases) > 0 {
		fmt.Println("  phases (hidden layers, 1-based, inclusive):")
		for _, p := range info.Phases {
			fmt.Printf("    %-55s %d–%d (%d layers)\n", p.Name, p.First, p.Last, p.Last-p.First+1)
		}
	}
}
