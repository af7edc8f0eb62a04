package dfg

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/memnet/memnet/construct"
	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
)

// BenchmarkDFGMoons builds dfg (n = 400, λ = 1) on two moons of N points
// (DFG_BENCH_N, default 10⁶, noise 0.05, seed 1) and verifies it exactly:
// the "build plus exact verification in minutes" (docs/dfg.md).
//
//	go test ./construct/dfg -run XXX -bench DFGMoons -benchtime 1x
func BenchmarkDFGMoons(b *testing.B) {
	n := 1_000_000
	if s := os.Getenv("DFG_BENCH_N"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	ds := data.Moons(n, 0.05, 1)
	b.ResetTimer()
	for range b.N {
		res, err := Method{}.Build(context.Background(), ds, construct.Options{Seed: 1, Params: map[string]string{"n": "400", "lambda": "1"}})
		if err != nil {
			b.Fatal(err)
		}
		rep, err := nn.ExactVerdict(context.Background(), res.Net, ds.X, ds.Y, ds.M(), nn.ExactOptions{})
		if err != nil || !rep.Exact {
			b.Fatalf("not exact: %v %+v", err, rep)
		}
		b.ReportMetric(float64(res.Net.Stats().Params), "params")
		b.ReportMetric(float64(res.Net.Hidden[1].Out()), "and-units")
	}
}
