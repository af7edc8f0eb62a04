package park

import (
	"context"
	"math"
	"os"
	"testing"
)

// slope is the least-squares slope of y against x.
func slope(x, y []float64) float64 {
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= float64(len(x))
	my /= float64(len(x))
	var sxy, sxx float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
	}
	return sxy / sxx
}

// theorem1Exponents builds Theorem 1 networks at k log-spaced N in
// [lo, hi] and checks the scaling the theorem states, O(N^w +
// N^{1−w/2}·log C) parameters (Park et al., Theorem 1), on the nonzero
// parameter count:
//   - the compression-2 + table part (the N^w term) fits N^e with e within
//     0.08 of w; the bit extraction (the N^{1−w/2}·log C term) grows no
//     faster than N^{1−w/2+0.08};
//   - with total, the whole count's exponent is within 0.08 of the exponent
//     of the part that dominates at the largest N, and never above w + 0.08;
//   - the C-dependence is additive: what going from C = 2 to C = 1024 adds
//     grows no faster than N^{1−w/2+0.08} (a multiplicative log C factor
//     would make it grow like the whole count, N^w).
//
// Every network is also checked against its realisation bounds.
func theorem1Exponents(t *testing.T, lo, hi float64, k int, ws []float64, total bool) {
	for _, w := range ws {
		var lnN, lnP, lnW, lnExt, lnDelta []float64
		var lastExt, lastW int64
		for i := range k {
			n := int(lo * math.Pow(hi/lo, float64(i)/float64(k-1)))
			lnN = append(lnN, math.Log(float64(n)))
			var p2 int64
			for _, c := range []int{2, 1024} {
				xs, ys := randomData(n, 10, c, uint64(n+c), false)
				cfg := Config{Theorem: 1, W: w, Seed: int64(i)}
				b, err := Build(context.Background(), xs, ys, c, cfg)
				if err != nil {
					t.Fatal(err)
				}
				st := b.Net.Stats()
				pr := predict(n, 10, c, b.Sizes.K0, 2, cfg)
				if int64(st.Depth) > pr.Realisation["depth"] || int64(st.Width) > pr.Realisation["width"] || st.Params > pr.Realisation["params"] {
					t.Errorf("w=%g N=%d C=%d: depth %d width %d params %d above realisation %v", w, n, c, st.Depth, st.Width, st.Params, pr.Realisation)
				}
				if c == 2 {
					p2 = st.Params
					lastExt, lastW = stageParams(b)
					lnP = append(lnP, math.Log(float64(st.Params)))
					lnW = append(lnW, math.Log(float64(lastW)))
					lnExt = append(lnExt, math.Log(float64(lastExt)))
					continue
				}
				lnDelta = append(lnDelta, math.Log(float64(max(1, st.Params-p2))))
			}
		}
		e, ew, ee, ed := slope(lnN, lnP), slope(lnN, lnW), slope(lnN, lnExt), slope(lnN, lnDelta)
		t.Logf("w=%g, N=%g..%g: params ∝ N^%.3f; compression+table ∝ N^%.3f (%d params at the largest N); extraction ∝ N^%.3f (%d); C=2→1024 increment ∝ N^%.3f",
			w, lo, hi, e, ew, lastW, ee, lastExt, ed)
		if math.Abs(ew-w) > 0.08 {
			t.Errorf("w=%g: compression+table exponent %.3f, want within 0.08 of w", w, ew)
		}
		if ee > 1-w/2+0.08 {
			t.Errorf("w=%g: extraction exponent %.3f above 1−w/2+0.08", w, ee)
		}
		if ed > 1-w/2+0.08 {
			t.Errorf("w=%g: the C-dependent part grows like N^%.3f, faster than N^(1−w/2+0.08): not additive", w, ed)
		}
		if total {
			ref := w
			if lastExt > lastW {
				ref = 1 - w/2
			}
			if math.Abs(e-ref) > 0.08 || e > w+0.08 {
				t.Errorf("w=%g: fitted exponent %.3f, want within 0.08 of %.3f", w, e, ref)
			}
		}
	}
}

// stageParams splits a built network's nonzero parameters into the bit
// extraction's and the rest (compression and table).
func stageParams(b *Built) (bits, rest int64) {
	for li, l := range b.Net.Hidden {
		nz := int64(0)
		for j := range l.W {
			for _, x := range l.W[j] {
				if x.Sign() != 0 {
					nz++
				}
			}
			if l.B[j].Sign() != 0 {
				nz++
			}
		}
		if b.prog.stage[li] == "bits" {
			bits += nz
		} else {
			rest += nz
		}
	}
	return bits, rest
}

// TestTheorem1Exponent is the always-on, smaller version of the scaling
// check (N = 10³..10⁴, the parts' exponents); PARK_EXPONENT=1 runs the full
// range N = 10³..3·10⁴ and also checks the whole count's exponent (over
// 10³..10⁴ it is 0.66 at w = 0.75, C = 2: the N^{1/2}-growing extraction
// still pulls the fit below w − 0.08 there).
func TestTheorem1Exponent(t *testing.T) {
	if os.Getenv("PARK_EXPONENT") != "" {
		theorem1Exponents(t, 1000, 30000, 10, []float64{0.75, 0.9}, true)
		return
	}
	theorem1Exponents(t, 1000, 10000, 5, []float64{0.75, 0.9}, false)
}
