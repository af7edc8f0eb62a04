package data

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/memnet/memnet/limits"
)

// The NumPy formats are parsed here rather than with npyio's reader: that
// reader trusts the header (it allocates the header and array sizes it
// claims, and panics on some malformed headers) and reads items one by one
// with single Read calls, which is wrong for compressed .npz members. The
// tests write files with npyio and read them back to check compatibility.

const (
	// maxNPYHeader bounds the header dictionary's length (NumPy itself
	// refuses headers over 10000 bytes unless told otherwise).
	maxNPYHeader = 1 << 20
	// maxDataBytes is a sanity cap on the data size a header may claim.
	maxDataBytes = 1 << 36
	// maxStringItem bounds the item size of string arrays, in characters.
	maxStringItem = 1 << 16
)

// npyMagic starts every .npy file.
const npyMagic = "\x93NUMPY"

// npyHeader is the parsed header of a .npy array.
type npyHeader struct {
	descr   string
	kind    byte // 'b' bool, 'i' signed, 'u' unsigned, 'f' float, 'S' bytes, 'U' unicode
	size    int  // bytes per item
	order   binary.ByteOrder
	fortran bool
	shape   []int
	nelems  int64
}

// npyArray is a decoded .npy array in C (row-major) order: numbers for the
// numeric kinds, strs for the string kinds.
type npyArray struct {
	hdr  *npyHeader
	nums []float64
	strs []string
}

// describe prints the array's type and shape for messages.
func (h *npyHeader) describe() string {
	parts := make([]string, len(h.shape))
	for i, s := range h.shape {
		parts[i] = strconv.Itoa(s)
	}
	shape := "(" + strings.Join(parts, ", ")
	if len(parts) == 1 {
		shape += ","
	}
	return fmt.Sprintf("a %s array of dtype %q", shape+")", h.descr)
}

// readNPY reads one .npy array from r. avail is an upper bound on the bytes
// r can deliver (-1 when unknown); sized says r surely delivers avail bytes,
// so buffers may be allocated at once. Errors are *Error values without a
// file name.
func readNPY(r io.Reader, avail int64, sized bool) (*npyArray, error) {
	return readNPYMax(r, avail, sized, -1)
}

// readNPYMax is readNPY refusing arrays of more than maxItems items (no
// bound when maxItems is negative) before reading their data.
func readNPYMax(r io.Reader, avail int64, sized bool, maxItems int64) (*npyArray, error) {
	return readNPYCheck(r, avail, sized, maxItems, nil)
}

// readNPYCheck is readNPYMax also calling check (when not nil) with the
// number of items before reading them.
func readNPYCheck(r io.Reader, avail int64, sized bool, maxItems int64, check func(int64) error) (*npyArray, error) {
	h, used, err := readNPYHeader(r, avail)
	if err != nil {
		return nil, err
	}
	if maxItems >= 0 && h.nelems > maxItems {
		return nil, newError("", 0, fmt.Sprintf("the header describes %s (%d items), more than the %d allowed", h.describe(), h.nelems, maxItems))
	}
	if check != nil {
		if err := check(h.nelems); err != nil {
			return nil, err
		}
	}
	nbytes := h.nelems * int64(h.size)
	if avail >= 0 && nbytes > avail-used {
		return nil, newError("", 0, fmt.Sprintf("truncated: the header describes %s (%d bytes of data), but only %d bytes follow", h.describe(), nbytes, max(avail-used, 0)))
	}
	rows := int64(1)
	if len(h.shape) > 0 {
		rows = int64(h.shape[0])
	}
	need := arrayBytes(h.nelems, rows, h.size, sized)
	if h.kind == 'S' || h.kind == 'U' {
		// the raw bytes, and a string (header and text) per item
		need = limits.Add(nbytes, limits.Add(limits.Mul(h.nelems, 16), nbytes))
	}
	if err := checkMemory(h.describe(), need); err != nil {
		return nil, err
	}
	truncated := func(got int64) error {
		return newError("", 0, fmt.Sprintf("truncated: the header describes %s (%d bytes of data), but the data ends after %d bytes", h.describe(), nbytes, got))
	}
	a := &npyArray{hdr: h}
	switch h.kind {
	case 'S', 'U':
		raw, err := readN(r, nbytes, sized)
		if err != nil {
			if errors.Is(err, errTruncated) {
				return nil, truncated(int64(len(raw)))
			}
			return nil, newError("", 0, err.Error())
		}
		a.strs = decodeStrings(raw, h)
		if h.fortran {
			a.strs = fortranToC(a.strs, h.shape)
		}
	default:
		vals, got, err := readItems(r, h.nelems, h.size, sized, npyConv(h))
		if err != nil {
			var ie *itemError
			if errors.As(err, &ie) {
				idx := ie.index
				if h.fortran {
					idx = fortranIndexToC(idx, h.shape)
				}
				row, col := rowCol(idx, h.shape)
				return nil, newError("", row, fmt.Sprintf("column %d: the %s value is not exactly representable as a float64", col, h.descr))
			}
			if errors.Is(err, errTruncated) {
				return nil, truncated(got * int64(h.size))
			}
			return nil, newError("", 0, err.Error())
		}
		a.nums = vals
		if h.fortran {
			a.nums = fortranToC(a.nums, h.shape)
		}
	}
	if err := checkEnd(r); err != nil {
		return nil, newError("", 0, err.Error())
	}
	return a, nil
}

