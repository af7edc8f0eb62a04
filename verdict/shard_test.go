package verdict

import (
	"math"
	"testing"

	"github.com/memnet/memnet/data"
)

func TestParseShard(t *testing.T) {
	for _, c := range []struct {
		in string
		ok bool
	}{{"0/1", true}, {"6/7", true}, {"7/7", false}, {"-1/3", false}, {"1/0", false}, {"a/b", false}, {"1", false}, {"0/2000000", false}} {
		s, err := ParseShard(c.in)
		if (err == nil) != c.ok {
			t.Errorf("%q: %v", c.in, err)
		}
		if c.ok && s.String() != c.in {
			t.Errorf("%q reads back as %q", c.in, s)
		}
	}
}

// TestPointHash: the hash is of the exact coordinates (−0 as +0), so equal
// points share a shard and points differing in one bit need not.
func TestPointHash(t *testing.T) {
	a := []float64{1, 2.5, 0}
	if PointHash(a) != PointHash([]float64{1, 2.5, math.Copysign(0, -1)}) {
		t.Error("−0 and +0 hash differently")
	}
	if PointHash(a) == PointHash([]float64{1, math.Nextafter(2.5, 3), 0}) {
		t.Error("points one ulp apart hash alike")
	}
	// SHA-256 of 00 00 00 00 00 00 f0 3f (1.0, little-endian) = 6c3c396ed6b5c36d...
	if got := PointHash([]float64{1}); got != 0x6c3c396ed6b5c36d {
		t.Errorf("PointHash([1]) = %#x", got)
	}
}

// TestSelect: the shards of k partition the points and rows, with the rows
// of repeated points in the shard of the point they repeat.
func TestSelect(t *testing.T) {
	ds, err := data.FromRaw("t", [][]float64{{1, 2}, {3, 4}, {1, 2}, {5, 6}, {3, 4}, {7, 8}}, []string{"a", "b", "a", "a", "b", "b"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []int{1, 2, 3, 7} {
		points, rows := 0, 0
		seen := map[int]bool{}
		for i := range k {
			p, index := Select(ds, Shard{i, k})
			points += p.N()
			rows += p.N() + p.Duplicates
			for j, g := range index {
				if seen[g] || ShardOf(ds.X[g], k) != i || &p.X[j][0] != &ds.X[g][0] || p.Rows[j] != ds.Rows[g] {
					t.Fatalf("k=%d shard %d: point %d misplaced", k, i, g)
				}
				seen[g] = true
			}
		}
		if points != ds.N() || rows != ds.N()+ds.Duplicates {
			t.Errorf("k=%d: %d points %d rows, want %d and %d", k, points, rows, ds.N(), ds.N()+ds.Duplicates)
		}
	}
}
