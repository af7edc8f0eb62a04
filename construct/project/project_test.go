package project

import (
	"context"
	"math/big"
	"math/rand/v2"
	"strconv"
	"testing"
)

type opts map[string]string

func (o opts) Param(name, def string) string {
	if v, ok := o[name]; ok {
		return v
	}
	return def
}

func (o opts) Int(name string, def int) (int, error) {
	if v, ok := o[name]; ok {
		return strconv.Atoi(v)
	}
	return def, nil
}

func TestParseOptions(t *testing.T) {
	for _, tc := range []struct {
		in   opts
		want Options
		ok   bool
	}{
		{opts{}, Options{"auto", 30}, true},
		{opts{"direction": "integer", "direction-bits": "12"}, Options{"integer", 12}, true},
		{opts{"direction": "diagonal"}, Options{}, false},
		{opts{"direction-bits": "0"}, Options{}, false},
		{opts{"direction-bits": "53"}, Options{}, false},
	} {
		got, err := ParseOptions(tc.in)
		if (err == nil) != tc.ok || (tc.ok && got != tc.want) {
			t.Errorf("ParseOptions(%v) = %v, %v", tc.in, got, err)
		}
	}
	ints, reals := [][]float64{{1, 2}, {3, 4}}, [][]float64{{1, 2.5}}
	if (Options{Direction: "auto"}).Kind(ints) != Integer || (Options{Direction: "auto"}).Kind(reals) != Gaussian ||
		(Options{Direction: "gaussian"}).Kind(ints) != Gaussian || (Options{Direction: "integer"}).Kind(reals) != Integer {
		t.Error("Kind picks the wrong direction")
	}
}

// TestDrawExactAndDistinct checks the projections against big.Rat dot
// products and that ties (an integer lattice) are redrawn.
func TestDrawExactAndDistinct(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, xs := range [][][]float64{
		{{0.1, -3e-9}, {1e10, 2}, {-0.5, 7.25}, {3, 3}},
		{{0, 0}, {0, 1}, {1, 0}, {1, 1}, {2, 1}, {1, 2}},
	} {
		for _, kind := range []Kind{Gaussian, Integer} {
			p, err := Draw(context.Background(), xs, kind, 3, rng, 1000)
			if err != nil {
				t.Fatal(err)
			}
			for i, x := range xs {
				want := new(big.Rat)
				for k := range x {
					want.Add(want, new(big.Rat).Mul(new(big.Rat).SetFloat64(p.W[k]), new(big.Rat).SetFloat64(x[k])))
				}
				if p.TauRat(i).Cmp(want) != 0 {
					t.Fatalf("τ_%d = %s, want %s", i, p.TauRat(i).RatString(), want.RatString())
				}
			}
			for k := 1; k < len(p.Order); k++ {
				if p.Tau[p.Order[k-1]].Cmp(p.Tau[p.Order[k]]) >= 0 {
					t.Fatal("projections not strictly increasing in Order")
				}
			}
		}
	}
}
