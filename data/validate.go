package data

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// maxListed is how many row pairs a message or note lists before "...".
const maxListed = 5

// FromRaw validates raw rows and builds a Dataset.
//
// x[i] is the i-th data row, labels[i] its label text and rows[i] its 1-based
// row number in the source, used in messages (rows may be nil: then row i is
// numbered i+1). name is used as FILE in errors and as the Dataset's Name.
//
// FromRaw does not copy the rows: the Dataset shares them with x, and a
// negative zero coordinate is rewritten to +0 in place.
//
// The rules, each failure an *Error:
//   - there must be at least one row and one feature, and every row must have
//     as many features as the first;
//   - every coordinate must be finite (no NaN, no ±Inf);
//   - a point that repeats an earlier point (every coordinate equal as a
//     float64) with the same label is dropped and counted in Duplicates, with
//     a Note; with a different label it is an error, since no function can
//     memorize both;
//   - classes: when every label is an integer (also written as an integral
//     float such as "2.0", up to 2^53 in magnitude), classes are sorted
//     numerically and named by the integer's canonical decimal ("02" and "2"
//     are the same class "2"); otherwise labels are classes as they are,
//     sorted as strings. Y holds indices into Classes;
//   - a single class is allowed, with a Note.
func FromRaw(name string, x [][]float64, labels []string, rows []int) (*Dataset, error) {
	return fromRaw(name, x, labels, rows, rawOptions{})
}

// rawOptions are the loaders' extra settings for fromRaw.
type rawOptions struct {
	// classOrder, when not nil, gives the classes in order; every label must
	// be one of them. Classes that no row uses are left out.
	classOrder []string
	// column maps a 0-based feature index to the 1-based column number used
	// in messages; nil means index+1.
	column func(int) int
	// notes come first in the Dataset's Notes.
	notes []string
}

func fromRaw(name string, x [][]float64, labels []string, rows []int, opt rawOptions) (*Dataset, error) {
	n := len(x)
	if n == 0 {
		return nil, newError(name, 0, "no data rows")
	}
	if len(labels) != n {
		return nil, newError(name, 0, fmt.Sprintf("%d data rows but %d labels", n, len(labels)))
	}
	if rows == nil {
		rows = make([]int, n)
		for i := range rows {
			rows[i] = i + 1
		}
	} else if len(rows) != n {
		return nil, newError(name, 0, fmt.Sprintf("%d data rows but %d row numbers", n, len(rows)))
	}
	col := opt.column
	if col == nil {
		col = func(k int) int { return k + 1 }
	}

	// Shape and finiteness.
	d := len(x[0])
	if d == 0 {
		return nil, newError(name, rows[0], "no features (the row holds only a label)")
	}
	for i, xi := range x {
		if len(xi) != d {
			return nil, newError(name, rows[i], fmt.Sprintf("%s, but row %d has %d", plural(len(xi), "feature"), rows[0], d))
		}
		for k, v := range xi {
			switch {
			case math.IsNaN(v):
				return nil, newError(name, rows[i], fmt.Sprintf("column %d is NaN", col(k)))
			case math.IsInf(v, 0):
				return nil, newError(name, rows[i], fmt.Sprintf("column %d is %+g", col(k), v))
			case v == 0:
				xi[k] = 0 // -0 becomes +0
			}
		}
	}

	// Classes.
	classes, classOf, err := classify(name, labels, rows, opt.classOrder)
	if err != nil {
		return nil, err
	}

	// Duplicates and conflicts: a hash of the bit patterns, with chains for
	// collisions; equal bit patterns are equal values since there is no NaN
	// and no -0 left.
	type pair struct{ first, later int } // indices into x
	var (
		keep      = make([]int, 0, n)
		next      = make([]int32, 0, n)
		head      = make(map[uint64]int32, n)
		dups      []pair
		nDups     int
		conflicts []pair
		nConflict int
		source    = make([]int, n)
	)
	for i, xi := range x {
		h := hashRow(xi)
		found := -1
		if k, ok := head[h]; ok {
			for ; k >= 0; k = next[k] {
				if slices.Equal(x[keep[k]], xi) {
					found = keep[k]
					source[i] = int(k)
					break
				}
			}
		}
		if found >= 0 {
			if classOf[found] == classOf[i] {
				nDups++
				if len(dups) < maxListed {
					dups = append(dups, pair{found, i})
				}
			} else {
				nConflict++
				if len(conflicts) < maxListed {
					conflicts = append(conflicts, pair{found, i})
				}
			}
			continue
		}
		prev, ok := head[h]
		if !ok {
			prev = -1
		}
		head[h] = int32(len(keep))
		source[i] = len(keep)
		next = append(next, prev)
		keep = append(keep, i)
	}
	if nConflict > 0 {
		parts := make([]string, len(conflicts))
		for j, c := range conflicts {
			parts[j] = fmt.Sprintf("rows %d and %d (%q and %q)", rows[c.first], rows[c.later], labels[c.first], labels[c.later])
		}
		var reason string
		if nConflict == 1 {
			c := conflicts[0]
			reason = fmt.Sprintf("rows %d and %d are the same point with different labels (%q and %q): no function can memorize this",
				rows[c.first], rows[c.later], labels[c.first], labels[c.later])
		} else {
			list := strings.Join(parts, ", ")
			if nConflict > len(conflicts) {
				list += ", ..."
			}
			reason = fmt.Sprintf("%d rows repeat an earlier point with a different label: %s: no function can memorize this", nConflict, list)
		}
		return nil, newError(name, 0, reason)
	}

	ds := &Dataset{
		Name:       name,
		X:          make([][]float64, len(keep)),
		Y:          make([]int, len(keep)),
		Classes:    classes,
		Rows:       make([]int, len(keep)),
		Duplicates: nDups,
		Source:     source,
		Notes:      append([]string(nil), opt.notes...),
	}
	for j, i := range keep {
		ds.X[j] = x[i]
		ds.Y[j] = classOf[i]
		ds.Rows[j] = rows[i]
	}
	if nDups > 0 {
		parts := make([]string, len(dups))
		for j, p := range dups {
			parts[j] = fmt.Sprintf("row %d repeats row %d", rows[p.later], rows[p.first])
		}
		list := strings.Join(parts, ", ")
		if nDups > len(dups) {
			list += ", ..."
		}
		s := "s"
		if nDups == 1 {
			s = ""
		}
		ds.Notes = append(ds.Notes, fmt.Sprintf("dropped %d duplicate row%s (%s)", nDups, s, list))
	}
	if len(classes) == 1 {
		ds.Notes = append(ds.Notes, fmt.Sprintf("the data has a single class (%q): a constant network memorizes it", classes[0]))
	}
	return ds, nil
}

