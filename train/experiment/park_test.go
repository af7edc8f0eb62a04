package experiment

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/train"
)

// TestParkTinyGrid runs a 2×2 grid on 300 digits with random labels and
// with their own labels, and asserts the trend at the grid's extremes: the
// largest network (widest, deepest) memorizes more than the smallest, by the
// exact verifier; and that every cell's exact training accuracy equals the
// float one (the saved network is the trained one).
func TestParkTinyGrid(t *testing.T) {
	ds, err := data.Load(data.LoadOptions{Path: "../../testdata/digits.csv.gz"})
	if err != nil {
		t.Fatal(err)
	}
	test := &data.Dataset{Name: ds.Name, X: ds.X[1500:], Y: ds.Y[1500:], Classes: ds.Classes}
	random, err := Subset("digits-random", ds, test, 300, 200, true, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	real, err := Subset("digits", ds, test, 300, 200, false, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	o := ParkOptions{Sets: []ParkSet{random, real}, Widths: []int{2, 24}, Blocks: []int{1, 3}, Epochs: 60, Batch: 32, LR: 0.05, Lambda: 5e-5, Trials: 1, Seed: 1}
	res, err := ParkDepthWidth(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Cells) != 8 {
		t.Fatalf("%d cells, want 8", len(res.Cells))
	}
	for _, s := range []string{"digits-random", "digits"} {
		small, _ := res.cell(s, 2, 1)
		big, _ := res.cell(s, 24, 3)
		if !(big.TrainExact > small.TrainExact) || big.Params <= small.Params {
			t.Errorf("%s: c=24 b=3 (%d params) train %.3f, c=2 b=1 (%d params) train %.3f: want the larger above",
				s, big.Params, big.TrainExact, small.Params, small.TrainExact)
		}
	}
	for _, c := range res.Cells {
		if c.Diverged == 0 && c.TrainExact != c.TrainFloat {
			t.Errorf("%s c=%d b=%d: exact %.4f, float %.4f", c.Set, c.Width, c.Blocks, c.TrainExact, c.TrainFloat)
		}
		if c.Params != ParkParams(64, c.Width, c.Blocks, 10) || c.Depth != 1+2*c.Blocks {
			t.Errorf("cell %+v: params or depth", c)
		}
	}
	var csv, tab bytes.Buffer
	if err := res.WriteCSV(&csv); err != nil {
		t.Fatal(err)
	}
	if strings.Count(csv.String(), "\n") != 9 {
		t.Errorf("csv:\n%s", csv.String())
	}
	if err := res.PrintTables(&tab); err != nil || !strings.Contains(tab.String(), "legend:") {
		t.Errorf("tables: %v\n%s", err, tab.String())
	}
	dir := t.TempDir()
	pngs, err := res.HeatMaps(func(set, kind string) string { return filepath.Join(dir, set+"_"+kind+".png") })
	if err != nil || len(pngs) != 4 {
		t.Errorf("heat maps: %v %v", pngs, err)
	}
}

// TestParkConv runs the convolutional family on 8×8 digits: the grid and a
// budget architecture off the grid are trained, each with two trials; the
// training accuracy is the exact verifier's and equals the float one; the
// larger network memorizes more than the smallest; the Figure-1 table
// lists the budget cells.
func TestParkConv(t *testing.T) {
	ds, err := data.Load(data.LoadOptions{Path: "../../testdata/digits.csv.gz"})
	if err != nil {
		t.Fatal(err)
	}
	s, err := Subset("digits", ds, nil, 60, 0, false, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	if s.H != 8 || s.W != 8 || s.Cin != 1 {
		t.Fatalf("digits read as %d×%d×%d images", s.H, s.W, s.Cin)
	}
	o := ParkOptions{Sets: []ParkSet{s}, Conv: true, Widths: []int{1, 6}, Blocks: []int{1}, Budget: [][2]int{{6, 1}, {3, 2}},
		Epochs: 12, Batch: 16, LR: 0.05, Lambda: 5e-5, Trials: 2, Seed: 1}
	res, err := ParkDepthWidth(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Cells) != 3 {
		t.Fatalf("%d cells, want 3 (grid 2, budget 1 off the grid)", len(res.Cells))
	}
	for _, c := range res.Cells {
		if !c.Exact || len(c.TrainTrials) != 2 || c.TrainExact != c.TrainFloat {
			t.Errorf("cell c=%d b=%d: exact %v, trials %v, train %.4f float %.4f", c.Width, c.Blocks, c.Exact, c.TrainTrials, c.TrainExact, c.TrainFloat)
		}
		if want := (train.ConvArch{H: 8, W: 8, Cin: 1, C: c.Width, B: c.Blocks, Out: 10}).Params(); c.Params != want {
			t.Errorf("cell c=%d b=%d: %d params, want %d", c.Width, c.Blocks, c.Params, want)
		}
	}
	small, _ := res.cell("digits", 1, 1)
	big, _ := res.cell("digits", 6, 1)
	if !(big.TrainExact > small.TrainExact) {
		t.Errorf("c=6 train %.3f, c=1 train %.3f: want the wider above", big.TrainExact, small.TrainExact)
	}
	var tab bytes.Buffer
	if err := res.PrintTables(&tab); err != nil || !strings.Contains(tab.String(), "Figure 1") || !strings.Contains(tab.String(), "±") {
		t.Errorf("tables: %v\n%s", err, tab.String())
	}
	var csv bytes.Buffer
	if err := res.WriteCSV(&csv); err != nil {
		t.Fatal(err)
	}
	back, err := ReadParkCSV(bytes.NewReader(csv.Bytes()), "park.csv", o)
	if err != nil || len(back.Cells) != len(res.Cells) || len(back.Options.Sets) != 1 {
		t.Fatalf("read back: %v, %d cells", err, len(back.Cells))
	}
	for i, c := range back.Cells {
		w := res.Cells[i]
		if c.Width != w.Width || c.Blocks != w.Blocks || c.Params != w.Params || math.Abs(c.TrainExact-w.TrainExact) > 1e-6 || len(c.TrainTrials) != 2 || c.Exact != w.Exact {
			t.Errorf("cell %d read back as %+v, written %+v", i, c, w)
		}
	}
	if _, err := ReadParkCSV(strings.NewReader("a,b\n1,2\n"), "x.csv", o); err == nil || !strings.Contains(err.Error(), "x.csv") {
		t.Errorf("a foreign CSV: %v", err)
	}
	dir := t.TempDir()
	figs, err := res.Figure1(func(set string) string { return filepath.Join(dir, set+"_figure1.png") })
	if err != nil || len(figs) != 1 {
		t.Fatalf("figure 1: %v %v", figs, err)
	}
	if st, err := os.Stat(figs[0]); err != nil || st.Size() < 1000 {
		t.Errorf("figure 1 file: %v", err)
	}
}
