package plot

import (
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// TestDecadeTicks: an axis over 300 decades gets at most maxLabels+1 short
// labels (it got one per decade, "1.0000000000000004e+85"), a short axis
// its decades and minor ticks.
func TestDecadeTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi     float64
		wantLabels []string
	}{
		{1, 1e300, nil},
		{0.5, math.MaxFloat64, nil},
		{100, 10000, []string{"100", "1000", "10000"}},
		{0.002, 0.3, []string{"0.01", "0.1"}},
		{3, 7, []string{"3", "7"}},
	} {
		var labels []string
		for _, tk := range (decadeTicks{}).Ticks(tc.lo, tc.hi) {
			if tk.Label != "" {
				labels = append(labels, tk.Label)
			}
			if tk.Value < tc.lo || tk.Value > tc.hi || math.IsInf(tk.Value, 0) {
				t.Errorf("[%g, %g]: tick %g outside the axis", tc.lo, tc.hi, tk.Value)
			}
		}
		if len(labels) > maxLabels+1 || len(labels) < 2 {
			t.Errorf("[%g, %g]: %d labels %v", tc.lo, tc.hi, len(labels), labels)
		}
		for _, l := range labels {
			if len(l) > 6 {
				t.Errorf("[%g, %g]: long label %q", tc.lo, tc.hi, l)
			}
		}
		if tc.wantLabels != nil && strings.Join(labels, " ") != strings.Join(tc.wantLabels, " ") {
			t.Errorf("[%g, %g]: labels %v, want %v", tc.lo, tc.hi, labels, tc.wantLabels)
		}
	}
	for _, bad := range [][2]float64{{0, 10}, {-1, 10}, {10, 1}, {1, math.Inf(1)}, {math.NaN(), 1}} {
		if ticks := (decadeTicks{}).Ticks(bad[0], bad[1]); ticks != nil {
			t.Errorf("[%g, %g]: ticks %v", bad[0], bad[1], ticks)
		}
	}
}

// TestChartAtFloat64Max draws a series reaching the largest float64 (a
// squared norm that overflowed): the axis headroom overflowed to +Inf and
// gonum's log axis panicked (sweep --methods park --n 1000,10000).
func TestChartAtFloat64Max(t *testing.T) {
	c := Chart{Title: "norms", LogY: true, FitLegend: true, RefSlopes: []float64{1, 2, 4},
		Series: []Series{{Name: "park", X: []float64{1000, 10000}, Y: []float64{1e200, math.MaxFloat64}}, {Name: "hz", X: []float64{1000, 10000}, Y: []float64{10, 100}}}}
	if _, err := c.Save(4, 3, filepath.Join(t.TempDir(), "n.png")); err != nil {
		t.Fatal(err)
	}
}

func TestSlopeLabelAndStyles(t *testing.T) {
	if got := slopeLabel(99.57); strings.Contains(got, "99") {
		t.Errorf("slope 99.57 printed as %q", got)
	}
	if got := slopeLabel(0.6667); got != "slope 0.67" {
		t.Errorf("slopeLabel(0.6667) = %q", got)
	}
	c := Chart{Series: []Series{{Name: "hz"}, {Name: "park"}, {Name: "park bound", Like: "park"}, {Name: "hz bound", Like: "hz"}, {Name: "vardi"}}}
	if got := c.styles(); got[2] != got[1] || got[3] != got[0] || got[4] == got[0] || got[4] == got[1] || got[0] == got[1] {
		t.Errorf("styles %v: a bound must share its method's colour, methods have their own", got)
	}
}
