package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
	"github.com/memnet/memnet/pipeline"
)

// inputAffineFlags are --input-scale and --input-shift: the network is
// applied to scale·x + shift, folded exactly into its first layer.
type inputAffineFlags struct{ scale, shift string }

func (f *inputAffineFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.scale, "input-scale", "", "apply the network to scale·x + shift: scale as exact numbers (1/255, 0.5), one or one per input, comma-separated; folded exactly into the first layer")
	cmd.Flags().StringVar(&f.shift, "input-shift", "", "the shift of --input-scale (e.g. -0.1307), one or one per input")
}

// apply folds the flags' preprocessing into model (model itself when none is given).
func (f *inputAffineFlags) apply(model *nn.Model) (*nn.Model, error) {
	a, err := pipeline.ParseInputAffine(f.scale, f.shift)
	if err != nil || a == nil {
		return model, err
	}
	return a.Apply(model)
}

// printFloatComparison prints, for an imported classifier, its exact
// accuracy beside the float32 accuracy of the file run as a framework would,
// and the points where the two differ.
func printFloatComparison(cmd *cobra.Command, model *nn.Model, ds *data.Dataset) error {
	c, err := pipeline.CompareFloat32(cmd.Context(), model, ds)
	if err != nil {
		return err
	}
	fmt.Printf("  imported classifier: exact %d/%d correct; float32 %d/%d correct (%s)\n",
		c.ExactCorrect, c.Points, c.Float32Correct, c.Points, c.Float32Inputs)
	if len(c.Diffs) == 0 {
		fmt.Println("  the exact and float32 classes agree on every point")
		return nil
	}
	fmt.Printf("  %d point(s) where they differ (row: label, exact class, float32 class, exact margin = output of the label − largest other output):\n", len(c.Diffs))
	for i, d := range c.Diffs {
		if i == 20 {
			fmt.Printf("  ... and %d more (--json lists all)\n", len(c.Diffs)-20)
			break
		}
		fmt.Printf("    row %d: label %q, exact %q, float32 %q, margin %s\n", d.Row, d.Label, d.Exact, d.Float32, d.ExactMargin)
	}
	return nil
}

func orOne(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
