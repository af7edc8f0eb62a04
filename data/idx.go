package data

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// IDX is an array read from an IDX file (the format of the MNIST files).
type IDX struct {
	// Type is the IDX data type code: 0x08 uint8, 0x09 int8, 0x0B int16,
	// 0x0C int32, 0x0D float32 or 0x0E float64.
	Type byte
	// Dims are the dimensions, outermost first.
	Dims []int
	// Data holds the values in row-major order, converted to float64 (every
	// IDX type converts exactly).
	Data []float64
}

// idxTypes maps IDX type codes to their names and item sizes.
var idxTypes = map[byte]struct {
	name string
	size int
}{
	0x08: {"uint8", 1},
	0x09: {"int8", 1},
	0x0B: {"int16", 2},
	0x0C: {"int32", 4},
	0x0D: {"float32", 4},
	0x0E: {"float64", 8},
}

// ReadIDX reads an IDX array from r, gzip-compressed or not (gzip is
// recognized by its magic bytes). It checks the magic number, the type and
// that the data is exactly as long as the dimensions say; memory grows only
// as data actually arrives, whatever sizes the header claims. Errors are
// *Error values without a file name.
func ReadIDX(r io.Reader) (*IDX, error) {
	in, err := newInput(r)
	if err != nil {
		return nil, newError("", 0, err.Error())
	}
	defer in.Close()
	return readIDX(in.r, -1, false)
}

// readIDXFile reads an IDX file, gzip-compressed or not.
func readIDXFile(path string) (*IDX, error) {
	in, err := openInput(path)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	a, err := readIDX(in.r, in.size, !in.gz)
	return a, withFile(err, path)
}

// readIDX reads an IDX array. avail bounds the bytes r can deliver (-1:
// unknown); sized says r surely delivers avail bytes.
func readIDX(r io.Reader, avail int64, sized bool) (*IDX, error) {
	var magic [4]byte
	if _, err := io.ReadFull(r, magic[:]); err != nil {
		return nil, newError("", 0, "not an IDX file (too short)")
	}
	t, ok := idxTypes[magic[2]]
	if magic[0] != 0 || magic[1] != 0 || !ok || magic[3] == 0 {
		return nil, newError("", 0, fmt.Sprintf("not an IDX file (bad magic number %02x %02x %02x %02x)", magic[0], magic[1], magic[2], magic[3]))
	}
	nd := int(magic[3])
	head := make([]byte, 4*nd)
	if _, err := io.ReadFull(r, head); err != nil {
		return nil, newError("", 0, fmt.Sprintf("truncated IDX header (%d dimensions announced)", nd))
	}
	a := &IDX{Type: magic[2], Dims: make([]int, nd)}
	for i := range a.Dims {
		a.Dims[i] = int(binary.BigEndian.Uint32(head[4*i:]))
	}
	describe := func() string {
		parts := make([]string, nd)
		for i, d := range a.Dims {
			parts[i] = strconv.Itoa(d)
		}
		return strings.Join(parts, "×") + " " + t.name
	}
	n, ok := mulDims(a.Dims, maxDataBytes/int64(t.size))
	if !ok {
		return nil, newError("", 0, fmt.Sprintf("the header describes %s, more than %d bytes", describe(), int64(maxDataBytes)))
	}
	nbytes := n * int64(t.size)
	used := int64(4 + 4*nd)
	if avail >= 0 && nbytes > avail-used {
		return nil, newError("", 0, fmt.Sprintf("truncated: the header describes %s (%d bytes of data), but only %d bytes follow", describe(), nbytes, max(avail-used, 0)))
	}
	if err := checkMemory("an IDX array of "+describe(), arrayBytes(n, int64(a.Dims[0]), t.size, sized)); err != nil {
		return nil, err
	}
	vals, got, err := readItems(r, n, t.size, sized, idxConv(a.Type))
	if err != nil {
		if errors.Is(err, errTruncated) {
			return nil, newError("", 0, fmt.Sprintf("truncated: the header describes %s (%d bytes of data), but the data ends after %d bytes", describe(), nbytes, got*int64(t.size)))
		}
		return nil, newError("", 0, err.Error())
	}
	if err := checkEnd(r); err != nil {
		return nil, newError("", 0, err.Error())
	}
	a.Data = vals
	return a, nil
}

// idxConv returns the converter of an IDX type (big endian) to float64.
func idxConv(typ byte) func(dst []float64, src []byte) int {
	be := binary.BigEndian
	switch typ {
	case 0x08:
		return func(dst []float64, src []byte) int {
			for i := range dst {
				dst[i] = float64(src[i])
			}
			return -1
		}
	case 0x09:
		return func(dst []float64, src []byte) int {
			for i := range dst {
				dst[i] = float64(int8(src[i]))
			}
			return -1
		}
	case 0x0B:
		return func(dst []float64, src []byte) int {
			for i := range dst {
				dst[i] = float64(int16(be.Uint16(src[2*i:])))
			}
			return -1
		}
	case 0x0C:
		return func(dst []float64, src []byte) int {
			for i := range dst {
				dst[i] = float64(int32(be.Uint32(src[4*i:])))
			}
			return -1
		}
	case 0x0D:
		return func(dst []float64, src []byte) int {
			for i := range dst {
				dst[i] = float64(math.Float32frombits(be.Uint32(src[4*i:])))
			}
			return -1
		}
	default:
		return func(dst []float64, src []byte) int {
			for i := range dst {
				dst[i] = math.Float64frombits(be.Uint64(src[8*i:]))
			}
			return -1
		}
	}
}

// rows cuts an IDX array into one row per item of its first dimension.
func (a *IDX) rows(file string) ([][]float64, error) {
	parts := make([]string, len(a.Dims))
	for i, d := range a.Dims {
		parts[i] = strconv.Itoa(d)
	}
	return splitRows(file, a.Dims, a.Data, "an IDX array of dimensions "+strings.Join(parts, "×"))
}

// labels checks that a is a vector of labels and formats them.
func (a *IDX) labels(file string) ([]string, error) {
	if len(a.Dims) > 2 || len(a.Dims) == 2 && a.Dims[1] != 1 {
		return nil, newError(file, 0, fmt.Sprintf("labels must be a vector (idx1), not an array with %d dimensions %v", len(a.Dims), a.Dims))
	}
	return numberLabels(file, a.Data)
}

// LoadIDXImages reads an IDX file (gzip-compressed or not) as one row per
// item of its first dimension, the remaining dimensions flattened in
// row-major order (an MNIST image file gives N rows of 784 values).
func LoadIDXImages(path string) ([][]float64, error) {
	a, err := readIDXFile(path)
	if err != nil {
		return nil, err
	}
	return a.rows(path)
}

// LoadIDXLabels reads an IDX label vector (gzip-compressed or not). The
// values must be integers.
func LoadIDXLabels(path string) ([]int, error) {
	a, err := readIDXFile(path)
	if err != nil {
		return nil, err
	}
	if len(a.Dims) > 2 || len(a.Dims) == 2 && a.Dims[1] != 1 {
		return nil, newError(path, 0, fmt.Sprintf("labels must be a vector (idx1), not an array with dimensions %v", a.Dims))
	}
	out := make([]int, len(a.Data))
	for i, v := range a.Data {
		if v != math.Trunc(v) || math.Abs(v) > 1<<53 {
			return nil, newError(path, i+1, fmt.Sprintf("label %g is not an integer", v))
		}
		out[i] = int(v)
	}
	return out, nil
}
