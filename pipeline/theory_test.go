package pipeline

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/memnet/memnet/construct"
	"github.com/memnet/memnet/data"
)

// TestAccountEveryMethod: every method's built network carries a theory
// record whose counts sit within the realisation, beside the theorem's form
// (marked paper or constants 1), with the data's r and δ recorded for the
// lower bounds; the printed form has a legend.
func TestAccountEveryMethod(t *testing.T) {
	for _, m := range construct.Methods() {
		ds := data.Gaussian(60, 3, 3, 7)
		if m.Name() == "floatexact" { // integer coordinates only
			ds = data.Lattice(60, 3, 3, 7)
		}
		b, err := Build(context.Background(), ds, m.Name(), construct.Options{Seed: 1})
		if err != nil {
			t.Fatalf("%s: %v", m.Name(), err)
		}
		a := Account(b.Model)
		if a.Inputs["r"] <= 0 || a.Inputs["delta_min"] <= 0 {
			t.Errorf("%s: geometry not recorded: %v", m.Name(), a.Inputs)
		}
		seen := map[string]bool{}
		for _, c := range a.Counts {
			seen[c.Key] = true
			if c.Realisation != nil && !*c.WithinRealisation {
				t.Errorf("%s: %s %d above the realisation %d", m.Name(), c.Key, c.Built, *c.Realisation)
			}
			if c.Theorem != nil && c.Theorem.Constants != "paper" && !strings.HasPrefix(c.Theorem.Constants, "constants 1") {
				t.Errorf("%s: %s theorem form with constants %q", m.Name(), c.Key, c.Theorem.Constants)
			}
		}
		if !seen["params"] || !seen["depth"] || !seen["width"] {
			t.Errorf("%s: counts %v", m.Name(), seen)
		}
		if len(a.LowerBounds) < 3 {
			t.Errorf("%s: lower bounds %v", m.Name(), a.LowerBounds)
		}
		var buf bytes.Buffer
		PrintAccounting(&buf, a)
		if !strings.Contains(buf.String(), "realisation = our construction's worst case") {
			t.Errorf("%s: no legend:\n%s", m.Name(), buf.String())
		}
	}
}
