package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/memnet/memnet/construct"
	"github.com/memnet/memnet/data"
)

// dataFlags are the loader flags shared by every command that reads data.
type dataFlags struct {
	path, labels, format string
	labelCol             int
}

func (f *dataFlags) add(cmd *cobra.Command, required bool) {
	usage := "data file: CSV/CSV.gz (label last), .npz (arrays x, y), .npy (with --labels), or IDX images (with --labels)"
	if required {
		usage += " (required)"
	}
	cmd.Flags().StringVar(&f.path, "data", "", usage)
	cmd.Flags().StringVar(&f.labels, "labels", "", "label file for .npy features or IDX images")
	cmd.Flags().IntVar(&f.labelCol, "label-col", 0, "CSV label column, 1-based (0 = last; negative counts from the end)")
	cmd.Flags().StringVar(&f.format, "format", "", "force the data format: csv, npy, npz or idx (default: from the file)")
	if required {
		_ = cmd.MarkFlagRequired("data")
	}
}

func (f *dataFlags) load() (*data.Dataset, error) {
	ds, err := data.Load(data.LoadOptions{Path: f.path, Labels: f.labels, LabelCol: f.labelCol, Format: f.format})
	if err != nil {
		return nil, err
	}
	for _, n := range ds.Notes {
		fmt.Fprintf(os.Stderr, "note: %s: %s\n", f.path, n)
	}
	return ds, nil
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // "<" stays "<", not \u003c
	return enc.Encode(v)
}

func addMethodFlags(cmd *cobra.Command, opts *[]string) {
	for _, m := range construct.Flags {
		cmd.Flags().String(m.Name, "", m.Usage)
	}
	cmd.Flags().Lookup("snap").NoOptDefVal = "true" // --snap alone means --snap=true
	cmd.Flags().Bool("regression", false, "park: memorize real targets in [0,1] (the labels) to within --eps")
	cmd.Flags().StringArrayVar(opts, "opt", nil, "method option NAME=VALUE (repeatable)")
}

func methodParams(cmd *cobra.Command, opts []string) (map[string]string, error) {
	p := map[string]string{}
	for _, m := range construct.Flags {
		if cmd.Flags().Changed(m.Name) {
			v, _ := cmd.Flags().GetString(m.Name)
			p[m.Param] = v
		}
	}
	if cmd.Flags().Changed("regression") {
		r, _ := cmd.Flags().GetBool("regression")
		p["regression"] = fmt.Sprint(r)
	}
	for _, o := range opts {
		k, v, ok := strings.Cut(o, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--opt %q: want NAME=VALUE", o)
		}
		p[k] = v
	}
	return p, nil
}

// loadRows reads a labelled data file and returns every row's features in
// file order (repeated rows included; the labels are not used).
func (f *dataFlags) loadRows() ([][]float64, error) {
	ds, err := f.load()
	if err != nil {
		return nil, err
	}
	xs := make([][]float64, len(ds.Source))
	for r, i := range ds.Source {
		xs[r] = ds.X[i]
	}
	return xs, nil
}
