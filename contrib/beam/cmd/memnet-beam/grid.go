package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/memnet/memnet/construct"
	"github.com/memnet/memnet/contrib/beam/grid"
	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
	"github.com/memnet/memnet/pipeline"
	"github.com/memnet/memnet/train/experiment"
)

// experimentCmd is memnet experiment park-depth-width with one cell per
// Beam element: the same flags, CSV, heat maps and tables.
func experimentCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "park-depth-width" {
		return fmt.Errorf("experiment: want park-depth-width (hz-lambda runs in memnet)")
	}
	fs := newFlags("experiment park-depth-width", stderr)
	var o experiment.ParkOptions
	var g, widths, blocks, sets, fashionDir, digits, out, dir string
	var n, nTest, pool int
	fs.StringVar(&g, "grid", "default", "small or default (experiment.ParkGrids; paper-small's convolutional networks run in memnet)")
	fs.StringVar(&widths, "widths", "", "widths c (overrides the grid's)")
	fs.StringVar(&blocks, "blocks", "", "residual block counts b (overrides the grid's)")
	fs.StringVar(&sets, "datasets", "", "fashion, fashion-random, digits, digits-random (default: the grid's)")
	fs.IntVar(&n, "n", 0, "training points per dataset (default: the grid's)")
	fs.IntVar(&nTest, "test", 0, "test points per dataset (default: the grid's)")
	fs.IntVar(&o.Epochs, "epochs", 0, "epochs (default: the grid's)")
	fs.IntVar(&o.Batch, "batch", 64, "mini-batch size")
	fs.Float64Var(&o.LR, "lr", 0, "initial learning rate (default: the grid's)")
	fs.Float64Var(&o.Lambda, "lambda", 5e-5, "λ of λ‖θ‖²")
	fs.IntVar(&o.Trials, "trials", 0, "independent trials per cell, averaged (default: the grid's)")
	fs.IntVar(&pool, "pool", 4, "Fashion-MNIST: average-pool k×k blocks (1: none)")
	fs.Uint64Var(&o.Seed, "seed", 1, "seed for initialization, shuffling and random labels")
	fs.StringVar(&fashionDir, "fashion", "/usr/share/datasets/fashion-mnist", "directory of the Fashion-MNIST IDX files")
	fs.StringVar(&digits, "digits", "../shared/data/digits.csv.gz", "the 8×8 digits CSV")
	fs.StringVar(&out, "out", "park-depth-width", "output directory")
	fs.StringVar(&dir, "scratch", "", "directory every worker can write (default: a local temporary one)")
	pos, err := parse(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return fmt.Errorf("park-depth-width takes no arguments, got %q", pos[0])
	}
	gr, ok := experiment.ParkGrids[g]
	if !ok || gr.Conv {
		return fmt.Errorf("--grid %q: want small or default (paper-small runs in memnet)", g)
	}
	or := func(v, def string) string {
		if v != "" {
			return v
		}
		return def
	}
	orInt := func(v, def int) int {
		if v != 0 {
			return v
		}
		return def
	}
	if o.Widths, err = ints("widths", or(widths, gr.Widths)); err != nil {
		return err
	}
	if o.Blocks, err = ints("blocks", or(blocks, gr.Blocks)); err != nil {
		return err
	}
	n, nTest, o.Epochs, o.Trials = orInt(n, gr.N), orInt(nTest, gr.Test), orInt(o.Epochs, gr.Epochs), orInt(o.Trials, gr.Trials)
	if o.LR == 0 {
		o.LR = gr.LR
	}
	var fashion, fashionTest, dig *data.Dataset
	for _, name := range strings.Split(or(sets, gr.Sets), ",") {
		base, random := strings.CutSuffix(strings.TrimSpace(name), "-random")
		var s experiment.ParkSet
		switch base {
		case "fashion":
			if fashion == nil {
				if fashion, err = data.Load(data.LoadOptions{Path: filepath.Join(fashionDir, "train-images-idx3-ubyte.gz"), Labels: filepath.Join(fashionDir, "train-labels-idx1-ubyte.gz")}); err != nil {
					return err
				}
				if fashionTest, err = data.Load(data.LoadOptions{Path: filepath.Join(fashionDir, "t10k-images-idx3-ubyte.gz"), Labels: filepath.Join(fashionDir, "t10k-labels-idx1-ubyte.gz")}); err != nil {
					return err
				}
			}
			s, err = experiment.Subset(strings.TrimSpace(name), fashion, fashionTest, n, nTest, random, pool, o.Seed)
		case "digits":
			if dig == nil {
				if dig, err = data.Load(data.LoadOptions{Path: digits}); err != nil {
					return err
				}
			}
			m := min(n, dig.N()*2/3)
			test := &data.Dataset{Name: dig.Name, X: dig.X[m:], Y: dig.Y[m:], Classes: dig.Classes}
			s, err = experiment.Subset(strings.TrimSpace(name), dig, test, m, nTest, random, 1, o.Seed)
		default:
			return fmt.Errorf("--datasets: unknown %q (want fashion, digits, each optionally with -random)", name)
		}
		if err != nil {
			return err
		}
		o.Sets = append(o.Sets, s)
	}
	d, cleanup, err := outAndScratch(out, dir)
	if err != nil {
		return err
	}
	defer cleanup()
	res, err := grid.Park(ctx, o, d)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := res.WriteCSV(&b); err != nil {
		return err
	}
	csv := filepath.Join(out, "park_depth_width.csv")
	if err := os.WriteFile(csv, b.Bytes(), 0o644); err != nil {
		return err
	}
	pngs, err := res.HeatMaps(func(set, kind string) string { return filepath.Join(out, fmt.Sprintf("park_%s_%s.png", set, kind)) })
	if err != nil {
		return err
	}
	if err := res.PrintTables(stdout); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s and %s\n", csv, strings.Join(pngs, ", "))
	return nil
}

