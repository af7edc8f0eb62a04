package park

import (
	"compress/gzip"
	"encoding/csv"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
)

// randomData returns n distinct points in dimension d with labels in [0,c).
func randomData(n, d, c int, seed uint64, integer bool) ([][]float64, []int) {
	rng := rand.New(rand.NewPCG(seed, 7))
	seen := map[string]bool{}
	var xs [][]float64
	var ys []int
	for len(xs) < n {
		x := make([]float64, d)
		key := ""
		for j := range x {
			if integer {
				x[j] = float64(rng.IntN(256))
			} else {
				x[j] = rng.NormFloat64()
			}
			key += string(rune(int(x[j]*1000) + 70000))
		}
		if integer {
			if seen[key] {
				continue
			}
			seen[key] = true
		}
		xs = append(xs, x)
		ys = append(ys, rng.IntN(c))
	}
	return xs, ys
}

// loadDigits reads testdata/digits.csv.gz (a copy of shared/data; 64 pixel
// columns, label last), dropping repeated points.
func loadDigits(t testing.TB) ([][]float64, []int) {
	f, err := os.Open("../../testdata/digits.csv.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(zr).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	var xs [][]float64
	var ys []int
	for _, rec := range recs {
		x := make([]float64, len(rec)-1)
		for j := range x {
			x[j], _ = strconv.ParseFloat(rec[j], 64)
		}
		y, _ := strconv.Atoi(rec[len(rec)-1])
		key := strings.Join(rec[:len(rec)-1], ",")
		if prev, dup := seen[key]; dup {
			if prev != y {
				t.Fatalf("digits: a point has two labels")
			}
			continue
		}
		seen[key] = y
		xs = append(xs, x)
		ys = append(ys, y)
	}
	return xs, ys
}

// TestPartCounts checks the note's counts by part: pipeline order, no Go map
// syntax.
func TestPartCounts(t *testing.T) {
	got := partCounts(map[string]int{"bits": 449, "table": 442, "compress1": 8, "compress2": 146, "extra": 1})
	if want := "compress1 8, compress2 146, table 442, bits 449, extra 1"; got != want {
		t.Errorf("partCounts = %q, want %q", got, want)
	}
	if got := partCounts(map[string]int{}); got != "none" {
		t.Errorf("empty: %q", got)
	}
}

func TestIntList(t *testing.T) {
	if got := intList([]int{8, 40, 104}); got != "8, 40, 104" {
		t.Errorf("intList = %q", got)
	}
}
