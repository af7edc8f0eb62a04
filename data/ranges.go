package data

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// Range reading: a dataset read as independent parts, so that a worker
// reads only its part. NumPy .npy and IDX files split by rows (the header
// gives the data's offset and the bytes per row); CSV files split by bytes,
// a range holding the lines that start inside it. A gzip-compressed file
// (and an .npz archive, Fortran-order or string features) cannot be read
// from the middle: its plan has one range, read whole.
//
// Validation (FromRaw's rules: duplicates, conflicting labels, classes) is
// over the whole data: a RangePlan's Dataset validates the rows of every
// range, concatenated in range order, exactly as Load validates the file.

// Range is a part of a data file: rows [Lo, Hi) of a .npy or IDX file, or
// the lines of a CSV file that start at byte offsets in [Lo, Hi). Line is
// the line number of a CSV range's first line (RangePlan.Number sets it);
// rows of .npy and IDX files are numbered from their index.
type Range struct {
	Lo, Hi int64
	Line   int
}

// RawRows are a range's rows before validation: features, label texts
// and 1-based row numbers (line numbers for CSV).
type RawRows struct {
	X      [][]float64
	Labels []string
	Rows   []int
	whole  *Dataset // a plan that is not splittable: the file, read and validated whole
}

// RangePlan says how to read a dataset (LoadOptions) in ranges.
type RangePlan struct {
	Opt    LoadOptions
	Format string
	// Splittable is false for gzip-compressed files, .npz archives and
	// .npy features in Fortran order or of strings: one range, read whole.
	Splittable bool
	// Size is what ranges cover: rows (.npy, IDX) or bytes (CSV).
	Size int64

	feat, lab *arraySource // .npy and IDX: features and the label vector
	notes     []string
	// CSV: the parser's settings after the first lines, the header
	// record (nil: none), where the data starts and its first line
	csv     *csvParser
	header  *record
	dataOff int64
}

// arraySource is an uncompressed .npy or IDX array read by rows.
type arraySource struct {
	path    string
	off     int64 // the data's offset in the file
	rows    int64
	rowSize int64 // items per row
	item    int   // bytes per item
	conv    func(dst []float64, src []byte) int
	npy     *npyHeader // .npy: the header (string labels, messages)
	what    string
}

// ctxReader stops reading, with ctx's error, once ctx is done: the range
// readers read through it in blocks, so a cancel stops them within one.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(b []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(b)
}

// PlanRanges plans reading opt in ranges (see Range).
func PlanRanges(opt LoadOptions) (*RangePlan, error) {
	format := strings.ToLower(opt.Format)
	if format == "" {
		var err error
		if format, err = detectFormat(opt.Path); err != nil {
			return nil, err
		}
	}
	p := &RangePlan{Opt: opt, Format: format}
	var err error
	switch format {
	case "npy":
		err = p.planNPY()
	case "idx":
		err = p.planIDX()
	case "csv", "tsv", "txt":
		err = p.planCSV()
	}
	if err != nil {
		return nil, err
	}
	if !p.Splittable {
		p.Size = 1
	}
	return p, nil
}

func (p *RangePlan) planNPY() error {
	if p.Opt.Labels == "" && p.Opt.LabelCol == 0 {
		return newError(p.Opt.Path, 0, "a .npy array holds features only: give the label file (--labels y.npy), or the label column (--label-col K)")
	}
	f, ok, err := openArray(p.Opt.Path, false)
	if err != nil || !ok {
		return err
	}
	p.feat = f
	if p.Opt.Labels != "" {
		l, ok, err := openArray(p.Opt.Labels, true)
		if err != nil || !ok {
			return err
		}
		if l.rows != f.rows {
			return newError(p.Opt.Labels, 0, fmt.Sprintf("%d labels, but %s has %d rows", l.rows, p.Opt.Path, f.rows))
		}
		p.lab = l
	}
	p.Splittable, p.Size = true, f.rows
	return nil
}

func (p *RangePlan) planIDX() error {
	labels := p.Opt.Labels
	if labels == "" {
		if labels = guessIDXLabels(p.Opt.Path); labels == "" {
			return newError(p.Opt.Path, 0, "IDX images need a label file (--labels)")
		}
		p.notes = append(p.notes, "labels read from "+labels)
	}
	f, ok, err := openArray(p.Opt.Path, false)
	if err != nil || !ok {
		return err
	}
	l, ok, err := openArray(labels, true)
	if err != nil || !ok {
		return err
	}
	if l.rows != f.rows {
		return newError(labels, 0, fmt.Sprintf("%d labels, but %s has %d rows", l.rows, p.Opt.Path, f.rows))
	}
	p.feat, p.lab = f, l
	p.Splittable, p.Size = true, f.rows
	return nil
}

