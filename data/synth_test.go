package data

import (
	"math"
	"reflect"
	"slices"
	"strconv"
	"testing"
)

func TestSynth(t *testing.T) {
	tests := []struct {
		name    string
		gen     func(seed uint64) *Dataset
		n, d, m int
	}{
		{"spirals(n=200,seed=1)", func(s uint64) *Dataset { return Spirals(200, s) }, 200, 2, 2},
		{"spirals(n=1,seed=1)", func(s uint64) *Dataset { return Spirals(1, s) }, 1, 2, 1},
		{"gaussian(n=100,d=5,m=7,seed=1)", func(s uint64) *Dataset { return Gaussian(100, 5, 7, s) }, 100, 5, 7},
		{"gaussian(n=7,d=3,m=7,seed=1)", func(s uint64) *Dataset { return Gaussian(7, 3, 7, s) }, 7, 3, 7},
		{"gaussian(n=3,d=1,m=10,seed=1)", func(s uint64) *Dataset { return Gaussian(3, 1, 10, s) }, 3, 1, 0},
		{"lattice(n=300,d=2,m=3,seed=1)", func(s uint64) *Dataset { return Lattice(300, 2, 3, s) }, 300, 2, 3},
		{"lattice(n=1000,d=1,m=2,seed=1)", func(s uint64) *Dataset { return Lattice(1000, 1, 2, s) }, 1000, 1, 2},
		{"lattice(n=50,d=40,m=50,seed=1)", func(s uint64) *Dataset { return Lattice(50, 40, 50, s) }, 50, 40, 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := tt.gen(1)
			if ds.Name != tt.name || ds.N() != tt.n || ds.D() != tt.d || ds.Duplicates != 0 {
				t.Fatalf("Name=%q N=%d D=%d Dups=%d", ds.Name, ds.N(), ds.D(), ds.Duplicates)
			}
			if tt.m > 0 {
				want := make([]string, tt.m)
				for c := range want {
					want[c] = strconv.Itoa(c)
				}
				if !slices.Equal(ds.Classes, want) {
					t.Errorf("Classes = %q, want %q", ds.Classes, want)
				}
			}
			if again := tt.gen(1); !reflect.DeepEqual(ds, again) {
				t.Error("not deterministic")
			}
			if other := tt.gen(2); reflect.DeepEqual(ds.X, other.X) {
				t.Error("the seed changes nothing")
			}
			if len(ds.Name) > 7 && ds.Name[:7] == "lattice" {
				side := math.Ceil(math.Pow(2*float64(tt.n), 1/float64(tt.d))) + 1
				for _, x := range ds.X {
					for _, v := range x {
						if v != math.Trunc(v) || math.Abs(v) > side/2 {
							t.Fatalf("lattice coordinate %v", v)
						}
					}
				}
			}
		})
	}
}

func TestSynthPanics(t *testing.T) {
	for _, f := range []func(){
		func() { Spirals(0, 1) },
		func() { Gaussian(1, 0, 1, 1) },
		func() { Lattice(1, 1, 0, 1) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("no panic on a size below 1")
				}
			}()
			f()
		}()
	}
}

func TestMoons(t *testing.T) {
	ds := Moons(1001, 0, 1)
	if ds.N() != 1001 || ds.M() != 2 {
		t.Fatalf("N=%d M=%d", ds.N(), ds.M())
	}
	ones := 0
	for i, x := range ds.X {
		var r float64
		if ds.Classes[ds.Y[i]] == "0" {
			r = math.Hypot(x[0], x[1]) // outer moon: the unit upper half circle
			if x[1] < 0 {
				t.Fatalf("outer point %v below the axis", x)
			}
		} else {
			ones++
			r = math.Hypot(x[0]-1, x[1]-0.5) // inner moon: centred at (1, 1/2), lower half
			if x[1] > 0.5 {
				t.Fatalf("inner point %v above its centre", x)
			}
		}
		if math.Abs(r-1) > 1e-12 {
			t.Fatalf("point %v at radius %v", x, r)
		}
	}
	if ones != 500 {
		t.Fatalf("%d inner points, want 500", ones)
	}
	a, b := Moons(300, 0.05, 7), Moons(300, 0.05, 7)
	for i := range a.X {
		if a.X[i][0] != b.X[i][0] || a.X[i][1] != b.X[i][1] {
			t.Fatal("Moons is not deterministic")
		}
	}
	if c := Moons(300, 0.05, 8); c.X[0][0] == a.X[0][0] {
		t.Fatal("the seed does not change the noise")
	}
}
