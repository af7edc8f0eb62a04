package vardi

import (
	"context"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/memnet/memnet/construct"
	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/internal/cputime"
	"github.com/memnet/memnet/nn"
)

// TestMeasure builds and verifies one large dataset when
// VARDI_MEASURE="N,d,C,kind" is set (kind: gauss, grid, int), or
// VARDI_MEASURE="file:PATH" for a CSV file (label in the last column). It
// logs the figures of the closing report. VARDI_OPTS="k=v,k=v" passes
// options (objective, max-depth, max-bits, blocks, ...); VARDI_NOSPLIT=1
// also runs the exact engine without the hints' taint split; VARDI_FLOAT=1
// the float64 view.
func TestMeasure(t *testing.T) {
	spec := os.Getenv("VARDI_MEASURE")
	if spec == "" {
		t.Skip("set VARDI_MEASURE=N,d,C,kind or file:PATH")
	}
	var ds *data.Dataset
	if path, ok := strings.CutPrefix(spec, "file:"); ok {
		fh, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer fh.Close()
		ds, err = data.ReadCSV(fh, path, -1)
		if err != nil {
			t.Fatal(err)
		}
	} else {
		f := strings.Split(spec, ",")
		n, _ := strconv.Atoi(f[0])
		d, _ := strconv.Atoi(f[1])
		c, _ := strconv.Atoi(f[2])
		ds = randomDataset(n, d, c, f[3], 1)
	}
	opts := construct.Options{Seed: 1, Params: map[string]string{}}
	if o := os.Getenv("VARDI_OPTS"); o != "" {
		for _, kv := range strings.Split(o, ",") {
			k, v, _ := strings.Cut(kv, "=")
			opts.Params[k] = v
		}
	}
	measure(t, ds, opts)
}

func measure(t *testing.T, ds *data.Dataset, opts construct.Options) {
	cfg, err := ParseConfig(opts)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	b, err := BuildNetwork(context.Background(), ds, cfg, opts.Seed)
	if err != nil {
		t.Fatal(err)
	}
	build := time.Since(t0).Seconds()
	st := b.Net.Stats()
	t1, c1 := time.Now(), cputime.Seconds()
	r, err := nn.ExactVerdict(context.Background(), b.Net, ds.X, ds.Y, ds.M(), nn.ExactOptions{Hints: b.Layout.Hints()})
	if err != nil {
		t.Fatal(err)
	}
	ver, verCPU := time.Since(t1).Seconds(), cputime.Seconds()-c1
	p := b.Plan
	t.Logf("%s N=%d d=%d C=%d | blocks=%d n=%d m=%d rho=%d c=%d | depth=%d width=%d edges=%d biases=%d params=%d params/sqrtN=%.1f edges/sqrtN=%.1f maxbits=%d | build=%.2fs verify=%.2fs wall %.2f CPU-s (%s) exact=%v %d/%d | peakRSS=%s",
		ds.Name, ds.N(), ds.D(), ds.M(), p.P, p.NPer, p.M, p.Rho, p.C,
		st.Depth, st.Width, st.WeightsNonzero, st.BiasesNonzero, st.Params, float64(st.Params)/math.Sqrt(float64(ds.N())), float64(st.WeightsNonzero)/math.Sqrt(float64(ds.N())), st.MaxWeightBits,
		build, ver, verCPU, r.ExactEvaluator, r.Exact, r.ExactEqual, r.Points, peakRSS())
	if !r.Exact {
		t.Errorf("not exact: wrong %v", r.Wrong)
	}
	if os.Getenv("VARDI_NOSPLIT") != "" {
		t2 := time.Now()
		g, err := nn.Verify(context.Background(), b.Net, ds.X, ds.Y, ds.M(), nn.ExactOptions{})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("engine without the hints (nn.Verify; %s): exact=%v %d/%d in %.2fs (exact part %.2fs); float64 correct %d/%d, float32 %d",
			g.ExactEvaluator, g.Exact, g.ExactCorrect, g.Points, time.Since(t2).Seconds(), g.ExactSeconds, g.Float64Correct, g.Points, g.Float32Correct)
	} else if os.Getenv("VARDI_FLOAT") != "" {
		t2 := time.Now()
		fc := nn.FloatCounts(context.Background(), b.Net, ds.X, ds.Y, ds.M(), nn.FloatOptions{Split: r.Split})
		t.Logf("float64 view: %d/%d correct (%d bit-exact); float32 %d; both views in %.2fs (sharing the exact engine's split)", fc.Float64Correct, ds.N(), fc.Float64BitExact, fc.Float32Correct, time.Since(t2).Seconds())
	}
}

func peakRSS() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "?"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			return strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:"))
		}
	}
	return "?"
}