// openArray reads the header of an uncompressed .npy or IDX array (ok
// false, no error: compressed, Fortran order or strings, so not
// splittable). A label vector may hold strings (.npy) and must be a vector.
func openArray(path string, labels bool) (*arraySource, bool, error) {
	in, err := openInput(path)
	if err != nil {
		return nil, false, err
	}
	defer in.Close()
	if in.gz {
		return nil, false, nil
	}
	head, _ := in.r.Peek(len(npyMagic))
	a := &arraySource{path: path}
	var dims []int
	if string(head) == npyMagic {
		h, used, err := readNPYHeader(in.r, in.size)
		if err != nil {
			return nil, false, withFile(err, path)
		}
		if h.fortran || (!labels && (h.kind == 'S' || h.kind == 'U')) {
			return nil, false, nil
		}
		a.off, a.item, a.npy, a.what, dims = used, h.size, h, h.describe(), h.shape
		if h.kind != 'S' && h.kind != 'U' {
			a.conv = npyConv(h)
		}
	} else {
		var magic [4]byte
		if _, err := io.ReadFull(in.r, magic[:]); err != nil {
			return nil, false, newError(path, 0, "not an IDX file (too short)")
		}
		t, ok := idxTypes[magic[2]]
		if magic[0] != 0 || magic[1] != 0 || !ok || magic[3] == 0 {
			return nil, false, newError(path, 0, fmt.Sprintf("not an IDX file (bad magic number %02x %02x %02x %02x)", magic[0], magic[1], magic[2], magic[3]))
		}
		hd := make([]byte, 4*int(magic[3]))
		if _, err := io.ReadFull(in.r, hd); err != nil {
			return nil, false, newError(path, 0, "truncated IDX header")
		}
		dims = make([]int, magic[3])
		for i := range dims {
			dims[i] = int(uint32(hd[4*i])<<24 | uint32(hd[4*i+1])<<16 | uint32(hd[4*i+2])<<8 | uint32(hd[4*i+3]))
		}
		a.off, a.item, a.conv, a.what = int64(4+len(hd)), t.size, idxConv(magic[2]), fmt.Sprintf("an IDX array of dimensions %v", dims)
	}
	if len(dims) == 0 {
		return nil, false, newError(path, 0, "features must be an array with a row per point, not "+a.what)
	}
	n, ok := mulDims(dims, maxDataBytes/int64(a.item))
	if !ok {
		return nil, false, newError(path, 0, fmt.Sprintf("the header describes %s, more than %d bytes", a.what, int64(maxDataBytes)))
	}
	if labels && (len(dims) > 2 || len(dims) == 2 && dims[1] != 1) {
		return nil, false, newError(path, 0, fmt.Sprintf("labels must be a vector, not %s", a.what))
	}
	a.rows = int64(dims[0])
	if a.rows == 0 {
		return nil, false, newError(path, 0, "no data rows")
	}
	a.rowSize = n / a.rows
	if a.rowSize == 0 {
		return nil, false, newError(path, 0, "no features: "+a.what)
	}
	if want := a.off + n*int64(a.item); in.size != want {
		return nil, false, newError(path, 0, fmt.Sprintf("the header describes %s (%d bytes with the header), but the file has %d bytes", a.what, want, in.size))
	}
	return a, true, nil
}

// read reads rows [lo, hi) of a: their items (numbers), or their strings.
func (a *arraySource) read(ctx context.Context, lo, hi int64) ([]float64, []string, error) {
	f, err := os.Open(a.path)
	if err != nil {
		return nil, nil, fileError(a.path, err)
	}
	defer f.Close()
	raw := make([]byte, (hi-lo)*a.rowSize*int64(a.item))
	start := a.off + lo*a.rowSize*int64(a.item)
	if _, err := io.ReadFull(ctxReader{ctx, io.NewSectionReader(f, start, int64(len(raw)))}, raw); err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		return nil, nil, newError(a.path, 0, fmt.Sprintf("reading rows %d to %d: %v", lo+1, hi, err))
	}
	if a.conv == nil {
		h := *a.npy
		h.nelems = hi - lo
		return nil, decodeStrings(raw, &h), nil
	}
	vals := make([]float64, len(raw)/a.item)
	if bad := a.conv(vals, raw); bad >= 0 {
		row, col := int64(bad)/a.rowSize, int64(bad)%a.rowSize
		return nil, nil, newError(a.path, int(lo+row+1), fmt.Sprintf("column %d: the value is not exactly representable as a float64", col+1))
	}
	return vals, nil, nil
}

