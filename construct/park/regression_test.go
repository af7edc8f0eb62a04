package park

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/memnet/memnet/verdict"
)

func TestRegression(t *testing.T) {
	for _, tc := range []struct {
		n   int
		eps float64
		cfg Config
	}{
		{300, 1e-2, Config{}}, {300, 1e-4, Config{}}, {200, 1e-4, Config{Activation: "relu"}},
		{150, 1e-2, Config{Activation: "sigmoid"}}, {100, 1e-4, Config{Theorem: 1, W: 0.8}}, {1, 0.3, Config{}},
	} {
		xs, _ := randomData(tc.n, 6, 2, uint64(tc.n), false)
		rng := rand.New(rand.NewPCG(uint64(tc.n), 9))
		ys := make([]float64, tc.n)
		for i := range ys {
			ys[i] = rng.Float64()
		}
		ys[0] = 1 // the top end
		if tc.n > 1 {
			ys[1] = 0
		}
		b, r, err := BuildRegression(context.Background(), xs, ys, tc.eps, tc.cfg)
		if err != nil {
			t.Fatal(err)
		}
		maxErr, ok, err := verdict.Regression(context.Background(), b.Net, xs, ys, tc.eps)
		if err != nil || !ok {
			t.Fatalf("eps=%g %+v: max error %g (%v)", tc.eps, tc.cfg, maxErr, err)
		}
		limit := r.Step / 2
		if tc.cfg.Activation == "sigmoid" {
			limit = 0.75 * r.Step
		}
		if maxErr > limit {
			t.Errorf("eps=%g: max error %g above %g", tc.eps, maxErr, limit)
		}
		t.Logf("N=%d eps=%g %s: E=%d (%d classes), %d layers, max error %.3g", tc.n, tc.eps, tc.cfg.Activation, r.E, r.Classes, len(b.Net.Hidden), maxErr)
		// a target moved by 2·eps is caught
		ys[tc.n/2] = min(1, ys[tc.n/2]+2*tc.eps)
		if ys[tc.n/2] < 1 {
			if _, ok, _ := verdict.Regression(context.Background(), b.Net, xs, ys, tc.eps); ok {
				t.Errorf("moved target accepted")
			}
		}
	}
	if _, _, err := BuildRegression(context.Background(), [][]float64{{1}}, []float64{1.5}, 0.1, Config{}); err == nil {
		t.Error("target 1.5 accepted")
	}
}
