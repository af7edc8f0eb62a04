package data

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Scan validates a plan's ranges read one after another, in range order,
// by Load's rules (FromRaw: shape, finiteness, classes, duplicates,
// conflicting labels — the same first error, the same Notes), without
// holding the points: per distinct point it keeps the SHA-256 of its
// exact coordinates (the identity of a point; equal digests are taken as
// equal points), its first row's number and label, and per repeated row
// its position — O(distinct points + repeated rows) memory (≈ 100–150
// bytes per distinct point in Go's map, measured in docs/scale.md), on the
// one machine that scans. What a worker
// needs to build its shard of the dataset exactly as Load would (Shard)
// is the RangeSummary Finish returns.
type Scan struct {
	plan  *RangePlan
	opt   rawOptions
	whole *Dataset // a plan that is not splittable: its one range, loaded whole
	names []string // a CSV header's class names (headerNames)

	d, rows        int
	firstRowNumber int
	rangeStart     []int
	point          map[[32]byte]int32
	firstRow       []int   // per distinct point: its first row's number
	firstText      []int32 // and label text
	texts          []string
	textID         map[string]int32
	textRow        []int // per text: the number of the first row that uses it
	repeats        []repeat
}

// repeat is a row that repeats an earlier point: its position among all
// rows, its row number, the point and the row's label text.
type repeat struct {
	at, row     int
	point, text int32
}