func (p *RangePlan) planCSV() error {
	if p.Opt.Labels != "" {
		return newError(p.Opt.Labels, 0, "a separate label file is not supported for CSV input: put the labels in a column")
	}
	in, err := openInput(p.Opt.Path)
	if err != nil {
		return err
	}
	defer in.Close()
	if in.gz {
		return nil
	}
	// the first two records decide the delimiter, the header and the fields
	c := &csvParser{name: p.Opt.Path, lr: lineReader{br: in.r}, labelCol: p.Opt.LabelCol}
	var recs []record
	for len(recs) < 2 {
		rec, ok, err := c.next()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		recs = append(recs, rec)
	}
	if len(recs) == 0 {
		return newError(p.Opt.Path, 0, "no data rows")
	}
	isHeader, err := c.isHeader(recs)
	if err != nil {
		return err
	}
	first := recs[0]
	if isHeader {
		p.header, p.dataOff = &recs[0], recs[0].end
		if len(recs) < 2 {
			return newError(p.Opt.Path, 0, "no data rows")
		}
		first = recs[1]
	}
	c.intern = map[string]string{}
	if err := c.add(first); err != nil { // sets the fields and the label column
		return err
	}
	c.backing, c.labels, c.rows, c.labelBytes = nil, nil, nil, 0
	p.csv = c
	p.Splittable, p.Size = true, in.size
	return nil
}

// Split cuts the plan into at most parts ranges of nearly equal size (one
// when it is not splittable).
func (p *RangePlan) Split(parts int) []Range {
	lo := int64(0)
	if p.csv != nil {
		lo = p.dataOff
	}
	n := p.Size - lo
	parts = int(max(1, min(int64(parts), n)))
	out := make([]Range, parts)
	for i := range out {
		out[i] = Range{Lo: lo + n*int64(i)/int64(parts), Hi: lo + n*int64(i+1)/int64(parts)}
	}
	return out
}

// Lines is the number of lines of a CSV file that start in r (0 for other
// formats), so that a range's Line is the first range's plus the Lines of
// those before it (Number).
func (p *RangePlan) Lines(ctx context.Context, r Range) (int, error) {
	if p.csv == nil || !p.Splittable {
		return 0, nil
	}
	f, start, err := p.openAt(r)
	if err != nil || f == nil {
		return 0, err
	}
	defer f.Close()
	end := min(r.Hi, p.Size)
	if start >= end {
		return 0, nil
	}
	lines := 1
	br := ctxReader{ctx, io.NewSectionReader(f, start, end-1-start)}
	buf := make([]byte, 1<<16)
	for {
		k, err := br.Read(buf)
		lines += bytes.Count(buf[:k], []byte{'\n'})
		if err == io.EOF {
			return lines, nil
		}
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		if err != nil {
			return 0, newError(p.Opt.Path, 0, err.Error())
		}
	}
}

// Number sets the Line of each range of rs (consecutive, in order, from
// Split) from the lines in the ranges before it.
func (p *RangePlan) Number(ctx context.Context, rs []Range) error {
	line := 1
	if p.header != nil {
		line = p.header.line + 1
	}
	for i := range rs {
		rs[i].Line = line
		n, err := p.Lines(ctx, rs[i])
		if err != nil {
			return err
		}
		line += n
	}
	return nil
}

// openAt opens the CSV file at the first line start at or after r.Lo (and
// not before the data): nil when no line starts before r.Hi.
func (p *RangePlan) openAt(r Range) (*os.File, int64, error) {
	f, err := os.Open(p.Opt.Path)
	if err != nil {
		return nil, 0, fileError(p.Opt.Path, err)
	}
	start := max(r.Lo, p.dataOff)
	if start > p.dataOff {
		// a line starts at start only after a newline: else skip to the next
		var b [1]byte
		if _, err := f.ReadAt(b[:], start-1); err != nil {
			f.Close()
			return nil, 0, newError(p.Opt.Path, 0, err.Error())
		}
		if b[0] != '\n' {
			br := bufio.NewReaderSize(io.NewSectionReader(f, start, p.Size-start), 1<<16)
			for {
				chunk, err := br.ReadSlice('\n')
				start += int64(len(chunk))
				if err != bufio.ErrBufferFull {
					break
				}
			}
		}
	}
	return f, start, nil
}

