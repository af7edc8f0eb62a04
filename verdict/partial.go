package verdict

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
)

// PartialFormat names the layout of a Partial in JSON. Version 2 names the
// data by a composable fingerprint (Fingerprint) instead of version 1's
// SHA-256 of the whole data; version 1 partials are refused.
const PartialFormat = "memnet-partial-verdict-2"

// Partial is the verdict on some shards of a dataset (all of one count k):
// the counts over their points, the wrong points of the lowest rows, and,
// for classification, the float32 and float64 certificates on their points
// (both always, so that shards merge). It names the network by a hash and
// the whole dataset by its fingerprint and counts, so that only parts of
// one verification merge, and carries the fingerprint of its own shards'
// rows, so that a merge checks that the shards' rows are the data's rows.
type Partial struct {
	Format string `json:"format"`
	// NetworkSHA256 is NetworkHash of the network.
	NetworkSHA256 string `json:"network_sha256"`
	// DataFingerprint is the Fingerprint of every row of the whole
	// dataset, DataDim its dimension; PointsSHA256 is nn.DataHash of its
	// distinct points (the data hash certificates state).
	DataFingerprint string `json:"data_fingerprint"`
	DataDim         int    `json:"data_dim"`
	PointsSHA256    string `json:"points_sha256"`
	// DataRows and DataPoints are the whole dataset's rows and distinct points.
	DataRows   int `json:"data_rows"`
	DataPoints int `json:"data_points"`
	// Count is k; Shards the indices of the shards covered, ascending;
	// ShardFingerprint the Fingerprint of the covered shards' rows.
	Count            int    `json:"shard_count"`
	Shards           []int  `json:"shards"`
	ShardFingerprint string `json:"shard_fingerprint"`
	// Classes are the network's class labels.
	Classes   []string  `json:"classes"`
	Criterion Criterion `json:"criterion"`
	// Result is the verdict on the covered shards' points (Exact, Float64
	// and Float32 say whether all of those are right).
	Result *Result `json:"result"`
	// CertPoints holds, per certificate of Result, its FailPoint and
	// WherePoint (0-based point numbers in the whole dataset, -1 for none).
	CertPoints [][2]int `json:"certificate_points,omitempty"`
}