// readNPYHeader reads and checks the magic, version and header dictionary.
// It returns the header and the number of bytes read.
func readNPYHeader(r io.Reader, avail int64) (*npyHeader, int64, error) {
	var pre [8]byte // magic, major, minor
	if _, err := io.ReadFull(r, pre[:]); err != nil {
		return nil, 0, newError("", 0, "not a NumPy .npy file (too short)")
	}
	if string(pre[:6]) != npyMagic {
		return nil, 0, newError("", 0, "not a NumPy .npy file (no \\x93NUMPY magic)")
	}
	var hlen, used int64
	var b [4]byte
	switch major := pre[6]; major {
	case 1:
		if _, err := io.ReadFull(r, b[:2]); err != nil {
			return nil, 0, newError("", 0, "truncated .npy header")
		}
		hlen, used = int64(binary.LittleEndian.Uint16(b[:2])), 10
	case 2, 3:
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, 0, newError("", 0, "truncated .npy header")
		}
		hlen, used = int64(binary.LittleEndian.Uint32(b[:])), 12
	default:
		return nil, 0, newError("", 0, fmt.Sprintf("unsupported .npy format version %d.%d", major, pre[7]))
	}
	if hlen > maxNPYHeader {
		return nil, 0, newError("", 0, fmt.Sprintf("the .npy header claims %d bytes (more than %d)", hlen, maxNPYHeader))
	}
	if avail >= 0 && hlen > avail-used {
		return nil, 0, newError("", 0, "truncated .npy header")
	}
	text := make([]byte, hlen)
	if _, err := io.ReadFull(r, text); err != nil {
		return nil, 0, newError("", 0, "truncated .npy header")
	}
	used += hlen
	h, err := parseNPYDict(string(text))
	if err != nil {
		return nil, 0, newError("", 0, "bad .npy header: "+err.Error())
	}
	return h, used, nil
}

// parseNPYDict parses the header dictionary, such as
// {'descr': '<f8', 'fortran_order': False, 'shape': (150, 4), }.
func parseNPYDict(s string) (*npyHeader, error) {
	p := &pyLit{s: s}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	d, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("not a dictionary")
	}
	h := &npyHeader{}
	switch descr := d["descr"].(type) {
	case string:
		h.descr = descr
	case nil:
		return nil, errors.New("no 'descr' key")
	default:
		return nil, errors.New("structured dtypes (records) are not supported: save a plain numeric array")
	}
	if err := parseDtype(h); err != nil {
		return nil, err
	}
	fo, ok := d["fortran_order"].(bool)
	if !ok {
		return nil, errors.New("no boolean 'fortran_order' key")
	}
	h.fortran = fo
	shape, ok := d["shape"].([]any)
	if !ok {
		return nil, errors.New("no tuple 'shape' key")
	}
	for _, e := range shape {
		n, ok := e.(int64)
		if !ok || n < 0 || n > maxDataBytes {
			return nil, fmt.Errorf("bad dimension %v in 'shape' (must be an integer from 0 to %d)", e, int64(maxDataBytes))
		}
		h.shape = append(h.shape, int(n))
	}
	n, ok := mulDims(h.shape, maxDataBytes/int64(h.size))
	if !ok {
		return nil, fmt.Errorf("the shape %v is too large (over %d bytes)", h.shape, int64(maxDataBytes))
	}
	h.nelems = n
	return h, nil
}

