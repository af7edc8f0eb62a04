package experiment

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/train"
)

// ParkSet is one dataset of the depth–width experiment: training and test
// points, already preprocessed.
type ParkSet struct {
	Name          string
	X, TestX      [][]float64
	Y, TestY      []int
	Classes       int
	RandomLabels  bool
	Preprocessing string
}

// ParkOptions are the settings of the depth–width experiment.
type ParkOptions struct {
	Sets   []ParkSet
	Widths []int // channels c
	Blocks []int // residual blocks b
	// Epochs of SGD (momentum 0.9, batch Batch, learning rate LR with ×0.1
	// steps at 30% and 70% of the epochs, λ = 5·10⁻⁵, i.e. PyTorch's weight
	// decay 10⁻⁴: Park et al., Appendix A, scaled down).
	Epochs int
	Batch  int
	LR     float64
	Lambda float64
	Trials int
	Seed   uint64
	// Progress, when not nil, is called after each cell with cells done and total.
	Progress func(done, total int)
}

// ParkCell is one trained architecture on one dataset (mean over trials).
type ParkCell struct {
	Set    string `json:"dataset"`
	Random bool   `json:"random_labels"`
	Width  int    `json:"width"`
	Blocks int    `json:"blocks"`
	Depth  int    `json:"depth"`
	Params int    `json:"params"`
	// TrainExact is the training accuracy of the saved network by the exact
	// verifier; TrainFloat the float one; Test the float test accuracy.
	TrainExact float64 `json:"train_accuracy_exact"`
	TrainFloat float64 `json:"train_accuracy_float"`
	Test       float64 `json:"test_accuracy"`
	Loss       float64 `json:"loss"`
	Diverged   int     `json:"diverged_trials"`
	Trials     int     `json:"trials"`
	Seconds    float64 `json:"seconds"`
}

// ParkResult is the whole grid.
type ParkResult struct {
	Options ParkOptions `json:"-"`
	Cells   []ParkCell  `json:"cells"`
}

// ParkParams is the parameter count of a residual MLP with d inputs, width
// c, b blocks and m outputs: the stem d·c + c, 2b(c² + c), the read-out c·m + m.
func ParkParams(d, c, b, m int) int {
	return train.Arch{In: d, Out: m, Hidden: []int{c}, Blocks: b}.Params()
}

// ParkDepthWidth trains a residual MLP (stem d → c, b blocks
// h ↦ ReLU(W₂ReLU(W₁h + b₁) + b₂ + h), read-out) for every width c and block
// count b on every dataset: the analogue of Park et al.'s Figures 1–2 with
// dense layers in place of 3×3 convolutions.
func ParkDepthWidth(ctx context.Context, o ParkOptions) (*ParkResult, error) {
	if o.Trials < 1 {
		o.Trials = 1
	}
	total := len(o.Sets) * len(o.Widths) * len(o.Blocks)
	res := &ParkResult{Options: o}
	done := 0
	for _, s := range o.Sets {
		for _, b := range o.Blocks {
			for _, c := range o.Widths {
				cell, err := parkCell(ctx, s, c, b, o)
				if err != nil {
					return nil, err
				}
				res.Cells = append(res.Cells, cell)
				done++
				if o.Progress != nil {
					o.Progress(done, total)
				}
			}
		}
	}
	return res, nil
}

func parkCell(ctx context.Context, s ParkSet, c, b int, o ParkOptions) (ParkCell, error) {
	d := len(s.X[0])
	cell := ParkCell{Set: s.Name, Random: s.RandomLabels, Width: c, Blocks: b, Depth: 1 + 2*b, Params: ParkParams(d, c, b, s.Classes), Trials: o.Trials}
	t0 := time.Now()
	for trial := range o.Trials {
		seed := o.Seed + uint64(trial)*1000003
		net, err := train.New[float32](train.Arch{In: d, Out: s.Classes, Hidden: []int{c}, Blocks: b}, rand.New(rand.NewPCG(seed, uint64(c*1000+b))))
		if err != nil {
			return cell, err
		}
		net.Standardize(s.X)
		cfg := train.Config{Optimizer: train.SGD, Epochs: o.Epochs, Batch: o.Batch, LR: o.LR, Momentum: 0.9,
			Milestones: []float64{0.3, 0.7}, Lambda: o.Lambda, Seed: seed}
		r, err := train.Train(ctx, net, s.X, s.Y, cfg)
		if err != nil {
			return cell, err
		}
		if math.IsNaN(r.Loss) || math.IsInf(r.Loss, 0) {
			cell.Diverged++
			continue
		}
		_, ex, err := train.Verify(net, s.X, s.Y, s.Classes)
		if err != nil {
			return cell, err
		}
		cell.TrainExact += float64(ex.Correct) / float64(len(s.Y))
		cell.TrainFloat += float64(r.FloatCorrect) / float64(len(s.Y))
		cell.Loss += r.Loss
		if len(s.TestX) > 0 {
			outs := net.Outputs(s.TestX)
			k := 0
			for i, out := range outs {
				if argmax(out) == s.TestY[i] {
					k++
				}
			}
			cell.Test += float64(k) / float64(len(outs))
		}
	}
	if ok := o.Trials - cell.Diverged; ok > 0 {
		cell.TrainExact /= float64(ok)
		cell.TrainFloat /= float64(ok)
		cell.Test /= float64(ok)
		cell.Loss /= float64(ok)
	} else {
		cell.TrainExact, cell.TrainFloat, cell.Test, cell.Loss = math.NaN(), math.NaN(), math.NaN(), math.NaN()
	}
	cell.Seconds = time.Since(t0).Seconds()
	return cell, nil
}