// Read reads the rows of range r. A CSV range's rows are numbered from
// r.Line (see Number). It returns ctx's error within a block of reading
// once ctx is done (a plan that is not splittable: at once, its loader
// left to finish unobserved).
func (p *RangePlan) Read(ctx context.Context, r Range) (*RawRows, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !p.Splittable {
		type loaded struct {
			ds  *Dataset
			err error
		}
		ch := make(chan loaded, 1)
		go func() {
			ds, err := Load(p.Opt)
			ch <- loaded{ds, err}
		}()
		select {
		case l := <-ch:
			if l.err != nil {
				return nil, l.err
			}
			return &RawRows{whole: l.ds}, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if r.Lo < 0 || r.Hi > p.Size || r.Lo > r.Hi {
		return nil, fmt.Errorf("range [%d, %d) is not inside [0, %d)", r.Lo, r.Hi, p.Size)
	}
	if p.csv != nil {
		return p.readCSV(ctx, r)
	}
	if r.Lo == r.Hi {
		return &RawRows{}, nil // no rows (labelColumn needs one)
	}
	vals, _, err := p.feat.read(ctx, r.Lo, r.Hi)
	if err != nil {
		return nil, err
	}
	d := int(p.feat.rowSize)
	raw := &RawRows{X: make([][]float64, r.Hi-r.Lo), Rows: make([]int, r.Hi-r.Lo)}
	for i := range raw.X {
		raw.X[i] = vals[i*d : (i+1)*d : (i+1)*d]
		raw.Rows[i] = int(r.Lo) + i + 1
	}
	if p.lab == nil {
		x, labels, _, err := labelColumn(p.Opt.Path, raw.X, p.Opt.LabelCol)
		if err != nil {
			return nil, err
		}
		raw.X, raw.Labels = x, labels
		return raw, nil
	}
	nums, strs, err := p.lab.read(ctx, r.Lo, r.Hi)
	if err != nil {
		return nil, err
	}
	if strs != nil {
		for i, s := range strs {
			if s == "" {
				return nil, newError(p.lab.path, int(r.Lo)+i+1, "empty label")
			}
		}
		raw.Labels = strs
		return raw, nil
	}
	if raw.Labels, err = numberLabels(p.lab.path, nums); err != nil {
		var e *Error
		if errors.As(err, &e) && e.Row > 0 {
			e.Row += int(r.Lo)
		}
		return nil, err
	}
	return raw, nil
}

// readCSV reads the lines that start in r with the plan's settings.
func (p *RangePlan) readCSV(ctx context.Context, r Range) (*RawRows, error) {
	f, start, err := p.openAt(r)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if start >= r.Hi {
		return &RawRows{}, nil
	}
	c := *p.csv
	c.intern = map[string]string{}
	c.lr = lineReader{br: bufio.NewReaderSize(ctxReader{ctx, io.NewSectionReader(f, start, p.Size-start)}, 1<<16), line: r.Line - 1, stop: r.Hi - start}
	if err := c.addAll(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	d := c.nfields - 1
	raw := &RawRows{X: make([][]float64, len(c.rows)), Labels: c.labels, Rows: c.rows}
	for i := range raw.X {
		raw.X[i] = c.backing[i*d : (i+1)*d : (i+1)*d]
	}
	return raw, nil
}

// Dataset validates the rows of every range of the plan, given in range
// order, as Load validates the whole file (the same Dataset, Notes
// included).
func (p *RangePlan) Dataset(parts []*RawRows) (*Dataset, error) {
	if !p.Splittable {
		if len(parts) != 1 || parts[0].whole == nil {
			return nil, errors.New("a plan that is not splittable has one range")
		}
		return parts[0].whole, nil
	}
	var all RawRows
	for _, r := range parts {
		all.X = append(all.X, r.X...)
		all.Labels = append(all.Labels, r.Labels...)
		all.Rows = append(all.Rows, r.Rows...)
	}
	switch {
	case p.csv != nil:
		c := *p.csv
		c.labels, c.rows = all.Labels, all.Rows
		d := c.nfields - 1
		c.backing = make([]float64, 0, len(all.X)*d)
		for _, x := range all.X {
			c.backing = append(c.backing, x...)
		}
		return c.finish(p.header)
	}
	opt, err := p.rawOptions()
	if err != nil {
		return nil, err
	}
	return fromRaw(p.Opt.Path, all.X, all.Labels, nil, opt)
}

// rawOptions are the settings fromRaw validates a splittable plan's rows
// with: Load's for the same file.
func (p *RangePlan) rawOptions() (rawOptions, error) {
	switch {
	case p.csv != nil:
		return p.csv.rawOptions(p.header), nil
	case p.lab == nil:
		_, _, col, err := labelColumn(p.Opt.Path, [][]float64{make([]float64, p.feat.rowSize)}, p.Opt.LabelCol)
		if err != nil {
			return rawOptions{}, err
		}
		return rawOptions{column: col}, nil
	}
	return rawOptions{notes: p.notes}, nil
}
