package construct_test

import (
	"context"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/memnet/memnet/construct"
	_ "github.com/memnet/memnet/construct/dfg"
	_ "github.com/memnet/memnet/construct/hz"
	_ "github.com/memnet/memnet/construct/park"
	_ "github.com/memnet/memnet/construct/vardi"
	_ "github.com/memnet/memnet/construct/ysj"
	_ "github.com/memnet/memnet/construct/zhang"
	"github.com/memnet/memnet/data"
)

// randomOptions draws one of the method's option variants.
func randomOptions(method string, rng *rand.Rand) map[string]string {
	pick := func(vs ...string) string { return vs[rng.IntN(len(vs))] }
	switch method {
	case "hz":
		return map[string]string{"snap": pick("true", "false"), "pad": pick("false", "false", "true"), "variant": pick("sweep", "sweep", "phases")}
	case "park":
		o := map[string]string{"activation": pick("step", "step", "relu", "sigmoid"), "grouping": pick("paper", "adaptive", "search")}
		if rng.IntN(3) == 0 {
			o["w"] = strconv.FormatFloat(2.0/3+rng.Float64()/3, 'g', 6, 64)
		}
		return o
	case "vardi":
		o := map[string]string{"objective": pick("params", "depth")}
		switch rng.IntN(4) {
		case 1:
			o["max-depth"] = strconv.Itoa(20 + rng.IntN(200))
		case 2:
			o["max-bits"] = strconv.Itoa(40 + rng.IntN(200))
		}
		return o
	case "dfg":
		return map[string]string{"activation": pick("step", "step", "relu"), "lambda": pick("1", "2", "4"), "n": pick("100", "200")}
	case "zhang":
		return map[string]string{"layout": pick("projected", "fused")}
	case "ysj":
		if rng.IntN(2) == 0 {
			return map[string]string{"group": strconv.Itoa(1 + rng.IntN(8))}
		}
	}
	return nil
}

// TestRealisationProperty builds every method on many random small datasets
// (Gaussian and integer-lattice points, random sizes, classes and option
// variants) and checks that no network exceeds any of its realisation's
// worst-case counts, and that each method states a realisation for params,
// depth and width. PROPERTY_DATASETS sets the number of datasets per method
// (default 1000); PROPERTY_SEED the seed (default 1).
func TestRealisationProperty(t *testing.T) {
	count, seed := 1000, uint64(1)
	if s := os.Getenv("PROPERTY_DATASETS"); s != "" {
		count, _ = strconv.Atoi(s)
	}
	if s := os.Getenv("PROPERTY_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	for _, m := range construct.Methods() {
		t.Run(m.Name(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, uint64(len(m.Name()))))
			built, refused := 0, 0
			for it := range count {
				n, d, c := 1+rng.IntN(40), 1+rng.IntN(5), 1+rng.IntN(8)
				var ds *data.Dataset
				if rng.IntN(2) == 0 {
					ds = data.Gaussian(n, d, c, rng.Uint64())
				} else {
					ds = data.Lattice(n, d, c, rng.Uint64())
				}
				opts := construct.Options{Seed: int64(it), Params: randomOptions(m.Name(), rng)}
				res, err := m.Build(context.Background(), ds, opts)
				if err != nil {
					refused++ // e.g. a bit budget below what the data needs
					continue
				}
				built++
				st := res.Net.Stats()
				r := res.Prediction.Realisation
				for _, k := range []string{"params", "depth", "width"} {
					if _, ok := r[k]; !ok {
						t.Fatalf("%s %v: realisation lacks %s: %v", m.Name(), opts.Params, k, r)
					}
				}
				for k, v := range r {
					if b, ok := st.Count(k); ok && b > v {
						t.Errorf("dataset %d (N=%d d=%d C=%d) %v: %s %d > realisation %d", it, n, d, ds.M(), opts.Params, k, b, v)
					}
				}
			}
			if built < count*3/4 {
				t.Errorf("only %d of %d builds succeeded (%d refused)", built, count, refused)
			}
			t.Logf("%d datasets built, %d refused", built, refused)
		})
	}
}