func argmax(o []float64) int {
	best := 0
	for j, v := range o {
		if v > o[best] {
			best = j
		}
	}
	return best
}

// WriteCSV writes one line per cell.
func (r *ParkResult) WriteCSV(w io.Writer) error {
	if _, err := fmt.Fprintln(w, "dataset,random_labels,width,blocks,depth,params,train_accuracy_exact,train_accuracy_float,test_accuracy,loss,diverged_trials,trials,seconds"); err != nil {
		return err
	}
	for _, c := range r.Cells {
		if _, err := fmt.Fprintf(w, "%s,%v,%d,%d,%d,%d,%.6f,%.6f,%.6f,%.6g,%d,%d,%.3f\n", c.Set, c.Random, c.Width, c.Blocks, c.Depth, c.Params,
			c.TrainExact, c.TrainFloat, c.Test, c.Loss, c.Diverged, c.Trials, c.Seconds); err != nil {
			return err
		}
	}
	return nil
}

// Grid returns, for one dataset, the value of f in each cell (rows: blocks,
// columns: widths, as in Park et al.'s Figure 2).
func (r *ParkResult) Grid(set string, f func(ParkCell) float64) [][]float64 {
	o := r.Options
	z := make([][]float64, len(o.Blocks))
	for i := range z {
		z[i] = make([]float64, len(o.Widths))
		for j := range z[i] {
			z[i][j] = math.NaN()
		}
	}
	for _, c := range r.Cells {
		if c.Set != set {
			continue
		}
		i, j := index(o.Blocks, c.Blocks), index(o.Widths, c.Width)
		if i >= 0 && j >= 0 {
			z[i][j] = f(c)
		}
	}
	return z
}

func index(xs []int, v int) int {
	for i, x := range xs {
		if x == v {
			return i
		}
	}
	return -1
}

func labelsOf(xs []int) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = fmt.Sprint(x)
	}
	return out
}

// HeatMaps writes the training (exact) and test accuracy heat maps of every
// dataset into dir-style paths made by path(set, kind), and returns them.
func (r *ParkResult) HeatMaps(path func(set, kind string) string) ([]string, error) {
	var out []string
	for _, s := range r.Options.Sets {
		for _, k := range []struct {
			kind, title string
			f           func(ParkCell) float64
		}{
			{"train", "training accuracy % (exact)", func(c ParkCell) float64 { return 100 * c.TrainExact }},
			{"test", "test accuracy % (float)", func(c ParkCell) float64 { return 100 * c.Test }},
		} {
			g := grid{z: r.Grid(s.Name, k.f), rows: labelsOf(r.Options.Blocks), cols: labelsOf(r.Options.Widths)}
			lo, hi := 100.0, 0.0
			for _, row := range g.z {
				for _, v := range row {
					if !math.IsNaN(v) {
						lo, hi = math.Min(lo, v), math.Max(hi, v)
					}
				}
			}
			if hi <= lo {
				lo, hi = lo-1, lo+1
			}
			p := path(s.Name, k.kind)
			title := fmt.Sprintf("%s: %s", s.Name, k.title)
			if err := heatMap(title, "width c (channels)", "residual blocks b", g, lo, hi, "%.1f", p); err != nil {
				return out, err
			}
			out = append(out, p)
		}
	}
	return out, nil
}

