package plot

import (
	"path/filepath"
	"reflect"
	"testing"
)

func TestWithLayers(t *testing.T) {
	got := withLayers([]int{0, 1, 9}, []int{5, 10, 11, 0, 2}, 10)
	if want := []int{0, 1, 4, 9}; !reflect.DeepEqual(got, want) {
		t.Errorf("withLayers = %v, want %v (1-based extras 5 and 10 added, out-of-range 11 and 0 dropped, 2 already there)", got, want)
	}
}

func TestApproxPictures(t *testing.T) {
	dir := t.TempDir()
	s := Series{Name: "f", X: []float64{0, 0.5, 1}, Y: []float64{0, 1, 0}}
	if err := Graph1D("t", "x", []Series{s, s}, filepath.Join(dir, "g.svg")); err != nil {
		t.Error(err)
	}
	f := Field{Name: "f", X0: 0, X1: 1, Y0: 0, Y1: 1, V: [][]float64{{0, 1}, {2, 3}}}
	flat := Field{Name: "flat", X0: 0, X1: 1, Y0: 0, Y1: 1, V: [][]float64{{1, 1}, {1, 1}}}
	if err := HeatMaps("t", []Field{f, flat}, filepath.Join(dir, "h.png")); err != nil {
		t.Error(err)
	}
	if err := HeatMaps("t", []Field{{Name: "empty"}}, filepath.Join(dir, "e.png")); err == nil {
		t.Error("empty heat map accepted")
	}
	if _, err := DepthVsEps("t", []Series{{Name: "a", X: []float64{0.1, 0.01, -1}, Y: []float64{10, 1000, 5}}}, []float64{-2}, filepath.Join(dir, "d.png")); err != nil {
		t.Error(err)
	}
	if err := Graph1D("t", "x", nil, filepath.Join(dir, "g.txt")); err == nil {
		t.Error("unknown format accepted")
	}
}
