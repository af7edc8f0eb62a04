package pipeline

import (
	"math"
	"math/big"
	"strings"
	"testing"

	"github.com/memnet/memnet/nn"
)

// TestNormCellBeyondFloat64: a norm beyond float64 prints as 2^x with x
// rounded up from the exact norm's logarithm (never float64's largest value
// 1.8e+308), and a norm within float64 as %.3g.
func TestNormCellBeyondFloat64(t *testing.T) {
	l := nn.NewLayer(1, 1, nn.Identity)
	// weight 3·2^1100: ‖θ‖∞ = 3·2^1100 (log2 = 1101.585) and ‖θ‖₂² = 9·2^2200 (log2 = 2203.17)
	l.W[0][0].SetInt(new(big.Int).Lsh(big.NewInt(3), 1100))
	net := &nn.Network{InputDim: 1, Readout: l}
	n := net.Norms()
	if got := normCell(n.NormMax, n.Log2Max, maxAbsPow2(net)); got != "2^1101.59" {
		t.Errorf("‖θ‖∞ = 3·2^1100 printed %q, want 2^1101.59", got)
	}
	if got := normCell(n.NormL2Squared, n.Log2L2Squared, false); got != "2^2203.17" {
		t.Errorf("‖θ‖₂² = 9·2^2200 printed %q, want 2^2203.17", got)
	}
	for _, c := range []struct {
		v, log2 float64
		want    string
	}{{2.5, math.Log2(2.5), "2.5"}, {1.5e300, math.Log2(1.5e300), "1.5e+300"}, {math.MaxFloat64, 1024, "2^1024.01"}} {
		if got := normCell(c.v, c.log2, false); got != c.want {
			t.Errorf("normCell(%v) = %q, want %q", c.v, got, c.want)
		}
	}
	if got := normCell(math.MaxFloat64, 5000.123, false); strings.Contains(got, "e+308") || got != "2^5000.13" {
		t.Errorf("normCell beyond float64 = %q, want 2^5000.13", got)
	}
	// exactly 2^1124 (vardi's largest weight on Fashion-MNIST is of this size): 2^1124, not 2^1124.01;
	// 2^1124 + 1 is not a power of two and prints rounded up
	l.W[0][0].SetInt(new(big.Int).Lsh(big.NewInt(1), 1124))
	n = net.Norms()
	if !maxAbsPow2(net) || normCell(n.NormMax, n.Log2Max, true) != "2^1124" {
		t.Errorf("‖θ‖∞ = 2^1124 printed %q (power of two %v)", normCell(n.NormMax, n.Log2Max, maxAbsPow2(net)), maxAbsPow2(net))
	}
	l.W[0][0].SetInt(new(big.Int).Add(new(big.Int).Lsh(big.NewInt(1), 1124), big.NewInt(1)))
	n = net.Norms()
	if maxAbsPow2(net) || normCell(n.NormMax, n.Log2Max, false) != "2^1124.01" {
		t.Errorf("‖θ‖∞ = 2^1124 + 1 printed %q (power of two %v)", normCell(n.NormMax, n.Log2Max, maxAbsPow2(net)), maxAbsPow2(net))
	}
}
