package experiment

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
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
	// H, W, Cin: the points are H×W images of Cin channels (height-width-
	// channel order), for the convolutional networks.
	H, W, Cin int
}

// ParkOptions are the settings of the depth–width experiment.
type ParkOptions struct {
	Sets []ParkSet
	// Conv trains convolutional residual networks (train.ConvNet: Park et
	// al.'s Appendix A family); false: residual MLPs (dense layers in place
	// of the convolutions, the variant of issue 10).
	Conv   bool
	Widths []int // channels c
	Blocks []int // residual blocks b
	// Budget lists architectures (c, b) of about equal parameter count,
	// shallow-wide to deep-narrow, trained besides the grid: Figure 1's
	// question.
	Budget [][2]int
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
	// TrainTrials are the trials' training accuracies (exact where
	// Exact, else float); TrainSD their sample standard deviation.
	TrainTrials []float64 `json:"train_accuracy_trials"`
	TrainSD     float64   `json:"train_accuracy_sd"`
	// Exact: the training accuracy is the exact verifier's (false: the
	// unrolled network was too large to write; float32 accuracy).
	Exact    bool    `json:"exact_verified"`
	Loss     float64 `json:"loss"`
	Diverged int     `json:"diverged_trials"`
	Trials   int     `json:"trials"`
	Seconds  float64 `json:"seconds"`
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

// convArch is the convolutional network of width c and b blocks on s.
func convArch(s ParkSet, c, b int) train.ConvArch {
	return train.ConvArch{H: s.H, W: s.W, Cin: s.Cin, C: c, B: b, Out: s.Classes}
}

// cells lists the architectures to train: the grid, then the budget list's
// (c, b) not on it.
func (o ParkOptions) cells() [][2]int {
	var out [][2]int
	seen := map[[2]int]bool{}
	for _, b := range o.Blocks {
		for _, c := range o.Widths {
			out = append(out, [2]int{c, b})
			seen[[2]int{c, b}] = true
		}
	}
	for _, cb := range o.Budget {
		if !seen[cb] {
			out = append(out, cb)
			seen[cb] = true
		}
	}
	return out
}

// Check validates the options and refuses, before any training, a cell
// whose estimated memory exceeds limits.Memory.
func (o ParkOptions) Check() error {
	if len(o.Sets) == 0 {
		return fmt.Errorf("park-depth-width: no dataset")
	}
	if o.Epochs < 1 || o.Batch < 1 || o.Trials < 1 || o.Trials > 1000 || !(o.LR > 0) || !(o.Lambda >= 0) {
		return fmt.Errorf("park-depth-width: epochs %d, batch %d, trials %d (at most 1000), learning rate %g and λ %g: want positive values (λ ≥ 0)", o.Epochs, o.Batch, o.Trials, o.LR, o.Lambda)
	}
	for _, s := range o.Sets {
		if len(s.X) == 0 {
			return fmt.Errorf("%s: no training points", s.Name)
		}
		if o.Conv && s.H*s.W*s.Cin != len(s.X[0]) {
			return fmt.Errorf("%s: %d features are not %d×%d×%d images", s.Name, len(s.X[0]), s.H, s.W, s.Cin)
		}
		for _, cb := range o.cells() {
			c, b := cb[0], cb[1]
			var err error
			if o.Conv {
				err = convArch(s, c, b).CheckMemory(o.Batch, 4)
			} else {
				err = train.Arch{In: len(s.X[0]), Out: s.Classes, Hidden: []int{c}, Blocks: b}.CheckMemory(len(s.X), o.Batch, 4)
			}
			if err != nil {
				return fmt.Errorf("%s, c=%d b=%d: %w", s.Name, c, b, err)
			}
		}
	}
	return nil
}

// ParkDepthWidth trains, for every width c and block count b of the grid
// and every architecture of the budget list, on every dataset, either a
// convolutional residual network (Park et al.'s Appendix A family:
// train.ConvNet) or a residual MLP (stem d → c, b blocks
// h ↦ ReLU(W₂ReLU(W₁h + b₁) + b₂ + h), read-out): the analogue of Park et
// al.'s Figures 1–2. It stops within a training epoch of ctx's end.
func ParkDepthWidth(ctx context.Context, o ParkOptions) (*ParkResult, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	archs := o.cells()
	total := len(o.Sets) * len(archs)
	res := &ParkResult{Options: o}
	done := 0
	for _, s := range o.Sets {
		for _, cb := range archs {
			cell, err := parkCell(ctx, s, cb[0], cb[1], o)
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
	return res, nil
}

// trialResult is one trained network of a cell: its training accuracy
// (exact when the written network could be verified), float training and
// test accuracy and loss; ok false: training diverged.
type trialResult struct {
	train, float, test, loss float64
	exact, ok                bool
}

// parkTrial trains one network of the cell.
func parkTrial(ctx context.Context, s ParkSet, c, b int, o ParkOptions, seed uint64) (trialResult, error) {
	var t trialResult
	cfg := train.Config{Optimizer: train.SGD, Epochs: o.Epochs, Batch: o.Batch, LR: o.LR, Momentum: 0.9,
		Milestones: []float64{0.3, 0.7}, Lambda: o.Lambda, Seed: seed}
	n := float64(len(s.Y))
	var outs [][]float64
	var r *train.Result
	var ex *train.Exact
	rng := rand.New(rand.NewPCG(seed, uint64(c*1000+b)))
	if o.Conv {
		net, err := train.NewConv[float32](convArch(s, c, b), rng)
		if err != nil {
			return t, err
		}
		net.Standardize(s.X)
		if r, err = train.TrainConv(ctx, net, s.X, s.Y, cfg); err != nil {
			return t, err
		}
		if math.IsNaN(r.Loss) || math.IsInf(r.Loss, 0) {
			return t, nil
		}
		if net.Arch.UnrolledWeights() <= train.MaxUnrolledWeights {
			if _, ex, err = train.VerifyConv(net, s.X, s.Y, s.Classes, nil); err != nil {
				return t, err
			}
		}
		if len(s.TestX) > 0 {
			outs = net.Outputs(s.TestX)
		}
	} else {
		net, err := train.New[float32](train.Arch{In: len(s.X[0]), Out: s.Classes, Hidden: []int{c}, Blocks: b}, rng)
		if err != nil {
			return t, err
		}
		net.Standardize(s.X)
		if r, err = train.Train(ctx, net, s.X, s.Y, cfg); err != nil {
			return t, err
		}
		if math.IsNaN(r.Loss) || math.IsInf(r.Loss, 0) {
			return t, nil
		}
		if _, ex, err = train.Verify(net, s.X, s.Y, s.Classes); err != nil {
			return t, err
		}
		if len(s.TestX) > 0 {
			outs = net.Outputs(s.TestX)
		}
	}
	t.float = float64(r.FloatCorrect) / n
	t.train = t.float
	if ex != nil {
		t.train, t.exact = float64(ex.Correct)/n, true
	}
	if len(outs) > 0 {
		k := 0
		for i, out := range outs {
			if argmax(out) == s.TestY[i] {
				k++
			}
		}
		t.test = float64(k) / float64(len(outs))
	}
	t.loss, t.ok = r.Loss, true
	return t, nil
}

func parkCell(ctx context.Context, s ParkSet, c, b int, o ParkOptions) (ParkCell, error) {
	d := len(s.X[0])
	cell := ParkCell{Set: s.Name, Random: s.RandomLabels, Width: c, Blocks: b, Depth: 1 + 2*b, Params: ParkParams(d, c, b, s.Classes), Trials: o.Trials, Exact: true}
	if o.Conv {
		cell.Params = convArch(s, c, b).Params()
	}
	t0 := time.Now()
	for trial := range o.Trials {
		seed := o.Seed + uint64(trial)*1000003
		t, err := parkTrial(ctx, s, c, b, o, seed)
		if err != nil {
			return cell, err
		}
		if !t.ok {
			cell.Diverged++
			continue
		}
		cell.Exact = cell.Exact && t.exact
		cell.TrainTrials = append(cell.TrainTrials, t.train)
		cell.TrainExact += t.train
		cell.TrainFloat += t.float
		cell.Test += t.test
		cell.Loss += t.loss
	}
	if ok := len(cell.TrainTrials); ok > 0 {
		cell.TrainExact /= float64(ok)
		cell.TrainFloat /= float64(ok)
		cell.Test /= float64(ok)
		cell.Loss /= float64(ok)
		if ok > 1 {
			for _, v := range cell.TrainTrials {
				cell.TrainSD += (v - cell.TrainExact) * (v - cell.TrainExact)
			}
			cell.TrainSD = math.Sqrt(cell.TrainSD / float64(ok-1))
		}
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
	if _, err := fmt.Fprintln(w, parkCSVHeader); err != nil {
		return err
	}
	for _, c := range r.Cells {
		var ts []string
		for _, v := range c.TrainTrials {
			ts = append(ts, fmt.Sprintf("%.6f", v))
		}
		if _, err := fmt.Fprintf(w, "%s,%s,%v,%d,%d,%d,%d,%.6f,%v,%.6f,%s,%.6f,%.6f,%.6g,%d,%d,%.3f\n", c.Set, r.Options.network(), c.Random, c.Width, c.Blocks, c.Depth, c.Params,
			c.TrainExact, c.Exact, c.TrainSD, strings.Join(ts, ";"), c.TrainFloat, c.Test, c.Loss, c.Diverged, c.Trials, c.Seconds); err != nil {
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

// network names the architecture family.
func (o ParkOptions) network() string {
	if o.Conv {
		return "conv-resnet"
	}
	return "residual-mlp"
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

// Figure1 draws, per dataset, the budget architectures from shallow-wide to
// deep-narrow with their mean training accuracy ± the trials' standard
// deviation, and the mean test accuracy ± its spread, into path(set)
// (Park et al.'s Figure 1), and returns the paths (none without a budget).
func (r *ParkResult) Figure1(path func(set string) string) ([]string, error) {
	var out []string
	if len(r.Options.Budget) == 0 {
		return nil, nil
	}
	for _, s := range r.Options.Sets {
		var cats []string
		tr := errorBars{name: "training accuracy % (mean ± sd over trials)"}
		te := errorBars{name: "test accuracy % (mean)"}
		params, trials := 0, 0
		for _, cb := range r.Options.Budget {
			c, ok := r.cell(s.Name, cb[0], cb[1])
			if !ok {
				continue
			}
			cats = append(cats, fmt.Sprintf("c=%d b=%d", c.Width, c.Blocks))
			tr.mean, tr.sd = append(tr.mean, 100*c.TrainExact), append(tr.sd, 100*c.TrainSD)
			te.mean, te.sd = append(te.mean, 100*c.Test), append(te.sd, 0)
			params = max(params, c.Params)
			trials = max(trials, c.Trials)
		}
		series := []errorBars{tr}
		for _, v := range te.mean {
			if v > 0 {
				series = append(series, te)
				break
			}
		}
		p := path(s.Name)
		title := fmt.Sprintf("%s: ≤ %d parameters, shallow-wide → deep-narrow (%d trials)", s.Name, params, trials)
		if err := barChart(title, "accuracy %", cats, series, p); err != nil {
			return out, err
		}
		out = append(out, p)
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
			{"training accuracy % (exact verifier; f: float32, the network too large to write)", func(c ParkCell) string {
				if !c.Exact && !math.IsNaN(c.TrainExact) {
					return pct(c.TrainExact) + "f"
				}
				return pct(c.TrainExact)
			}},
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
		if len(o.Budget) > 0 {
			if err := r.printFigure1(w, s.Name); err != nil {
				return err
			}
		} else {
			r.printBudget(w, s.Name)
		}
		fmt.Fprintln(w)
	}
	net := `residual MLPs (dense layers in place of Park et al.'s convolutions); parameters = d·c + c + 2b(c² + c) + 10c + 10`
	if o.Conv {
		net = `convolutional residual networks (3×3 stem to c channels, b blocks ReLU(conv(ReLU(conv h)) + h), global
average pooling, linear read-out: Park et al.'s Appendix A); parameters = 9·c + c + 2b(9c² + c) + 10c + 10`
	}
	iters := 0
	if len(o.Sets) > 0 {
		iters = o.Epochs * ((len(o.Sets[0].Y) + o.Batch - 1) / o.Batch)
	}
	fmt.Fprintf(w, `legend: %s.
Rows b = residual blocks, columns c = width (channels); depth = 1 + 2b ReLU layers. Training accuracy
is the saved network's, by memnet's exact verifier (f: float32, where the written network would be too
large); test accuracy is float32. SGD, momentum 0.9, batch %d, lr %g with ×0.1 at 30%% and 70%% of %d
epochs (%d iterations on the first dataset), λ‖θ‖² with λ = %g (PyTorch weight decay %g); mean of %d
trial(s), ± their sample standard deviation; "-" = diverged.
`, net, o.Batch, o.LR, o.Epochs, iters, o.Lambda, 2*o.Lambda, o.Trials)
	return nil
}

// pm is a mean ± standard deviation in percent, with the trials.
func pm(c ParkCell) string {
	if math.IsNaN(c.TrainExact) {
		return "-"
	}
	var ts []string
	for _, v := range c.TrainTrials {
		ts = append(ts, fmt.Sprintf("%.1f", 100*v))
	}
	f := ""
	if !c.Exact {
		f = " (float32)"
	}
	if len(c.TrainTrials) < 2 {
		return fmt.Sprintf("%.1f (one trial)%s", 100*c.TrainExact, f)
	}
	return fmt.Sprintf("%.1f ± %.1f [%s]%s", 100*c.TrainExact, 100*c.TrainSD, strings.Join(ts, ", "), f)
}

// PrintFigure1 writes every dataset's Figure-1 table.
func (r *ParkResult) PrintFigure1(w io.Writer) error {
	for _, s := range r.Options.Sets {
		fmt.Fprintf(w, "%s:\n", s.Name)
		if err := r.printFigure1(w, s.Name); err != nil {
			return err
		}
	}
	return nil
}

// printFigure1 prints the budget list's cells, shallow-wide to
// deep-narrow: Park et al.'s Figure 1.
func (r *ParkResult) printFigure1(w io.Writer, set string) error {
	fmt.Fprintf(w, "  Figure 1: architectures of about equal parameter count, shallow-wide to deep-narrow\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "  c\tb\tdepth\tparams\ttrain % mean ± sd [trials]\ttest %\t")
	for _, cb := range r.Options.Budget {
		c, ok := r.cell(set, cb[0], cb[1])
		if !ok {
			continue
		}
		fmt.Fprintf(tw, "  %d\t%d\t%d\t%d\t%s\t%s\t\n", c.Width, c.Blocks, c.Depth, c.Params, pm(c), pct(c.Test))
	}
	return tw.Flush()
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

// parkCSVHeader is WriteCSV's header.
const parkCSVHeader = "dataset,network,random_labels,width,blocks,depth,params,train_accuracy,train_accuracy_exact_verified,train_accuracy_sd,train_accuracy_trials,train_accuracy_float,test_accuracy,loss,diverged_trials,trials,seconds"

// ReadParkCSV reads a grid written by WriteCSV (at most 1 MiB), to draw its
// pictures and Figure-1 table again without training; o gives the grid,
// the budget list and the trials, the datasets come from the file.
func ReadParkCSV(r io.Reader, name string, o ParkOptions) (*ParkResult, error) {
	rows, err := csv.NewReader(io.LimitReader(r, 1<<20)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if len(rows) < 2 || strings.Join(rows[0], ",") != parkCSVHeader {
		return nil, fmt.Errorf("%s: not a park-depth-width CSV (want the header %q and at least one row)", name, parkCSVHeader)
	}
	res := &ParkResult{Options: o}
	res.Options.Sets = nil
	seen := map[string]bool{}
	for i, row := range rows[1:] {
		bad := func(what string) error { return fmt.Errorf("%s: line %d: %s", name, i+2, what) }
		if len(row) != 17 {
			return nil, bad(fmt.Sprintf("%d fields, want 17", len(row)))
		}
		var c ParkCell
		var errs [8]error
		c.Set = row[0]
		c.Random = row[2] == "true"
		c.Width, errs[0] = strconv.Atoi(row[3])
		c.Blocks, errs[1] = strconv.Atoi(row[4])
		c.Params, errs[2] = strconv.Atoi(row[6])
		c.TrainExact, errs[3] = strconv.ParseFloat(row[7], 64)
		c.Exact = row[8] == "true"
		c.TrainSD, errs[4] = strconv.ParseFloat(row[9], 64)
		c.Test, errs[5] = strconv.ParseFloat(row[12], 64)
		c.Trials, errs[6] = strconv.Atoi(row[15])
		for _, t := range strings.Split(row[10], ";") {
			if t == "" {
				continue
			}
			v, err := strconv.ParseFloat(t, 64)
			if err != nil {
				errs[7] = err
			}
			c.TrainTrials = append(c.TrainTrials, v)
		}
		for _, e := range errs {
			if e != nil {
				return nil, bad(fmt.Sprintf("a number does not parse (%v)", e))
			}
		}
		c.Depth = 1 + 2*c.Blocks
		res.Cells = append(res.Cells, c)
		if !seen[c.Set] {
			seen[c.Set] = true
			res.Options.Sets = append(res.Options.Sets, ParkSet{Name: c.Set, RandomLabels: c.Random})
		}
	}
	return res, nil
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
	if n < 1 {
		return ParkSet{}, fmt.Errorf("%s: %d training points asked; want at least 1", ds.Name, n)
	}
	side := int(math.Round(math.Sqrt(float64(ds.D()))))
	s := ParkSet{Name: name, X: ds.X[:n], Y: append([]int(nil), ds.Y[:n]...), Classes: ds.M(), RandomLabels: random, Preprocessing: "raw",
		H: side, W: side, Cin: 1}
	if side*side != ds.D() {
		s.H, s.W = 1, ds.D() // not a square image: a 1×d strip
	}
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
		if side*side != len(s.X[0]) || side%pool != 0 {
			return s, fmt.Errorf("%s: %d features are not a square image divisible by %d", ds.Name, len(s.X[0]), pool)
		}
		s.X = Pool(s.X, side, pool)
		if s.TestX != nil {
			s.TestX = Pool(s.TestX, side, pool)
		}
		s.Preprocessing += fmt.Sprintf(", %d×%d average pooling to %d×%d", pool, pool, side/pool, side/pool)
		s.H, s.W = side/pool, side/pool
	}
	return s, nil
}
