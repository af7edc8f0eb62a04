package zhang

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/memnet/memnet/construct"
	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
	"github.com/memnet/memnet/verdict"
)

// randomDataset: n distinct Gaussian points in d dims with m classes, or
// integer lattice points (ties in integer projections) when lattice is set.
func randomDataset(n, d, m int, lattice bool, seed uint64) *data.Dataset {
	if lattice {
		return data.Lattice(n, d, m, seed)
	}
	return data.Gaussian(n, d, m, seed)
}

func TestProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for trial := range 120 {
		n, d, m := 1+rng.IntN(300), 1+rng.IntN(20), 1+rng.IntN(12)
		ds := randomDataset(n, d, m, trial%3 == 0, uint64(trial))
		for _, layout := range []string{"projected", "fused"} {
			params := map[string]string{"layout": layout}
			res, err := Method{}.Build(context.Background(), ds, construct.Options{Seed: int64(trial), Params: params})
			if err != nil {
				t.Fatalf("%s: %v", ds.Name, err)
			}
			rep, err := nn.Verify(context.Background(), res.Net, ds.X, ds.Y, m, nn.ExactOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !rep.Exact || rep.ExactEqual != n {
				t.Fatalf("%s %s: exact %v, %d/%d outputs equal to the label", ds.Name, layout, rep.Exact, rep.ExactEqual, n)
			}
			fast, err := verdict.VerifyRidge(context.Background(), res.Net, ds.X, ds.Y, m, nil)
			if err != nil || !fast.Exact || fast.ExactEqual != n || fast.ExactEvaluator == rep.ExactEvaluator {
				t.Fatalf("%s %s: sweep verifier %+v %v", ds.Name, layout, fast, err)
			}
			st := res.Net.Stats()
			if !st.Dyadic {
				t.Errorf("%s: weights not dyadic", ds.Name)
			}
			c, _ := ParseConfig(construct.Options{Params: params})
			depth, width, weights, p := c.Counts(n, d)
			if st.Depth != depth || st.Width > width || st.WeightsNonzero > weights || st.Params > p {
				t.Errorf("%s %s: depth %d width %d weights %d params %d exceed the predicted %d %d %d %d",
					ds.Name, layout, st.Depth, st.Width, st.WeightsNonzero, st.Params, depth, width, weights, p)
			}
			pred, _ := Method{}.Predict(construct.Sizes(n, d, m), construct.Options{Params: params})
			if pred.Realisation["params"] != p || pred.TheoremForm["params"].Value != float64(2*n+d) {
				t.Errorf("Predict disagrees with Counts")
			}
			if layout == "projected" && st.WeightsNonzero > int64(2*n+d) {
				t.Errorf("%s: %d weights exceed Zhang's 2n+d = %d", ds.Name, st.WeightsNonzero, 2*n+d)
			}
		}
	}
}

func TestBadOptions(t *testing.T) {
	ds := randomDataset(5, 2, 2, false, 1)
	for _, p := range []map[string]string{{"layout": "x"}, {"nope": "1"}, {"direction": "up"}, {"direction-bits": "0"}} {
		if _, err := (Method{}).Build(context.Background(), ds, construct.Options{Params: p}); err == nil {
			t.Errorf("%v accepted", p)
		}
	}
}
