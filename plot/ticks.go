package plot

import (
	"fmt"
	"math"
	"strconv"

	gplot "gonum.org/v1/plot"
)

// maxLabels is the most labelled ticks a log axis gets.
const maxLabels = 8

// decadeTicks marks a log axis at powers of ten: every decade when the axis
// spans few, every k-th (k = ⌈decades/maxLabels⌉) when it spans many, so an
// axis from 1 to 1e300 gets about eight labels ("1e+60"), never the hundreds
// of overlapping ones ("1.0000000000000004e+85") gonum's LogTicks{Prec: -1}
// writes. Unlabelled minor ticks at 2..9 times a power mark short axes.
// Labels are short: 1, 10, 100, 1000, 0.1, 0.01 near 1; 1e+05 beyond.
type decadeTicks struct{}

// Ticks returns the ticks of [lo, hi] (both > 0; non-positive or infinite
// ends give no ticks rather than a panic).
func (decadeTicks) Ticks(lo, hi float64) []gplot.Tick {
	if !(lo > 0) || !(hi > lo) || math.IsInf(hi, 0) {
		return nil
	}
	a, b := int(math.Ceil(math.Log10(lo)-1e-9)), int(math.Floor(math.Log10(hi)+1e-9))
	step := niceStep((b - a + maxLabels) / maxLabels)
	var ticks []gplot.Tick
	for k := floorTo(a, step); k <= b; k += step {
		if k < a {
			continue
		}
		v := pow10(k)
		ticks = append(ticks, gplot.Tick{Value: v, Label: decadeLabel(k)})
	}
	if step == 1 && b-a <= 3 {
		// minor ticks 2..9 × 10^k within [lo, hi]; with fewer than two
		// powers of ten on the axis, 2× and 5× are labelled too
		few := b-a < 1
		for k := a - 1; k <= b; k++ {
			for m := 2; m <= 9; m++ {
				if v := float64(m) * pow10(k); v >= lo && v <= hi {
					t := gplot.Tick{Value: v}
					if few && (m == 2 || m == 5) {
						t.Label = shortNumber(v)
					}
					ticks = append(ticks, t)
				}
			}
		}
	}
	labelled := 0
	for _, t := range ticks {
		if t.Label != "" {
			labelled++
		}
	}
	if labelled < 2 {
		// a short axis with at most one round value: label its ends instead
		for i := range ticks {
			ticks[i].Label = ""
		}
		ticks = append(ticks, gplot.Tick{Value: lo, Label: shortNumber(lo)}, gplot.Tick{Value: hi, Label: shortNumber(hi)})
	}
	return ticks
}

// niceStep is the smallest of 1, 2, 5, 10, 20, 25, 50, 100, ... that is at
// least n decades, so labels fall on round exponents (1e+100, 1e+150).
func niceStep(n int) int {
	for _, s := range []int{1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500} {
		if s >= n {
			return s
		}
	}
	return n
}

// floorTo is the largest multiple of step ≤ k.
func floorTo(k, step int) int {
	if k >= 0 {
		return k - k%step
	}
	return -((-k + step - 1) / step * step)
}

// pow10 is 10^k, exact for |k| ≤ 22 and correctly rounded beyond (no
// accumulated error as in repeated multiplication).
func pow10(k int) float64 {
	v, _ := strconv.ParseFloat("1e"+strconv.Itoa(k), 64)
	return v
}

func decadeLabel(k int) string {
	switch {
	case k >= 0 && k <= 4:
		return strconv.FormatFloat(pow10(k), 'f', 0, 64)
	case k < 0 && k >= -3:
		return strconv.FormatFloat(pow10(k), 'f', -k, 64)
	}
	return fmt.Sprintf("1e%+03d", k)
}

// shortNumber is v in at most three significant digits.
func shortNumber(v float64) string { return strconv.FormatFloat(v, 'g', 3, 64) }

// slopeLabel is a fitted exponent for a legend: two decimals for a power
// law; above 10 (a norm that grows exponentially, say) the fit is not a
// power law and says so instead of printing "slope 99.57".
func slopeLabel(a float64) string {
	if math.Abs(a) > 10 {
		return "slope > 10: faster than any power of N shown"
	}
	return fmt.Sprintf("slope %.2f", a)
}
