package pipeline

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/memnet/memnet/construct"
	"github.com/memnet/memnet/data"
)

// datasetFromBytes turns fuzz input into a small dataset: a header byte for
// the dimension and class count, then per point d coordinates (each from two
// bytes: small integers, dyadic fractions, or scaled values spanning many
// binades) and a label. Invalid datasets (conflicting duplicates) give nil.
func datasetFromBytes(b []byte) *data.Dataset {
	if len(b) < 2 {
		return nil
	}
	d := 1 + int(b[0]%4)
	m := 1 + int(b[1]%5)
	b = b[2:]
	per := 2*d + 1
	var xs [][]float64
	var labels []string
	for len(b) >= per && len(xs) < 40 {
		x := make([]float64, d)
		for k := range d {
			v := binary.LittleEndian.Uint16(b[2*k:])
			switch v >> 14 {
			case 0:
				x[k] = float64(int(v&0xff) - 128)
			case 1:
				x[k] = float64(int(v&0x3fff)-8192) / 1024
			case 2:
				x[k] = math.Ldexp(float64(int(v&0xff)-128), int(v>>8&0x3f)-32)
			default:
				x[k] = float64(int(v&0x3fff)-8192) * 1e-12
			}
		}
		xs = append(xs, x)
		labels = append(labels, fmt.Sprint(int(b[2*d])%m))
		b = b[per:]
	}
	if len(xs) == 0 {
		return nil
	}
	ds, err := data.FromRaw("fuzz", xs, labels, nil)
	if err != nil {
		return nil
	}
	return ds
}

// rangeLimited are constructions that refuse, with an error, datasets whose
// dynamic range (Δ) exceeds what they compute in machine integers: park's
// projection keeps integer parts in int64. They must never build a wrong
// network; the others must build every valid dataset.
var rangeLimited = map[string]bool{"park": true}

// FuzzMemorize: every construction memorizes any valid dataset exactly.
func FuzzMemorize(f *testing.F) {
	f.Add([]byte{2, 3, 1, 0, 2, 0, 0, 9, 0, 1, 1, 5, 0, 2, 7, 7, 7, 7, 2})
	f.Add([]byte{0, 1, 0x10, 0x80, 1, 0x11, 0x80, 0, 0x12, 0x80, 1})
	f.Add([]byte{3, 4, 1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2, 3, 4, 5, 6, 7, 9, 1, 9, 9, 9, 9, 9, 9, 9, 9, 2})
	f.Add([]byte{1, 2, 0xff, 0xff, 0xff, 0xff, 0, 0xfe, 0xff, 0xff, 0xff, 1, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		ds := datasetFromBytes(b)
		if ds == nil {
			return
		}
		for _, m := range construct.Methods() {
			built, err := Build(context.Background(), ds, m.Name(), construct.Options{Seed: 1})
			if err != nil && rangeLimited[m.Name()] && err.Error() != "" {
				continue
			}
			// floatexact refuses coordinates that are not integers (or beyond 2^24)
			if err != nil && m.Name() == "floatexact" && (strings.Contains(err.Error(), "not an integer") || strings.Contains(err.Error(), "beyond 2^24")) {
				continue
			}
			if err != nil {
				t.Fatalf("%s: build failed on a valid dataset (N=%d d=%d M=%d): %v", m.Name(), ds.N(), ds.D(), ds.M(), err)
			}
			v, err := Verify(context.Background(), built.Model, ds, VerifyOptions{})
			if err != nil {
				t.Fatalf("%s: verify: %v", m.Name(), err)
			}
			if !v.Exact {
				t.Fatalf("%s: %d of %d points wrong (N=%d d=%d M=%d): %+v", m.Name(), v.DistinctPoints-v.ExactCorrect, v.DistinctPoints, ds.N(), ds.D(), ds.M(), v.Wrong)
			}
		}
	})
}
