package project

import (
	"bytes"
	"context"
	"math/big"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
)

// TestKeyOrder checks that bytes.Compare on keys is the order of (τ, i),
// and that DecodeKey inverts Key, on values around the sign and byte-length
// boundaries.
func TestKeyOrder(t *testing.T) {
	var vals []*big.Int
	for _, s := range []string{"0", "1", "-1", "255", "256", "-255", "-256", "65535", "-65536",
		"123456789012345678901234567890", "-123456789012345678901234567890", "9223372036854775807", "-9223372036854775808"} {
		v, _ := new(big.Int).SetString(s, 10)
		vals = append(vals, v)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		v := new(big.Int)
		for range rng.IntN(4) {
			v.Lsh(v, 64).Or(v, new(big.Int).SetUint64(rng.Uint64()>>rng.IntN(64)))
		}
		if rng.IntN(2) == 0 {
			v.Neg(v)
		}
		vals = append(vals, v)
	}
	for a, va := range vals {
		ka := Key(va, a%3)
		tau, i, err := DecodeKey(ka)
		if err != nil || tau.Cmp(va) != 0 || i != a%3 {
			t.Fatalf("DecodeKey(Key(%v, %d)) = %v, %d, %v", va, a%3, tau, i, err)
		}
		for b, vb := range vals {
			kb := Key(vb, b%3)
			want := va.Cmp(vb)
			if want == 0 {
				want = compareInt(a%3, b%3)
			}
			if got := bytes.Compare(ka, kb); got != want {
				t.Fatalf("Key(%v,%d) vs Key(%v,%d): bytes.Compare = %d, want %d", va, a%3, vb, b%3, got, want)
			}
		}
	}
}

func compareInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestDecodeKeyRejects checks that malformed keys are errors, never panics.
func TestDecodeKeyRejects(t *testing.T) {
	good := Key(big.NewInt(-300), 7)
	for _, k := range [][]byte{nil, {1}, good[:len(good)-1], append(slices.Clone(good), 0), {2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
		{1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1},      // leading zero byte
		{0, 255, 255, 255, 255, 0, 0, 0, 0, 0, 0, 0, 1}, // negative zero
	} {
		if _, _, err := DecodeKey(k); err == nil {
			t.Errorf("DecodeKey(%v) accepted", k)
		}
	}
}

func FuzzDecodeKey(f *testing.F) {
	f.Add(Key(big.NewInt(-300), 7))
	f.Add(Key(big.NewInt(0), 0))
	f.Fuzz(func(t *testing.T, b []byte) {
		tau, i, err := DecodeKey(b)
		if err == nil && !bytes.Equal(Key(tau, i), b) {
			t.Fatalf("DecodeKey(%x) = %v, %d, but Key gives %x", b, tau, i, Key(tau, i))
		}
	})
}

// TestStagesEqualStableSort checks that the staged order (any number of
// ranges, ties included) is the stable sort by τ, and that Assemble
// rebuilds the projection from the runs and rejects incomplete or
// repeated ones.
func TestStagesEqualStableSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{1, 2, 17, 1000, 5000} {
		tau := make([]*big.Int, n)
		for i := range tau {
			tau[i] = big.NewInt(rng.Int64N(int64(n)) - int64(n)/2) // ties
		}
		want := make([]int, n)
		for i := range want {
			want[i] = i
		}
		sort.SliceStable(want, func(a, b int) bool { return tau[want[a]].Cmp(tau[want[b]]) < 0 })
		for _, parts := range []int{1, 2, 7, 64} {
			if got := SortStages(tau, parts); !slices.Equal(got, want) {
				t.Fatalf("n=%d parts=%d: SortStages differs from the stable sort", n, parts)
			}
		}
		keys := make([][]byte, n)
		for k, i := range want {
			keys[k] = Key(tau[i], i)
		}
		p, err := Assemble(context.Background(), []float64{1}, 0, n, stream(keys))
		if err != nil || !slices.Equal(p.Order, want) {
			t.Fatalf("n=%d: Assemble: %v", n, err)
		}
		for i := range tau {
			if p.Tau[i].Cmp(tau[i]) != 0 {
				t.Fatalf("n=%d: Assemble: τ_%d wrong", n, i)
			}
		}
		if _, err := Assemble(context.Background(), []float64{1}, 0, n+1, stream(keys)); err == nil {
			t.Errorf("n=%d: Assemble accepted a missing point", n)
		}
		if n > 1 {
			if _, err := Assemble(context.Background(), []float64{1}, 0, n, stream(append(keys[:n-1:n-1], keys[0]))); err == nil {
				t.Errorf("n=%d: Assemble accepted a repeated point", n)
			}
		}
	}
}

func stream(keys [][]byte) func() ([]byte, error) {
	k := 0
	return func() ([]byte, error) {
		if k == len(keys) {
			return nil, nil
		}
		k++
		return keys[k-1], nil
	}
}

// fakeOrderer counts its calls and runs the stages in-process with 5 ranges.
type fakeOrderer struct{ calls int }

func (f *fakeOrderer) Order(_ context.Context, xs [][]float64, w []float64) (*Projection, error) {
	f.calls++
	scale := Scale(ColumnScales(xs, len(w)), w)
	p := &Projection{W: w, Tau: TauRange(xs, w, scale), Scale: scale}
	p.Order = SortStages(p.Tau, 5)
	return p, nil
}

// TestDrawUsesOrderer checks that Draw projects with the context's Orderer
// and gets the same projection as in-process.
func TestDrawUsesOrderer(t *testing.T) {
	xs := [][]float64{{0.5, 1}, {2, -3.25}, {1e-3, 7}, {4, 4}, {-1, 0}}
	want, err := Draw(context.Background(), xs, Gaussian, 0, rand.New(rand.NewPCG(1, 1)), 10)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeOrderer{}
	got, err := Draw(WithOrderer(context.Background(), f), xs, Gaussian, 0, rand.New(rand.NewPCG(1, 1)), 10)
	if err != nil || f.calls == 0 || !slices.Equal(got.Order, want.Order) || got.Scale != want.Scale {
		t.Fatalf("Draw with an Orderer: calls %d, err %v, order %v want %v", f.calls, err, got.Order, want.Order)
	}
}
