package nn

import (
	"math/rand/v2"
	"testing"
)

// TestGroupCuts: the chunks cover every position once, in order, hold at
// most P each, end inside a group only when that group alone exceeds P,
// and a chunk is never closed while the next group would still fit.
func TestGroupCuts(t *testing.T) {
	rng := rand.New(rand.NewPCG(29, 30))
	if c := groupCuts(nil, 4); len(c) != 1 || c[0] != 0 {
		t.Fatalf("no groups: %v", c)
	}
	for range 2000 {
		P := 1 + rng.IntN(10)
		G := 1 + rng.IntN(20)
		ends := make([]int32, G)
		n := int32(0)
		for g := range ends {
			n += int32(1 + rng.IntN(3*P))
			ends[g] = n
		}
		cuts := groupCuts(ends, P)
		if cuts[0] != 0 || cuts[len(cuts)-1] != n {
			t.Fatalf("ends %v P %d: cuts %v do not cover [0, %d)", ends, P, cuts, n)
		}
		// group of each position, and where each group starts
		gstart := map[int32]bool{0: true}
		for _, e := range ends {
			gstart[e] = true
		}
		groupOf := func(pos int32) int {
			for g, e := range ends {
				if pos < e {
					return g
				}
			}
			return G
		}
		for c := 1; c < len(cuts); c++ {
			lo, hi := cuts[c-1], cuts[c]
			if hi <= lo || int(hi-lo) > P {
				t.Fatalf("ends %v P %d: chunk [%d, %d)", ends, P, lo, hi)
			}
			if !gstart[hi] {
				g := groupOf(hi)
				size := ends[g]
				if g > 0 {
					size = ends[g] - ends[g-1]
				}
				if int(size) <= P {
					t.Fatalf("ends %v P %d: cut %d inside group %d of %d ≤ P", ends, P, hi, g, size)
				}
			} else if hi != n {
				// closed at a group boundary: the next group must not fit
				g := groupOf(hi)
				if int(ends[g]-lo) <= P {
					t.Fatalf("ends %v P %d: chunk [%d, %d) closed though group %d fits", ends, P, lo, hi, g)
				}
			}
		}
	}
}
