package park

import (
	"context"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
	"github.com/memnet/memnet/verdict"
)

// TestMeasure prints the figures of one configuration; it runs only when
// PARK_MEASURE="N,d,C[,w][,relu][,generic][,search][,digits|fashion][,noverify]" is set, e.g.
//
//	PARK_MEASURE=10000,10,10 go test ./construct/park -run Measure -v
func TestMeasure(t *testing.T) {
	spec := os.Getenv("PARK_MEASURE")
	if spec == "" {
		t.Skip("set PARK_MEASURE=N,d,C[,w=0.8][,relu|sigmoid][,generic][,search][,digits|fashion][,noverify]")
	}
	f := strings.Split(spec, ",")
	n, _ := strconv.Atoi(f[0])
	d, _ := strconv.Atoi(f[1])
	c, _ := strconv.Atoi(f[2])
	cfg := Config{}
	generic, noVerify := false, false
	var xs [][]float64
	var ys []int
	for _, o := range f[3:] {
		switch {
		case o == "relu":
			cfg.Activation = "relu"
		case o == "sigmoid":
			cfg.Activation = "sigmoid"
		case o == "generic":
			generic = true
		case o == "noverify":
			noVerify = true
		case o == "search":
			cfg.Grouping = GroupSearch
		case o == "digits":
			xs, ys = loadDigits(t)
			n, d, c = len(xs), len(xs[0]), 10
		case o == "fashion":
			// the Fashion-MNIST test set (10000 images, 784 pixels)
			dir := "/usr/share/datasets/fashion-mnist/"
			ds, err := data.Load(data.LoadOptions{Path: dir + "t10k-images-idx3-ubyte.gz", Labels: dir + "t10k-labels-idx1-ubyte.gz"})
			if err != nil {
				t.Fatal(err)
			}
			xs, ys = ds.X, ds.Y
			n, d, c = len(xs), len(xs[0]), ds.M()
		case strings.HasPrefix(o, "w="):
			cfg.Theorem = 1
			cfg.W, _ = strconv.ParseFloat(o[2:], 64)
		}
	}
	if xs == nil {
		xs, ys = randomData(n, d, c, uint64(n)*31+uint64(d), false)
	}
	if cfg.Theorem == 1 {
		// the dense weight matrices of the wide Theorem 1 layers are stored as
		// big.Rats: refuse sizes that would not fit in memory
		limit := int64(30_000_000)
		if s := os.Getenv("PARK_MAXPARAMS"); s != "" {
			limit, _ = strconv.ParseInt(s, 10, 64)
		}
		pr := predict(n, d, c, int64(n)*int64(n), 2, cfg)
		t.Logf("N=%d w=%g realisation: %v", n, cfg.W, pr.Realisation)
		if pr.Realisation["params"] > limit {
			t.Skipf("realisation dense params %d > %d (PARK_MAXPARAMS)", pr.Realisation["params"], limit)
		}
	}
	t0 := time.Now()
	b, err := Build(context.Background(), xs, ys, c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	build := time.Since(t0).Seconds()
	st := b.Net.Stats()
	t1 := time.Now()
	if cfg.Activation == "sigmoid" {
		si, err := verdict.VerifyInterval(context.Background(), b.Net, xs, ys, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("N=%d d=%d C=%d sigmoid: layers=%d width=%d maxbits=%d build=%.2fs interval verify=%.2fs proven=%d/%d min margin=%.6g max|out−label|=%.3g precision=%d bits budget=%+v",
			n, d, c, st.Depth, st.Width, st.MaxWeightBits, build, time.Since(t1).Seconds(), si.Proven, n, si.MinMargin, si.MaxError, si.Prec, *b.Sizes.Sigmoid)
		if si.Proven != n {
			t.Fatal("not proven")
		}
		return
	}
	if noVerify {
		t.Logf("N=%d d=%d C=%d cfg=%+v layers=%d width=%d dense=%d maxbits=%d build=%.2fs (not verified) A=%d B=%d R=%d",
			n, d, c, cfg, st.Depth, st.Width, DenseParams(b.Net), st.MaxWeightBits, build, b.Sizes.A, b.Sizes.B, b.Sizes.R)
		return
	}
	r, err := nn.ExactVerdict(context.Background(), b.Net, xs, ys, c, nn.ExactOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fast := time.Since(t1).Seconds()
	dp := DenseParams(b.Net)
	line := fmt.Sprintf("N=%d d=%d C=%d cfg=%+v layers=%d width=%d params=%d dense=%d dense/N^(2/3)=%.1f maxbits=%d build=%.2fs fastverify=%.2fs exact=%v (%d/%d) K0=%d V=%d A=%d B=%d R=%d layers=%v",
		n, d, c, cfg, st.Depth, st.Width, st.Params, dp, float64(dp)/math.Pow(float64(n), 2.0/3), st.MaxWeightBits, build, fast, r.Exact, r.ExactCorrect, n,
		b.Sizes.K0, b.Sizes.V, b.Sizes.A, b.Sizes.B, b.Sizes.R, b.Sizes.Layers)
	if generic {
		t2 := time.Now()
		g, err := nn.Verify(context.Background(), b.Net, xs, ys, c, nn.ExactOptions{})
		if err != nil {
			t.Fatal(err)
		}
		line += fmt.Sprintf(" generic=%.2fs exact=%v float64correct=%d", time.Since(t2).Seconds(), g.Exact, g.Float64Correct)
	}
	pr := predict(n, d, c, b.Sizes.K0, 2, cfg)
	line += fmt.Sprintf(" realisation=%v", pr.Realisation)
	t.Log(line)
	if !r.Exact {
		t.Fatal("not exact")
	}
}
