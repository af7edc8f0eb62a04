package pipeline

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/memnet/memnet/construct"
	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
)

func cpuSeconds() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}

// TestMeasureVerify prints exact and float verification times of every
// construction on Gaussian data; it runs only when
// ENGINE_MEASURE="N,d,C[,method[:opt=v]...]" is set, e.g.
//
//	ENGINE_MEASURE=10000,10,10 go test ./pipeline -run MeasureVerify -v
//	ENGINE_MEASURE=10000,10,10,park:activation=relu,hz go test ./pipeline -run MeasureVerify -v
func TestMeasureVerify(t *testing.T) {
	spec := os.Getenv("ENGINE_MEASURE")
	if spec == "" {
		t.Skip("set ENGINE_MEASURE=N,d,C[,method[:opt=v]...]")
	}
	f := strings.Split(spec, ",")
	n, _ := strconv.Atoi(f[0])
	d, _ := strconv.Atoi(f[1])
	c, _ := strconv.Atoi(f[2])
	methods := f[3:]
	if len(methods) == 0 {
		methods = []string{"hz", "vardi", "park", "park:activation=relu", "zhang", "ysj"}
	}
	ds := data.Gaussian(n, d, c, 1)
	for _, spec := range methods {
		parts := strings.Split(spec, ":")
		opts := construct.Options{Seed: 1, Params: map[string]string{}}
		for _, o := range parts[1:] {
			kv := strings.SplitN(o, "=", 2)
			opts.Params[kv[0]] = kv[1]
		}
		b, err := Build(context.Background(), ds, parts[0], opts)
		if err != nil {
			t.Logf("%s: build: %v", spec, err)
			continue
		}
		y := classIndex(b.Model, ds)
		c0, t0 := cpuSeconds(), time.Now()
		r, err := verifyExact(context.Background(), b.Model, ds.X, y, nil)
		if err != nil {
			t.Fatalf("%s: %v", spec, err)
		}
		c1, t1 := cpuSeconds(), time.Now()
		fc := nn.FloatCounts(context.Background(), b.Model.Net, ds.X, y, len(b.Model.Classes), nn.FloatOptions{})
		c2, t2 := cpuSeconds(), time.Now()
		st := b.Model.Net.Stats()
		t.Logf("%-22s N=%d depth %6d width %5d params %8d: exact %v %.2f CPU-s (%.2f s wall) [%s]; float64 %d float32 %d: %.2f CPU-s (%.2f s wall)",
			spec, n, st.Depth, st.Width, st.Params, r.Exact, c1-c0, t1.Sub(t0).Seconds(), r.ExactEvaluator,
			fc.Float64Correct, fc.Float32Correct, c2-c1, t2.Sub(t1).Seconds())
	}
}

// BenchmarkVerify times the exact engine and the float views on every
// construction's network for Gaussian data (d = 10, C = 10):
//
//	go test ./pipeline -run '^$' -bench Verify -benchtime 1x
func BenchmarkVerify(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		ds := data.Gaussian(n, 10, 10, 1)
		for _, spec := range []string{"hz", "vardi", "park", "park:activation=relu", "zhang", "ysj"} {
			parts := strings.Split(spec, ":")
			opts := construct.Options{Seed: 1, Params: map[string]string{}}
			for _, o := range parts[1:] {
				kv := strings.SplitN(o, "=", 2)
				opts.Params[kv[0]] = kv[1]
			}
			built, err := Build(context.Background(), ds, parts[0], opts)
			if err != nil {
				b.Fatal(err)
			}
			y := classIndex(built.Model, ds)
			b.Run(fmt.Sprintf("exact/%s/N=%d", spec, n), func(b *testing.B) {
				for b.Loop() {
					if r, err := verifyExact(context.Background(), built.Model, ds.X, y, nil); err != nil || !r.Exact {
						b.Fatal(err, r)
					}
				}
			})
			b.Run(fmt.Sprintf("float/%s/N=%d", spec, n), func(b *testing.B) {
				for b.Loop() {
					nn.FloatCounts(context.Background(), built.Model.Net, ds.X, y, len(built.Model.Classes), nn.FloatOptions{})
				}
			})
		}
	}
}
