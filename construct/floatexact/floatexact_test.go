package floatexact

import (
	"fmt"
	"math/rand/v2"

	"github.com/memnet/memnet/data"
)

// testData is n distinct random integer points in [0, span)^d with labels in
// 0..m−1.
func testData(n, d, m, span int, seed uint64) *data.Dataset {
	if span == 0 {
		span = 256
	}
	rng := rand.New(rand.NewPCG(seed, 7))
	ds := &data.Dataset{Name: fmt.Sprintf("random(%d,%d,%d)", n, d, m)}
	seen := map[string]bool{}
	for len(ds.X) < n {
		x := make([]float64, d)
		for j := range x {
			x[j] = float64(rng.IntN(span))
		}
		k := fmt.Sprint(x)
		if seen[k] {
			continue
		}
		seen[k] = true
		ds.X = append(ds.X, x)
		ds.Y = append(ds.Y, rng.IntN(m))
		ds.Rows = append(ds.Rows, len(ds.X))
	}
	for k := range m {
		ds.Classes = append(ds.Classes, fmt.Sprint(k))
	}
	return ds
}