// parseDtype fills kind, size and order from descr.
func parseDtype(h *npyHeader) error {
	s := h.descr
	h.order = binary.LittleEndian // '<', '|', '=' and no prefix: NumPy writes explicit '>' for big endian
	if s != "" {
		switch s[0] {
		case '>':
			h.order = binary.BigEndian
			s = s[1:]
		case '<', '|', '=':
			s = s[1:]
		}
	}
	if s == "" {
		return fmt.Errorf("empty dtype %q", h.descr)
	}
	kind := s[0]
	if kind == '?' && len(s) == 1 {
		h.kind, h.size = 'b', 1
		return nil
	}
	n, err := strconv.Atoi(s[1:])
	bad := fmt.Errorf("unsupported dtype %q (supported: bool, integers, float16/32/64, byte and unicode strings)", h.descr)
	if err != nil {
		return bad
	}
	switch kind {
	case 'b':
		if n != 1 {
			return bad
		}
	case 'i', 'u':
		if n != 1 && n != 2 && n != 4 && n != 8 {
			return bad
		}
	case 'f':
		if n != 2 && n != 4 && n != 8 {
			return bad
		}
	case 'S', 'a':
		if n < 1 || n > maxStringItem {
			return bad
		}
		kind = 'S'
	case 'U':
		if n < 1 || n > maxStringItem {
			return bad
		}
		n *= 4
	default:
		return bad
	}
	h.kind, h.size = kind, n
	return nil
}

// npyConv returns the converter of a numeric dtype to float64.
func npyConv(h *npyHeader) func(dst []float64, src []byte) int {
	o := h.order
	switch h.kind {
	case 'b':
		return func(dst []float64, src []byte) int {
			for i := range dst {
				if src[i] != 0 {
					dst[i] = 1
				} else {
					dst[i] = 0
				}
			}
			return -1
		}
	case 'i':
		switch h.size {
		case 1:
			return func(dst []float64, src []byte) int {
				for i := range dst {
					dst[i] = float64(int8(src[i]))
				}
				return -1
			}
		case 2:
			return func(dst []float64, src []byte) int {
				for i := range dst {
					dst[i] = float64(int16(o.Uint16(src[2*i:])))
				}
				return -1
			}
		case 4:
			return func(dst []float64, src []byte) int {
				for i := range dst {
					dst[i] = float64(int32(o.Uint32(src[4*i:])))
				}
				return -1
			}
		default:
			return func(dst []float64, src []byte) int {
				for i := range dst {
					v := int64(o.Uint64(src[8*i:]))
					f := float64(v)
					if f >= 0x1p63 || int64(f) != v {
						return i
					}
					dst[i] = f
				}
				return -1
			}
		}
	case 'u':
		switch h.size {
		case 1:
			return func(dst []float64, src []byte) int {
				for i := range dst {
					dst[i] = float64(src[i])
				}
				return -1
			}
		case 2:
			return func(dst []float64, src []byte) int {
				for i := range dst {
					dst[i] = float64(o.Uint16(src[2*i:]))
				}
				return -1
			}
		case 4:
			return func(dst []float64, src []byte) int {
				for i := range dst {
					dst[i] = float64(o.Uint32(src[4*i:]))
				}
				return -1
			}
		default:
			return func(dst []float64, src []byte) int {
				for i := range dst {
					v := o.Uint64(src[8*i:])
					f := float64(v)
					if f >= 0x1p64 || uint64(f) != v {
						return i
					}
					dst[i] = f
				}
				return -1
			}
		}
	default: // 'f'
		switch h.size {
		case 2:
			return func(dst []float64, src []byte) int {
				for i := range dst {
					dst[i] = halfToFloat64(o.Uint16(src[2*i:]))
				}
				return -1
			}
		case 4:
			return func(dst []float64, src []byte) int {
				for i := range dst {
					dst[i] = float64(math.Float32frombits(o.Uint32(src[4*i:])))
				}
				return -1
			}
		default:
			return func(dst []float64, src []byte) int {
				for i := range dst {
					dst[i] = math.Float64frombits(o.Uint64(src[8*i:]))
				}
				return -1
			}
		}
	}
}

// halfToFloat64 converts an IEEE 754 binary16 value exactly.
func halfToFloat64(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	e := int(h>>10) & 0x1f
	m := float64(h & 0x3ff)
	switch e {
	case 0:
		return sign * math.Ldexp(m, -24)
	case 31:
		if m == 0 {
			return math.Inf(int(sign))
		}
		return math.NaN()
	}
	return sign * math.Ldexp(1024+m, e-25)
}

