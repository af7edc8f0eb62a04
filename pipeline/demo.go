package pipeline

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/memnet/memnet/construct"
	"github.com/memnet/memnet/data"
)

// Row is one construction built and verified on one dataset.
type Row struct {
	Method          string           `json:"method"`
	Dataset         string           `json:"dataset"`
	N               int              `json:"n"`
	D               int              `json:"d"`
	M               int              `json:"classes"`
	Depth           int              `json:"depth"`
	Width           int              `json:"width"`
	Params          int64            `json:"params"`
	Edges           int64            `json:"weights_nonzero"`
	MaxWeightBits   int              `json:"max_weight_bits"`
	Predicted       map[string]int64 `json:"predicted"`
	BuildSeconds    float64          `json:"build_seconds"`
	VerifySeconds   float64          `json:"verify_seconds"`
	Exact           bool             `json:"exact"`
	ExactCorrect    int              `json:"exact_correct"`
	Float64Correct  int              `json:"float64_correct"`
	Float32Correct  int              `json:"float32_correct"`
	Float64BitExact int              `json:"float64_bit_exact"`
	Error           string           `json:"error,omitempty"`
}

// Run builds ds with every method in methods (all registered ones when
// empty), verifies each exactly, and returns one row per method. A method
// that fails gets its error in its row; the others go on.
func Run(ctx context.Context, ds *data.Dataset, methods []string, seed int64) []Row {
	if len(methods) == 0 {
		for _, m := range construct.Methods() {
			methods = append(methods, m.Name())
		}
	}
	var rows []Row
	for _, name := range methods {
		row := Row{Method: name, Dataset: ds.Name, N: ds.N(), D: ds.D(), M: ds.M()}
		b, err := Build(ctx, ds, name, construct.Options{Seed: seed})
		if err != nil {
			row.Error = err.Error()
			rows = append(rows, row)
			continue
		}
		row.Depth, row.Width, row.Params, row.Edges, row.MaxWeightBits = b.Stats.Depth, b.Stats.Width, b.Stats.Params, b.Stats.WeightsNonzero, b.Stats.MaxWeightBits
		row.Predicted = b.Model.Predicted
		row.BuildSeconds = b.Seconds
		v, err := Verify(b.Model, ds, nil)
		if err != nil {
			row.Error = err.Error()
			rows = append(rows, row)
			continue
		}
		row.VerifySeconds = v.Seconds
		row.Exact, row.ExactCorrect = v.Exact, v.ExactCorrect
		row.Float64Correct, row.Float32Correct, row.Float64BitExact = v.Float64Correct, v.Float32Correct, v.Float64BitExact
		rows = append(rows, row)
	}
	return rows
}

// DemoDataset is the built-in dataset of `memnet demo`: two interleaved
// spirals, N = 1000.
func DemoDataset() *data.Dataset { return data.Spirals(1000, 1) }

// PrintTable writes rows as an aligned text table.
func PrintTable(w io.Writer, rows []Row) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "method\tN\td\tM\twidth\tdepth\tdepth bound\tparams\tmax bits\tbuild s\tverify s\texact\tfloat64\tfloat32\t")
	for _, r := range rows {
		if r.Error != "" {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\terror: %s\t\t\t\t\t\t\t\t\t\t\n", r.Method, r.N, r.D, r.M, strings.ReplaceAll(r.Error, "\t", " "))
			continue
		}
		bound := "-"
		if v, ok := r.Predicted["depth_bound"]; ok {
			bound = fmt.Sprint(v)
		}
		verdict := "yes"
		if !r.Exact {
			verdict = fmt.Sprintf("NO (%d/%d)", r.ExactCorrect, r.N)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%s\t%d\t%d\t%.3f\t%.3f\t%s\t%d/%d\t%d/%d\t\n",
			r.Method, r.N, r.D, r.M, r.Width, r.Depth, bound, r.Params, r.MaxWeightBits,
			r.BuildSeconds, r.VerifySeconds, verdict, r.Float64Correct, r.N, r.Float32Correct, r.N)
	}
	return tw.Flush()
}
