package pipeline

import (
	"fmt"
	"io"
	"math"
	"sort"

	"github.com/memnet/memnet/construct"
	"github.com/memnet/memnet/nn"
)

// CountLine is one count of a built network beside the theorem's form of it
// and our realisation's worst case.
type CountLine struct {
	Key   string `json:"count"`
	Built int64  `json:"built"`
	// Theorem is the paper's formula for this count (nil: the theorem states none).
	Theorem *nn.Formula `json:"theorem,omitempty"`
	// RatioTheorem is Built / Theorem.Value.
	RatioTheorem float64 `json:"ratio_to_theorem,omitempty"`
	// Realisation is our construction's worst case (nil: none stated).
	Realisation *int64 `json:"realisation,omitempty"`
	// RealisationFormula says how it is computed.
	RealisationFormula string `json:"realisation_formula,omitempty"`
	// WithinRealisation is Built ≤ Realisation.
	WithinRealisation *bool `json:"within_realisation,omitempty"`
}

// Accounting is a built network's theory record: its counts against the
// theorem's form and our realisation, and the lower bounds with its ratios
// to them.
type Accounting struct {
	Theorem     string                 `json:"theorem"`
	Statement   string                 `json:"statement,omitempty"`
	Counts      []CountLine            `json:"counts"`
	LowerBounds []construct.LowerBound `json:"lower_bounds"`
	WL2         construct.WL2          `json:"w2l2"`
	Inputs      map[string]float64     `json:"inputs,omitempty"`
	Notes       []string               `json:"notes,omitempty"`
	// Legacy holds the counts of a network file written before the theory
	// record existed, as recorded (their labels were not kept apart).
	Legacy map[string]int64 `json:"legacy_predicted,omitempty"`
}

// Account sets model's counts beside its theory record and the lower bounds.
func Account(model *nn.Model) *Accounting {
	st := model.Net.Stats()
	a := &Accounting{Theorem: model.Theorem, Legacy: model.Predicted}
	var r, delta float64
	if th := model.Theory; th != nil {
		a.Theorem, a.Statement, a.Inputs, a.Notes = th.Theorem, th.Statement, th.Inputs, th.Notes
		r, delta = th.Inputs["r"], th.Inputs["delta_min"]
		// params, depth and width are always listed, with the theorem's form
		// and the realisation where the construction states them.
		keys := map[string]bool{"params": true, "depth": true, "width": true}
		for k := range th.TheoremForm {
			keys[k] = true
		}
		for k := range th.Realisation {
			keys[k] = true
		}
		order := map[string]int{"params": 0, "depth": 1, "width": 2, "bits": 3, "edges": 4}
		var ks []string
		for k := range keys {
			if _, ok := st.Count(k); ok {
				ks = append(ks, k)
			}
		}
		sort.Slice(ks, func(i, j int) bool { return order[ks[i]] < order[ks[j]] })
		for _, k := range ks {
			b, _ := st.Count(k)
			cl := CountLine{Key: k, Built: b}
			if f, ok := th.TheoremForm[k]; ok {
				f := f
				cl.Theorem = &f
				if f.Value > 0 {
					cl.RatioTheorem = float64(b) / f.Value
				}
			}
			if v, ok := th.Realisation[k]; ok {
				v := v
				in := b <= v
				cl.Realisation, cl.WithinRealisation = &v, &in
				cl.RealisationFormula = th.RealisationFormula[k]
			}
			a.Counts = append(a.Counts, cl)
		}
	}
	a.LowerBounds = construct.LowerBounds(model.Net, model.Points, model.Net.InputDim, len(model.Classes), r, delta)
	a.WL2 = construct.NewWL2(st.Width, st.Depth, model.Points, r, delta)
	return a
}

// num prints a count or formula value compactly.
func num(v float64) string {
	switch {
	case v == 0:
		return "0"
	case math.Abs(v) >= 1e6 || math.Abs(v) < 0.01:
		return fmt.Sprintf("%.3g", v)
	case v == math.Trunc(v):
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

// PrintAccounting writes a as indented lines, with a legend.
func PrintAccounting(w io.Writer, a *Accounting) {
	if a.Statement != "" {
		fmt.Fprintf(w, "  statement: %s\n", a.Statement)
	}
	for _, c := range a.Counts {
		line := fmt.Sprintf("  %-6s built %s", c.Key, num(float64(c.Built)))
		if c.Theorem != nil {
			line += fmt.Sprintf("; theorem %s = %s (%s), built/theorem %.3g", c.Theorem.Formula, num(c.Theorem.Value), c.Theorem.Constants, c.RatioTheorem)
		}
		if c.Realisation != nil {
			ok := "within"
			if !*c.WithinRealisation {
				ok = "EXCEEDED"
			}
			line += fmt.Sprintf("; realisation %d (%s)", *c.Realisation, ok)
		}
		fmt.Fprintln(w, line)
	}
	for _, lb := range a.LowerBounds {
		fmt.Fprintf(w, "  lower bound on %s (%s): %s = %s; network %s, ratio %.3g\n", lb.Of, lb.Source, lb.Formula, num(lb.Value), num(lb.Actual), lb.Ratio)
		if lb.Note != "" {
			fmt.Fprintf(w, "    %s\n", lb.Note)
		}
	}
	for _, k := range PredictedKeys(a.Legacy) {
		fmt.Fprintf(w, "  recorded (old file, theorem and realisation not kept apart) %s = %d\n", k, a.Legacy[k])
	}
	for _, n := range a.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
	fmt.Fprintln(w, "  (counts: params = nonzero weights + nonzero biases, depth = hidden layers, width = largest hidden layer, bits = largest weight's bit length;")
	fmt.Fprintln(w, "   theorem = the paper's formula for this data, \"constants 1\" where the paper gives only O(·); realisation = our construction's worst case; docs/theory.md)")
}