// decodeStrings decodes byte ('S') or UCS-4 ('U') strings, dropping the
// trailing NULs NumPy pads them with.
func decodeStrings(raw []byte, h *npyHeader) []string {
	out := make([]string, h.nelems)
	seen := make(map[string]string)
	var b []byte
	for i := range out {
		item := raw[i*h.size : (i+1)*h.size]
		if h.kind == 'S' {
			b = bytes.TrimRight(item, "\x00")
		} else {
			b = b[:0]
			for j := 0; j+4 <= len(item); j += 4 {
				b = utf8.AppendRune(b, rune(h.order.Uint32(item[j:])))
			}
			b = bytes.TrimRight(b, "\x00")
		}
		s, ok := seen[string(b)]
		if !ok {
			s = string(b)
			seen[s] = s
		}
		out[i] = s
	}
	return out
}

// fortranToC reorders a column-major array of the given shape to row-major.
func fortranToC[T any](raw []T, shape []int) []T {
	if len(shape) < 2 || len(raw) == 0 {
		return raw
	}
	nd := len(shape)
	fs := make([]int, nd) // Fortran strides, in items
	fs[0] = 1
	for t := 1; t < nd; t++ {
		fs[t] = fs[t-1] * shape[t-1]
	}
	out := make([]T, len(raw))
	idx := make([]int, nd)
	off := 0
	for p := range out {
		out[p] = raw[off]
		for t := nd - 1; t >= 0; t-- {
			idx[t]++
			off += fs[t]
			if idx[t] < shape[t] {
				break
			}
			off -= fs[t] * shape[t]
			idx[t] = 0
		}
	}
	return out
}

// fortranIndexToC maps an item's column-major position to its row-major one.
func fortranIndexToC(r int64, shape []int) int64 {
	var c int64
	for t := range shape {
		s := int64(shape[t])
		it := r % s
		r /= s
		stride := int64(1)
		for _, u := range shape[t+1:] {
			stride *= int64(u)
		}
		c += it * stride
	}
	return c
}

// rowCol gives the 1-based row and (flattened) column of a row-major item.
func rowCol(idx int64, shape []int) (int, int) {
	if len(shape) == 0 {
		return 1, 1
	}
	d := int64(1)
	for _, s := range shape[1:] {
		d *= int64(s)
	}
	if d == 0 {
		return 1, 1
	}
	return int(idx/d) + 1, int(idx%d) + 1
}

// readNPYFile reads one .npy file (gzip-compressed or not).
func readNPYFile(path string) (*npyArray, error) {
	in, err := openInput(path)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	a, err := readNPY(in.r, in.size, !in.gz)
	return a, withFile(err, path)
}

// withFile sets the file name of an *Error that has none.
func withFile(err error, file string) error {
	var e *Error
	if errors.As(err, &e) && e.File == "" {
		e.File = file
	}
	return err
}

// npzMember opens the first of the named members of an .npz archive.
func npzMember(zr *zip.Reader, names ...string) (*zip.File, string) {
	for _, name := range names {
		for _, f := range zr.File {
			if f.Name == name || f.Name == name+".npy" {
				return f, name
			}
		}
	}
	return nil, ""
}

// readNPZMember decodes one member of an .npz archive.
func readNPZMember(f *zip.File) (*npyArray, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, newError("", 0, fmt.Sprintf("cannot open member %q: %v", f.Name, err))
	}
	defer rc.Close()
	avail := int64(maxDataBytes + maxNPYHeader + 64)
	if f.UncompressedSize64 < uint64(avail) {
		avail = int64(f.UncompressedSize64)
	}
	a, err := readNPY(limitInput(rc), avail, false)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.Reason = fmt.Sprintf("member %q: %s", f.Name, e.Reason)
		}
		return nil, err
	}
	return a, nil
}

