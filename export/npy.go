package export

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/memnet/memnet/data"
)

// This file writes the NumPy .npy format (version 1.0) and reads it (1.0,
// 2.0 and 3.0) with data.ReadNPY. (npyio's reader trusts headers.)

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

// readNPY decodes an .npy array from r, which holds at most limit bytes,
// with the data package's reader (written for untrusted files: sizes claimed
// by a header are checked against caps and against the bytes that actually
// follow before anything is allocated for them). Arrays of more than
// maxImportParams items are refused.
func readNPY(r io.Reader, limit int64) (*ndarray, error) {
	a, err := data.ReadNPY(r, data.NPYOptions{Avail: limit, Check: func(items int64) error {
		if items > maxImportParams {
			return fmt.Errorf("%d values, more than the %d memnet imports", items, maxImportParams)
		}
		return checkWeights(fmt.Sprintf("an array of %d values", items), items)
	}})
	if err != nil {
		return nil, err
	}
	return &ndarray{descr: a.Dtype, shape: a.Shape, nums: a.Float, strs: a.Strings}, nil
}
