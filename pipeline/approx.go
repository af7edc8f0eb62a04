package pipeline

import (
	"context"
	"fmt"
	"math"

	"github.com/memnet/memnet/approx"
	"github.com/memnet/memnet/internal/par"
	"github.com/memnet/memnet/nn"
	"github.com/memnet/memnet/plot"
)

// ApproxPicture draws the d=1 graphs of f, f_n and Φ (4000 evenly spaced
// points), or the d=2 heat maps of f, Φ and |f − Φ| (first component, at
// the centres of 240×240 pixels), Φ evaluated in float64, into path
// (.png or .svg), and returns notes on the picture. It stops with ctx's
// error when ctx is done.
func ApproxPicture(ctx context.Context, a *approx.Approx, f approx.Target, path string) ([]string, error) {
	g := a.Geom
	f64 := a.Net.Float64()
	val := make([]float64, a.M)
	cellOf := func(x []float64) int {
		t, stride := 0, 1
		for k := range g.D {
			j := int(math.Floor((x[k] - g.A[k]) / g.H[k]))
			j = min(max(j, 0), g.N-1)
			t += j * stride
			stride *= g.N
		}
		return t
	}
	switch g.D {
	case 1:
		const samples = 4000
		fs, fn, phi := plot.Series{Name: "f"}, plot.Series{Name: "f_n (cell means)"}, plot.Series{Name: "Φ (network, float64)"}
		lo, hi := g.A[0], g.A[0]+float64(g.N)*g.H[0]
		for i := range samples {
			x := []float64{lo + (hi-lo)*float64(i)/float64(samples-1)}
			out := make([]float64, a.M)
			f.Eval(x, val)
			if err := f64.Eval(x, out); err != nil {
				return nil, err
			}
			fs.X, fs.Y = append(fs.X, x[0]), append(fs.Y, val[0])
			fn.X, fn.Y = append(fn.X, x[0]), append(fn.Y, a.Mean(cellOf(x), 0))
			phi.X, phi.Y = append(phi.X, x[0]), append(phi.Y, out[0])
		}
		title := fmt.Sprintf("%s: n=%d, depth %d, width %d", f.Name(), g.N, len(a.Net.Hidden), a.Net.Stats().Width)
		return nil, plot.Graph1D(title, "x", []plot.Series{fs, fn, phi}, path)
	case 2:
		const res = 240
		mk := func(name string) plot.Field {
			v := make([][]float64, res)
			for r := range v {
				v[r] = make([]float64, res)
			}
			return plot.Field{Name: name, X0: g.A[0], X1: g.A[0] + float64(g.N)*g.H[0], Y0: g.A[1], Y1: g.A[1] + float64(g.N)*g.H[1], V: v}
		}
		ff, fp, fe := mk("f"), mk("Φ (network, float64)"), mk("|f − Φ|")
		xs := make([][]float64, 0, res*res)
		for r := range res {
			for c := range res {
				xs = append(xs, []float64{ff.X(c), ff.Y(r)})
			}
		}
		outs := make([][]float64, len(xs))
		for i := range outs {
			outs[i] = make([]float64, a.M)
		}
		// an evaluation error (not expected: finite inputs of the right
		// length) stops the loop and leaves the rest drawn at 0, as before
		_ = par.Do(ctx, len(xs), max(1, min(64, len(xs)/(par.Workers()*8)+1)), nil, func(lo, hi int, _ struct{}) error {
			return f64.EvalBatch(xs[lo:hi], outs[lo:hi])
		})
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for i, x := range xs {
			r, c := i/res, i%res
			f.Eval(x, val)
			ff.V[r][c], fp.V[r][c], fe.V[r][c] = val[0], outs[i][0], math.Abs(val[0]-outs[i][0])
		}
		title := fmt.Sprintf("%s: n=%d (%d cells), depth %d, width %d; %d×%d pixel centres", f.Name(), g.N, g.Cells(), len(a.Net.Hidden), a.Net.Stats().Width, res, res)
		return []string{"heat maps show the first component"}, plot.HeatMaps(title, []plot.Field{ff, fp, fe}, path)
	}
	return nil, fmt.Errorf("--plot: pictures are drawn for d = 1 (graphs) and d = 2 (heat maps), not d = %d", g.D)
}

// ApproxModel wraps approx's network for saving: its options (function,
// n, θ, box, shift, p), the cell count as its points, the outputs' names,
// the construction's depth and width, the phases inspect shows and the
// measured L^1 and L^2 errors as hints.
func ApproxModel(a *approx.Approx, r *approx.Report) *nn.Model {
	fmtF := func(v float64) string { return fmt.Sprintf("%g", v) }
	return &nn.Model{
		Net: a.Net, Method: "approx",
		Options: map[string]string{"function": r.Function, "n": fmt.Sprint(r.N), "theta": fmt.Sprint(r.Theta),
			"box": fmt.Sprint(r.Box), "shift": fmtF(r.Shift), "p": fmtF(r.P)},
		Points: r.Cells, Classes: outputNames(r.M),
		Theorem:   "Hernández–Zuazua (2024), width-(d+1) universal approximation in L^p (specification §3 reconstruction)",
		Predicted: map[string]int64{"depth_construction": r.DepthFormula, "width_construction": int64(max(r.D+1, r.M+1))},
		Hints: map[string]string{"phases": PhasesHint([]Phase{
			{Name: "flatten cell cores to lattice points (d·n)", First: 1, Last: r.DepthFlatten},
			{Name: "memorize the lattice values, HZ2 (2n^d − 1)", First: r.DepthFlatten + 1, Last: r.Depth}}),
			"l1_error": fmtF(r.L1Error), "l2_error": fmtF(r.L2Error)},
	}
}

// outputNames names the components of f: "f", or f1..fm.
func outputNames(m int) []string {
	if m == 1 {
		return []string{"f"}
	}
	ns := make([]string, m)
	for i := range ns {
		ns[i] = fmt.Sprintf("f%d", i+1)
	}
	return ns
}