// readNPZ reads the features ("x" or "X") and, when wantY is set, the
// labels ("y" or "Y") of an .npz archive held by r.
func readNPZ(r io.ReaderAt, size int64, wantY bool) (x, y *npyArray, err error) {
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, nil, newError("", 0, "not a valid .npz (zip) file: "+err.Error())
	}
	keys := make([]string, 0, len(zr.File))
	seen := make(map[string]bool, len(zr.File))
	for _, f := range zr.File {
		k := strings.TrimSuffix(f.Name, ".npy")
		if seen[k] {
			// NumPy's load would silently use the last one; an archive
			// holding two arrays of one name is ambiguous.
			return nil, nil, newError("", 0, fmt.Sprintf("the archive holds two arrays named %q: refusing to guess which one is meant", k))
		}
		seen[k] = true
		keys = append(keys, k)
	}
	fx, _ := npzMember(zr, "x", "X")
	if fx == nil {
		return nil, nil, newError("", 0, fmt.Sprintf("no array named x or X in the archive (it holds %s)", listKeys(keys)))
	}
	if x, err = readNPZMember(fx); err != nil {
		return nil, nil, err
	}
	if !wantY {
		return x, nil, nil
	}
	fy, _ := npzMember(zr, "y", "Y")
	if fy == nil {
		return nil, nil, newError("", 0, fmt.Sprintf("no array named y or Y in the archive (it holds %s); give the labels with a separate file", listKeys(keys)))
	}
	if y, err = readNPZMember(fy); err != nil {
		return nil, nil, err
	}
	return x, y, nil
}

// listKeys formats archive member names for messages.
func listKeys(keys []string) string {
	if len(keys) == 0 {
		return "nothing"
	}
	q := make([]string, 0, min(len(keys), 10))
	for _, k := range keys[:min(len(keys), 10)] {
		q = append(q, strconv.Quote(k))
	}
	s := strings.Join(q, ", ")
	if len(keys) > 10 {
		s += ", ..."
	}
	return s
}

// readNPZFile reads an .npz file.
func readNPZFile(path string, wantY bool) (x, y *npyArray, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fileError(path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, fileError(path, err)
	}
	x, y, err = readNPZ(f, st.Size(), wantY)
	return x, y, withFile(err, path)
}

// rows splits a numeric array into N rows of its trailing dimensions.
func (a *npyArray) rows(file string) ([][]float64, error) {
	if a.nums == nil && a.strs != nil {
		return nil, newError(file, 0, fmt.Sprintf("features must be numeric, not %s", a.hdr.describe()))
	}
	return splitRows(file, a.hdr.shape, a.nums, a.hdr.describe())
}

// splitRows cuts row-major values of the given shape into N rows.
func splitRows(file string, shape []int, vals []float64, what string) ([][]float64, error) {
	if len(shape) == 0 {
		return nil, newError(file, 0, fmt.Sprintf("features must be an array with a row per point, not %s", what))
	}
	n := shape[0]
	if n == 0 {
		return nil, newError(file, 0, "no data rows")
	}
	d := len(vals) / n
	if d == 0 {
		return nil, newError(file, 0, fmt.Sprintf("no features: %s", what))
	}
	x := make([][]float64, n)
	for i := range x {
		x[i] = vals[i*d : (i+1)*d : (i+1)*d]
	}
	return x, nil
}

// labelTexts turns a label array into label texts: integers in decimal,
// other numbers in the shortest form that reads back the same, strings as
// they are. The array must hold one label per row (shape (N,) or (N, 1)).
func (a *npyArray) labelTexts(file string) ([]string, error) {
	sh := a.hdr.shape
	if len(sh) == 0 || len(sh) > 2 || len(sh) == 2 && sh[1] != 1 {
		return nil, newError(file, 0, fmt.Sprintf("labels must have shape (N,) or (N, 1), not %s", a.hdr.describe()))
	}
	if a.strs != nil {
		for i, s := range a.strs {
			if s == "" {
				return nil, newError(file, i+1, "empty label")
			}
		}
		return a.strs, nil
	}
	return numberLabels(file, a.nums)
}

// numberLabels formats numeric labels.
func numberLabels(file string, vals []float64) ([]string, error) {
	out := make([]string, len(vals))
	seen := make(map[float64]string)
	for i, v := range vals {
		if s, ok := seen[v]; ok {
			out[i] = s
			continue
		}
		s, err := numberLabel(v)
		if err != "" {
			return nil, newError(file, i+1, err)
		}
		seen[v] = s
		out[i] = s
	}
	return out, nil
}

// numberLabel formats one numeric label, or says why it cannot be one.
func numberLabel(v float64) (string, string) {
	switch {
	case math.IsNaN(v):
		return "", "label is NaN"
	case math.IsInf(v, 0):
		return "", fmt.Sprintf("label is %+g", v)
	case v == math.Trunc(v) && math.Abs(v) < 0x1p63:
		return strconv.FormatInt(int64(v), 10), ""
	}
	return strconv.FormatFloat(v, 'g', -1, 64), ""
}

