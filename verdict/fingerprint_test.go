package verdict

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/memnet/memnet/data"
)

// TestFingerprintComposes: for random datasets (with repeated rows) and
// random splits of their rows into parts, in any order, the parts'
// fingerprints add up to FingerprintOf the whole; and shards (Select) add
// up to the whole for several k.
func TestFingerprintComposes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 20 {
		ds := data.Gaussian(50+rng.IntN(200), 1+rng.IntN(4), 2+rng.IntN(3), uint64(trial))
		// repeat some rows: Source lists every row's point
		ds.Source = make([]int, 0, ds.N())
		for i := range ds.X {
			ds.Source = append(ds.Source, i)
		}
		for range rng.IntN(30) {
			ds.Source = append(ds.Source, rng.IntN(ds.N()))
		}
		ds.Duplicates = len(ds.Source) - ds.N()
		whole := FingerprintOf(ds)
		// rows one by one, shuffled, in a random number of parts
		rows := rng.Perm(len(ds.Source))
		parts := make([]Fingerprint, 1+rng.IntN(7))
		for _, r := range rows {
			i := ds.Source[r]
			parts[rng.IntN(len(parts))].AddRow(ds.X[i], ds.Classes[ds.Y[i]])
		}
		var sum Fingerprint
		for _, p := range parts {
			sum.Add(p)
		}
		if sum != whole {
			t.Fatalf("trial %d: %d parts add to %v, the whole is %v", trial, len(parts), sum, whole)
		}
		for _, k := range []int{1, 2, 3, 7} {
			var s Fingerprint
			for i := range k {
				part, _ := Select(ds, Shard{i, k})
				s.Add(FingerprintOf(part))
			}
			if s != whole {
				t.Fatalf("trial %d: %d shards add to %v, the whole is %v", trial, k, s, whole)
			}
		}
		back, err := ParseFingerprint(whole.String())
		if err != nil || back != whole {
			t.Fatalf("%v does not parse back: %v %v", whole, back, err)
		}
	}
}

// TestFingerprintSeesRows: a row's coordinates, label, multiplicity and
// dimension change the fingerprint; −0 and +0 do not; nor does order.
func TestFingerprintSeesRows(t *testing.T) {
	fp := func(rows ...[]any) string {
		var f Fingerprint
		for _, r := range rows {
			f.AddRow(r[0].([]float64), r[1].(string))
		}
		return f.String()
	}
	a, b := []any{[]float64{1, 2}, "x"}, []any{[]float64{3, 0}, "y"}
	base := fp(a, b)
	for name, other := range map[string]string{
		"coordinate": fp(a, []any{[]float64{3, 1e-300}, "y"}),
		"label":      fp(a, []any{[]float64{3, 0}, "x"}),
		"repeated":   fp(a, b, b),
		"dimension":  fp(a, []any{[]float64{3, 0, 0}, "y"}),
		"missing":    fp(a),
		// a label holding the next coordinate's bytes: the lengths keep them apart
		"shifted": fp(a, []any{[]float64{3}, "y"}),
	} {
		if other == base {
			t.Errorf("%s: the fingerprint did not change", name)
		}
	}
	if fp(b, a) != base || fp(a, []any{[]float64{3, math.Copysign(0, -1)}, "y"}) != base {
		t.Error("order or the sign of zero changed the fingerprint")
	}
	var twice Fingerprint
	twice.AddDigest(RowDigest([]float64{3, 0}, "y"), 2)
	var one Fingerprint
	one.AddRow([]float64{3, 0}, "y")
	one.AddRow([]float64{3, 0}, "y")
	if twice != one {
		t.Error("a digest added twice differs from the row added twice")
	}
	for _, bad := range []string{"", strings.Repeat("0", 63), strings.Repeat("G", 64), strings.Repeat("A", 64)} {
		if _, err := ParseFingerprint(bad); err == nil {
			t.Errorf("%q parsed as a fingerprint", bad)
		}
	}
}

// TestFingerprintIsSum: the fingerprint is the sum of the digests modulo
// 2^256 (checked with math/big, multiplicities up to 2^40 included).
func TestFingerprintIsSum(t *testing.T) {
	mod := new(big.Int).Lsh(big.NewInt(1), 256)
	want := new(big.Int)
	var f Fingerprint
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 300 {
		d := RowDigest([]float64{float64(i)}, "l")
		times := uint64(1 + rng.IntN(3))
		if i%50 == 0 {
			times = 1 << 40
		}
		f.AddDigest(d, times)
		v := new(big.Int).SetBytes(d[:])
		want.Add(want, v.Mul(v, new(big.Int).SetUint64(times)))
		want.Mod(want, mod)
	}
	if got, w := f.String(), fmt.Sprintf("%064x", want); got != w {
		t.Fatalf("fingerprint %s, sum mod 2^256 %s", got, w)
	}
}
