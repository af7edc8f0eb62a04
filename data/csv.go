package data

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/memnet/memnet/limits"
)

// maxLineBytes bounds the length of one text line.
const maxLineBytes = 1 << 28

// ReadCSV reads a labelled dataset from delimited text, gzip-compressed or
// not (gzip is recognized by its magic bytes). name is used in messages and
// as the Dataset's Name; labelCol selects the label column as in
// LoadOptions.LabelCol.
//
// Format:
//   - Fields are separated by commas; a file whose first line has no comma is
//     split on runs of white space instead (as np.savetxt writes by default).
//     Space around fields is trimmed, and a field may be quoted with double
//     quotes ("" inside quotes is a quote); a quoted field cannot span lines.
//   - Blank lines and lines starting with '#' are skipped.
//   - The first line is a header if a field other than the label is not a
//     number, if its label is not a number while the next line's is, or if
//     it is in scikit-learn's style, "N,d,name0,name1,...", with a different
//     number of fields than the next line and d matching its features (any
//     other difference in field counts is an error). Such a header names the
//     classes when the labels are integers 0..k-1 indexing those names.
//   - Feature fields must parse as float64 (decimal or hexadecimal; values
//     beyond the float64 range, or that underflow to 0, are errors). Labels
//     are arbitrary non-empty text.
//
// Rows in messages and in Dataset.Rows are line numbers in the file (the
// header line, comment and blank lines count), so an editor can jump to them.
func ReadCSV(r io.Reader, name string, labelCol int) (*Dataset, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, &Error{File: name, Reason: "not a valid gzip file: " + err.Error(), Err: err}
		}
		defer zr.Close()
		br = bufio.NewReaderSize(limitInput(zr), 1<<16)
	}
	p := &csvParser{name: name, lr: lineReader{br: br}, labelCol: labelCol}
	return p.parse()
}

// csvParser holds the state of one ReadCSV call.
type csvParser struct {
	name     string
	lr       lineReader
	labelCol int
	ws       bool // split on white space instead of commas
	delimSet bool // ws has been decided

	nfields int // fields per data row
	lc      int // 0-based label column
	first   int // line of the first data row

	backing    []float64
	labels     []string
	labelBytes int64 // memory of the distinct label texts
	rows       []int
	intern     map[string]string
}

// record is one split line; end is the reader's byte offset after it.
type record struct {
	line   int
	fields []string
	end    int64
}

func (p *csvParser) parse() (*Dataset, error) {
	// The first two records decide the delimiter and the header.
	var recs []record
	for len(recs) < 2 {
		rec, ok, err := p.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		recs = append(recs, rec)
	}
	if len(recs) == 0 {
		return nil, newError(p.name, 0, "no data rows")
	}

	if _, ok := resolveCol(p.labelCol, len(recs[0].fields)); !ok && (len(recs) == 1 || len(recs[1].fields) == len(recs[0].fields)) {
		return nil, newError(p.name, recs[0].line, fmt.Sprintf("label column %d is out of range: the row has %d fields", p.labelCol, len(recs[0].fields)))
	}
	var header *record
	isHeader, err := p.isHeader(recs)
	if err != nil {
		return nil, err
	}
	if isHeader {
		header = &recs[0]
		recs = recs[1:]
	}
	p.intern = make(map[string]string)
	for _, rec := range recs {
		if err := p.add(rec); err != nil {
			return nil, err
		}
	}
	if err := p.addAll(); err != nil {
		return nil, err
	}
	return p.finish(header)
}

// addAll adds every record up to the end of the input (or of the range).
func (p *csvParser) addAll() error {
	for {
		rec, ok, err := p.next()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		if err := p.add(rec); err != nil {
			return err
		}
	}
}

// finish validates the rows read (header: the header record, or nil).
func (p *csvParser) finish(header *record) (*Dataset, error) {
	if len(p.rows) == 0 {
		return nil, newError(p.name, 0, "no data rows")
	}
	opt := p.rawOptions(header)
	d := p.nfields - 1
	x := make([][]float64, len(p.rows))
	for i := range x {
		x[i] = p.backing[i*d : (i+1)*d : (i+1)*d]
	}
	return fromRaw(p.name, x, p.labels, p.rows, opt)
}

// rawOptions are the settings fromRaw validates the rows with (header:
// the header record, or nil).
func (p *csvParser) rawOptions(header *record) rawOptions {
	lc := p.lc
	opt := rawOptions{column: func(k int) int {
		if k < lc {
			return k + 1
		}
		return k + 2
	}}
	if header != nil {
		opt.notes, opt.classOrder = p.headerNote(header, p.labels, len(p.rows))
	}
	return opt
}

