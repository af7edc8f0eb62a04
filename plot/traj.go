package plot

import (
	"fmt"
	"image/color"
	"math"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/memnet/memnet/nn"
)

// TrajOptions are the settings of Trajectories.
type TrajOptions struct {
	// MaxPoints > 0 samples at most that many points (evenly, every class kept).
	MaxPoints int
	// Panels is the number of layers shown (default 12): the first few, the
	// last few and evenly spaced ones between.
	Panels int
	// Title heads the picture.
	Title string
	// Layers are layers (1-based) always shown, e.g. the ends of a
	// construction's phases; LayerNotes adds a line to their panel titles.
	Layers     []int
	LayerNotes map[int]string
}

// classColors are distinguishable colours for classes (cycled past 10).
var classColors = []color.RGBA{
	{0x1f, 0x77, 0xb4, 255}, {0xd6, 0x27, 0x28, 255}, {0x2c, 0xa0, 0x2c, 255}, {0xff, 0x7f, 0x0e, 255},
	{0x94, 0x67, 0xbd, 255}, {0x8c, 0x56, 0x4b, 255}, {0xe3, 0x77, 0xc2, 255}, {0x7f, 0x7f, 0x7f, 255},
	{0xbc, 0xbd, 0x22, 255}, {0x17, 0xbe, 0xcf, 255},
}

// States returns, for each hidden layer k of a width-2 network and each
// point, the point's state (h_1, h_2) after layer k, in float64 (the
// pictures need no more; the exact verdict is memnet verify's).
func States(net *nn.Network, xs [][]float64) ([][][2]float64, error) {
	for k := range net.Hidden {
		if net.Hidden[k].Out() != 2 {
			return nil, fmt.Errorf("layer %d has %d neurons: trajectories are drawn for width-2 networks (every hidden layer of 2 neurons)", k+1, net.Hidden[k].Out())
		}
	}
	type fl struct {
		w   [][]float64
		b   []float64
		act []nn.Activation
	}
	ls := make([]fl, len(net.Hidden))
	for k := range net.Hidden {
		l := &net.Hidden[k]
		ls[k].act = l.Act
		for j := range l.W {
			row := make([]float64, len(l.W[j]))
			for i, w := range l.W[j] {
				row[i], _ = w.Float64()
			}
			ls[k].w = append(ls[k].w, row)
			b, _ := l.B[j].Float64()
			ls[k].b = append(ls[k].b, b)
		}
	}
	out := make([][][2]float64, len(ls))
	for k := range out {
		out[k] = make([][2]float64, len(xs))
	}
	for i, x := range xs {
		cur := x
		for k, l := range ls {
			var nxt [2]float64
			for j := range 2 {
				z := l.b[j]
				for t, w := range l.w[j] {
					z += w * cur[t]
				}
				switch l.act[j] {
				case nn.ReLU:
					z = math.Max(z, 0)
				case nn.Step:
					if z >= 0 {
						z = 1
					} else {
						z = 0
					}
				case nn.Sigmoid:
					z = 1 / (1 + math.Exp(-z))
				}
				nxt[j] = z
			}
			out[k][i] = nxt
			cur = nxt[:]
		}
	}
	return out, nil
}

