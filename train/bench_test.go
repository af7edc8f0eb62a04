package train

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/internal/cputime"
)

// pixels returns n points of d "pixels": about half zero, the others
// integers in 1..255, like Fashion-MNIST, with labels in 0..m-1.
func pixels(n, d, m int) ([][]float64, []int) {
	rng := rand.New(rand.NewPCG(1, 2))
	xs := make([][]float64, n)
	y := make([]int, n)
	for i := range xs {
		xs[i] = make([]float64, d)
		for k := range xs[i] {
			if rng.IntN(2) == 0 {
				xs[i][k] = float64(1 + rng.IntN(255))
			}
		}
		y[i] = rng.IntN(m)
	}
	return xs, y
}

// benchCase is one architecture for BenchmarkEpoch and TestMeasure.
type benchCase struct {
	name   string
	hidden []int
	blocks int
	in     int
}

func repeat(w, k int) []int {
	out := make([]int, k)
	for i := range out {
		out[i] = w
	}
	return out
}

var benchCases = []benchCase{
	{"mlp-784-256-10", []int{256}, 0, 784},
	{"mlp-784-32-10", []int{32}, 0, 784},
	{"deep-w2-d100", repeat(2, 100), 0, 784},
	{"deep-w2-d1000", repeat(2, 1000), 0, 784},
	{"deep-w4-d100", repeat(4, 100), 0, 784},
	{"deep-w16-d100", repeat(16, 100), 0, 784},
	{"deep-w16-d400", repeat(16, 400), 0, 784},
	{"res-w32-b8", []int{32}, 8, 784},
}

func epochNet[F Float](c benchCase, xs [][]float64) *Net[F] {
	net, err := New[F](Arch{In: c.in, Out: 10, Hidden: c.hidden, Blocks: c.blocks}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		panic(err)
	}
	net.Standardize(xs)
	return net
}

