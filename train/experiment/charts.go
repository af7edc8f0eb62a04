package experiment

import (
	"fmt"
	"image/color"
	"math"
	"strconv"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/memnet/memnet/plot"
)

// shortLogTicks are log ticks labelled with three significant digits (the
// default labels print 10⁻² as 0.09999999999999998).
type shortLogTicks struct{}

func (shortLogTicks) Ticks(lo, hi float64) []gplot.Tick {
	ts := gplot.LogTicks{Prec: -1}.Ticks(lo, hi)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = strconv.FormatFloat(ts[i].Value, 'g', 3, 64)
		}
	}
	return ts
}

// lineChart draws series on log–log axes, and each of dashed as a black
// (first) or grey dashed line; points a log axis cannot show are dropped
// and reported in the notes.
func lineChart(title, xl, yl string, series []plot.Series, dashed []plot.Series, path string) ([]string, error) {
	p := gplot.New()
	p.Title.Text = title
	p.X.Label.Text, p.Y.Label.Text = xl, yl
	p.X.Scale, p.Y.Scale = gplot.LogScale{}, gplot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = shortLogTicks{}, shortLogTicks{}
	p.Legend.Top = true
	p.Legend.Left = true
	p.Add(plotter.NewGrid())
	var notes []string
	ymax := 0.0
	add := func(s plot.Series, i int, dash bool) error {
		cs, dropped := plot.Clean(s, true, true)
		if dropped > 0 {
			notes = append(notes, fmt.Sprintf("%s: %d point(s) with zero or non-finite values left off the log axes", s.Name, dropped))
		}
		if len(cs.X) == 0 {
			return nil
		}
		xys := make(plotter.XYs, len(cs.X))
		for k := range cs.X {
			xys[k].X, xys[k].Y = cs.X[k], cs.Y[k]
			ymax = math.Max(ymax, cs.Y[k])
		}
		l, pts, err := plotter.NewLinePoints(xys)
		if err != nil {
			return err
		}
		if dash {
			l.Color = color.Black
			if i > 0 {
				l.Color = color.Gray{120}
			}
			l.Width = vg.Points(2)
			l.Dashes = []vg.Length{vg.Points(8), vg.Points(4)}
			p.Add(l)
			p.Legend.Add(s.Name, l)
			return nil
		}
		col := plotutil.Color(i)
		l.Color, pts.Color = col, col
		l.Width = vg.Points(1.5)
		pts.Shape = plotutil.Shape(i)
		pts.Radius = vg.Points(3)
		p.Add(l, pts)
		p.Legend.Add(s.Name, l, pts)
		return nil
	}
	for i, s := range series {
		if err := add(s, i, false); err != nil {
			return notes, err
		}
	}
	for i, s := range dashed {
		if err := add(s, i, true); err != nil {
			return notes, err
		}
	}
	if ymax > 0 {
		p.Y.Max = ymax * 30 // room for the legend
	}
	if err := p.Save(6*vg.Inch, 4.5*vg.Inch, path); err != nil {
		return notes, fmt.Errorf("writing %s: %w", path, err)
	}
	return notes, nil
}

// grid is a heat map's values: z[r][c] for row label rows[r] (y axis) and
// column label cols[c] (x axis); NaN cells are left white.
type grid struct {
	z          [][]float64
	rows, cols []string
}

func (g grid) Dims() (c, r int)   { return len(g.cols), len(g.rows) }
func (g grid) Z(c, r int) float64 { return g.z[r][c] }
func (g grid) X(c int) float64    { return float64(c) }
func (g grid) Y(r int) float64    { return float64(r) }

type labelTicks []string

func (l labelTicks) Ticks(lo, hi float64) []gplot.Tick {
	var ts []gplot.Tick
	for i, s := range l {
		ts = append(ts, gplot.Tick{Value: float64(i), Label: s})
	}
	return ts
}