// labelColumn takes the label column out of numeric rows (for a .npy file
// without a label file). It returns the feature rows, the labels and the
// map from feature index to 1-based column.
func labelColumn(file string, x [][]float64, labelCol int) ([][]float64, []string, func(int) int, error) {
	d := len(x[0])
	lc, ok := resolveCol(labelCol, d)
	if !ok {
		return nil, nil, nil, newError(file, 0, fmt.Sprintf("label column %d is out of range: rows have %d columns", labelCol, d))
	}
	if d < 2 {
		return nil, nil, nil, newError(file, 0, "rows have a single column: give the labels with a separate file")
	}
	vals := make([]float64, len(x))
	backing := make([]float64, 0, len(x)*(d-1))
	nx := make([][]float64, len(x))
	for i, row := range x {
		vals[i] = row[lc]
		start := len(backing)
		backing = append(backing, row[:lc]...)
		backing = append(backing, row[lc+1:]...)
		nx[i] = backing[start:len(backing):len(backing)]
	}
	labels, err := numberLabels(file, vals)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.Reason = fmt.Sprintf("column %d: %s", lc+1, e.Reason)
		}
		return nil, nil, nil, err
	}
	col := func(k int) int {
		if k < lc {
			return k + 1
		}
		return k + 2
	}
	return nx, labels, col, nil
}

// pyLit parses the Python literals of a .npy header: dictionaries, tuples,
// lists, strings, integers, True, False and None.
type pyLit struct {
	s     string
	i     int
	depth int
}

func (p *pyLit) skipSpace() {
	for p.i < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *pyLit) value() (any, error) {
	p.skipSpace()
	if p.i >= len(p.s) {
		return nil, errors.New("unexpected end")
	}
	switch c := p.s[p.i]; {
	case c == '\'' || c == '"':
		return p.str()
	case c == '(' || c == '[':
		return p.seq()
	case c == '{':
		return p.dict()
	case c == '-' || c >= '0' && c <= '9':
		return p.num()
	}
	rest := p.s[p.i:]
	switch {
	case strings.HasPrefix(rest, "True"):
		p.i += 4
		return true, nil
	case strings.HasPrefix(rest, "False"):
		p.i += 5
		return false, nil
	case strings.HasPrefix(rest, "None"):
		p.i += 4
		return nil, nil
	}
	return nil, fmt.Errorf("unexpected %q at offset %d", p.s[p.i], p.i)
}

func (p *pyLit) str() (string, error) {
	q := p.s[p.i]
	p.i++
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		p.i++
		switch c {
		case q:
			return b.String(), nil
		case '\\':
			if p.i < len(p.s) {
				b.WriteByte(p.s[p.i])
				p.i++
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", errors.New("unterminated string")
}

func (p *pyLit) num() (int64, error) {
	start := p.i
	if p.s[p.i] == '-' {
		p.i++
	}
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
	}
	v, err := strconv.ParseInt(p.s[start:p.i], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("bad integer %q", p.s[start:p.i])
	}
	if p.i < len(p.s) && (p.s[p.i] == 'L' || p.s[p.i] == 'l') { // Python 2 long
		p.i++
	}
	return v, nil
}

func (p *pyLit) enter() error {
	p.depth++
	if p.depth > 32 {
		return errors.New("nested too deeply")
	}
	return nil
}

func (p *pyLit) seq() ([]any, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	closing := byte(')')
	if p.s[p.i] == '[' {
		closing = ']'
	}
	p.i++
	out := []any{}
	for {
		p.skipSpace()
		if p.i < len(p.s) && p.s[p.i] == closing {
			p.i++
			return out, nil
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		p.skipSpace()
		if p.i >= len(p.s) {
			return nil, errors.New("unexpected end")
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case closing:
		default:
			return nil, fmt.Errorf("unexpected %q at offset %d", p.s[p.i], p.i)
		}
	}
}

func (p *pyLit) dict() (map[string]any, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	p.i++
	out := map[string]any{}
	for {
		p.skipSpace()
		if p.i < len(p.s) && p.s[p.i] == '}' {
			p.i++
			return out, nil
		}
		if p.i >= len(p.s) || p.s[p.i] != '\'' && p.s[p.i] != '"' {
			return nil, errors.New("dictionary keys must be strings")
		}
		k, err := p.str()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, errors.New("missing ':' in dictionary")
		}
		p.i++
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		out[k] = v
		p.skipSpace()
		if p.i >= len(p.s) {
			return nil, errors.New("unexpected end")
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case '}':
		default:
			return nil, fmt.Errorf("unexpected %q at offset %d", p.s[p.i], p.i)
		}
	}
}