// lineBreaks are the characters that end a line in some reader.
const lineBreaks = "\n\r\v\f\u0085\u2028\u2029"

// classify maps labels to classes. It returns the class texts and, for each
// row, its class index.
func classify(name string, labels []string, rows []int, order []string) ([]string, []int, error) {
	// Work on the distinct label texts: there are usually few.
	uniq := make(map[string]int)
	var texts []string
	idx := make([]int, len(labels))
	for i, l := range labels {
		u, ok := uniq[l]
		if !ok {
			if strings.ContainsAny(l, lineBreaks) {
				// predict prints one label per line
				return nil, nil, newError(name, rows[i], fmt.Sprintf("label %q contains a line break", abbreviate(l, 40)))
			}
			u = len(texts)
			uniq[l] = u
			texts = append(texts, l)
		}
		idx[i] = u
	}

	var classes []string
	textClass := make([]int, len(texts)) // distinct text -> class index
	switch {
	case order != nil:
		pos := make(map[string]int, len(order))
		for i, c := range order {
			if _, dup := pos[c]; !dup {
				pos[c] = i
			}
		}
		used := make([]bool, len(order))
		for _, t := range texts {
			p, ok := pos[t]
			if !ok {
				first := slices.Index(labels, t)
				return nil, nil, newError(name, rows[first], fmt.Sprintf("label %q is not a known class", t))
			}
			used[p] = true
		}
		remap := make([]int, len(order))
		for i, c := range order {
			if used[i] {
				remap[i] = len(classes)
				classes = append(classes, c)
			}
		}
		for u, t := range texts {
			textClass[u] = remap[pos[t]]
		}

	default:
		vals := make([]int64, len(texts))
		allInt := true
		for u, t := range texts {
			v, ok := parseIntLabel(t)
			if !ok {
				allInt = false
				break
			}
			vals[u] = v
		}
		if allInt {
			distinct := slices.Clone(vals)
			slices.Sort(distinct)
			distinct = slices.Compact(distinct)
			classes = make([]string, len(distinct))
			for c, v := range distinct {
				classes[c] = strconv.FormatInt(v, 10)
			}
			for u, v := range vals {
				textClass[u], _ = slices.BinarySearch(distinct, v)
			}
		} else {
			classes = slices.Clone(texts)
			slices.Sort(classes)
			for u, t := range texts {
				textClass[u], _ = slices.BinarySearch(classes, t)
			}
		}
	}

	classOf := make([]int, len(labels))
	for i, u := range idx {
		classOf[i] = textClass[u]
	}
	return classes, classOf, nil
}

// parseIntLabel reports whether s is an integer label: a decimal integer
// that fits in int64, or a float with an integral value of magnitude at most
// 2^53 (such as "3.0" or "1e+00", as written by np.savetxt).
func parseIntLabel(s string) (int64, bool) {
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		return v, true
	}
	if strings.ContainsRune(s, '_') {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, false
	}
	return int64(f), true
}

// hashRow hashes the bit patterns of a row.
func hashRow(x []float64) uint64 {
	h := uint64(len(x))*0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019
	for _, v := range x {
		h ^= math.Float64bits(v)
		h *= 0xBF58476D1CE4E5B9
		h ^= h >> 31
	}
	return h
}

// plural formats a count and a noun, adding "s" unless the count is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
