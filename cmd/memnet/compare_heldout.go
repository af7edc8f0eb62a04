package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/pipeline"
)

// heldOutFlags are compare's --test, --test-labels and --radius.
type heldOutFlags struct {
	test, testLabels string
	radius           bool
}

func (h *heldOutFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&h.test, "test", "", "held-out data file (same formats as --data): adds the exact test-accuracy column")
	cmd.Flags().StringVar(&h.testLabels, "test-labels", "", "label file for --test (.npy features or IDX images)")
	cmd.Flags().BoolVar(&h.radius, "radius", false, "add the robust-radius column (exact for one-projection first layers, bounds otherwise)")
}

// apply loads the test data (read like --data) into o.
func (h *heldOutFlags) apply(o *pipeline.CompareOptions, df dataFlags) error {
	o.Radius = h.radius
	if h.test == "" {
		return nil
	}
	ds, err := data.Load(data.LoadOptions{Path: h.test, Labels: h.testLabels, LabelCol: df.labelCol, Format: df.format})
	if err != nil {
		return err
	}
	for _, n := range ds.Notes {
		fmt.Fprintf(os.Stderr, "note: %s: %s\n", h.test, n)
	}
	o.Test = ds
	return nil
}