// Sample returns the indices of at most max points, evenly spaced, with at
// least one point of every class.
func Sample(y []int, maxPoints int) []int {
	n := len(y)
	if maxPoints <= 0 || n <= maxPoints {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	chosen := map[int]bool{}
	seen := map[int]bool{}
	for i, c := range y {
		if !seen[c] {
			seen[c] = true
			chosen[i] = true
		}
	}
	for k := 0; len(chosen) < maxPoints && k < maxPoints; k++ {
		chosen[k*n/maxPoints] = true
	}
	var idx []int
	for i := range n {
		if chosen[i] {
			idx = append(idx, i)
		}
	}
	return idx
}

// panelLayers picks which layers (0-based) to show.
func panelLayers(depth, panels int) []int {
	if depth <= panels {
		ls := make([]int, depth)
		for i := range ls {
			ls[i] = i
		}
		return ls
	}
	head, tail := panels/3, panels/3
	mid := panels - head - tail
	set := map[int]bool{}
	for i := range head {
		set[i] = true
	}
	for i := range tail {
		set[depth-1-i] = true
	}
	for i := 1; i <= mid; i++ {
		set[head+(depth-head-tail)*i/(mid+1)] = true
	}
	var ls []int
	for i := range depth {
		if set[i] {
			ls = append(ls, i)
		}
	}
	return ls
}

// Trajectories draws, for a width-2 network, every (sampled) point's state
// in the plane after a selection of layers, one panel per layer in a grid,
// coloured by class; a faint segment joins each point to where it was in
// the previous panel. The file format follows path's extension (.png or
// .svg). It returns notes (sampling, dropped non-finite states).
func Trajectories(net *nn.Network, xs [][]float64, y []int, classes []string, o TrajOptions, path string) ([]string, error) {
	if err := CheckPath(path); err != nil {
		return nil, err
	}
	if o.Panels <= 0 {
		o.Panels = 12
	}
	var notes []string
	idx := Sample(y, o.MaxPoints)
	if len(idx) < len(xs) {
		notes = append(notes, fmt.Sprintf("%d of %d points drawn (evenly sampled, every class kept)", len(idx), len(xs)))
	}
	sx := make([][]float64, len(idx))
	sy := make([]int, len(idx))
	for k, i := range idx {
		sx[k], sy[k] = xs[i], y[i]
	}
	st, err := States(net, sx)
	if err != nil {
		return nil, err
	}
	layers := withLayers(panelLayers(len(st), o.Panels), o.Layers, len(st))
	cols := int(math.Ceil(math.Sqrt(float64(len(layers)))))
	rows := (len(layers) + cols - 1) / cols
	plots := make([][]*gplot.Plot, rows)
	for r := range plots {
		plots[r] = make([]*gplot.Plot, cols)
	}
	bad := 0
	for pi, k := range layers {
		p := gplot.New()
		p.Title.Text = fmt.Sprintf("after layer %d of %d", k+1, len(st))
		if note, ok := o.LayerNotes[k+1]; ok {
			p.Title.Text += "\n" + note
		}
		p.X.Label.Text = "h1"
		p.Y.Label.Text = "h2"
		p.Add(plotter.NewGrid())
		// faint segments from the previous panel's states
		if pi > 0 {
			prev := layers[pi-1]
			for i := range sx {
				a, b := st[prev][i], st[k][i]
				if !finite2(a) || !finite2(b) {
					continue
				}
				l, err := plotter.NewLine(plotter.XYs{{X: a[0], Y: a[1]}, {X: b[0], Y: b[1]}})
				if err == nil {
					c := classColors[sy[i]%len(classColors)]
					l.Color = color.NRGBA{c.R, c.G, c.B, 70}
					l.Width = vg.Points(0.5)
					p.Add(l)
				}
			}
		}
		byClass := map[int]plotter.XYs{}
		for i := range sx {
			s := st[k][i]
			if !finite2(s) {
				bad++
				continue
			}
			byClass[sy[i]] = append(byClass[sy[i]], plotter.XY{X: s[0], Y: s[1]})
		}
		for c := range len(classes) {
			pts, ok := byClass[c]
			if !ok {
				continue
			}
			sc, err := plotter.NewScatter(pts)
			if err != nil {
				return notes, err
			}
			sc.GlyphStyle.Color = classColors[c%len(classColors)]
			sc.GlyphStyle.Shape = draw.CircleGlyph{}
			sc.GlyphStyle.Radius = vg.Points(3)
			p.Add(sc)
			if pi == len(layers)-1 {
				p.Legend.Add("class "+classes[c], sc)
			}
		}
		p.Legend.Top = true
		plots[pi/cols][pi%cols] = p
	}
	if bad > 0 {
		notes = append(notes, fmt.Sprintf("%d non-finite state(s) not drawn", bad))
	}
	for r := range plots {
		for c := range plots[r] {
			if plots[r][c] == nil {
				plots[r][c] = gplot.New()
				plots[r][c].HideAxes()
			}
		}
	}
	title := o.Title
	if title == "" {
		title = "states of the points after each layer (width-2 network)"
	}
	return notes, saveTiles(title, plots, 2.6, 2.6, path)
}

func finite2(s [2]float64) bool {
	return !math.IsNaN(s[0]) && !math.IsInf(s[0], 0) && !math.IsNaN(s[1]) && !math.IsInf(s[1], 0)
}
