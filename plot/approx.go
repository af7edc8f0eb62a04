package plot

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strings"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Graph1D draws, on one axis, the curves of a one-dimensional
// approximation: each series is a named y(x) (e.g. f, f_n and Φ).
func Graph1D(title, xlabel string, series []Series, path string) error {
	if err := CheckPath(path); err != nil {
		return err
	}
	p := gplot.New()
	p.Title.Text = title
	p.X.Label.Text = xlabel
	p.Y.Label.Text = "value"
	p.Add(plotter.NewGrid())
	p.Legend.Top = true
	widths := []float64{2.5, 1.5, 1}
	for i, s := range series {
		cs, _ := Clean(s, false, false)
		xys := make(plotter.XYs, len(cs.X))
		for k := range cs.X {
			xys[k].X, xys[k].Y = cs.X[k], cs.Y[k]
		}
		l, err := plotter.NewLine(xys)
		if err != nil {
			return err
		}
		l.Color = plotutil.Color(i)
		l.Width = vg.Points(widths[i%len(widths)])
		if i > 0 {
			l.Dashes = []vg.Length{vg.Points(float64(6 - 2*i%4)), vg.Points(2)}
		}
		p.Add(l)
		p.Legend.Add(s.Name, l)
	}
	return saveAtomic(p, 8*vg.Inch, 5*vg.Inch, path)
}

// Field is a function sampled on a regular grid of cells over a rectangle:
// V[r][c] is the value at the centre of column c, row r (row 0 at the bottom).
type Field struct {
	Name           string
	X0, X1, Y0, Y1 float64
	V              [][]float64
}

// Dims implements plotter.GridXYZ.
func (f Field) Dims() (c, r int) { return len(f.V[0]), len(f.V) }

// Z implements plotter.GridXYZ.
func (f Field) Z(c, r int) float64 { return f.V[r][c] }

// X implements plotter.GridXYZ.
func (f Field) X(c int) float64 {
	nc, _ := f.Dims()
	return f.X0 + (float64(c)+0.5)*(f.X1-f.X0)/float64(nc)
}

// Y implements plotter.GridXYZ.
func (f Field) Y(r int) float64 {
	_, nr := f.Dims()
	return f.Y0 + (float64(r)+0.5)*(f.Y1-f.Y0)/float64(nr)
}

