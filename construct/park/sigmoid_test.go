package park

import (
	"context"

	"slices"
	"testing"

	"github.com/memnet/memnet/construct"
	"github.com/memnet/memnet/nn"
	"github.com/memnet/memnet/verdict"
)

// sigCheck builds the sigmoid form, proves every output rounds to its
// label, and checks a corrupted label is rejected.
func sigCheck(t *testing.T, xs [][]float64, ys []int, c int, cfg Config) *Built {
	t.Helper()
	cfg.Activation = "sigmoid"
	b, err := Build(context.Background(), xs, ys, c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range b.Net.Hidden {
		for _, a := range l.Act {
			if a != nn.Sigmoid {
				t.Fatalf("hidden unit %v", a)
			}
		}
	}
	// the sigmoid form keeps the STEP+ID architecture: width 3 for Theorem 2
	pr := predict(len(xs), len(xs[0]), c, b.Sizes.K0, 2, cfg)
	if st := b.Net.Stats(); int64(st.Width) > pr.Realisation["width"] || int64(st.Depth) > pr.Realisation["depth"] || (cfg.Theorem != 1 && len(cfg.Widths) == 0 && st.Width > 3) {
		t.Errorf("sigmoid form: width %d depth %d, realisation %v", st.Width, st.Depth, pr.Realisation)
	}
	r, err := verdict.VerifyInterval(context.Background(), b.Net, xs, ys, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	if r.Proven != len(xs) || r.MinMargin <= 0 || r.MaxError > b.Sizes.Sigmoid.OutTol {
		t.Fatalf("N=%d C=%d %+v: %+v", len(xs), c, cfg, r)
	}
	if c > 1 && len(xs) > 1 {
		bad := slices.Clone(ys)
		bad[1] = (bad[1] + 1) % c
		r2, err := verdict.VerifyInterval(context.Background(), b.Net, xs, bad, nil, r.Prec)
		if err != nil {
			t.Fatal(err)
		}
		if r2.Proven != len(xs)-1 || r2.Wrong[0] != 1 {
			t.Fatalf("corrupted label: %+v", r2)
		}
	}
	return b
}

func TestSigmoid(t *testing.T) {
	for _, tc := range []struct {
		n, d, c int
		cfg     Config
	}{
		{1, 2, 2, Config{}}, {7, 3, 3, Config{}}, {60, 10, 10, Config{}}, {200, 10, 2, Config{Grouping: GroupSearch}},
		{80, 5, 4, Config{Theorem: 1, W: 0.8}}, {50, 784, 10, Config{}},
	} {
		xs, ys := randomData(tc.n, tc.d, tc.c, uint64(tc.n+11), tc.d == 784)
		b := sigCheck(t, xs, ys, tc.c, tc.cfg)
		s, err := Build(context.Background(), xs, ys, tc.c, Config{Theorem: tc.cfg.Theorem, W: tc.cfg.W, Grouping: tc.cfg.Grouping})
		if err != nil {
			t.Fatal(err)
		}
		for i := range s.Net.Hidden {
			if s.Net.Hidden[i].Out() != b.Net.Hidden[i].Out() {
				t.Fatalf("sigmoid form changed the architecture at layer %d", i+1)
			}
		}
		si := b.Sizes.Sigmoid
		t.Logf("N=%d C=%d: %d layers, slopes 2^%d..2^%d, κ 2^%d..2^%d, max weight bits %d", tc.n, tc.c, len(b.Net.Hidden),
			si.Log2StepSlopeMin, si.Log2StepSlopeMax, si.Log2IDKappaMin, si.Log2IDKappaMax, b.Net.Stats().MaxWeightBits)
	}
	// Theorem 3 architecture in sigmoid form keeps the widths
	xs, ys := randomData(120, 4, 3, 3, false)
	w := []int{}
	for range 8 {
		w = append(w, 3)
	}
	for range 300 {
		w = append(w, 4)
	}
	for range 80 {
		w = append(w, 7)
	}
	b, err := BuildArch(context.Background(), xs, ys, 3, w, Config{Activation: "sigmoid"})
	if err != nil {
		t.Fatal(err)
	}
	if r, err := verdict.VerifyInterval(context.Background(), b.Net, xs, ys, nil, 0); err != nil || r.Proven != len(xs) {
		t.Fatalf("arch sigmoid: %v %+v", err, r)
	}
	// the interval verifier proves every point
	rep, err := verdict.VerifyInterval(context.Background(), b.Net, xs, ys, nil, 0)
	if err != nil || rep.Proven != rep.Points {
		t.Fatalf("VerifyInterval: %v %+v", err, rep)
	}
}

// TestSigmoidEps: the output error ε is an option; the proven error stays
// within it (sigCheck), and the budget is derived from ε (Lemma 12, spread
// backwards from the output): a smaller ε never loosens a unit's budget or
// its identity scale κ, and ε = 0.001 tightens both against ε = 0.4.
func TestSigmoidEps(t *testing.T) {
	xs, ys := randomData(40, 3, 4, 9, false)
	var infos []SigmoidInfo
	for _, eps := range []float64{0.4, 0.1, 0.001} {
		b := sigCheck(t, xs, ys, 4, Config{SigmoidEps: eps})
		s := *b.Sizes.Sigmoid
		if s.OutTol != eps {
			t.Errorf("ε = %g recorded as %g", eps, s.OutTol)
		}
		if k := len(infos); k > 0 && (s.Log2BudgetMin > infos[k-1].Log2BudgetMin || s.Log2IDKappaMax > infos[k-1].Log2IDKappaMax) {
			t.Errorf("ε = %g loosened the budget: %+v after %+v", eps, s, infos[k-1])
		}
		infos = append(infos, s)
	}
	if f, l := infos[0], infos[len(infos)-1]; l.Log2BudgetMin >= f.Log2BudgetMin || l.Log2IDKappaMax >= f.Log2IDKappaMax {
		t.Errorf("ε = 0.001 budget %+v not tighter than ε = 0.4's %+v", l, f)
	}
	for _, bad := range []map[string]string{{"activation": "sigmoid", "sigmoid-eps": "0.5"}, {"activation": "sigmoid", "sigmoid-eps": "0"}, {"sigmoid-eps": "0.1"}} {
		if _, _, err := parseOptions(construct.Options{Params: bad}); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