// BenchmarkEpoch times one epoch of SGD (batch 128) over 2048 pixel-like
// points, per architecture and float type; ns/op is one epoch.
func BenchmarkEpoch(b *testing.B) {
	xs, y := pixels(2048, 784, 10)
	for _, c := range benchCases {
		for _, dt := range []string{"float32", "float64"} {
			b.Run(c.name+"-"+dt, func(b *testing.B) {
				cfg := Config{Optimizer: SGD, Epochs: 1, Batch: 128, LR: 0.01, Momentum: 0.9}
				for b.Loop() {
					var err error
					if dt == "float32" {
						_, err = Train(context.Background(), epochNet[float32](c, xs), xs, y, cfg)
					} else {
						_, err = Train(context.Background(), epochNet[float64](c, xs), xs, y, cfg)
					}
					if err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// TestMeasure times training epochs for each architecture of benchCases
// (batch 128, float32), in Go and then — in the same run, back to back —
// with scripts/train_torch.py in PyTorch, with GOMAXPROCS threads on both
// sides (torch.set_num_threads, OMP_WAIT_POLICY=PASSIVE so that idle OpenMP
// threads do not spin), and prints the Markdown table of docs/train.md:
// CPU seconds and wall seconds per epoch, the ratios, and the final training
// accuracy. It runs only when TRAIN_MEASURE is set, e.g.
//
//	TRAIN_MEASURE=4 TRAIN_PYTHON=/usr/bin/python3 \
//	TRAIN_IMAGES=/tmp/digits-images-idx3-ubyte TRAIN_LABELS=/tmp/digits-labels-idx1-ubyte \
//	go test ./train -run Measure -v -timeout 0
//
// (4 epochs per measurement; the first epoch of each is a warm-up and not
// counted when there are more than one). TRAIN_IMAGES and TRAIN_LABELS are
// IDX files (default: Debian's Fashion-MNIST training set;
// scripts/digits_idx.py makes a 784-pixel stand-in from digits.csv).
// TRAIN_PYTHON is the interpreter with torch (default python3); the BLAS
// library that PyTorch mapped is printed. TRAIN_MEASURE_OPT=adam uses Adam
// (default SGD with momentum 0.9), TRAIN_MEASURE_ROUNDS=R alternates the two
// sides R times and keeps each side's least time, TRAIN_MEASURE_CASES=a,b
// restricts the architectures; TRAIN_MEASURE_LIMIT=N uses the first N images.
func TestMeasure(t *testing.T) {
	spec := os.Getenv("TRAIN_MEASURE")
	if spec == "" {
		t.Skip("set TRAIN_MEASURE=EPOCHS")
	}
	epochs, err := strconv.Atoi(spec)
	if err != nil || epochs < 1 {
		t.Fatalf("TRAIN_MEASURE=%q: want a number of epochs", spec)
	}
	dir := "/usr/share/datasets/fashion-mnist/"
	images, lbls := dir+"train-images-idx3-ubyte.gz", dir+"train-labels-idx1-ubyte.gz"
	if v := os.Getenv("TRAIN_IMAGES"); v != "" {
		images, lbls = v, os.Getenv("TRAIN_LABELS")
	}
	ds, err := data.Load(data.LoadOptions{Path: images, Labels: lbls})
	if err != nil {
		t.Skip(err)
	}
	xs, ys := ds.X, ds.Y
	limit, _ := strconv.Atoi(os.Getenv("TRAIN_MEASURE_LIMIT"))
	if limit > 0 && limit < len(xs) {
		xs, ys = xs[:limit], ys[:limit]
	}
	want := map[string]bool{}
	for _, s := range strings.Split(os.Getenv("TRAIN_MEASURE_CASES"), ",") {
		if s != "" {
			want[s] = true
		}
	}
	python := os.Getenv("TRAIN_PYTHON")
	if python == "" {
		python = "python3"
	}
	opt, optName := SGD, "sgd"
	if os.Getenv("TRAIN_MEASURE_OPT") == "adam" {
		opt, optName = Adam, "adam"
	}
	rounds, _ := strconv.Atoi(os.Getenv("TRAIN_MEASURE_ROUNDS"))
	rounds = max(rounds, 1)
	threads := runtime.GOMAXPROCS(0)
	script, _ := filepath.Abs("../scripts/train_torch.py")
	fmt.Printf("%s (N=%d images, d=%d), batch 128, float32, %s, lr 0.01, %d epochs (first = warm-up), %d thread(s), best of %d alternating rounds\n\n",
		filepath.Base(images), len(xs), len(xs[0]), optName, epochs, threads, rounds)
	fmt.Println("| network | params | Go CPU-s/epoch | PyTorch CPU-s/epoch | Go/PyTorch CPU | Go wall s/epoch | PyTorch wall s/epoch | Go/PyTorch wall | Go train acc | PyTorch train acc |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	blas := ""
	for _, c := range benchCases {
		if len(want) > 0 && !want[c.name] {
			continue
		}
		var goCPU, goWall, ptCPU, ptWall float64
		var goAcc, ptAcc float64
		params := 0
		for r := range rounds {
			net := epochNet[float32](c, xs)
			params = len(net.Params)
			var times, cpus []float64
			cfg := Config{Optimizer: opt, Epochs: epochs, Batch: 128, LR: 0.01, Momentum: 0.9, Seed: 1,
				Progress: func(Progress) {
					times = append(times, float64(time.Now().UnixNano())/1e9)
					cpus = append(cpus, cputime.Seconds())
				}}
			t0, c0 := float64(time.Now().UnixNano())/1e9, cputime.Seconds()
			res, err := Train(context.Background(), net, xs, ys, cfg)
			if err != nil {
				t.Fatal(err)
			}
			gw, gc := epochTime(t0, times), epochTime(c0, cpus)
			if r == 0 || gc < goCPU {
				goCPU = gc
			}
			if r == 0 || gw < goWall {
				goWall = gw
			}
			goAcc = float64(res.FloatCorrect) / float64(len(xs))
			args := []string{script, "--images", images, "--labels", lbls, "--epochs", strconv.Itoa(epochs), "--batch", "128",
				"--lr", "0.01", "--optimizer", optName, "--threads", strconv.Itoa(threads), "--json"}
			if limit > 0 {
				args = append(args, "--limit", strconv.Itoa(limit))
			}
			hs := make([]string, len(c.hidden))
			for i, h := range c.hidden {
				hs[i] = strconv.Itoa(h)
			}
			args = append(args, "--hidden", strings.Join(hs, ","), "--blocks", strconv.Itoa(c.blocks))
			cmd := exec.Command(python, args...)
			cmd.Env = append(os.Environ(), "OMP_WAIT_POLICY=PASSIVE")
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%s: %s", script, firstLine(err.Error()))
			}
			var pr struct {
				Times    []float64 `json:"epoch_end_times"`
				Start    float64   `json:"start"`
				CPUs     []float64 `json:"epoch_end_cpu"`
				CPUStart float64   `json:"cpu_start"`
				Accuracy float64   `json:"train_accuracy"`
				BLAS     string    `json:"blas"`
			}
			if err := json.Unmarshal(out, &pr); err != nil {
				t.Fatalf("%s: %v", out, err)
			}
			pw, pc := epochTime(pr.Start, pr.Times), epochTime(pr.CPUStart, pr.CPUs)
			if r == 0 || pc < ptCPU {
				ptCPU = pc
			}
			if r == 0 || pw < ptWall {
				ptWall = pw
			}
			ptAcc, blas = pr.Accuracy, pr.BLAS
		}
		fmt.Printf("| %s | %d | %.4f | %.4f | %.2f | %.4f | %.4f | %.2f | %.2f%% | %.2f%% |\n", c.name, params,
			goCPU, ptCPU, goCPU/ptCPU, goWall, ptWall, goWall/ptWall, 100*goAcc, 100*ptAcc)
	}
	fmt.Printf("\nPyTorch's BLAS: %s\n", blas)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// epochTime is the mean epoch time from the end times of the epochs,
// leaving out the first (warm-up) epoch when there are several.
func epochTime(start float64, ends []float64) float64 {
	if len(ends) == 0 {
		return 0
	}
	if len(ends) == 1 {
		return ends[0] - start
	}
	return (ends[len(ends)-1] - ends[0]) / float64(len(ends)-1)
}

// BenchmarkLayer compares, for one layer's forward product on a batch of 128
// rows, our loops (used below smallLayer) with gemm (used above):
// the measurement behind smallLayer.
func BenchmarkLayer(b *testing.B) {
	for _, w := range []int{2, 4, 8, 16, 32, 64, 256} {
		h := make([]float32, 128*w)
		for i := range h {
			h[i] = float32(i%7) - 3
		}
		wt := make([]float32, w*w)
		for i := range wt {
			wt[i] = float32(i%5) - 2
		}
		bias := make([]float32, w)
		z := make([]float32, 128*w)
		b.Run(fmt.Sprintf("width%d/loops", w), func(b *testing.B) {
			for b.Loop() {
				for p := range 128 {
					copy(z[p*w:(p+1)*w], bias)
				}
				smallAffine(128, w, w, h, wt, z)
			}
		})
		b.Run(fmt.Sprintf("width%d/gemm", w), func(b *testing.B) {
			for b.Loop() {
				for p := range 128 {
					copy(z[p*w:(p+1)*w], bias)
				}
				gemmMul(false, false, 128, w, w, h, wt, 1, z)
			}
		})
	}
}
