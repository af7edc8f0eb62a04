package ysj

import (
	"context"
	"fmt"
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
	rng := rand.New(rand.NewPCG(6, 6))
	for trial := range 150 {
		n, d, m := 1+rng.IntN(400), 1+rng.IntN(20), 1+rng.IntN(12)
		ds := randomDataset(n, d, m, trial%3 == 0, uint64(trial))
		params := map[string]string{}
		if trial%4 == 1 {
			params["group"] = fmt.Sprint(1 + rng.IntN(n))
		}
		res, err := Method{}.Build(context.Background(), ds, construct.Options{Seed: int64(trial), Params: params})
		if err != nil {
			t.Fatalf("%s: %v", ds.Name, err)
		}
		rep, err := nn.Verify(context.Background(), res.Net, ds.X, ds.Y, m, nn.ExactOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Exact || rep.ExactEqual != n {
			t.Fatalf("%s %v: exact %v, %d/%d outputs equal to the label (wrong %v)", ds.Name, params, rep.Exact, rep.ExactEqual, n, rep.Wrong)
		}
		fast, err := verdict.VerifyRidge(context.Background(), res.Net, ds.X, ds.Y, m, nil)
		if err != nil || !fast.Exact || fast.ExactEqual != n || fast.ExactEvaluator == rep.ExactEvaluator {
			t.Fatalf("%s: sweep verifier %+v %v", ds.Name, fast, err)
		}
		st := res.Net.Stats()
		c, _ := ParseConfig(construct.Options{Params: params})
		d1, d2, p := c.Counts(n, d)
		if !st.Dyadic || st.Depth != 2 || res.Net.Hidden[0].Out() != d1 || res.Net.Hidden[1].Out() > d2 || st.Params > p {
			t.Errorf("%s %v: dyadic %v depth %d widths %d,%d params %d; predicted %d,%d params %d",
				ds.Name, params, st.Dyadic, st.Depth, res.Net.Hidden[0].Out(), res.Net.Hidden[1].Out(), st.Params, d1, d2, p)
		}
		if len(params) == 0 {
			pred, _ := Method{}.Predict(construct.Sizes(n, d, m), construct.Options{})
			if st.Width > int(pred.TheoremForm["width"].Value)+2 {
				t.Errorf("%s: width %d far above the theorem's %v", ds.Name, st.Width, pred.TheoremForm["width"])
			}
			if int64(st.Width) > pred.Realisation["width"] || st.Params > pred.Realisation["params"] {
				t.Errorf("%s: width %d params %d above the realisation %v", ds.Name, st.Width, st.Params, pred.Realisation)
			}
		}
	}
}

func TestBadOptions(t *testing.T) {
	ds := randomDataset(5, 2, 2, false, 1)
	for _, p := range []map[string]string{{"group": "-1"}, {"nope": "1"}, {"direction": "up"}} {
		if _, err := (Method{}).Build(context.Background(), ds, construct.Options{Params: p}); err == nil {
			t.Errorf("%v accepted", p)
		}
	}
}
