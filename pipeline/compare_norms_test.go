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
	if got := normCell(n.NormMax, n.Log2Max); got != "2^1101.59" {
		t.Errorf("‖θ‖∞ = 3·2^1100 printed %q, want 2^1101.59", got)
	}
	if got := normCell(n.NormL2Squared, n.Log2L2Squared); got != "2^2203.17" {
		t.Errorf("‖θ‖₂² = 9·2^2200 printed %q, want 2^2203.17", got)
	}
	for _, c := range []struct {
		v, log2 float64
		want    string
	}{{2.5, math.Log2(2.5), "2.5"}, {1.5e300, math.Log2(1.5e300), "1.5e+300"}, {math.MaxFloat64, 1024, "2^1024.01"}} {
		if got := normCell(c.v, c.log2); got != c.want {
			t.Errorf("normCell(%v) = %q, want %q", c.v, got, c.want)
		}
	}
	if got := normCell(math.MaxFloat64, 5000.123); strings.Contains(got, "e+308") || got != "2^5000.13" {
		t.Errorf("normCell beyond float64 = %q, want 2^5000.13", got)
	}
}
