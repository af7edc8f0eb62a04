package verdict

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash"
	"math"

	"github.com/memnet/memnet/data"
)

// WholeStream computes the Whole of a dataset read in ranges, one range
// after another in order, without holding its points: the fingerprint
// (a sum over rows), nn.DataHash (a SHA-256 fed each distinct point at its
// first row) and the counts, with data.Scan's validation. The fingerprint
// needs each row's class name, known only once every label is seen (an
// integer label "2.0" is class "2" only when all labels are integers), so
// it keeps two sums: one over the label texts, one over their integer
// names; Finish takes the one the classes are named by.
type WholeStream struct {
	scan       *data.Scan
	text, ints Fingerprint
	intsValid  bool
	points     hash.Hash
	buf        []byte
}

// NewWholeStream starts a WholeStream over p's ranges.
func NewWholeStream(p *data.RangePlan) (*WholeStream, error) {
	s, err := p.NewScan()
	if err != nil {
		return nil, err
	}
	return &WholeStream{scan: s, intsValid: true, points: sha256.New()}, nil
}

// Add adds the next range's rows (data.RangePlan.Read's result).
func (w *WholeStream) Add(raw *data.RawRows) error {
	return w.scan.Add(raw, func(x []float64, label string, first bool) {
		d := RowDigest(x, label)
		w.text.AddDigest(d, 1)
		if w.intsValid {
			if name, ok := data.IntLabel(label); !ok {
				w.intsValid = false
			} else if name != label {
				w.ints.AddDigest(RowDigest(x, name), 1)
			} else {
				w.ints.AddDigest(d, 1)
			}
		}
		if first {
			w.buf = w.buf[:0]
			for _, v := range x {
				w.buf = binary.LittleEndian.AppendUint64(w.buf, math.Float64bits(v))
			}
			w.points.Write(w.buf)
		}
	})
}

// Finish returns the Whole of the data and the scan's summary (what a
// worker needs to build its shard: data.RangeSummary.Shard), or Load's
// error for the data.
func (w *WholeStream) Finish() (Whole, *data.RangeSummary, error) {
	sum, err := w.scan.Finish()
	if err != nil {
		return Whole{}, nil, err
	}
	f := w.text
	if sum.IntClasses {
		f = w.ints
	}
	return Whole{Fingerprint: f, PointsSHA256: fmt.Sprintf("%x", w.points.Sum(nil)), Rows: sum.Rows, Points: sum.Points, Dim: sum.Dim}, sum, nil
}

// WholeOfRanges reads every range of p (rs, from p.Split and p.Number) in
// order and returns the data's Whole and scan summary: one pass, one range
// in memory at a time.
func WholeOfRanges(ctx context.Context, p *data.RangePlan, rs []data.Range) (Whole, *data.RangeSummary, error) {
	w, err := NewWholeStream(p)
	if err != nil {
		return Whole{}, nil, err
	}
	for _, r := range rs {
		raw, err := p.Read(ctx, r)
		if err != nil {
			return Whole{}, nil, err
		}
		if err := w.Add(raw); err != nil {
			return Whole{}, nil, err
		}
	}
	return w.Finish()
}
