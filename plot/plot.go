// Package plot draws memnet's pictures with gonum/plot: parameters and bits
// against N on log axes, one line per construction with its fitted exponent,
// dashed reference slopes and the VC floor; and the states of the points
// layer after layer in a width-2 network.
//
// Log axes cannot show zero or negative values: every function here drops
// such points (and non-finite ones) before drawing and says so in the notes
// it returns, so no input makes the plotting library panic.
package plot

import (
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"strings"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Series is one named line of (x, y) points.
type Series struct {
	Name string
	X, Y []float64
	// Like names another series of the chart whose colour this one shares,
	// drawn dashed (a method's lower bound beside the method); "" gives the
	// series a colour of its own.
	Like string
}

// palette are ten colours told apart on screen and paper (Tableau 10);
// series beyond ten reuse them with other marker shapes.
var palette = []color.Color{
	color.RGBA{31, 119, 180, 255}, color.RGBA{255, 127, 14, 255}, color.RGBA{44, 160, 44, 255}, color.RGBA{214, 39, 40, 255},
	color.RGBA{148, 103, 189, 255}, color.RGBA{140, 86, 75, 255}, color.RGBA{227, 119, 194, 255}, color.RGBA{127, 127, 127, 255},
	color.RGBA{188, 189, 34, 255}, color.RGBA{23, 190, 207, 255},
}

// styles gives every series of c its colour index: its own, in order, or
// that of the series it is Like.
func (c Chart) styles() []int {
	own := map[string]int{}
	idx := make([]int, len(c.Series))
	n := 0
	for i, s := range c.Series {
		if s.Like == "" {
			idx[i], own[s.Name] = n, n
			n++
		}
	}
	for i, s := range c.Series {
		if s.Like != "" {
			if j, ok := own[s.Like]; ok {
				idx[i] = j
			} else {
				idx[i] = n
				n++
			}
		}
	}
	return idx
}

// Clean returns the points of s that a plot with the given log axes can
// show (finite, and positive on a log axis), and how many it dropped.
func Clean(s Series, logX, logY bool) (Series, int) {
	out := Series{Name: s.Name, Like: s.Like}
	dropped := 0
	for i := range s.X {
		if i >= len(s.Y) {
			break
		}
		x, y := s.X[i], s.Y[i]
		if math.IsNaN(x) || math.IsInf(x, 0) || math.IsNaN(y) || math.IsInf(y, 0) || (logX && x <= 0) || (logY && y <= 0) {
			dropped++
			continue
		}
		out.X = append(out.X, x)
		out.Y = append(out.Y, y)
	}
	dropped += max(0, len(s.X)-len(s.Y)) + max(0, len(s.Y)-len(s.X))
	return out, dropped
}

// Fit is a least-squares line through (log x, log y): y ≈ Coef·x^Exponent.
type Fit struct {
	Exponent, Coef float64
	Points         int
}

// FitPowerLaw fits y ≈ c·x^a to the positive points of s; ok is false with
// fewer than two distinct x.
func FitPowerLaw(s Series) (Fit, bool) {
	c, _ := Clean(s, true, true)
	n := float64(len(c.X))
	if len(c.X) < 2 {
		return Fit{}, false
	}
	var sx, sy, sxx, sxy float64
	for i := range c.X {
		lx, ly := math.Log(c.X[i]), math.Log(c.Y[i])
		sx += lx
		sy += ly
		sxx += lx * lx
		sxy += lx * ly
	}
	den := n*sxx - sx*sx
	if den <= 1e-12 {
		return Fit{}, false
	}
	a := (n*sxy - sx*sy) / den
	b := (sy - a*sx) / n
	return Fit{Exponent: a, Coef: math.Exp(b), Points: len(c.X)}, true
}

// Crossing returns the x at which two fitted power laws are equal, or false
// when they are parallel.
func Crossing(f, g Fit) (float64, bool) {
	if math.Abs(f.Exponent-g.Exponent) < 1e-9 {
		return 0, false
	}
	x := math.Pow(g.Coef/f.Coef, 1/(f.Exponent-g.Exponent))
	return x, !math.IsNaN(x) && !math.IsInf(x, 0) && x > 0
}

// Chart is a plot of series against N.
type Chart struct {
	Title, XLabel, YLabel string
	Series                []Series
	// LogY selects a log y axis (the x axis is always logarithmic).
	LogY bool
	// FitLegend puts each series' fitted exponent in the legend.
	FitLegend bool
	// RefSlopes are exponents of dashed reference lines c·x^a (e.g. 1, 2/3, 1/2).
	RefSlopes []float64
	// Floor, when set, is drawn as a thick dashed black line (the VC bound).
	Floor *Series
}

// Save draws c into every path (format by extension: .png, .svg, .pdf)
// at the given size in inches, and returns notes on dropped points.
func (c Chart) Save(wIn, hIn float64, paths ...string) ([]string, error) {
	p, notes, err := c.plot()
	if err != nil {
		return notes, err
	}
	for _, path := range paths {
		if err := saveAtomic(p, vg.Length(wIn)*vg.Inch, vg.Length(hIn)*vg.Inch, path); err != nil {
			return notes, fmt.Errorf("writing %s: %w", path, err)
		}
	}
	return notes, nil
}

func refLabel(a float64) string {
	switch {
	case math.Abs(a-1) < 1e-9:
		return "∝ N"
	case math.Abs(a-0.5) < 1e-9:
		return "∝ √N"
	case math.Abs(a-2.0/3) < 1e-9:
		return "∝ N^(2/3)"
	}
	return fmt.Sprintf("∝ N^%.2g", a)
}

func (c Chart) plot() (*gplot.Plot, []string, error) {
	p := gplot.New()
	p.Title.Text = c.Title
	p.X.Label.Text = c.XLabel
	p.Y.Label.Text = c.YLabel
	p.X.Scale = gplot.LogScale{}
	p.X.Tick.Marker = decadeTicks{}
	if c.LogY {
		p.Y.Scale = gplot.LogScale{}
		p.Y.Tick.Marker = decadeTicks{}
	}
	p.Legend.Top = true
	p.Legend.Left = true
	p.Add(plotter.NewGrid())
	var notes []string
	var xmin, ymin, sym = math.Inf(1), math.Inf(1), math.Inf(1)
	var xmax, ymax float64
	anyPoint := false
	style := c.styles()
	for i, s := range c.Series {
		cs, dropped := Clean(s, true, c.LogY)
		if dropped > 0 {
			notes = append(notes, fmt.Sprintf("%s: %d point(s) with zero, negative or non-finite values dropped from the log axes", s.Name, dropped))
		}
		if len(cs.X) == 0 {
			notes = append(notes, fmt.Sprintf("%s: nothing to draw", s.Name))
			continue
		}
		anyPoint = true
		xys := make(plotter.XYs, len(cs.X))
		for k := range cs.X {
			xys[k].X, xys[k].Y = cs.X[k], cs.Y[k]
			xmin, xmax = math.Min(xmin, cs.X[k]), math.Max(xmax, cs.X[k])
			ymin = math.Min(ymin, cs.Y[k])
			sym = math.Min(sym, cs.Y[k])
			ymax = math.Max(ymax, cs.Y[k])
		}
		l, pts, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, notes, err
		}
		col := palette[style[i]%len(palette)]
		l.Color = col
		l.Width = vg.Points(1.5)
		pts.Color = col
		pts.Shape = plotutil.Shape(style[i] / len(palette))
		pts.Radius = vg.Points(3)
		if s.Like != "" {
			l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
			pts.Shape = draw.CrossGlyph{}
		}
		p.Add(l, pts)
		name := s.Name
		if c.FitLegend {
			if f, ok := FitPowerLaw(cs); ok {
				name = fmt.Sprintf("%s  (%s)", s.Name, slopeLabel(f.Exponent))
			}
		}
		p.Legend.Add(name, l, pts)
	}
	if c.Floor != nil {
		cs, dropped := Clean(*c.Floor, true, c.LogY)
		if dropped > 0 {
			notes = append(notes, fmt.Sprintf("%s: %d point(s) dropped from the log axes", c.Floor.Name, dropped))
		}
		if len(cs.X) > 0 {
			xys := make(plotter.XYs, len(cs.X))
			for k := range cs.X {
				xys[k].X, xys[k].Y = cs.X[k], cs.Y[k]
				xmin, xmax = math.Min(xmin, cs.X[k]), math.Max(xmax, cs.X[k])
				ymin = math.Min(ymin, cs.Y[k])
			}
			l, err := plotter.NewLine(xys)
			if err != nil {
				return nil, notes, err
			}
			l.Color = color.Black
			l.Width = vg.Points(2.5)
			l.Dashes = []vg.Length{vg.Points(8), vg.Points(4)}
			p.Add(l)
			p.Legend.Add(c.Floor.Name, l)
			anyPoint = true
		}
	}
	if !anyPoint {
		// An empty plot still needs a positive range on log axes.
		p.X.Min, p.X.Max = 1, 10
		if c.LogY {
			p.Y.Min, p.Y.Max = 1, 10
		}
		notes = append(notes, "no positive data: empty plot")
		return p, notes, nil
	}
	if c.LogY && ymax > 0 {
		// headroom for the legend above the data: the legend's share f of
		// the plot's height (about 4.5 % an entry) is added on top of the
		// data's decades, so the top-left legend does not cover the lines;
		// within float64 (‖θ‖₂² may be the largest float64, and a log axis
		// cannot draw +Inf)
		entries := len(c.Series) + len(c.RefSlopes)
		if c.Floor != nil {
			entries++
		}
		f := math.Min(0.6, 0.045*float64(entries))
		lo := math.Min(ymin, sym/3)
		top := math.Log10(ymax) + math.Max(math.Log10(12), (math.Log10(ymax)-math.Log10(lo))*f/(1-f))
		p.Y.Max = math.Min(math.Pow(10, top), math.MaxFloat64)
	}
	if !math.IsInf(sym, 1) {
		ymin = sym / 3
	}
	if len(c.RefSlopes) > 0 && xmax > xmin && ymin > 0 {
		// Reference lines start a little under the lowest series at the
		// smallest N, so they sit under the data and show slopes, not values.
		grey := []color.Color{color.Gray{90}, color.Gray{130}, color.Gray{170}}
		for i, a := range c.RefSlopes {
			xys := plotter.XYs{{X: xmin, Y: ymin}, {X: xmax, Y: ymin * math.Pow(xmax/xmin, a)}}
			l, err := plotter.NewLine(xys)
			if err != nil {
				return nil, notes, err
			}
			l.Color = grey[i%len(grey)]
			l.Dashes = []vg.Length{vg.Points(float64(2 + 2*i)), vg.Points(3)}
			l.Width = vg.Points(1)
			p.Add(l)
			p.Legend.Add("reference "+refLabel(a), l)
		}
	}
	return p, notes, nil
}

// Formats lists the file extensions Chart.Save and Trajectories accept.
var Formats = []string{".png", ".svg", ".pdf", ".jpg", ".jpeg", ".eps", ".tif", ".tiff"}

// CheckPath returns an error when path's extension is not a format we write.
func CheckPath(path string) error {
	ext := strings.ToLower(filepath.Ext(path))
	for _, f := range Formats {
		if ext == f {
			return nil
		}
	}
	return fmt.Errorf("%s: unknown image format %q (want one of %v)", path, ext, Formats)
}