// NewScan starts a scan of p's ranges.
func (p *RangePlan) NewScan() (*Scan, error) {
	s := &Scan{plan: p, point: map[[32]byte]int32{}, textID: map[string]int32{}}
	switch {
	case p.csv != nil:
		// the header's notes and class order depend on every label: Finish
		s.opt = p.csv.rawOptions(nil)
		if p.header != nil {
			s.names = headerNames(p.header)
		}
	case p.Splittable:
		var err error
		if s.opt, err = p.rawOptions(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// The ways Load may name a label's class, decided by the whole data (a
// RangeSummary's Naming): the label text itself, its integer's canonical
// decimal (when every label is an integer), the name a scikit-learn CSV
// header gives it (when every label indexes the header's names).
const (
	NameText = iota
	NameInt
	NameHeader
	Namings // the number of namings
)

// Name is label's class name under naming, and whether it has one.
func (s *Scan) Name(naming int, label string) (string, bool) {
	switch naming {
	case NameText:
		return label, true
	case NameInt:
		return IntLabel(label)
	case NameHeader:
		v, ok := parseIntLabel(label)
		if !ok || v < 0 || v >= int64(len(s.names)) {
			return "", false
		}
		return s.names[v], true
	}
	return "", false
}

// Add validates the rows of the next range (Read's result) and calls row
// for each, in order, with its features (−0 made +0), its label text and
// whether it is the first row of its point. It returns the first shape or
// finiteness error Load would return; label errors wait for Finish.
func (s *Scan) Add(raw *RawRows, row func(x []float64, label string, first bool)) error {
	s.rangeStart = append(s.rangeStart, s.rows)
	if !s.plan.Splittable {
		if raw.whole == nil || s.whole != nil {
			return errors.New("a plan that is not splittable has one range")
		}
		s.whole = raw.whole
		seen := make([]bool, raw.whole.N())
		for _, i := range raw.whole.Source {
			row(raw.whole.X[i], raw.whole.Classes[raw.whole.Y[i]], !seen[i])
			seen[i] = true
		}
		s.rows = len(raw.whole.Source)
		return nil
	}
	name := s.plan.Opt.Path
	col := s.opt.column
	if col == nil {
		col = func(k int) int { return k + 1 }
	}
	var buf []byte
	for i, x := range raw.X {
		r := raw.Rows[i]
		if s.rows == 0 && len(x) == 0 {
			return newError(name, r, "no features (the row holds only a label)")
		}
		if s.rows == 0 {
			s.d = len(x)
			s.firstRowNumber = r
		}
		if len(x) != s.d {
			return newError(name, r, fmt.Sprintf("%s, but row %d has %d", plural(len(x), "feature"), s.firstRowNumber, s.d))
		}
		buf = buf[:0]
		for k, v := range x {
			switch {
			case math.IsNaN(v):
				return newError(name, r, fmt.Sprintf("column %d is NaN", col(k)))
			case math.IsInf(v, 0):
				return newError(name, r, fmt.Sprintf("column %d is %+g", col(k), v))
			case v == 0:
				x[k] = 0
			}
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(x[k]))
		}
		label := raw.Labels[i]
		t, ok := s.textID[label]
		if !ok {
			t = int32(len(s.texts))
			s.textID[label] = t
			s.texts = append(s.texts, label)
			s.textRow = append(s.textRow, r)
		}
		key := sha256.Sum256(buf)
		p, seen := s.point[key]
		if !seen && len(s.firstRow) == math.MaxInt32 {
			return newError(name, r, fmt.Sprintf("more than %d distinct points", math.MaxInt32))
		}
		if seen {
			s.repeats = append(s.repeats, repeat{at: s.rows, row: r, point: p, text: t})
		} else {
			s.point[key] = int32(len(s.firstRow))
			s.firstRow = append(s.firstRow, r)
			s.firstText = append(s.firstText, t)
		}
		row(x, label, !seen)
		s.rows++
	}
	return nil
}

// RangeSummary is what a scan learned of the whole dataset: what Shard
// needs to build a shard of it as Load would, and its counts.
type RangeSummary struct {
	Name    string
	Classes []string
	// ClassOf is the class index of each label text.
	ClassOf map[string]int
	// Naming is how the classes are named (NameText, NameInt, NameHeader).
	Naming int
	// Rows, Points, Dim and Duplicates are Load's N()+Duplicates, N(),
	// D() and Duplicates; Notes its Notes.
	Rows, Points, Dim, Duplicates int
	Notes                         []string
	// RangeStart is the position, among all rows, of each range's first
	// row; Repeats the positions of the rows that repeat an earlier point,
	// ascending.
	RangeStart []int
	Repeats    []int
}

// Finish ends the scan: the whole data's classes, duplicates and counts,
// or the error Load returns for it (a label with a line break or not of
// the header's classes, conflicting labels, no rows).
func (s *Scan) Finish() (*RangeSummary, error) {
	name := s.plan.Opt.Path
	if ds := s.whole; ds != nil {
		sum := &RangeSummary{Name: ds.Name, Classes: ds.Classes, ClassOf: map[string]int{}, Rows: len(ds.Source), Points: ds.N(), Dim: ds.D(), Duplicates: ds.Duplicates, Notes: ds.Notes, RangeStart: s.rangeStart}
		for c, t := range ds.Classes {
			sum.ClassOf[t] = c
		}
		seen := make([]bool, ds.N())
		for at, i := range ds.Source {
			if seen[i] {
				sum.Repeats = append(sum.Repeats, at)
			}
			seen[i] = true
		}
		return sum, nil
	}
	if s.rows == 0 {
		return nil, newError(name, 0, "no data rows")
	}
	texts := s.texts
	if h := s.plan.header; h != nil && s.plan.csv != nil {
		texts = slices.Clone(s.texts) // the header may rename them
		s.opt.notes, s.opt.classOrder = s.plan.csv.headerNote(h, texts, s.rows)
	}
	classes, classOf, err := classify(name, texts, s.textRow, s.opt.classOrder)
	if err != nil {
		return nil, err
	}
	sum := &RangeSummary{Name: name, Classes: classes, ClassOf: make(map[string]int, len(s.texts)), Rows: s.rows, Points: len(s.firstRow), Dim: s.d, RangeStart: s.rangeStart}
	allInt := true
	for u, t := range s.texts {
		sum.ClassOf[t] = classOf[u]
		if _, ok := parseIntLabel(t); !ok {
			allInt = false
		}
	}
	switch {
	case s.opt.classOrder != nil:
		sum.Naming = NameHeader
	case allInt:
		sum.Naming = NameInt
	}
	var dups, conflicts []string
	nConflict := 0
	var conflict repeat
	for _, r := range s.repeats {
		first := s.firstText[r.point]
		if classOf[first] == classOf[r.text] {
			sum.Duplicates++
			sum.Repeats = append(sum.Repeats, r.at)
			if len(dups) < maxListed {
				dups = append(dups, fmt.Sprintf("row %d repeats row %d", r.row, s.firstRow[r.point]))
			}
			continue
		}
		if nConflict == 0 {
			conflict = r
		}
		nConflict++
		if len(conflicts) < maxListed {
			conflicts = append(conflicts, fmt.Sprintf("rows %d and %d (%q and %q)", s.firstRow[r.point], r.row, s.texts[first], s.texts[r.text]))
		}
	}
	if nConflict == 1 {
		c := conflict
		return nil, newError(name, 0, fmt.Sprintf("rows %d and %d are the same point with different labels (%q and %q): no function can memorize this",
			s.firstRow[c.point], c.row, s.texts[s.firstText[c.point]], s.texts[c.text]))
	}
	if nConflict > 1 {
		list := strings.Join(conflicts, ", ")
		if nConflict > len(conflicts) {
			list += ", ..."
		}
		return nil, newError(name, 0, fmt.Sprintf("%d rows repeat an earlier point with a different label: %s: no function can memorize this", nConflict, list))
	}
	sum.Notes = append([]string(nil), s.opt.notes...)
	if sum.Duplicates > 0 {
		list := strings.Join(dups, ", ")
		if sum.Duplicates > len(dups) {
			list += ", ..."
		}
		s := "s"
		if sum.Duplicates == 1 {
			s = ""
		}
		sum.Notes = append(sum.Notes, fmt.Sprintf("dropped %d duplicate row%s (%s)", sum.Duplicates, s, list))
	}
	if len(classes) == 1 {
		sum.Notes = append(sum.Notes, fmt.Sprintf("the data has a single class (%q): a constant network memorizes it", classes[0]))
	}
	return sum, nil
}

// IntLabel is the class name of an integer label (its canonical decimal:
// "2.0" and "02" are "2"), and whether the label is an integer.
func IntLabel(label string) (string, bool) {
	v, ok := parseIntLabel(label)
	if !ok {
		return "", false
	}
	return strconv.FormatInt(v, 10), true
}

// ShardRow is one row of a dataset read in ranges: the range it was read
// from (its index in the plan's ranges), its position in that range, its
// row number, features and label text.
type ShardRow struct {
	Range, Pos, Row int
	X               []float64
	Label           string
}

// Shard builds, from the rows of some distinct points of the dataset s
// summarizes (every row of each of those points, in any order), the
// dataset verdict.Select picks for them from Load's: their points in the
// order of first appearance, their first rows' numbers, classes and
// repeated rows as Load has them, and index[j] the number of point j among
// the whole dataset's distinct points. rows is sorted in place.
func (s *RangeSummary) Shard(rows []ShardRow) (part *Dataset, index []int, err error) {
	at := func(r ShardRow) int { return s.RangeStart[r.Range] + r.Pos }
	for _, r := range rows {
		if r.Range < 0 || r.Range >= len(s.RangeStart) {
			return nil, nil, fmt.Errorf("%s: row %d from range %d of %d", s.Name, r.Row, r.Range, len(s.RangeStart))
		}
	}
	sort.Slice(rows, func(i, j int) bool { return at(rows[i]) < at(rows[j]) })
	part = &Dataset{Name: s.Name, Classes: s.Classes}
	first := map[string]int{}
	for _, r := range rows {
		c, ok := s.ClassOf[r.Label]
		if !ok {
			return nil, nil, fmt.Errorf("%s: row %d: label %q is not one the scan saw", s.Name, r.Row, r.Label)
		}
		key := pointKey(r.X)
		if p, ok := first[key]; ok {
			if part.Y[p] != c {
				return nil, nil, fmt.Errorf("%s: rows %d and %d are the same point with different labels, which the scan did not see", s.Name, part.Rows[p], r.Row)
			}
			part.Source = append(part.Source, p)
			part.Duplicates++
			continue
		}
		p := len(part.X)
		first[key] = p
		part.Source = append(part.Source, p)
		part.X = append(part.X, r.X)
		part.Y = append(part.Y, c)
		part.Rows = append(part.Rows, r.Row)
		a := at(r)
		k, _ := slices.BinarySearch(s.Repeats, a)
		index = append(index, a-k)
	}
	return part, index, nil
}

// pointKey is a point's exact coordinates as a map key (−0 is +0 in
// validated rows).
func pointKey(x []float64) string {
	b := make([]byte, 0, 8*len(x))
	for _, v := range x {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	return string(b)
}

// ShardRows are the rows of r, read from the plan's range number rng, as
// ShardRow values (−0 made +0; a plan read whole: every row of the file,
// labelled by its class).
func (r *RawRows) ShardRows(rng int) []ShardRow {
	if ds := r.whole; ds != nil {
		out := make([]ShardRow, len(ds.Source))
		for pos, i := range ds.Source {
			out[pos] = ShardRow{Range: rng, Pos: pos, Row: ds.Rows[i], X: ds.X[i], Label: ds.Classes[ds.Y[i]]}
		}
		return out
	}
	out := make([]ShardRow, len(r.X))
	for pos, x := range r.X {
		for k, v := range x {
			if v == 0 {
				x[k] = 0
			}
		}
		out[pos] = ShardRow{Range: rng, Pos: pos, Row: r.Rows[pos], X: x, Label: r.Labels[pos]}
	}
	return out
}