// sweepCmd is memnet sweep with one (N, method) cell per Beam element: the
// same flags, sweep.csv, plots and fits (pipeline.WriteSweepPlots).
func sweepCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sweep", stderr)
	var methods, ns, out, dir string
	var o pipeline.SweepOptions
	fs.StringVar(&methods, "methods", "", "comma-separated methods (default: all)")
	fs.StringVar(&ns, "n", "100,1000,10000,100000", "comma-separated dataset sizes")
	fs.IntVar(&o.D, "d", 10, "input dimension")
	fs.IntVar(&o.Classes, "classes", 10, "number of classes")
	fs.Int64Var(&o.Seed, "seed", 1, "seed for data and constructions")
	fs.StringVar(&out, "out", "sweep-out", "directory for sweep.csv and the plots")
	fs.StringVar(&out, "o", "sweep-out", "same as --out")
	fs.DurationVar(&o.Compare.Timeout, "timeout", 0, "time limit per method and N (0 = none)")
	fs.BoolVar(&o.Lattice, "lattice", false, "integer lattice points instead of Gaussian ones")
	fs.IntVar(&o.Compare.FloatSample, "float-sample", 2000, "judge the float views on at most this many points per build (0 = all)")
	fs.StringVar(&dir, "scratch", "", "directory every worker can write (default: a local temporary one)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return fmt.Errorf("sweep takes no arguments, got %q", pos[0])
	}
	if o.Ns, err = ints("n", ns); err != nil {
		return err
	}
	for _, m := range strings.Split(methods, ",") {
		if m = strings.ToLower(strings.TrimSpace(m)); m != "" {
			o.Compare.Methods = append(o.Compare.Methods, m)
		}
	}
	if len(o.Compare.Methods) == 0 {
		for _, m := range construct.Methods() {
			o.Compare.Methods = append(o.Compare.Methods, m.Name())
		}
	}
	d, cleanup, err := outAndScratch(out, dir)
	if err != nil {
		return err
	}
	defer cleanup()
	t0 := time.Now()
	b, rows, exact, err := grid.Sweep(ctx, o, d)
	if err != nil {
		return err
	}
	csv := filepath.Join(out, "sweep.csv")
	if err := nn.WriteFileAtomic(csv, b); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "sweep: %d cells on Beam in %.1f s\n", len(o.Ns)*len(o.Compare.Methods), time.Since(t0).Seconds())
	files, err := pipeline.WriteSweepPlots(stdout, rows, out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nwrote %s", csv)
	for _, f := range files {
		fmt.Fprintf(stdout, ", %s", f)
	}
	fmt.Fprintln(stdout)
	if !exact {
		return exitError{1}
	}
	return nil
}

// ints parses a comma-separated list of positive integers.
func ints(name, s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v < 1 {
			return nil, fmt.Errorf("--%s %q: want positive integers", name, s)
		}
		out = append(out, v)
	}
	return out, nil
}

// outAndScratch makes the output directory and returns the scratch one.
func outAndScratch(out, dir string) (string, func(), error) {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return "", nil, err
	}
	return scratch(dir)
}