// NetworkHash is the SHA-256 (hex) of a network's exact weights,
// activations and shape (nn.NetworkHash) and its class labels in order.
func NetworkHash(net *nn.Network, classes []string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%d\n", nn.NetworkHash(net), len(classes))
	for _, c := range classes {
		fmt.Fprintf(h, "%d:%s\n", len(c), c)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

// Whole names the whole dataset that partial verdicts are parts of: its
// fingerprint, the hash certificates state, its counts and dimension,
// computed once by whoever reads the whole data (WholeOf), not per shard.
type Whole struct {
	Fingerprint  Fingerprint
	PointsSHA256 string
	Rows, Points int
	Dim          int
}

// WholeOf is the Whole of ds: FingerprintOf, nn.DataHash of its distinct
// points, its rows, distinct points and dimension.
func WholeOf(ds *data.Dataset) Whole {
	return Whole{Fingerprint: FingerprintOf(ds), PointsSHA256: nn.DataHash(ds.X), Rows: ds.N() + ds.Duplicates, Points: ds.N(), Dim: ds.D()}
}

// NewPartial wraps the verdict r on shard s of the dataset whole names (r
// judged part, the points Select returns for s, with certificates from
// nn.CertifyPoints numbered in the whole dataset) as a Partial; netHash is
// NetworkHash of the network and classes.
func NewPartial(netHash string, classes []string, whole Whole, s Shard, part *data.Dataset, c Criterion, r *Result) *Partial {
	p := &Partial{
		Format: PartialFormat, NetworkSHA256: netHash, DataFingerprint: whole.Fingerprint.String(), DataDim: whole.Dim, PointsSHA256: whole.PointsSHA256,
		DataRows: whole.Rows, DataPoints: whole.Points, Count: s.Count, Shards: []int{s.Index}, ShardFingerprint: FingerprintOf(part).String(),
		Classes: classes, Criterion: c, Result: r,
	}
	for _, ct := range r.Certificates {
		p.CertPoints = append(p.CertPoints, [2]int{ct.FailPoint, ct.WherePoint})
	}
	return p
}

// WriteJSON writes p as indented JSON.
func (p *Partial) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(p)
}

// ReadPartial reads a Partial written by WriteJSON; name is used in errors.
// It checks the layout and that the counts are consistent (none negative
// or above the points); Combine and Merge check that parts agree. A
// partial verdict is trusted as a verdict file is: merge does not
// re-evaluate its points.
func ReadPartial(r io.Reader, name string) (*Partial, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	// the format first, so that an older partial is named as such
	var f struct {
		Format string `json:"format"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("%s: not a partial verdict: %v", name, err)
	}
	if f.Format != PartialFormat {
		return nil, fmt.Errorf("%s: not a partial verdict of this version (format %.40q, want %q; write it again with this memnet)", name, f.Format, PartialFormat)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var p Partial
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%s: not a partial verdict: %v", name, err)
	}
	if _, err := ParseFingerprint(p.DataFingerprint); err != nil {
		return nil, fmt.Errorf("%s: data_fingerprint: %v", name, err)
	}
	if _, err := ParseFingerprint(p.ShardFingerprint); err != nil {
		return nil, fmt.Errorf("%s: shard_fingerprint: %v", name, err)
	}
	if p.DataDim < 0 {
		return nil, fmt.Errorf("%s: negative data_dim", name)
	}
	if p.Result == nil {
		return nil, fmt.Errorf("%s: partial verdict without a result", name)
	}
	if p.Count < 1 || p.Count > MaxShards || len(p.Shards) == 0 || len(p.Shards) > p.Count {
		return nil, fmt.Errorf("%s: partial verdict with shard count %d and %d shards", name, p.Count, len(p.Shards))
	}
	for i, s := range p.Shards {
		if s < 0 || s >= p.Count || (i > 0 && s <= p.Shards[i-1]) {
			return nil, fmt.Errorf("%s: shard list is not ascending indices below %d", name, p.Count)
		}
	}
	res := p.Result
	if res.Points < res.DistinctPoints || res.DistinctPoints < 0 || p.DataPoints < res.DistinctPoints || p.DataRows < res.Points || p.DataRows < p.DataPoints ||
		min(res.ExactCorrect, res.ExactEqual, res.Float64Correct, res.Float32Correct, res.Float64BitExact) < 0 ||
		max(res.ExactCorrect, res.ExactEqual, res.Float64Correct, res.Float32Correct, res.Float64BitExact) > res.DistinctPoints {
		return nil, fmt.Errorf("%s: partial verdict with inconsistent counts", name)
	}
	if err := checkListed(&p); err != nil {
		return nil, fmt.Errorf("%s: partial verdict with inconsistent counts: %v", name, err)
	}
	if len(p.CertPoints) != len(p.Result.Certificates) {
		return nil, fmt.Errorf("%s: %d certificates but %d certificate point pairs", name, len(p.Result.Certificates), len(p.CertPoints))
	}
	for k, c := range p.Result.Certificates {
		if c == nil {
			return nil, fmt.Errorf("%s: certificate %d is null", name, k+1)
		}
		c.FailPoint, c.WherePoint = p.CertPoints[k][0], p.CertPoints[k][1]
	}
	return &p, nil
}

// Combine returns the partial verdict on the shards of a and b, which must
// be parts of one verification (same network, data, criterion and count)
// covering disjoint shards. It is associative and commutative up to the
// order of equal-row entries (there are none: rows are distinct), so
// shards may be combined in any grouping.
func Combine(a, b *Partial) (*Partial, error) {
	switch {
	case a.Format != b.Format:
		return nil, errors.New("partial verdicts of different formats")
	case a.NetworkSHA256 != b.NetworkSHA256:
		return nil, errors.New("partial verdicts of different networks (network SHA-256 differs)")
	case a.DataFingerprint != b.DataFingerprint || a.DataDim != b.DataDim || a.PointsSHA256 != b.PointsSHA256 || a.DataRows != b.DataRows || a.DataPoints != b.DataPoints:
		return nil, errors.New("partial verdicts of different data (data fingerprint differs)")
	case a.Count != b.Count:
		return nil, fmt.Errorf("partial verdicts of different shard counts (%d and %d)", a.Count, b.Count)
	case a.Criterion != b.Criterion:
		return nil, errors.New("partial verdicts judged by different criteria (--regression/--eps)")
	case !slices.Equal(a.Classes, b.Classes):
		return nil, errors.New("partial verdicts with different class labels")
	case len(a.Result.Certificates) != len(b.Result.Certificates):
		return nil, errors.New("partial verdicts with different certificates")
	}
	shards := append(slices.Clone(a.Shards), b.Shards...)
	sort.Ints(shards)
	for i := 1; i < len(shards); i++ {
		if shards[i] == shards[i-1] {
			return nil, fmt.Errorf("shard %d/%d is given twice", shards[i], a.Count)
		}
	}
	r, err := combineResults(a.Result, b.Result)
	if err != nil {
		return nil, err
	}
	fa, err := ParseFingerprint(a.ShardFingerprint)
	if err != nil {
		return nil, fmt.Errorf("shard fingerprint: %v", err)
	}
	fb, err := ParseFingerprint(b.ShardFingerprint)
	if err != nil {
		return nil, fmt.Errorf("shard fingerprint: %v", err)
	}
	fa.Add(fb)
	p := *a
	p.Shards, p.Result, p.ShardFingerprint = shards, r, fa.String()
	p.CertPoints = nil
	for _, c := range r.Certificates {
		p.CertPoints = append(p.CertPoints, [2]int{c.FailPoint, c.WherePoint})
	}
	return &p, nil
}

// Merge combines the partial verdicts of every shard of one verification
// and returns the verdict on the whole dataset: the same Result a
// verification of the whole dataset returns (timings summed; the evaluator
// descriptions of shards that differ are listed). It checks that the parts
// agree on network, data and criterion, and that their shards are disjoint
// and complete.
func Merge(parts []*Partial) (*Result, error) {
	if len(parts) == 0 {
		return nil, errors.New("merge: no partial verdicts")
	}
	acc := parts[0]
	for _, p := range parts[1:] {
		var err error
		if acc, err = Combine(acc, p); err != nil {
			return nil, err
		}
	}
	if len(acc.Shards) != acc.Count {
		var missing []string
		have := map[int]bool{}
		for _, s := range acc.Shards {
			have[s] = true
		}
		for i := 0; i < acc.Count && len(missing) < 5; i++ {
			if !have[i] {
				missing = append(missing, fmt.Sprintf("%d/%d", i, acc.Count))
			}
		}
		list := strings.Join(missing, ", ")
		if acc.Count-len(acc.Shards) > len(missing) {
			list += ", ..."
		}
		return nil, fmt.Errorf("merge: %d of %d shards missing (%s)", acc.Count-len(acc.Shards), acc.Count, list)
	}
	r := *acc.Result
	if r.DistinctPoints != acc.DataPoints || r.Points != acc.DataRows {
		return nil, fmt.Errorf("merge: the shards hold %d points (%d rows), the data %d (%d rows)", r.DistinctPoints, r.Points, acc.DataPoints, acc.DataRows)
	}
	if acc.ShardFingerprint != acc.DataFingerprint {
		return nil, errors.New("merge: the shards' rows are not the data's rows (their fingerprints differ)")
	}
	r.Certificates = nil
	for k, c := range acc.Result.Certificates {
		c := *c
		c.DataSHA256 = acc.PointsSHA256
		r.Certificates = append(r.Certificates, &c)
		if k == 0 && c.Proven {
			break // a float32 certificate implies the float64 one
		}
	}
	return &r, nil
}

// combineResults adds the verdicts on two disjoint sets of points.
func combineResults(a, b *Result) (*Result, error) {
	if a.DistinctPoints == 0 {
		a, b = b, a
	}
	r := *a
	if b.DistinctPoints > 0 {
		if a.Proof != b.Proof || a.Regression != b.Regression || a.Eps != b.Eps || a.FileClaim != b.FileClaim {
			return nil, errors.New("partial verdicts reached by different proofs")
		}
		if b.Evaluator != a.Evaluator && !strings.Contains(a.Evaluator, b.Evaluator) {
			r.Evaluator = a.Evaluator + " | " + b.Evaluator
		}
	}
	r.Points += b.Points
	r.DistinctPoints += b.DistinctPoints
	r.ExactCorrect += b.ExactCorrect
	r.ExactEqual += b.ExactEqual
	r.Float64Correct += b.Float64Correct
	r.Float32Correct += b.Float32Correct
	r.Float64BitExact += b.Float64BitExact
	r.Seconds += b.Seconds
	r.ExactSeconds += b.ExactSeconds
	r.FloatSeconds += b.FloatSeconds
	if a.FloatWeights != nil && b.FloatWeights != nil {
		fw := *a.FloatWeights
		fw.Float64Correct += b.FloatWeights.Float64Correct
		fw.Float32Correct += b.FloatWeights.Float32Correct
		fw.Float64BitExact += b.FloatWeights.Float64BitExact
		r.FloatWeights = &fw
	} else if r.FloatWeights == nil {
		r.FloatWeights = b.FloatWeights
	}
	r.Wrong = append(slices.Clone(a.Wrong), b.Wrong...)
	sort.Slice(r.Wrong, func(i, j int) bool { return r.Wrong[i].Row < r.Wrong[j].Row })
	if len(r.Wrong) > MaxWrong {
		r.Wrong = r.Wrong[:MaxWrong]
	}
	if len(r.Wrong) == 0 {
		r.Wrong = nil
	}
	unk := append(slices.Clone(a.UnknownLabels), b.UnknownLabels...)
	sort.Strings(unk)
	r.UnknownLabels = slices.Compact(unk)
	if len(r.UnknownLabels) == 0 {
		r.UnknownLabels = nil
	}
	if r.Regression {
		r.MaxError = max(a.MaxError, b.MaxError)
		r.Exact = a.Exact && b.Exact
		r.ExactCorrect = 0
		if r.Exact {
			r.ExactCorrect = r.DistinctPoints
		}
	} else {
		r.Exact = r.ExactCorrect == r.DistinctPoints
		r.Float64 = r.Float64Correct == r.DistinctPoints
		r.Float32 = r.Float32Correct == r.DistinctPoints
	}
	r.Certificates = nil
	for k := range a.Certificates {
		r.Certificates = append(r.Certificates, combineCerts(a.Certificates[k], b.Certificates[k]))
	}
	return &r, nil
}

// combineCerts is the certificate on the points of two disjoint sets, as
// nn.Certify gives it on their union: the failure at the lowest point (a
// failure in the weights is the same in both), else the largest partial
// sums, the lowest point among equal largest units.
func combineCerts(a, b *nn.Certificate) *nn.Certificate {
	c := *a
	c.Points = a.Points + b.Points
	c.Outputs = nil
	switch {
	case !a.Proven && !b.Proven:
		if a.FailPoint >= 0 && (b.FailPoint < 0 || b.FailPoint < a.FailPoint) {
			c.Reason, c.FailPoint = b.Reason, b.FailPoint
		}
		return &c
	case !a.Proven:
		return &c
	case !b.Proven:
		c = *b
		c.Points = a.Points + b.Points
		c.Outputs = nil
		return &c
	}
	c.MaxPositive, c.MaxNegative = max(a.MaxPositive, b.MaxPositive), max(a.MaxNegative, b.MaxNegative)
	if b.MaxUnits > a.MaxUnits || (b.MaxUnits == a.MaxUnits && b.WherePoint >= 0 && (a.WherePoint < 0 || b.WherePoint < a.WherePoint)) {
		c.MaxUnits, c.Where, c.WherePoint = b.MaxUnits, b.Where, b.WherePoint
	}
	return &c
}