// next returns the next non-blank, non-comment line, split into fields.
func (p *csvParser) next() (record, bool, error) {
	for {
		line, ok, err := p.lr.next()
		if err != nil {
			return record{}, false, &Error{File: p.name, Row: p.lr.line, Reason: err.Error(), Err: err}
		}
		if !ok {
			return record{}, false, nil
		}
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || trimmed[0] == '#' {
			continue
		}
		if !p.delimSet {
			p.ws = !strings.ContainsRune(line, ',')
			p.delimSet = true
		}
		var fields []string
		if p.ws {
			fields = strings.Fields(line)
			for i, f := range fields {
				if len(f) >= 2 && f[0] == '"' && f[len(f)-1] == '"' {
					fields[i] = strings.ReplaceAll(f[1:len(f)-1], `""`, `"`)
				}
			}
		} else {
			fields, err = splitComma(line)
			if err != nil {
				return record{}, false, newError(p.name, p.lr.line, err.Error())
			}
		}
		return record{line: p.lr.line, fields: fields, end: p.lr.off}, true, nil
	}
}

// isHeader decides whether the first record is a header. It refuses a
// first row that is neither a header nor like the rows below it.
func (p *csvParser) isHeader(recs []record) (bool, error) {
	r0 := recs[0].fields
	lc0, ok := resolveCol(p.labelCol, len(r0))
	if !ok {
		lc0 = -1
	}
	if len(recs) > 1 && len(recs[1].fields) != len(r0) {
		// Only a scikit-learn style header "N,d,names..." whose d matches
		// the next line; otherwise the file is ragged.
		if len(r0) >= 3 {
			_, err1 := strconv.ParseUint(r0[0], 10, 63)
			d, err2 := strconv.ParseUint(r0[1], 10, 63)
			if err1 == nil && err2 == nil && int(d) == len(recs[1].fields)-1 {
				return true, nil
			}
		}
	}
	// A header names the columns: every field is a name or a number, and
	// some feature field is a name ("x1,x2,label"), or there are at least
	// three feature fields numbering the columns 0..d-1 and the label's is a
	// name ("0,1,2,label", as pandas writes). A first row with a field that is
	// neither ("0,,0", "1_0,0,0", invalid UTF-8) is data, and refused as
	// any other row would be.
	named, numbered := false, true
	for k, f := range r0 {
		switch {
		case isNumeric(f):
			if k != lc0 {
				v, err := strconv.ParseInt(f, 10, 64)
				want := int64(k)
				if lc0 >= 0 && k > lc0 {
					want--
				}
				numbered = numbered && err == nil && v == want
			}
		case isName(f):
			if k != lc0 {
				named = true
			}
		default:
			return false, nil
		}
	}
	if named {
		return true, nil
	}
	if lc0 < 0 || isNumeric(r0[lc0]) {
		return false, nil
	}
	if numbered && isName(r0[lc0]) && len(r0) > 3 {
		return true, nil
	}
	if len(recs) > 1 {
		r1 := recs[1].fields
		if lc1, ok := resolveCol(p.labelCol, len(r1)); ok && len(r1) == len(r0) && isNumeric(r1[lc1]) {
			return false, newError(p.name, recs[0].line, fmt.Sprintf("label %q is text while the labels below it are numbers: "+
				"a header must name the feature columns too (such as x1,x2,label), and a data row's label must be like the others", abbreviate(r0[lc0], 40)))
		}
	}
	return false, nil
}

// isName reports whether a field can be a column name: valid UTF-8 without
// control characters, starting with a letter or '_' (so "1_0", "-" or ".5x"
// are malformed numbers, not names).
func isName(f string) bool {
	if f == "" || !utf8.ValidString(f) || isNumeric(f) {
		return false
	}
	for _, r := range f {
		if unicode.IsControl(r) {
			return false
		}
	}
	r, _ := utf8.DecodeRuneInString(f)
	return unicode.IsLetter(r) || r == '_'
}

