package park

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/memnet/memnet/construct/criteria"
	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
)

// problemOf measures Δ of the dataset with data.Geometry (Δ must exceed the
// max/min distance ratio strictly, Definition 1).
func problemOf(t *testing.T, xs [][]float64, ys []int, c int) criteria.Problem {
	t.Helper()
	ds := &data.Dataset{Name: "random", X: xs, Y: ys}
	for k := range c {
		ds.Classes = append(ds.Classes, string(rune('a'+k)))
	}
	g, _ := data.Geometry(context.Background(), ds)
	if !g.MinDistExact || !g.MaxDistExact {
		t.Fatalf("geometry not exact: %s", g.Method)
	}
	return criteria.Problem{N: len(xs), C: c, Dx: len(xs[0]), Delta: math.Nextafter(g.Delta, math.Inf(1))}
}

// archCheck builds the architecture, checks the widths are exactly the
// given ones and verifies exactly (typed and generic evaluators, one
// corrupted label rejected exactly once).
func archCheck(t *testing.T, xs [][]float64, ys []int, c int, widths []int) *Built {
	t.Helper()
	b, err := BuildArch(context.Background(), xs, ys, c, widths, Config{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	got := make([]int, len(b.Net.Hidden))
	for i, l := range b.Net.Hidden {
		got[i] = l.Out()
	}
	if !slices.Equal(got, widths) {
		t.Fatalf("built widths %s, want %s", criteria.FormatWidths(got), criteria.FormatWidths(widths))
	}
	if DenseParams(b.Net) != criteria.DenseParams(widths, len(xs[0])) {
		t.Errorf("dense params %d vs %d", DenseParams(b.Net), criteria.DenseParams(widths, len(xs[0])))
	}
	r, err := nn.ExactVerdict(context.Background(), b.Net, xs, ys, c, nn.ExactOptions{})
	if err != nil || !r.Exact || r.ExactEqual != len(xs) {
		t.Fatalf("fast verify: %v %+v", err, r)
	}
	g, err := nn.ExactVerdict(context.Background(), b.Net, xs, ys, c, nn.ExactOptions{})
	if err != nil || !g.Exact {
		t.Fatalf("generic verify: %v %+v", err, g)
	}
	bad := slices.Clone(ys)
	i := len(ys) / 3
	bad[i] = (bad[i] + 1) % c
	r, _ = nn.ExactVerdict(context.Background(), b.Net, xs, bad, c, nn.ExactOptions{})
	if r.ExactCorrect != len(xs)-1 || len(r.Wrong) != 1 || r.Wrong[0] != i {
		t.Fatalf("corrupted label: %+v", r)
	}
	return b
}

// TestTheorem3Build: the architecture the checker suggests for a random
// Δ-separated dataset (Δ from data.Geometry) is built with exactly those
// widths and memorizes the data exactly; so is a variant with wide
// compression-1 layers (Lemma 15 with ⌊(d+1)/2⌋ blocks) and width-5 segments.
func TestTheorem3Build(t *testing.T) {
	xs, ys := randomData(500, 5, 4, 77, false)
	p := problemOf(t, xs, ys, 4)
	s, err := criteria.Suggest(p)
	if err != nil {
		t.Fatal(err)
	}
	b := archCheck(t, xs, ys, 4, criteria.Expand(s.Runs))
	t.Logf("Δ = %.4g: suggested %s (%d dense params), split %+v, layers %v", p.Delta, s.Widths, s.Params, b.Witness, b.Sizes.Layers)

	// wide compression 1: width 9 divides by 5 per layer
	need := int(math.Ceil(math.Log(criteria.Condition2Target(p)) / math.Log(5)))
	runs := []criteria.Run{{Width: 9, Count: need}}
	for _, r := range s.Runs[1:] {
		switch r.Width {
		case 4:
			r.Width = 5
		case 7:
			r.Count += 20
		}
		runs = append(runs, r)
	}
	w := criteria.Expand(runs)
	chk, err := criteria.Check(w, p)
	if err != nil || !chk.OK {
		t.Fatalf("variant %s not accepted: %v %+v", criteria.FormatWidths(w), err, chk)
	}
	b = archCheck(t, xs, ys, 4, w)
	t.Logf("variant %s: split %+v, indicators %v", criteria.FormatWidths(w), b.Witness, b.Sizes.Thresholds)

	// integer data (pixels), C = 2
	xs, ys = randomData(300, 16, 2, 5, true)
	p = problemOf(t, xs, ys, 2)
	s, err = criteria.Suggest(p)
	if err != nil {
		t.Fatal(err)
	}
	archCheck(t, xs, ys, 2, criteria.Expand(s.Runs))

	// a rejected architecture is refused with the failing condition
	if _, err := BuildArch(context.Background(), xs, ys, 2, []int{3, 3, 3, 7, 7}, Config{}); err == nil {
		t.Error("rejected architecture built")
	} else {
		t.Log(err)
	}
}
