package plot_test

import (
	"context"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/memnet/memnet/construct"
	"github.com/memnet/memnet/construct/hz"
	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
	"github.com/memnet/memnet/plot"
)

func TestFitPowerLaw(t *testing.T) {
	s := plot.Series{Name: "x", X: []float64{100, 1000, 10000, 0, -5}, Y: []float64{30, 300 * math.Pow(10, -1.0/3), 0, 4, 4}}
	s.Y[2] = 3 * math.Pow(10000, 2.0/3)
	s.Y[0] = 3 * math.Pow(100, 2.0/3)
	s.Y[1] = 3 * math.Pow(1000, 2.0/3)
	f, ok := plot.FitPowerLaw(s)
	if !ok || math.Abs(f.Exponent-2.0/3) > 1e-9 || math.Abs(f.Coef-3) > 1e-6 || f.Points != 3 {
		t.Fatalf("fit %+v %v", f, ok)
	}
	x, ok := plot.Crossing(plot.Fit{Exponent: 1, Coef: 3}, plot.Fit{Exponent: 0.5, Coef: 30})
	if !ok || math.Abs(x-100) > 1e-6 {
		t.Fatalf("crossing %v %v", x, ok)
	}
}

// TestChartBadValues draws series full of zeros, negatives, NaN and ±Inf
// on log axes: nothing may panic, and the drops are reported.
func TestChartBadValues(t *testing.T) {
	dir := t.TempDir()
	for i, c := range []plot.Chart{
		{Title: "bad", LogY: true, FitLegend: true, RefSlopes: []float64{1, 2.0 / 3, 0.5},
			Series: []plot.Series{{Name: "a", X: []float64{0, 10, 100, -1}, Y: []float64{5, 0, -3, 7}}, {Name: "b", X: []float64{10, 100, 1000}, Y: []float64{math.NaN(), 20, math.Inf(1)}}},
			Floor:  &plot.Series{Name: "VC", X: []float64{0, 10, 100}, Y: []float64{0, 4, 10}}},
		{Title: "all bad", LogY: true, Series: []plot.Series{{Name: "z", X: []float64{0, -1}, Y: []float64{0, 0}}}},
		{Title: "empty"},
		{Title: "linear y", Series: []plot.Series{{Name: "bits", X: []float64{100, 1000}, Y: []float64{-4, 60}}}},
	} {
		png := filepath.Join(dir, "c"+string(rune('0'+i))+".png")
		svg := filepath.Join(dir, "c"+string(rune('0'+i))+".svg")
		notes, err := c.Save(6, 4, png, svg)
		if err != nil {
			t.Fatalf("%s: %v", c.Title, err)
		}
		if i == 0 && len(notes) < 2 {
			t.Errorf("drops not reported: %v", notes)
		}
		for _, p := range []string{png, svg} {
			if st, err := os.Stat(p); err != nil || st.Size() < 1000 {
				t.Errorf("%s not written properly", p)
			}
		}
	}
}

// TestTrajectoriesPicture draws a width-2 HZ network's states for a
// 30-point, 3-class dataset and checks the PNG: large enough and with the
// three class colours among many distinct colours.
func TestTrajectoriesPicture(t *testing.T) {
	ds := data.Spirals(30, 3)
	ds3 := &data.Dataset{Name: "three", Classes: []string{"a", "b", "c"}}
	for i, x := range ds.X {
		ds3.X = append(ds3.X, x)
		ds3.Y = append(ds3.Y, i%3)
	}
	res, err := hz.Method{}.Build(context.Background(), ds3, construct.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "traj.png")
	if _, err := plot.Trajectories(res.Net, ds3.X, ds3.Y, ds3.Classes, plot.TrajOptions{}, path); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	if b.Dx() < 600 || b.Dy() < 600 {
		t.Errorf("image %v too small", b)
	}
	colours := map[[3]uint32]int{}
	for yy := b.Min.Y; yy < b.Max.Y; yy++ {
		for xx := b.Min.X; xx < b.Max.X; xx++ {
			r, g, bl, _ := img.At(xx, yy).RGBA()
			colours[[3]uint32{r >> 8, g >> 8, bl >> 8}]++
		}
	}
	if len(colours) < 20 {
		t.Errorf("only %d distinct colours", len(colours))
	}
	for _, c := range [][3]uint32{{0x1f, 0x77, 0xb4}, {0xd6, 0x27, 0x28}, {0x2c, 0xa0, 0x2c}} {
		if colours[c] < 30 {
			t.Errorf("class colour %x drawn on %d pixels", c, colours[c])
		}
	}
	if _, err := plot.Trajectories(zhangLike(), [][]float64{{1}}, []int{0}, []string{"a"}, plot.TrajOptions{}, filepath.Join(t.TempDir(), "w.png")); err == nil {
		t.Error("a width-3 network was drawn")
	}
}

func zhangLike() *nn.Network {
	return &nn.Network{InputDim: 1, Hidden: []nn.Layer{nn.NewLayer(1, 3, nn.ReLU)}, Readout: nn.NewLayer(3, 1, nn.Identity)}
}