// add parses one data record.
func (p *csvParser) add(rec record) error {
	if p.nfields == 0 {
		p.nfields = len(rec.fields)
		lc, ok := resolveCol(p.labelCol, p.nfields)
		if !ok {
			return newError(p.name, rec.line, fmt.Sprintf("label column %d is out of range: the row has %d fields", p.labelCol, p.nfields))
		}
		if p.nfields < 2 {
			return newError(p.name, rec.line, "the row has a single field: need at least one feature and a label")
		}
		p.lc = lc
		p.first = rec.line
	}
	if len(rec.fields) != p.nfields {
		return newError(p.name, rec.line, fmt.Sprintf("%s, but row %d has %d", plural(len(rec.fields), "field"), p.first, p.nfields))
	}
	if d := p.nfields - 1; len(p.backing)+d > cap(p.backing) {
		// The values' array is about to grow: check first what the dataset
		// holds once the new array is full (the rows it has room for, the
		// old and the new array during the copy).
		newCap := int64(max(2*cap(p.backing), len(p.backing)+d))
		n := newCap / int64(d)
		need := datasetBytes(int64(cap(p.backing))+newCap, n, p.labelBytes)
		if err := limits.CheckMemory(fmt.Sprintf("loading more than %d rows of %d values", len(p.rows), d), need); err != nil {
			return newLimitError(p.name, err)
		}
		p.backing = slices.Grow(p.backing, int(newCap)-len(p.backing))
	}
	for k, f := range rec.fields {
		if k == p.lc {
			if f == "" {
				return newError(p.name, rec.line, fmt.Sprintf("column %d: empty label", k+1))
			}
			l, ok := p.intern[f]
			if !ok {
				l = strings.Clone(f)
				p.intern[l] = l
				p.labelBytes += int64(len(l)) + 64
			}
			p.labels = append(p.labels, l)
			continue
		}
		v, problem := parseNumber(f)
		if problem != "" {
			return newError(p.name, rec.line, fmt.Sprintf("column %d: %s", k+1, problem))
		}
		p.backing = append(p.backing, v)
	}
	p.rows = append(p.rows, rec.line)
	return nil
}

// headerNames are the class names a scikit-learn style header ("N,d,
// names...") gives labels 0, 1, ...: nil for another header, or when the
// names are not distinct and non-empty.
func headerNames(h *record) []string {
	f := h.fields
	if len(f) < 3 {
		return nil
	}
	hn, err1 := strconv.ParseUint(f[0], 10, 63)
	hd, err2 := strconv.ParseUint(f[1], 10, 63)
	if err1 != nil || err2 != nil || hn == 0 || hd == 0 {
		return nil
	}
	seen := make(map[string]bool, len(f)-2)
	for _, nm := range f[2:] {
		if nm == "" || seen[nm] {
			return nil
		}
		seen[nm] = true
	}
	return f[2:]
}

// headerNote describes the header and, for a scikit-learn style header whose
// names fit the labels, rewrites labels to names and returns the class order.
//
// labels are the rows' labels (rewritten in place), n the number of rows.
func (p *csvParser) headerNote(h *record, labels []string, n int) ([]string, []string) {
	f := h.fields
	plain := fmt.Sprintf("line %d is a header: %s", h.line, abbreviate(strings.Join(f, ","), 80))
	if len(f) < 3 {
		return []string{plain}, nil
	}
	hn, err1 := strconv.ParseUint(f[0], 10, 63)
	hd, err2 := strconv.ParseUint(f[1], 10, 63)
	if err1 != nil || err2 != nil || hn == 0 || hd == 0 {
		return []string{plain}, nil // not "N,d,names" (pandas' "0,1,2,label" names columns)
	}
	names := f[2:]
	var notes []string
	if d := p.nfields - 1; int(hn) != n || int(hd) != d {
		notes = append(notes, fmt.Sprintf("the header on line %d says %s and %s, but the file has %s and %s", h.line,
			plural(int(hn), "row"), plural(int(hd), "feature"), plural(n, "row"), plural(d, "feature")))
	}
	// Names must be distinct and non-empty, and the labels integers indexing them.
	seen := make(map[string]bool, len(names))
	fit := true
	for _, nm := range names {
		if nm == "" || seen[nm] {
			fit = false
			break
		}
		seen[nm] = true
	}
	idx := make(map[string]string)
	for _, l := range labels {
		if !fit {
			break
		}
		if _, done := idx[l]; done {
			continue
		}
		v, ok := parseIntLabel(l)
		if !ok || v < 0 || v >= int64(len(names)) {
			fit = false
			break
		}
		idx[l] = names[v]
	}
	if !fit {
		notes = append([]string{plain + fmt.Sprintf(" (scikit-learn style, but its class names do not fit the labels: they are not all integers in 0..%d)", len(names)-1)}, notes...)
		return notes, nil
	}
	for i, l := range labels {
		labels[i] = idx[l]
	}
	quoted := make([]string, 0, min(len(names), 10))
	for _, nm := range names[:min(len(names), 10)] {
		quoted = append(quoted, strconv.Quote(nm))
	}
	list := strings.Join(quoted, ", ")
	if len(names) > 10 {
		list += ", ..."
	}
	notes = append([]string{fmt.Sprintf("line %d is a header (scikit-learn style: %d rows, %d features, classes %s)", h.line, hn, hd, list)}, notes...)
	return notes, names
}

