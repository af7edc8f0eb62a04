package experiment

import (
	"bytes"
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// TestHZLambdaSmall runs the λ → 0 experiment on 6 spiral points and asserts
// the theorem's inequalities for the runs that start at θ* (whose best
// iterate certifies J_λ(θ_λ) ≤ J_λ(θ*)): E(θ_λ) ≤ λ‖θ*‖², ‖θ_λ‖ ≤ ‖θ*‖, and
// exact memorization of the trained network by the exact verifier.
func TestHZLambdaSmall(t *testing.T) {
	res, err := HZLambda(context.Background(), HZOptions{N: 6, Lambdas: []float64{1e-3, 1e-5}, Steps: 1500, Random: 1, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	if !res.ThetaStarExact || res.Depth != 11 || res.ThetaStar2 <= 0 {
		t.Fatalf("θ*: exact %v, depth %d (want 2N−1 = 11), ‖θ*‖² %g", res.ThetaStarExact, res.Depth, res.ThetaStar2)
	}
	if len(res.Rows) != 2*4 {
		t.Fatalf("%d rows, want 8", len(res.Rows))
	}
	seen := map[string]int{}
	for _, r := range res.Rows {
		seen[r.Start]++
		if r.Bound != r.Lambda*res.ThetaStar2 {
			t.Errorf("%s λ=%g: bound %g ≠ λ‖θ*‖²", r.Start, r.Lambda, r.Bound)
		}
		if r.LossHeld != (r.Loss <= r.Bound*(1+1e-12)) || r.NormHeld != (r.Norm2 <= res.ThetaStar2*(1+1e-12)) {
			t.Errorf("%s λ=%g: verdicts disagree with the numbers: %+v", r.Start, r.Lambda, r)
		}
		if r.Start == "theta*" {
			if !r.LossHeld || !r.NormHeld {
				t.Errorf("λ=%g from θ*: E=%g vs λ‖θ*‖²=%g, ‖θ‖²=%g vs ‖θ*‖²=%g", r.Lambda, r.Loss, r.Bound, r.Norm2, res.ThetaStar2)
			}
			if !r.Exact || r.ExactCorrect != res.N {
				t.Errorf("λ=%g from θ*: exact %d/%d", r.Lambda, r.ExactCorrect, res.N)
			}
			if r.J > r.Bound*(1+1e-12) {
				t.Errorf("λ=%g from θ*: J=%g above J(θ*) = λ‖θ*‖² = %g", r.Lambda, r.J, r.Bound)
			}
		}
		if r.Collapsed && r.MaxErr < 0.5 {
			t.Errorf("%s λ=%g: collapsed but max error %g < 1/2 on 0/1 labels", r.Start, r.Lambda, r.MaxErr)
		}
		if r.Exact && r.FloatCorrect != res.N {
			t.Errorf("%s λ=%g: exact but float %d/%d", r.Start, r.Lambda, r.FloatCorrect, res.N)
		}
	}
	for _, s := range []string{"theta*", "theta*+noise", "he-1", "continuation"} {
		if seen[s] != 2 {
			t.Errorf("start %s: %d rows, want 2", s, seen[s])
		}
	}
	var csv, table bytes.Buffer
	if err := res.WriteCSV(&csv); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(csv.String(), "lambda,start,loss,norm2,bound,exact,") || strings.Count(csv.String(), "\n") != 9 {
		t.Errorf("csv:\n%s", csv.String())
	}
	if err := res.PrintTable(&table); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(table.String(), "legend:") || !strings.Contains(table.String(), "theta*: E ≤ λ‖θ*‖² held in 2/2 runs") {
		t.Errorf("table:\n%s", table.String())
	}
	dir := t.TempDir()
	if _, err := res.Plots(filepath.Join(dir, "l.png"), filepath.Join(dir, "n.png")); err != nil {
		t.Fatal(err)
	}
}

// TestHZSeries checks the step distances and monotonicity flags against
// rows made by hand, and the limit's comparison with other interpolants.
func TestHZSeries(t *testing.T) {
	r := &HZResult{Rows: []HZRow{
		{Lambda: 1e-2, Start: "continuation", Loss: 1e-3, Norm2: 25, J: 0.251, Exact: true, theta: []float64{3, 4}},
		{Lambda: 1e-2, Start: "he-1", Loss: 0.25, Norm2: 0, J: 0.25, theta: []float64{0, 0}},
		{Lambda: 1e-3, Start: "continuation", Loss: 2e-3, Norm2: 25.5, J: 0.0275, Exact: true, theta: []float64{3, 4.5}},
		{Lambda: 1e-3, Start: "he-1", Loss: 0.01, Norm2: 30, J: 0.04, Exact: true, theta: []float64{0, 0}},
		{Lambda: 1e-4, Start: "continuation", Loss: 1e-4, Norm2: 25.2, J: 0.00262, Exact: true, theta: []float64{3, 4.2}},
	}}
	r.series()
	want := []struct {
		step       float64
		e, norm, j bool
	}{{math.NaN(), true, true, true}, {math.NaN(), true, true, true}, {0.5, false, true, true}, {0, true, true, true}, {0.3, true, false, true}}
	for i, w := range want {
		x := r.Rows[i]
		if (math.IsNaN(w.step) != math.IsNaN(x.Step)) || (!math.IsNaN(w.step) && math.Abs(x.Step-w.step) > 1e-12) || x.EMono != w.e || x.NormMono != w.norm || x.JMono != w.j {
			t.Errorf("row %d (%s λ=%g): step %g E↓ %v ‖θ‖↑ %v J↓ %v; want %+v", i, x.Start, x.Lambda, x.Step, x.EMono, x.NormMono, x.JMono, w)
		}
	}
	if r.Rows[1].JBest != 1 || math.Abs(r.Rows[0].JBest-0.251/0.25) > 1e-12 || r.Rows[4].JBest != 1 {
		t.Errorf("J/J_best: %g, %g, %g; want 1.004, 1, 1", r.Rows[0].JBest, r.Rows[1].JBest, r.Rows[4].JBest)
	}
	l, ok := r.Limit()
	if !ok || l.Lambda != 1e-4 || l.Norm2 != 25.2 || len(l.Near) != 0 || len(l.Better) != 0 {
		t.Errorf("limit %+v", l)
	}
	r.Rows = append(r.Rows, HZRow{Lambda: 1e-4, Start: "he-1", Loss: 1e-7, Norm2: 20, Exact: true, theta: []float64{0, 0}},
		HZRow{Lambda: 1e-4, Start: "theta*", Loss: 1e-3, Norm2: 10, Exact: true, theta: []float64{0, 0}})
	r.series()
	l, _ = r.Limit()
	if len(l.Near) != 1 || len(l.Better) != 1 || l.Better[0].Start != "he-1" {
		t.Errorf("limit with two more rows: near %v, better %v", l.Near, l.Better)
	}
	var b bytes.Buffer
	if err := r.PrintTable(&b); err != nil || !strings.Contains(b.String(), "FAILED in 3 run(s)") || !strings.Contains(b.String(), "NOT minimum-norm among the networks found: he-1 at λ=1e-04 (E 1e-07, ‖θ‖² 20) fit") {
		t.Errorf("table:\n%s", b.String())
	}
}
