package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"sort"
	"strings"

	"github.com/memnet/memnet/construct/ridge"
	"github.com/memnet/memnet/nn"
	"github.com/memnet/memnet/plot"
)

// The sweep's files: sweep.csv and the plots against N with their fits.

// SaveSweepCSV writes rows to dir/sweep.csv, atomically, unless ctx is
// done: an interrupted sweep returns without writing, so the complete
// results of an earlier run are never replaced by partial ones.
func SaveSweepCSV(ctx context.Context, dir string, rows []CompareRow) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := WriteSweepCSV(&buf, rows); err != nil {
		return "", err
	}
	p := filepath.Join(dir, "sweep.csv")
	return p, nn.WriteFileAtomic(p, buf.Bytes())
}

// sweepSeries groups exact rows by method into (N, value) series.
func sweepSeries(rows []CompareRow, value func(CompareRow) float64) ([]plot.Series, []string) {
	var order []string
	by := map[string]*plot.Series{}
	var notes []string
	for _, r := range rows {
		if r.NotApplicable != "" {
			continue
		}
		if r.Error != "" || !r.Exact {
			notes = append(notes, fmt.Sprintf("%s at N=%d left out (not built exactly)", r.Method, r.N))
			continue
		}
		s, ok := by[r.Method]
		if !ok {
			s = &plot.Series{Name: r.Method}
			by[r.Method] = s
			order = append(order, r.Method)
		}
		s.X = append(s.X, float64(r.N))
		s.Y = append(s.Y, value(r))
	}
	var out []plot.Series
	for _, m := range order {
		out = append(out, *by[m])
	}
	return out, notes
}