// resolveCol turns a LabelCol value into a 0-based column index.
func resolveCol(labelCol, nfields int) (int, bool) {
	var c int
	switch {
	case labelCol == 0:
		c = nfields - 1
	case labelCol > 0:
		c = labelCol - 1
	default:
		c = nfields + labelCol
	}
	return c, c >= 0 && c < nfields
}

// parseNumber parses a feature field. On failure it returns a description of
// the problem.
func parseNumber(s string) (float64, string) {
	if s == "" {
		return 0, "empty field"
	}
	if strings.ContainsRune(s, '_') {
		return 0, fmt.Sprintf("%q is not a number", s)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return 0, fmt.Sprintf("%q is out of float64 range", s)
		}
		return 0, fmt.Sprintf("%q is not a number", abbreviate(s, 40))
	}
	if v == 0 && mantissaNonzero(s) {
		return 0, fmt.Sprintf("%q is out of float64 range (it underflows to 0)", s)
	}
	return v, ""
}

// isNumeric reports whether s looks like a number (possibly out of range).
func isNumeric(s string) bool {
	if s == "" || strings.ContainsRune(s, '_') {
		return false
	}
	_, err := strconv.ParseFloat(s, 64)
	return err == nil || errors.Is(err, strconv.ErrRange)
}

// mantissaNonzero reports whether the mantissa of a float literal has a
// nonzero digit (so a parsed 0 means underflow).
func mantissaNonzero(s string) bool {
	s = strings.TrimLeft(s, "+-")
	hex := len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')
	if hex {
		s = s[2:]
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case !hex && (c == 'e' || c == 'E'), hex && (c == 'p' || c == 'P'):
			return false
		case c >= '1' && c <= '9', hex && (c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'):
			return true
		}
	}
	return false
}

// splitComma splits a comma-separated line, trimming space around fields and
// removing double quotes around quoted fields.
func splitComma(line string) ([]string, error) {
	var fields []string
	for {
		s := strings.TrimLeft(line, " \t")
		if strings.HasPrefix(s, `"`) {
			var b strings.Builder
			i := 1
			for {
				j := strings.IndexByte(s[i:], '"')
				if j < 0 {
					return nil, errors.New("unterminated quoted field (quoted fields cannot span lines)")
				}
				b.WriteString(s[i : i+j])
				i += j + 1
				if i < len(s) && s[i] == '"' {
					b.WriteByte('"')
					i++
					continue
				}
				break
			}
			fields = append(fields, b.String())
			rest := strings.TrimLeft(s[i:], " \t")
			if rest == "" {
				return fields, nil
			}
			if rest[0] != ',' {
				return nil, errors.New("unexpected text after a quoted field")
			}
			line = rest[1:]
			continue
		}
		j := strings.IndexByte(s, ',')
		if j < 0 {
			return append(fields, strings.TrimSpace(s)), nil
		}
		fields = append(fields, strings.TrimSpace(s[:j]))
		line = s[j+1:]
	}
}

// abbreviate shortens s to at most n bytes (plus "...").
func abbreviate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// lineReader reads lines of any length up to maxLineBytes and counts them
// and their bytes.
type lineReader struct {
	br   *bufio.Reader
	line int
	buf  []byte
	done bool
	// off counts the bytes read; with stop > 0, no line starting at or
	// after offset stop is read (a range's end).
	off, stop int64
}

// next returns the next line without its line ending.
func (lr *lineReader) next() (string, bool, error) {
	if lr.done || lr.stop > 0 && lr.off >= lr.stop {
		return "", false, nil
	}
	lr.buf = lr.buf[:0]
	for {
		chunk, err := lr.br.ReadSlice('\n')
		lr.off += int64(len(chunk))
		lr.buf = append(lr.buf, chunk...)
		if len(lr.buf) > maxLineBytes {
			lr.line++
			return "", false, fmt.Errorf("line longer than %d bytes", maxLineBytes)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF {
			lr.done = true
			if len(lr.buf) == 0 {
				return "", false, nil
			}
		} else if err != nil {
			lr.line++
			return "", false, readErr(err)
		}
		break
	}
	lr.line++
	b := bytes.TrimSuffix(lr.buf, []byte("\n"))
	b = bytes.TrimSuffix(b, []byte("\r"))
	if lr.line == 1 {
		b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) // UTF-8 byte order mark
	}
	return string(b), true, nil
}
