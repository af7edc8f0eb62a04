package nn

import (
	"context"
	"math/big"
	"strings"
	"testing"
)

// oneNeuron is the network x ↦ ReLU(b + Σ w_i x_i) with an identity read-out.
func oneNeuron(w []*big.Rat, b *big.Rat) *Network {
	h := NewLayer(len(w), 1, ReLU)
	for i, v := range w {
		h.W[0][i].Set(v)
	}
	h.B[0].Set(b)
	ro := NewLayer(1, 1, Identity)
	ro.W[0][0].SetInt64(1)
	return &Network{InputDim: len(w), Hidden: []Layer{h}, Readout: ro}
}

func ints(v ...int64) []*big.Rat {
	r := make([]*big.Rat, len(v))
	for i, x := range v {
		r[i] = big.NewRat(x, 1)
	}
	return r
}

// TestCertificateLimit: positive terms summing to exactly 2^24 are proven;
// one more unit is not, and then some float32 order really rounds.
func TestCertificateLimit(t *testing.T) {
	xs := [][]float64{{1, 1, 1}}
	at := oneNeuron(ints(1<<23, 1<<22, 1<<22-1), big.NewRat(1, 1)) // P = 2^24
	c, err := certify(at, xs, CertFloat32)
	if err != nil || !c.Proven || c.MaxPositive != 1<<24 || c.MaxUnits != 1<<24 {
		t.Fatalf("at the limit: %v %+v", err, c)
	}
	if c.Outputs[0][0] != 1<<24 || !strings.HasPrefix(c.Summary(), "PROVEN exact in float32 (any summation order)") {
		t.Fatalf("outputs %v summary %q", c.Outputs, c.Summary())
	}
	over := oneNeuron(ints(1<<23, 1<<22, 1<<22), big.NewRat(1, 1)) // P = 2^24 + 1
	c, _ = certify(over, xs, CertFloat32)
	if c.Proven || !strings.Contains(c.Reason, "positive terms") {
		t.Fatalf("over the limit: %+v", c)
	}
	if c64, _ := certify(over, xs, CertFloat64); !c64.Proven {
		t.Fatalf("float64 should hold: %+v", c64)
	}
	// the condition is on P and N, not on the total: 2^24 + 1 − 2^24 = 1
	// is small, yet adding the positives first rounds in float32
	mixed := oneNeuron(ints(1<<24, 1, -(1<<24)), new(big.Rat))
	c, _ = certify(mixed, xs, CertFloat32)
	if c.Proven {
		t.Fatal("P = 2^24+1 certified")
	}
	var acc float32
	for _, v := range []float32{1 << 24, 1, -(1 << 24)} {
		acc += v
	}
	if acc == 1 {
		t.Fatal("expected float32 to round 2^24 + 1 in this order")
	}
	neg := oneNeuron(ints(-(1<<24), -1, 5), new(big.Rat))
	if c, _ := certify(neg, xs, CertFloat32); c.Proven || !strings.Contains(c.Reason, "negative terms") {
		t.Fatalf("negative side: %+v", c)
	}
}

func TestCertificateRefusals(t *testing.T) {
	xs := [][]float64{{1, 2}}
	if c, _ := certify(oneNeuron(ints(1<<24+1, 1), new(big.Rat)), xs, CertFloat32); c.Proven || !strings.Contains(c.Reason, "not a float32 number") {
		t.Fatalf("weight: %+v", c)
	}
	if c, _ := certify(oneNeuron([]*big.Rat{big.NewRat(1, 3), big.NewRat(1, 1)}, new(big.Rat)), xs, CertFloat64); c.Proven {
		t.Fatalf("1/3 certified: %+v", c)
	}
	if c, _ := certify(oneNeuron(ints(1, 1), new(big.Rat)), [][]float64{{0.1, 1}}, CertFloat32); c.Proven || !strings.Contains(c.Reason, "input coordinate 1") {
		t.Fatalf("input 0.1: %+v", c)
	}
	sig := oneNeuron(ints(1, 1), new(big.Rat))
	sig.Hidden[0].Act[0] = Sigmoid
	if c, _ := certify(sig, xs, CertFloat32); c.Proven || !strings.Contains(c.Reason, "sigmoid") {
		t.Fatalf("sigmoid: %+v", c)
	}
	if _, err := certify(sig, [][]float64{{1}}, CertFloat32); err == nil {
		t.Fatal("short point accepted")
	}
}