// WriteSweepPlots draws the sweep's plots into dir (params, bits, norm,
// lower bounds and W²L² against N, PNG and SVG), prints the fitted
// exponents (plot.FitPowerLaw), the crossings of the fitted lines inside
// the measured range and where each method drops below N parameters to w,
// and returns the files written. memnet sweep, memnet demo --out and
// memnet-beam sweep call it.
func WriteSweepPlots(w io.Writer, rows []CompareRow, dir string) ([]string, error) {
	params, notes := sweepSeries(rows, func(r CompareRow) float64 { return float64(r.Params) })
	bits, _ := sweepSeries(rows, func(r CompareRow) float64 { return float64(r.MaxWeightBits) })
	ns := map[int]bool{}
	for _, r := range rows {
		ns[r.N] = true
	}
	var nsSorted []int
	for n := range ns {
		nsSorted = append(nsSorted, n)
	}
	sort.Ints(nsSorted)
	vc := plot.Series{Name: "VC lower bound √N (rounded up)"}
	for _, n := range nsSorted {
		vc.X = append(vc.X, float64(n))
		vc.Y = append(vc.Y, float64(ridge.VCLowerBound(n)))
	}
	pc := plot.Chart{Title: "nonzero parameters of the constructed networks", XLabel: "N (points)", YLabel: "parameters (nonzero weights + biases)",
		LogY: true, FitLegend: true, RefSlopes: []float64{1, 2.0 / 3, 0.5}, Series: params, Floor: &vc}
	p1, p2 := filepath.Join(dir, "params_vs_n.png"), filepath.Join(dir, "params_vs_n.svg")
	n1, err := pc.Save(7.5, 5.5, p1, p2)
	if err != nil {
		return nil, err
	}
	bc := plot.Chart{Title: "largest weight's bit complexity", XLabel: "N (points)", YLabel: "max weight bits", LogY: true, FitLegend: true, Series: bits}
	b1, b2 := filepath.Join(dir, "bits_vs_n.png"), filepath.Join(dir, "bits_vs_n.svg")
	n2, err := bc.Save(7.5, 5.5, b1, b2)
	if err != nil {
		return nil, err
	}
	normFiles, nNorm, err := writeNormPlot(rows, dir)
	if err != nil {
		return nil, err
	}
	notes = append(notes, nNorm...)
	// Depth-aware VC lower bound (Bartlett et al. 2019) of each method's own
	// network: the fewest params any network of that depth and size could
	// have; and W²L² against N·log2(2r/δ) and N/log2(2r/δ) (Yang & Yang).
	lowerOf := func(key string) func(CompareRow) float64 {
		return func(r CompareRow) float64 {
			if r.Theory != nil {
				for _, lb := range r.Theory.LowerBounds {
					if lb.Key == key {
						return lb.Value
					}
				}
			}
			return 0
		}
	}
	vcL, _ := sweepSeries(rows, lowerOf("vc_depth"))
	for i := range vcL {
		// each bound in its method's colour, dashed
		vcL[i].Like = vcL[i].Name
		vcL[i].Name += " bound: (N−L)/(L·log2(8eU))"
	}
	lc := plot.Chart{Title: "depth-aware VC lower bound on params for each network's depth L and units U", XLabel: "N (points)",
		YLabel: "parameters (built) and lower bounds", LogY: true, Series: append(params, vcL...), Floor: &vc}
	l1, l2 := filepath.Join(dir, "lower_bounds_vs_n.png"), filepath.Join(dir, "lower_bounds_vs_n.svg")
	n3, err := lc.Save(7.5, 5.5, l1, l2)
	if err != nil {
		return nil, err
	}
	wl2, _ := sweepSeries(rows, func(r CompareRow) float64 {
		if r.Theory == nil {
			return 0
		}
		return r.Theory.WL2.Product
	})
	up, low := plot.Series{Name: "N·log2(2r/δ) (sufficient, constants 1)"}, plot.Series{Name: "N/log2(2r/δ) (necessary, constants 1)"}
	seen := map[int]bool{}
	for _, r := range rows {
		if r.Theory != nil && !seen[r.N] {
			seen[r.N] = true
			up.X, up.Y = append(up.X, float64(r.N)), append(up.Y, r.Theory.WL2.Upper)
			low.X, low.Y = append(low.X, float64(r.N)), append(low.Y, r.Theory.WL2.Lower)
		}
	}
	wc := plot.Chart{Title: "width²·depth² against N·log(1/δ) (Yang & Yang 2026)", XLabel: "N (points)", YLabel: "W²L²",
		LogY: true, FitLegend: true, Series: append(wl2, up), Floor: &low}
	w1, w2 := filepath.Join(dir, "wl2_vs_n.png"), filepath.Join(dir, "wl2_vs_n.svg")
	n4, err := wc.Save(7.5, 5.5, w1, w2)
	if err != nil {
		return nil, err
	}
	for _, n := range append(append(append(append(notes, n1...), n2...), n3...), n4...) {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	lo, hi := float64(nsSorted[0]), float64(nsSorted[len(nsSorted)-1])
	fits := map[string]plot.Fit{}
	fmt.Fprintln(w, "\nfitted exponents (params ≈ c·N^a, least squares on log-log):")
	for _, s := range params {
		f, ok := plot.FitPowerLaw(s)
		if !ok {
			fmt.Fprintf(w, "  %-11s too few points to fit\n", s.Name)
			continue
		}
		fits[s.Name] = f
		below := "never below N in the sweep"
		for i := range s.X {
			if s.Y[i] < s.X[i] {
				below = fmt.Sprintf("below N from N=%g in the sweep", s.X[i])
				break
			}
		}
		bf, _ := plot.FitPowerLaw(bitsOf(bits, s.Name))
		fmt.Fprintf(w, "  %-11s a = %.3f, c = %.3g (%d points); %s; max bits ∝ N^%.2f\n", s.Name, f.Exponent, f.Coef, f.Points, below, bf.Exponent)
	}
	fmt.Fprintln(w, "  (a: growth exponent of the nonzero parameters with N — 1 linear, 0.667 for N^(2/3), 0.5 for √N;")
	fmt.Fprintln(w, "   c: the fitted constant; points: sizes N fitted; \"below N\": the first measured N where params < N;")
	fmt.Fprintln(w, "   max bits ∝ N^b: the same fit for the largest weight's bits)")
	var names []string
	for m := range fits {
		names = append(names, m)
	}
	sort.Strings(names)
	fmt.Fprintf(w, "crossings of the fitted lines inside the measured range N = %g..%g (a fit says nothing outside it):\n", lo, hi)
	found := false
	for i := range names {
		for j := i + 1; j < len(names); j++ {
			if x, ok := plot.Crossing(fits[names[i]], fits[names[j]]); ok && x >= lo && x <= hi {
				fmt.Fprintf(w, "  %s and %s at N≈%.3g\n", names[i], names[j], x)
				found = true
			}
		}
	}
	if !found {
		fmt.Fprintln(w, "  none")
	}
	return append([]string{p1, p2, b1, b2, l1, l2, w1, w2}, normFiles...), nil
}

// writeNormPlot draws ‖θ‖₂² against N (log-log, fitted exponents in the
// legend) into dir and returns the files written and notes on dropped points.
func writeNormPlot(rows []CompareRow, dir string) ([]string, []string, error) {
	var beyond []string
	norms, _ := sweepSeries(rows, func(r CompareRow) float64 {
		if r.NormL2Squared >= math.MaxFloat64 {
			// beyond float64 (capped): not drawn at a false height
			beyond = append(beyond, fmt.Sprintf("%s at N=%d", r.Method, r.N))
			return math.NaN()
		}
		return r.NormL2Squared
	})
	c := plot.Chart{Title: "squared parameter norm ‖θ‖₂² of the constructed networks", XLabel: "N (points)",
		YLabel: "‖θ‖₂² (every weight and bias)", LogY: true, FitLegend: true, RefSlopes: []float64{1, 2, 4}, Series: norms}
	p1, p2 := filepath.Join(dir, "norm_vs_n.png"), filepath.Join(dir, "norm_vs_n.svg")
	notes, err := c.Save(7.5, 5.5, p1, p2)
	if len(beyond) > 0 {
		notes = append(notes, "‖θ‖₂² beyond the float64 range, not drawn (inspect prints it as 2^k): "+strings.Join(beyond, ", "))
	}
	return []string{p1, p2}, notes, err
}

// bitsOf is the series named name (empty when there is none).
func bitsOf(ss []plot.Series, name string) plot.Series {
	for _, s := range ss {
		if s.Name == name {
			return s
		}
	}
	return plot.Series{}
}
