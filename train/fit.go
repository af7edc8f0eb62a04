package train

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
)

// Spec is a whole training job on a dataset: the network to train (new or
// warm-started), its float type and the optimizer settings.
type Spec struct {
	Hidden []int
	Blocks int
	// Scalar trains one output against the class index with the squared
	// loss (the Hernández–Zuazua convention) instead of one output per class.
	Scalar bool
	// Float32 trains in float32 (default float64).
	Float32 bool
	// Init, when not nil, is the network to start from (its layers replace
	// Hidden and Blocks; inputs are not standardized).
	Init *nn.Model
	// InitSeed draws the random initial weights (default: Config.Seed).
	InitSeed uint64
	Config   Config
	// VerifyProgress, when not nil, is told how many points the exact
	// verification has done.
	VerifyProgress func(done int64)
}

// Outcome is a trained, saved and exactly verified network.
type Outcome struct {
	Model  *nn.Model
	Result *Result
	Exact  *Exact
	Params int
	Depth  int
	Width  int
}

// ParseWidths reads a comma-separated list of hidden widths ("" is none);
// an entry WxK stands for K layers of width W (e.g. "2x1000").
func ParseWidths(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		ws, ks, rep := strings.Cut(f, "x")
		w, err := strconv.Atoi(ws)
		k := 1
		if rep {
			k, err = strconv.Atoi(ks)
			if err == nil && (k < 1 || k > 1<<20) {
				err = fmt.Errorf("out of range")
			}
		}
		if err != nil || w < 1 {
			return nil, fmt.Errorf("hidden width %q: want a positive integer, or WIDTHxLAYERS", f)
		}
		for range k {
			out = append(out, w)
		}
	}
	return out, nil
}

// labels maps the dataset's labels to the classes of model (by label text).
func labels(ds *data.Dataset, classes []string) ([]int, error) {
	pos := map[string]int{}
	for i, c := range classes {
		pos[c] = i
	}
	y := make([]int, ds.N())
	for i, c := range ds.Y {
		k, ok := pos[ds.Classes[c]]
		if !ok {
			return nil, fmt.Errorf("%s: label %q is not a class of the initial network (%s)", ds.Name, ds.Classes[c], strings.Join(classes, ", "))
		}
		y[i] = k
	}
	return y, nil
}

// Fit trains a network on every distinct point of ds as s says, saves it
// into a model and verifies it exactly.
func Fit(ctx context.Context, ds *data.Dataset, s Spec) (*Outcome, error) {
	if s.Float32 {
		return fit[float32](ctx, ds, s)
	}
	return fit[float64](ctx, ds, s)
}

func fit[F Float](ctx context.Context, ds *data.Dataset, s Spec) (*Outcome, error) {
	classes := ds.Classes
	var net *Net[F]
	var err error
	if s.Init != nil {
		classes = s.Init.Classes
		if s.Init.Net.InputDim != ds.D() {
			return nil, fmt.Errorf("%s has %d features per point; the initial network reads %d", ds.Name, ds.D(), s.Init.Net.InputDim)
		}
		if net, err = FromNetwork[F](s.Init.Net); err != nil {
			return nil, fmt.Errorf("initial network: %v", err)
		}
	} else {
		out := len(classes)
		if s.Scalar {
			out = 1
		}
		seed := s.InitSeed
		if seed == 0 {
			seed = s.Config.Seed
		}
		arch := Arch{In: ds.D(), Out: out, Hidden: s.Hidden, Blocks: s.Blocks}
		if err := arch.CheckMemory(ds.N(), s.Config.Batch, elemBytes[F]()); err != nil {
			return nil, err
		}
		if net, err = New[F](arch, rand.New(rand.NewPCG(seed, 0x696e6974))); err != nil {
			return nil, err
		}
		net.Standardize(ds.X)
	}
	if net.Out == 1 {
		s.Config.Loss = Squared
	} else if net.Out != len(classes) {
		return nil, fmt.Errorf("the network has %d outputs for %d classes", net.Out, len(classes))
	}
	y, err := labels(ds, classes)
	if err != nil {
		return nil, err
	}
	if err := s.Config.defaults(ds.N()); err != nil {
		return nil, err
	}
	res, err := Train(ctx, net, ds.X, y, s.Config)
	if err != nil {
		return nil, err
	}
	nw, ex, err := verify(net, ds.X, y, len(classes), s.VerifyProgress)
	if err != nil {
		return nil, err
	}
	st := nw.Stats()
	model := &nn.Model{Net: nw, Method: "train", Classes: classes, Points: ds.N(), Options: s.options()}
	return &Outcome{Model: model, Result: res, Exact: ex, Params: len(net.Params), Depth: st.Depth, Width: st.Width}, nil
}

// options records the run in the saved model (no times, so a seed gives the
// same file).
func (s Spec) options() map[string]string {
	c := s.Config
	o := map[string]string{
		"optimizer": string(c.Optimizer), "loss": c.Loss.String(), "epochs": fmt.Sprint(c.Epochs),
		"batch": fmt.Sprint(c.Batch), "lr": fmt.Sprint(c.LR), "lambda": fmt.Sprint(c.Lambda),
		"seed": fmt.Sprint(c.Seed), "dtype": "float64",
	}
	if s.Float32 {
		o["dtype"] = "float32"
	}
	if c.Optimizer == SGD {
		o["momentum"] = fmt.Sprint(c.Momentum)
		var ms []string
		for _, m := range c.Milestones {
			ms = append(ms, fmt.Sprint(m))
		}
		o["milestones"] = strings.Join(ms, ",")
	}
	if s.Init != nil {
		o["init"] = s.Init.Method
	} else {
		var hs []string
		for _, h := range s.Hidden {
			hs = append(hs, fmt.Sprint(h))
		}
		o["hidden"] = strings.Join(hs, ",")
		o["blocks"] = fmt.Sprint(s.Blocks)
		o["standardized"] = "true"
	}
	return o
}