// TestCertificateDyadic: fractions are fine when every term is a multiple of
// one power of two and the sums stay within 2^24 of it.
func TestCertificateDyadic(t *testing.T) {
	xs := [][]float64{{0.5, 3}, {0.25, 1}}
	net := oneNeuron([]*big.Rat{big.NewRat(3, 4), big.NewRat(-1, 8)}, big.NewRat(1, 2))
	c, err := certify(net, xs, CertFloat32)
	if err != nil || !c.Proven {
		t.Fatalf("%v %+v", err, c)
	}
	// point 1: 1/2 + 3/8 − 3/8 = 1/2; point 2: 1/2 + 3/16 − 1/8 = 9/16
	if c.Outputs[0][0] != 0.5 || c.Outputs[1][0] != 9.0/16 {
		t.Fatalf("outputs %v", c.Outputs)
	}
	// 2^-30 beside 1: 2^30 units of 2^-30 in the positive sum
	wide := oneNeuron([]*big.Rat{new(big.Rat).SetFrac64(1, 1<<30), big.NewRat(1, 1)}, new(big.Rat))
	if c, _ := certify(wide, [][]float64{{1, 1}}, CertFloat32); c.Proven {
		t.Fatalf("1 + 2^-30 certified in float32: %+v", c)
	}
	if c, _ := certify(wide, [][]float64{{1, 1}}, CertFloat64); !c.Proven || c.MaxUnits != 1<<30+1 {
		t.Fatalf("1 + 2^-30 in float64: %+v", c)
	}
}

func TestCertificateHashes(t *testing.T) {
	xs := [][]float64{{1, 2}}
	a := oneNeuron(ints(3, 4), big.NewRat(1, 1))
	b := oneNeuron(ints(3, 5), big.NewRat(1, 1))
	ca, _ := certify(a, xs, CertFloat32)
	cb, _ := certify(b, xs, CertFloat32)
	if ca.NetworkSHA256 == cb.NetworkSHA256 || ca.DataSHA256 != cb.DataSHA256 || len(ca.NetworkSHA256) != 64 {
		t.Fatalf("hashes %s %s", ca.NetworkSHA256, cb.NetworkSHA256)
	}
	if DataHash(xs) == DataHash([][]float64{{1, 3}}) {
		t.Fatal("data hash ignores values")
	}
}

// TestShortRat: short values are written exactly, long ones by size and an
// approximation.
func TestShortRat(t *testing.T) {
	big1123 := new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(3), 1121))
	for _, c := range []struct {
		r    *big.Rat
		want string
	}{
		{big.NewRat(-33142217847, 1048576), "-33142217847/1048576"},
		{big1123, "8.546e+337 (an integer of 1123 bits)"},
		{new(big.Rat).Quo(big1123, big.NewRat(7, 1)), "1.221e+337 (a 1123-bit numerator over a 3-bit denominator)"},
	} {
		if got := ShortRat(c.r); got != c.want {
			t.Errorf("ShortRat = %q, want %q", got, c.want)
		}
	}
}

// certify is CertifyPoints on every point of xs, without a deadline.
func certify(net *Network, xs [][]float64, f CertFormat) (*Certificate, error) {
	return CertifyPoints(context.Background(), net, xs, nil, f)
}

// TestCertificateProductBits: a refusal names the product's true bit length
// (a 13-bit weight times a 13-bit input is 25 bits, not "64+").
func TestCertificateProductBits(t *testing.T) {
	w := big.NewRat(1<<12+1, 1<<10)                             // 13 significant bits, not an integer
	net := oneNeuron([]*big.Rat{w, new(big.Rat)}, new(big.Rat)) // y = ReLU(w·x₁)
	x, _ := w.Float64()
	c, err := certify(net, [][]float64{{x, 0}}, CertFloat32) // (2^12+1)² = 2^24 + 2^13 + 1: 25 bits
	if err != nil {
		t.Fatal(err)
	}
	if c.Proven || !strings.Contains(c.Reason, "a product has 25 significant bits") {
		t.Errorf("reason %q, want the product's 25 significant bits", c.Reason)
	}
	if productBits(1, 0) != 65 || productBits(0, 1<<40) != 41 {
		t.Error("productBits")
	}
}
