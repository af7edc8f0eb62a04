package export

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file writes and reads the NumPy .npy format (version 1.0 written;
// 1.0, 2.0 and 3.0 read). The reader is written for untrusted files: sizes
// claimed by a header are checked against a cap and against the bytes that
// actually follow before anything is allocated for them. (The data package
// has a reader of its own, unexported; npyio's reader trusts headers.)

// ndarray is a decoded array in C order: numbers for numeric dtypes, strs
// for string dtypes.
type ndarray struct {
	descr string
	shape []int
	nums  []float64
	strs  []string
}

func (a *ndarray) size() int {
	n := 1
	for _, d := range a.shape {
		n *= d
	}
	return n
}

func (a *ndarray) describe() string {
	parts := make([]string, len(a.shape))
	for i, s := range a.shape {
		parts[i] = strconv.Itoa(s)
	}
	s := "(" + strings.Join(parts, ", ")
	if len(parts) == 1 {
		s += ","
	}
	return fmt.Sprintf("%s array of dtype %s", s+")", a.descr)
}

// npyBytes encodes one array as .npy version 1.0.
func npyBytes(descr string, shape []int, data []byte) []byte {
	parts := make([]string, len(shape))
	for i, s := range shape {
		parts[i] = strconv.Itoa(s)
	}
	sh := strings.Join(parts, ", ")
	if len(shape) == 1 {
		sh += ","
	}
	h := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", descr, sh)
	total := 10 + len(h) + 1
	if pad := (64 - total%64) % 64; pad > 0 {
		h += strings.Repeat(" ", pad)
	}
	h += "\n"
	var b bytes.Buffer
	b.WriteString("\x93NUMPY\x01\x00")
	_ = binary.Write(&b, binary.LittleEndian, uint16(len(h)))
	b.WriteString(h)
	b.Write(data)
	return b.Bytes()
}

// npyFloats encodes float values in dtype.
func npyFloats(vals []float64, shape []int, dtype Dtype) []byte {
	descr := "<f8"
	if dtype == Float32 {
		descr = "<f4"
	}
	return npyBytes(descr, shape, floatBytes(vals, dtype))
}

// npyStrings encodes strings as a NumPy unicode array (UTF-32LE, fixed width).
func npyStrings(strs []string, shape []int) []byte {
	width := 1
	for _, s := range strs {
		width = max(width, utf8.RuneCountInString(s))
	}
	data := make([]byte, 0, 4*width*len(strs))
	for _, s := range strs {
		n := 0
		for _, r := range s {
			data = binary.LittleEndian.AppendUint32(data, uint32(r))
			n++
		}
		for ; n < width; n++ {
			data = binary.LittleEndian.AppendUint32(data, 0)
		}
	}
	return npyBytes(fmt.Sprintf("<U%d", width), shape, data)
}

// maxHeader bounds the header of an .npy array read.
const maxHeader = 1 << 16

var (
	reDescr   = regexp.MustCompile(`['"]descr['"]\s*:\s*['"]([^'"]*)['"]`)
	reFortran = regexp.MustCompile(`['"]fortran_order['"]\s*:\s*(True|False)`)
	reShape   = regexp.MustCompile(`['"]shape['"]\s*:\s*\(([^)]*)\)`)
)

// readNPY decodes an .npy array from r, which holds at most limit bytes.
func readNPY(r io.Reader, limit int64) (*ndarray, error) {
	var pre [8]byte
	if _, err := io.ReadFull(r, pre[:]); err != nil {
		return nil, errors.New("not an .npy array (too short)")
	}
	if string(pre[:6]) != "\x93NUMPY" {
		return nil, errors.New("not an .npy array (no \\x93NUMPY magic)")
	}
	var hlen int
	switch pre[6] {
	case 1:
		var b [2]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, errors.New("truncated .npy header")
		}
		hlen = int(binary.LittleEndian.Uint16(b[:]))
	case 2, 3:
		var b [4]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, errors.New("truncated .npy header")
		}
		if v := binary.LittleEndian.Uint32(b[:]); v > maxHeader {
			return nil, fmt.Errorf(".npy header of %d bytes is too long", v)
		} else {
			hlen = int(v)
		}
	default:
		return nil, fmt.Errorf(".npy version %d.%d is not supported", pre[6], pre[7])
	}
	hb := make([]byte, hlen)
	if _, err := io.ReadFull(r, hb); err != nil {
		return nil, errors.New("truncated .npy header")
	}
	h := string(hb)
	md, mf, ms := reDescr.FindStringSubmatch(h), reFortran.FindStringSubmatch(h), reShape.FindStringSubmatch(h)
	if md == nil || mf == nil || ms == nil {
		return nil, fmt.Errorf("malformed .npy header %q", strings.TrimSpace(h))
	}
	a := &ndarray{descr: md[1]}
	n := int64(1)
	for _, p := range strings.Split(ms[1], ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		d, err := strconv.ParseInt(p, 10, 64)
		if err != nil || d < 0 || d > maxImportParams || n*d > maxImportParams {
			return nil, fmt.Errorf("unsupported .npy shape (%s)", ms[1])
		}
		n *= d
		a.shape = append(a.shape, int(d))
	}
	kind, size, order, err := parseDescr(a.descr)
	if err != nil {
		return nil, err
	}
	need := n * int64(size)
	if need > limit {
		return nil, fmt.Errorf("the header describes a %s (%d bytes), more than the file holds", a.describe(), need)
	}
	raw, err := io.ReadAll(io.LimitReader(r, need+1))
	if err != nil {
		return nil, fmt.Errorf("reading the data: %v", err)
	}
	if int64(len(raw)) != need {
		if int64(len(raw)) < need {
			return nil, fmt.Errorf("truncated: the header describes a %s (%d bytes of data), %d follow", a.describe(), need, len(raw))
		}
		return nil, fmt.Errorf("the %s is followed by extra bytes", a.describe())
	}
	fortran := mf[1] == "True"
	switch kind {
	case 'U', 'S':
		a.strs = make([]string, n)
		for i := range a.strs {
			item := raw[int64(i)*int64(size) : int64(i+1)*int64(size)]
			if kind == 'S' {
				a.strs[i] = strings.TrimRight(string(item), "\x00")
				continue
			}
			var sb strings.Builder
			for k := 0; k+4 <= len(item); k += 4 {
				c := order.Uint32(item[k:])
				if c == 0 {
					break
				}
				sb.WriteRune(rune(c))
			}
			a.strs[i] = sb.String()
		}
	default:
		a.nums = make([]float64, n)
		for i := range a.nums {
			v, ok := decodeNumber(kind, size, order, raw[int64(i)*int64(size):])
			if !ok {
				return nil, fmt.Errorf("item %d of the %s is an integer too large to be exact in float64", i, a.describe())
			}
			a.nums[i] = v
		}
	}
	if fortran && len(a.shape) > 1 {
		if len(a.shape) != 2 {
			return nil, fmt.Errorf("fortran-order arrays of %d dimensions are not supported", len(a.shape))
		}
		r, c := a.shape[0], a.shape[1]
		if a.nums != nil {
			t := make([]float64, len(a.nums))
			for i := range r {
				for j := range c {
					t[i*c+j] = a.nums[j*r+i]
				}
			}
			a.nums = t
		} else {
			t := make([]string, len(a.strs))
			for i := range r {
				for j := range c {
					t[i*c+j] = a.strs[j*r+i]
				}
			}
			a.strs = t
		}
	}
	return a, nil
}

