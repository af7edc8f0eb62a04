package approx

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/memnet/memnet/data"
)

// Grid is a user function given by samples on a tensor grid: rows
// x_1..x_d, f_1..f_m. Between samples it is the multilinear interpolant of
// the samples; outside the grid's extent it is 0 (the specification §3
// extends f by 0 to the box).
type Grid struct {
	File   string
	Axes   [][]float64 // the sorted distinct coordinates of each axis
	Values []float64   // f at grid point (i_0, …, i_{d−1}), axis 0 fastest, m values each
	M      int
	Min    float64 // smallest sample value
}

// Name implements Target.
func (g *Grid) Name() string {
	sz := make([]string, len(g.Axes))
	for k, a := range g.Axes {
		sz[k] = strconv.Itoa(len(a))
	}
	return fmt.Sprintf("grid %s (%s samples, multilinear), d=%d, m=%d", filepath.Base(g.File), strings.Join(sz, "×"), len(g.Axes), g.M)
}

// Dim implements Target.
func (g *Grid) Dim() int { return len(g.Axes) }

// Outputs implements Target.
func (g *Grid) Outputs() int { return g.M }

// Sobolev implements Target: the multilinear interpolant is Lipschitz on
// the grid's extent (the jump to 0 at its edge only matters when the box is
// larger than the extent).
func (g *Grid) Sobolev() bool { return true }

// Box implements Target: the grid's extent.
func (g *Grid) Box() Box {
	b := make(Box, len(g.Axes))
	for k, a := range g.Axes {
		b[k] = Interval{a[0], a[len(a)-1]}
	}
	return b
}

// Eval implements Target (multilinear interpolation, 0 outside the extent).
func (g *Grid) Eval(x []float64, out []float64) {
	d := len(g.Axes)
	var idx [8]int
	var frac [8]float64
	for k, a := range g.Axes {
		v := x[k]
		if v < a[0] || v > a[len(a)-1] || math.IsNaN(v) {
			for r := range out {
				out[r] = 0
			}
			return
		}
		i := sort.SearchFloat64s(a, v) // a[i-1] < v ≤ a[i]
		if i == 0 {
			i = 1
		}
		idx[k] = i - 1
		frac[k] = (v - a[i-1]) / (a[i] - a[i-1])
	}
	for r := range out {
		out[r] = 0
	}
	for corner := range 1 << d {
		w := 1.0
		off, stride := 0, 1
		for k := range d {
			i := idx[k]
			if corner>>k&1 == 1 {
				w *= frac[k]
				i++
			} else {
				w *= 1 - frac[k]
			}
			off += i * stride
			stride *= len(g.Axes[k])
		}
		if w == 0 {
			continue
		}
		for r := range out {
			out[r] += w * g.Values[off*g.M+r]
		}
	}
}

// LoadGrid reads a grid of samples from a CSV (optionally gzipped, header
// optional) or NPY (2-D array) file whose columns are x_1..x_d then the m
// values of f. The rows must form a full tensor grid (every combination of
// the axes' distinct coordinates exactly once) with at least two
// coordinates per axis, d ≤ 8.
func LoadGrid(path string, m int) (*Grid, error) {
	if m < 1 {
		return nil, fmt.Errorf("%s: want at least one value column, got %d", path, m)
	}
	var rows [][]float64
	var err error
	if strings.HasSuffix(strings.ToLower(path), ".npy") {
		rows, err = readNPYRows(path)
	} else {
		rows, err = readCSVRows(path)
	}
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: no samples", path)
	}
	cols := len(rows[0])
	d := cols - m
	if d < 1 {
		return nil, fmt.Errorf("%s: %d columns, but %d value column(s) and at least one coordinate are needed", path, cols, m)
	}
	if d > 8 {
		return nil, fmt.Errorf("%s: %d coordinates: at most 8 are supported", path, d)
	}
	g := &Grid{File: path, M: m, Min: math.Inf(1)}
	seen := make([]map[float64]bool, d)
	for k := range seen {
		seen[k] = map[float64]bool{}
	}
	for r, row := range rows {
		if len(row) != cols {
			return nil, fmt.Errorf("%s: row %d has %d columns, the first has %d", path, r+1, len(row), cols)
		}
		for c, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%s: row %d column %d is %v", path, r+1, c+1, v)
			}
		}
		for k := range d {
			seen[k][row[k]] = true
		}
		for _, v := range row[d:] {
			g.Min = math.Min(g.Min, v)
		}
	}
	total := 1
	for k := range d {
		a := make([]float64, 0, len(seen[k]))
		for v := range seen[k] {
			a = append(a, v)
		}
		sort.Float64s(a)
		if len(a) < 2 {
			return nil, fmt.Errorf("%s: coordinate %d takes a single value: the grid needs at least two per axis", path, k+1)
		}
		g.Axes = append(g.Axes, a)
		total *= len(a)
		if total > 1<<26 {
			return nil, fmt.Errorf("%s: grid too large", path)
		}
	}
	if total != len(rows) {
		return nil, fmt.Errorf("%s: %d rows do not form a tensor grid (the axes' distinct coordinates give %d combinations)", path, len(rows), total)
	}
	g.Values = make([]float64, total*m)
	filled := make([]bool, total)
	for r, row := range rows {
		off, stride := 0, 1
		for k := range d {
			off += sort.SearchFloat64s(g.Axes[k], row[k]) * stride
			stride *= len(g.Axes[k])
		}
		if filled[off] {
			return nil, fmt.Errorf("%s: row %d repeats a grid point", path, r+1)
		}
		filled[off] = true
		copy(g.Values[off*m:(off+1)*m], row[d:])
	}
	return g, nil
}

func readCSVRows(path string) ([][]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(strings.ToLower(path), ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		defer gz.Close()
		r = gz
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<16), 1<<24)
	var rows [][]float64
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" {
			continue
		}
		fields := strings.Split(s, ",")
		row := make([]float64, len(fields))
		numeric := true
		for i, fl := range fields {
			v, err := strconv.ParseFloat(strings.TrimSpace(fl), 64)
			if err != nil {
				numeric = false
				break
			}
			row[i] = v
		}
		if !numeric {
			if len(rows) == 0 && line == 1 {
				continue // header
			}
			return nil, fmt.Errorf("%s: row %d: non-numeric field", path, line)
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return rows, nil
}

func readNPYRows(path string) ([][]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	a, err := data.ReadNPY(bufio.NewReader(f), data.NPYOptions{Avail: st.Size(), MaxItems: 1 << 28})
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if a.Float == nil || len(a.Shape) != 2 {
		return nil, fmt.Errorf("%s: want a 2-D numeric array (rows x_1..x_d, f), got shape %v dtype %s", path, a.Shape, a.Dtype)
	}
	rows := make([][]float64, a.Shape[0])
	c := a.Shape[1]
	for i := range rows {
		rows[i] = a.Float[i*c : (i+1)*c]
	}
	return rows, nil
}