// heatMap draws g with every cell's value written in it (format f), on a
// fixed colour range [lo, hi].
func heatMap(title, xl, yl string, g grid, lo, hi float64, f string, path string) error {
	pal := moreland.SmoothBlueRed()
	pal.SetMin(lo)
	pal.SetMax(hi)
	h := plotter.NewHeatMap(g, pal.Palette(64))
	h.Min, h.Max = lo, hi
	h.NaN = color.White
	p := gplot.New()
	p.Title.Text = title
	p.X.Label.Text, p.Y.Label.Text = xl, yl
	p.X.Tick.Marker, p.Y.Tick.Marker = labelTicks(g.cols), labelTicks(g.rows)
	p.Add(h)
	var labels plotter.XYLabels
	for r := range g.rows {
		for c := range g.cols {
			if v := g.z[r][c]; !math.IsNaN(v) {
				labels.XYs = append(labels.XYs, plotter.XY{X: float64(c), Y: float64(r)})
				labels.Labels = append(labels.Labels, fmt.Sprintf(f, v))
			}
		}
	}
	if len(labels.Labels) > 0 {
		l, err := plotter.NewLabels(labels)
		if err != nil {
			return err
		}
		for i := range l.TextStyle {
			l.TextStyle[i].XAlign = draw.XCenter
			l.TextStyle[i].YAlign = draw.YCenter
		}
		p.Add(l)
	}
	p.X.Min, p.X.Max = -0.5, float64(len(g.cols))-0.5
	p.Y.Min, p.Y.Max = -0.5, float64(len(g.rows))-0.5
	w := vg.Length(1.2+0.7*float64(len(g.cols))) * vg.Inch
	hh := vg.Length(1.2+0.45*float64(len(g.rows))) * vg.Inch
	if err := p.Save(max(w, 4*vg.Inch), max(hh, 3*vg.Inch), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// errorBars is one series of a Figure-1 chart: means with ± spreads.
type errorBars struct {
	name     string
	mean, sd []float64
}

// barChart draws, over the categories (x axis, in order), each series as
// points joined by lines with vertical ± error bars (Park et al.'s Figure 1).
func barChart(title, yl string, cats []string, series []errorBars, path string) error {
	p := gplot.New()
	p.Title.Text = title
	p.Y.Label.Text = yl
	p.X.Tick.Marker = labelTicks(cats)
	p.Add(plotter.NewGrid())
	p.Legend.Top = true
	p.Legend.Left = true
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, s := range series {
		var xys plotter.XYs
		var errs plotter.YErrors
		for k, m := range s.mean {
			if math.IsNaN(m) {
				continue
			}
			xys = append(xys, plotter.XY{X: float64(k), Y: m})
			errs = append(errs, struct{ Low, High float64 }{s.sd[k], s.sd[k]})
			lo, hi = math.Min(lo, m-s.sd[k]), math.Max(hi, m+s.sd[k])
		}
		if len(xys) == 0 {
			continue
		}
		l, pts, err := plotter.NewLinePoints(xys)
		if err != nil {
			return err
		}
		col := plotutil.Color(i)
		l.Color, pts.Color = col, col
		pts.Shape = plotutil.Shape(i)
		pts.Radius = vg.Points(3)
		eb, err := plotter.NewYErrorBars(struct {
			plotter.XYs
			plotter.YErrors
		}{xys, errs})
		if err != nil {
			return err
		}
		eb.Color = col
		eb.Width = vg.Points(1.5)
		p.Add(l, pts, eb)
		p.Legend.Add(s.name, l, pts)
	}
	if hi > lo {
		pad := 0.15 * (hi - lo)
		p.Y.Min, p.Y.Max = lo-pad, hi+3*pad // room for the legend
	}
	p.Y.Tick.Marker = percentTicks{}
	p.X.Min, p.X.Max = -0.5, float64(len(cats))-0.5
	w := vg.Length(1.5+1.1*float64(len(cats))) * vg.Inch
	if err := p.Save(max(w, 5*vg.Inch), 4*vg.Inch, path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// percentTicks are labelled ticks every 10 (every 20 over a range wider
// than 60) up to 100, with unlabelled ticks halfway; none above 100 (the
// space above 100% holds the legend).
type percentTicks struct{}

func (percentTicks) Ticks(lo, hi float64) []gplot.Tick {
	step := 10.0
	if min(hi, 100)-lo > 60 {
		step = 20
	}
	var out []gplot.Tick
	for v := math.Ceil(lo/(step/2)) * (step / 2); v <= min(hi, 100); v += step / 2 {
		t := gplot.Tick{Value: v}
		if math.Mod(v, step) == 0 {
			t.Label = fmt.Sprintf("%g", v)
		}
		out = append(out, t)
	}
	return out
}