// parseDescr reads a dtype string such as "<f8", "|u1" or "<U12".
func parseDescr(d string) (kind byte, size int, order binary.ByteOrder, err error) {
	if len(d) < 2 {
		return 0, 0, nil, fmt.Errorf("unsupported .npy dtype %q", d)
	}
	order = binary.LittleEndian
	switch d[0] {
	case '<', '|', '=':
		d = d[1:]
	case '>':
		order = binary.BigEndian
		d = d[1:]
	}
	if len(d) < 2 {
		return 0, 0, nil, fmt.Errorf("unsupported .npy dtype %q", d)
	}
	kind = d[0]
	n, e := strconv.Atoi(d[1:])
	if e != nil || n < 1 {
		return 0, 0, nil, fmt.Errorf("unsupported .npy dtype %q", d)
	}
	switch kind {
	case 'f':
		if n != 2 && n != 4 && n != 8 {
			return 0, 0, nil, fmt.Errorf("unsupported .npy float size %d (want float16, float32 or float64)", n)
		}
		size = n
	case 'i', 'u':
		if n != 1 && n != 2 && n != 4 && n != 8 {
			return 0, 0, nil, fmt.Errorf("unsupported .npy integer size %d", n)
		}
		size = n
	case 'b':
		if n != 1 {
			return 0, 0, nil, fmt.Errorf("unsupported .npy dtype %q", d)
		}
		kind, size = 'u', 1
	case 'U':
		if n > 1<<16 {
			return 0, 0, nil, fmt.Errorf("unsupported .npy string width %d", n)
		}
		size = 4 * n
	case 'S':
		if n > 1<<16 {
			return 0, 0, nil, fmt.Errorf("unsupported .npy string width %d", n)
		}
		size = n
	default:
		return 0, 0, nil, fmt.Errorf("unsupported .npy dtype %q (want a float, integer or string type)", d)
	}
	return kind, size, order, nil
}

// decodeNumber decodes one item; ok is false for a 64-bit integer that
// float64 cannot hold exactly.
func decodeNumber(kind byte, size int, o binary.ByteOrder, b []byte) (v float64, ok bool) {
	switch kind {
	case 'f':
		switch size {
		case 2:
			return halfToFloat64(o.Uint16(b)), true
		case 4:
			return float64(math.Float32frombits(o.Uint32(b))), true
		default:
			return math.Float64frombits(o.Uint64(b)), true
		}
	case 'i':
		switch size {
		case 1:
			return float64(int8(b[0])), true
		case 2:
			return float64(int16(o.Uint16(b))), true
		case 4:
			return float64(int32(o.Uint32(b))), true
		default:
			x := int64(o.Uint64(b))
			return float64(x), x >= -1<<53 && x <= 1<<53
		}
	default:
		switch size {
		case 1:
			return float64(b[0]), true
		case 2:
			return float64(o.Uint16(b)), true
		case 4:
			return float64(o.Uint32(b)), true
		default:
			x := o.Uint64(b)
			return float64(x), x <= 1<<53
		}
	}
}

// halfToFloat64 converts an IEEE binary16 value exactly.
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
	return sign * math.Ldexp(m+1024, e-25)
}
