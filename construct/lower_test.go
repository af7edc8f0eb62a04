package construct

import (
	"math"
	"math/big"
	"testing"

	"github.com/memnet/memnet/nn"
)

// net3 is a ReLU network 2 → 3 → 3 → 1 with every weight 3/4 (4 bits: bitlen 3 + 2)
// and every bias 1: 6+9+3 = 18 weights, 7 biases, 25 params, 6 units.
func net3() *nn.Network {
	n := &nn.Network{InputDim: 2}
	in := 2
	for range 2 {
		l := nn.NewLayer(in, 3, nn.ReLU)
		for j := range l.W {
			for i := range l.W[j] {
				l.W[j][i] = big.NewRat(3, 4)
			}
			l.B[j] = big.NewRat(1, 1)
		}
		n.Hidden = append(n.Hidden, l)
		in = 3
	}
	r := nn.NewLayer(3, 1, nn.Identity)
	for i := range r.W[0] {
		r.W[0][i] = big.NewRat(3, 4)
	}
	r.B[0] = big.NewRat(1, 1)
	n.Readout = r
	return n
}

func TestLowerBoundsFormulas(t *testing.T) {
	net := net3()
	st := net.Stats()
	if st.Params != 25 || st.Neurons != 6 || st.Depth != 2 || st.MaxWeightBits != 4 {
		t.Fatalf("test network: %+v", st)
	}
	lbs := LowerBounds(net, 1000, 2, 4, 10, 0.5)
	got := map[string]LowerBound{}
	for _, lb := range lbs {
		got[lb.Key] = lb
	}
	// vc_depth: (N − L)/(L·log2(8e·U)) = 998/(2·log2(48e))
	if want := 998 / (2 * math.Log2(8*math.E*6)); math.Abs(got["vc_depth"].Value-want) > 1e-9 || math.Abs(got["vc_depth"].Ratio-25/want) > 1e-9 {
		t.Errorf("vc_depth %+v, want %v", got["vc_depth"], want)
	}
	// bits: one activation kind (a = 0): N·log2 C / (B + 1 + ⌈log2(B+1)⌉ + 2⌈log2(U+d+2)⌉)
	// = 2000 / (4 + 1 + 3 + 2·4)
	if want := 2000.0 / 16; math.Abs(got["bits"].Value-want) > 1e-9 {
		t.Errorf("bits %+v, want %v", got["bits"], want)
	}
	if got["width"].Value != 2 || got["width"].Ratio != 1.5 {
		t.Errorf("width %+v", got["width"])
	}
	// wl2: W²L² = 36, log2(2r/δ) = log2 40
	w := got["wl2"]
	if w.Actual != 36 || math.Abs(w.Value-1000/math.Log2(40)) > 1e-9 {
		t.Errorf("wl2 %+v", w)
	}
	if wl := NewWL2(3, 2, 1000, 0, 0); wl.LogInvDelta != 1 || wl.Upper != 1000 {
		t.Errorf("unknown δ: %+v", wl)
	}
	// a deep network: the depth-aware VC bound is trivial (0), not negative
	if lb := LowerBounds(net, 2, 2, 2, 0, 0); lb[0].Key != "vc_depth" || lb[0].Value != 0 {
		t.Errorf("N ≤ L: %+v", lb[0])
	}
	// sigmoid networks have no VC(L) entry
	net.Hidden[0].Act[0] = nn.Sigmoid
	for _, lb := range LowerBounds(net, 1000, 2, 4, 10, 0.5) {
		if lb.Key == "vc_depth" {
			t.Errorf("VC bound given for a sigmoid network")
		}
	}
}

// TestMaddenThrampoulidis: the one-hidden-layer bound N/(d+2) appears for
// depth-1 networks only, with the sufficient width ⌈2N/d⌉ in its note.
func TestMaddenThrampoulidis(t *testing.T) {
	lb := MaddenThrampoulidis(10, 100, 3)
	if lb.Value != 20 || lb.Actual != 10 || lb.Key != "one_hidden" || lb.Note != "sufficient: ⌊m·d/2⌋ ≥ N, m ≥ 67" {
		t.Fatalf("%+v", lb)
	}
	one := &nn.Network{InputDim: 2, Hidden: []nn.Layer{nn.NewLayer(2, 5, nn.ReLU)}, Readout: nn.NewLayer(5, 1, nn.Identity)}
	has := func(net *nn.Network) bool {
		for _, b := range LowerBounds(net, 40, 2, 2, 0, 0) {
			if b.Key == "one_hidden" {
				return b.Value == 10 && b.Actual == 5
			}
		}
		return false
	}
	if !has(one) || has(net3()) {
		t.Fatal("one_hidden must be given for depth 1 only")
	}
}