// PrintTables writes, per dataset, the training and test accuracy grids and
// the parameter counts, with a legend, then the equal-budget comparison.
func (r *ParkResult) PrintTables(w io.Writer) error {
	o := r.Options
	for _, s := range o.Sets {
		fmt.Fprintf(w, "%s: N=%d training points (%s), %d test points, d=%d, %d classes\n", s.Name, len(s.Y), s.Preprocessing, len(s.TestY), len(s.X[0]), s.Classes)
		for _, t := range []struct {
			name string
			f    func(ParkCell) string
		}{
			{"training accuracy % (exact verifier)", func(c ParkCell) string { return pct(c.TrainExact) }},
			{"test accuracy % (float)", func(c ParkCell) string { return pct(c.Test) }},
			{"parameters", func(c ParkCell) string { return fmt.Sprint(c.Params) }},
		} {
			fmt.Fprintf(w, "  %s\n", t.name)
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
			fmt.Fprint(tw, "  b \\ c\t")
			for _, c := range o.Widths {
				fmt.Fprintf(tw, "%d\t", c)
			}
			fmt.Fprintln(tw)
			for _, b := range o.Blocks {
				fmt.Fprintf(tw, "  %d\t", b)
				for _, c := range o.Widths {
					cell, ok := r.cell(s.Name, c, b)
					v := "-"
					if ok {
						v = t.f(cell)
					}
					fmt.Fprintf(tw, "%s\t", v)
				}
				fmt.Fprintln(tw)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
		}
		r.printBudget(w, s.Name)
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, `legend: rows b = residual blocks, columns c = width (Park et al.'s channels); depth = 1 + 2b
ReLU layers; parameters = d·c + c + 2b(c² + c) + 10c + 10. Training accuracy is the saved network's, by
memnet's exact verifier; test accuracy is float32. SGD, momentum 0.9, batch %d, lr %g with ×0.1 at 30%%
and 70%% of %d epochs, λ‖θ‖² with λ = %g (PyTorch weight decay %g); mean of %d trial(s); "-" = diverged.
`, o.Batch, o.LR, o.Epochs, o.Lambda, 2*o.Lambda, o.Trials)
	return nil
}

func pct(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return fmt.Sprintf("%.1f", 100*v)
}

func (r *ParkResult) cell(set string, c, b int) (ParkCell, bool) {
	for _, x := range r.Cells {
		if x.Set == set && x.Width == c && x.Blocks == b {
			return x, true
		}
	}
	return ParkCell{}, false
}

// printBudget groups the cells into parameter budgets (within a factor 1.5
// of each other) and, in each group of three or more, lists the cells from
// shallow-wide to deep-narrow: the analogue of Park et al.'s Figure 1.
func (r *ParkResult) printBudget(w io.Writer, set string) {
	var cells []ParkCell
	for _, c := range r.Cells {
		if c.Set == set {
			cells = append(cells, c)
		}
	}
	sort.Slice(cells, func(i, j int) bool { return cells[i].Params < cells[j].Params })
	best := []ParkCell(nil)
	for i := range cells {
		var g []ParkCell
		for j := i; j < len(cells) && float64(cells[j].Params) <= 1.5*float64(cells[i].Params); j++ {
			g = append(g, cells[j])
		}
		if distinctWidths(g) > distinctWidths(best) {
			best = g
		}
	}
	if distinctWidths(best) < 3 {
		return
	}
	sort.Slice(best, func(i, j int) bool { return best[i].Blocks < best[j].Blocks })
	var parts []string
	for _, c := range best {
		parts = append(parts, fmt.Sprintf("c=%d b=%d (%d params): train %s%%, test %s%%", c.Width, c.Blocks, c.Params, pct(c.TrainExact), pct(c.Test)))
	}
	fmt.Fprintf(w, "  similar budget (within ×1.5), shallow-wide to deep-narrow:\n    %s\n", strings.Join(parts, "\n    "))
}

func distinctWidths(cs []ParkCell) int {
	m := map[int]bool{}
	for _, c := range cs {
		m[c.Width] = true
	}
	return len(m)
}

// Pool averages k×k blocks of side×side images (row-major), so 28×28
// Fashion-MNIST images become 7×7 with k = 4.
func Pool(xs [][]float64, side, k int) [][]float64 {
	o := side / k
	out := make([][]float64, len(xs))
	for i, x := range xs {
		p := make([]float64, o*o)
		for r := range o * k {
			for c := range o * k {
				p[(r/k)*o+c/k] += x[r*side+c]
			}
		}
		for j := range p {
			p[j] /= float64(k * k)
		}
		out[i] = p
	}
	return out
}

// Subset takes n training and nt test points of ds and test (the first of
// each, in file order), optionally with labels drawn uniformly at random
// (seeded), and pools 28×28 images by pool (1: none).
func Subset(name string, ds, test *data.Dataset, n, nt int, random bool, pool int, seed uint64) (ParkSet, error) {
	if n > ds.N() {
		return ParkSet{}, fmt.Errorf("%s: %d training points asked, %d available", ds.Name, n, ds.N())
	}
	s := ParkSet{Name: name, X: ds.X[:n], Y: append([]int(nil), ds.Y[:n]...), Classes: ds.M(), RandomLabels: random, Preprocessing: "raw"}
	if test != nil {
		nt = min(nt, test.N())
		s.TestX, s.TestY = test.X[:nt], test.Y[:nt]
	}
	if random {
		rng := rand.New(rand.NewPCG(seed, 0x72616e64))
		for i := range s.Y {
			s.Y[i] = rng.IntN(s.Classes)
		}
		s.Preprocessing = "random labels"
	}
	if pool > 1 {
		side := int(math.Round(math.Sqrt(float64(len(s.X[0])))))
		if side*side != len(s.X[0]) || side%pool != 0 {
			return s, fmt.Errorf("%s: %d features are not a square image divisible by %d", ds.Name, len(s.X[0]), pool)
		}
		s.X = Pool(s.X, side, pool)
		if s.TestX != nil {
			s.TestX = Pool(s.TestX, side, pool)
		}
		s.Preprocessing += fmt.Sprintf(", %d×%d average pooling to %d×%d", pool, pool, side/pool, side/pool)
	}
	return s, nil
}
