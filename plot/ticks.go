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
	step := max(1, (b-a+maxLabels)/maxLabels)
	var ticks []gplot.Tick
	for k := a - a%step; k <= b; k += step {
		if k < a {
			continue
		}
		v := pow10(k)
		ticks = append(ticks, gplot.Tick{Value: v, Label: decadeLabel(k)})
	}
	if step == 1 && b-a <= 3 {
		// minor ticks 2..9 × 10^k within [lo, hi]
		for k := a - 1; k <= b; k++ {
			for m := 2; m <= 9; m++ {
				if v := float64(m) * pow10(k); v >= lo && v <= hi {
					ticks = append(ticks, gplot.Tick{Value: v})
				}
			}
		}
	}
	if a > b {
		// no power of ten inside the axis: label its ends
		ticks = append(ticks, gplot.Tick{Value: lo, Label: shortNumber(lo)}, gplot.Tick{Value: hi, Label: shortNumber(hi)})
	}
	return ticks
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