func (f Field) rng() (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, row := range f.V {
		for _, v := range row {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	if lo > hi {
		return 0, 1
	}
	if lo == hi {
		hi = lo + 1
	}
	return lo, hi
}

// HeatMaps draws the fields side by side, each with its own colour scale
// (Moreland's black-body map: dark = the smallest value, bright = the
// largest; the range is in each panel's title).
func HeatMaps(title string, fields []Field, path string) error {
	if err := CheckPath(path); err != nil {
		return err
	}
	row := make([]*gplot.Plot, len(fields))
	for i, f := range fields {
		if len(f.V) == 0 || len(f.V[0]) == 0 {
			return fmt.Errorf("heat map %q: no values", f.Name)
		}
		lo, hi := f.rng()
		pal := moreland.ExtendedBlackBody()
		pal.SetMin(lo)
		pal.SetMax(hi)
		h := plotter.NewHeatMap(f, pal.Palette(255))
		h.Min, h.Max = lo, hi
		h.Rasterized = true
		p := gplot.New()
		p.Title.Text = fmt.Sprintf("%s\ncolour: dark %.3g … bright %.3g", f.Name, lo, hi)
		p.X.Label.Text = "x1"
		p.Y.Label.Text = "x2"
		p.Add(h)
		row[i] = p
	}
	return saveTiles(title, [][]*gplot.Plot{row}, 3.6, 3.8, path)
}

// saveTiles lays plots out in a grid (wIn × hIn inches each) under a title
// and writes path (.svg, else PNG).
func saveTiles(title string, plots [][]*gplot.Plot, wIn, hIn float64, path string) error {
	rows, cols := len(plots), len(plots[0])
	w, h := vg.Length(cols)*vg.Length(wIn)*vg.Inch, vg.Length(rows)*vg.Length(hIn)*vg.Inch+0.4*vg.Inch
	var canvas vg.CanvasWriterTo
	switch strings.ToLower(filepath.Ext(path)) {
	case ".svg":
		canvas = vgsvg.New(w, h)
	default:
		canvas = vgimg.PngCanvas{Canvas: vgimg.New(w, h)}
	}
	dc := draw.New(canvas)
	top := draw.Crop(dc, 0, 0, 0, -0.4*vg.Inch)
	fnt := gplot.DefaultFont
	fnt.Size = vg.Points(13)
	ts := draw.TextStyle{Color: color.Black, Font: fnt, XAlign: draw.XCenter, YAlign: draw.YCenter, Handler: gplot.New().Title.TextStyle.Handler}
	dc.FillText(ts, vg.Point{X: w / 2, Y: h - 0.2*vg.Inch}, title)
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Millimeter * 2, PadY: vg.Millimeter * 2, PadTop: vg.Millimeter, PadBottom: vg.Millimeter, PadLeft: vg.Millimeter, PadRight: vg.Millimeter * 2}
	cv := gplot.Align(plots, tiles, top)
	for r := range plots {
		for c := range plots[r] {
			plots[r][c].Draw(cv[r][c])
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := canvas.WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// DepthVsEps draws depth against ε on log-log axes, one line per series
// with its fitted slope in the legend beside the slope −d it should have
// (refs[i] is series i's reference exponent, drawn dashed through its first
// point).
func DepthVsEps(title string, series []Series, refs []float64, path string) ([]string, error) {
	if err := CheckPath(path); err != nil {
		return nil, err
	}
	p := gplot.New()
	p.Title.Text = title
	p.X.Label.Text = "ε (target L^p error)"
	p.Y.Label.Text = "depth of the width-(d+1) network"
	p.X.Scale, p.Y.Scale = gplot.LogScale{}, gplot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = decadeTicks{}, decadeTicks{}
	p.Add(plotter.NewGrid())
	p.Legend.Top = true
	var notes []string
	ymax := 0.0
	for i, s := range series {
		cs, dropped := Clean(s, true, true)
		if dropped > 0 {
			notes = append(notes, fmt.Sprintf("%s: %d point(s) dropped from the log axes", s.Name, dropped))
		}
		if len(cs.X) == 0 {
			continue
		}
		xys := make(plotter.XYs, len(cs.X))
		for k := range cs.X {
			xys[k].X, xys[k].Y = cs.X[k], cs.Y[k]
			ymax = math.Max(ymax, cs.Y[k])
		}
		l, pts, err := plotter.NewLinePoints(xys)
		if err != nil {
			return notes, err
		}
		col := plotutil.Color(i)
		l.Color, pts.Color, pts.Shape = col, col, plotutil.Shape(i)
		p.Add(l, pts)
		name := s.Name
		if f, ok := FitPowerLaw(cs); ok {
			name = fmt.Sprintf("%s: slope %.2f (theory −%g)", s.Name, f.Exponent, -refs[i])
		}
		p.Legend.Add(name, l, pts)
		if i < len(refs) && len(cs.X) > 1 {
			x0, x1 := cs.X[0], cs.X[len(cs.X)-1]
			ref := plotter.XYs{{X: x0, Y: cs.Y[0]}, {X: x1, Y: cs.Y[0] * math.Pow(x1/x0, refs[i])}}
			rl, err := plotter.NewLine(ref)
			if err == nil {
				rl.Color = color.NRGBA{col.(color.RGBA).R, col.(color.RGBA).G, col.(color.RGBA).B, 110}
				rl.Dashes = []vg.Length{vg.Points(3), vg.Points(3)}
				p.Add(rl)
			}
		}
	}
	if ymax > 0 {
		p.Y.Max = ymax * 30
	}
	p.Legend.Add("dashed: reference slope ε^{−d} through the first point")
	return notes, saveAtomic(p, 8*vg.Inch, 6*vg.Inch, path)
}

// withLayers adds the 1-based layers extra (those within depth) to the
// 0-based panel layers ls, sorted and without repeats.
func withLayers(ls, extra []int, depth int) []int {
	set := map[int]bool{}
	for _, l := range ls {
		set[l] = true
	}
	for _, l := range extra {
		if l >= 1 && l <= depth {
			set[l-1] = true
		}
	}
	out := make([]int, 0, len(set))
	for l := range depth {
		if set[l] {
			out = append(out, l)
		}
	}
	return out
}
