package main

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"

	"github.com/memnet/memnet/pipeline"
	"github.com/memnet/memnet/plot"
)

// writeNormPlot draws ‖θ‖₂² against N (log-log, fitted exponents in the
// legend) into dir and returns the files written and notes on dropped points.
func writeNormPlot(rows []pipeline.CompareRow, dir string) ([]string, []string, error) {
	var beyond []string
	norms, _ := sweepSeries(rows, func(r pipeline.CompareRow) float64 {
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
