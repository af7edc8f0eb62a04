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
// integer label "2.0" is class "2" only when all labels are integers, and
// a scikit-learn CSV header renames labels only when all index its
// names), so it keeps a sum per way of naming (data.Namings: at most that
// many row digests per row); Finish takes the one the classes are named by.
type WholeStream struct {
	scan   *data.Scan
	sums   [data.Namings]Fingerprint
	valid  [data.Namings]bool
	points hash.Hash
	buf    []byte
}

// NewWholeStream starts a WholeStream over p's ranges.
func NewWholeStream(p *data.RangePlan) (*WholeStream, error) {
	s, err := p.NewScan()
	if err != nil {
		return nil, err
	}
	w := &WholeStream{scan: s, points: sha256.New()}
	for i := range w.valid {
		w.valid[i] = true
	}
	return w, nil
}

// Add adds the next range's rows (data.RangePlan.Read's result).
func (w *WholeStream) Add(raw *data.RawRows) error {
	return w.scan.Add(raw, func(x []float64, label string, first bool) {
		d := RowDigest(x, label)
		for n := range w.sums {
			if !w.valid[n] {
				continue
			}
			switch name, ok := w.scan.Name(n, label); {
			case !ok:
				w.valid[n] = false
			case name == label:
				w.sums[n].AddDigest(d, 1)
			default:
				w.sums[n].AddDigest(RowDigest(x, name), 1)
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
	return Whole{Fingerprint: w.sums[sum.Naming], PointsSHA256: fmt.Sprintf("%x", w.points.Sum(nil)), Rows: sum.Rows, Points: sum.Points, Dim: sum.Dim}, sum, nil
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
