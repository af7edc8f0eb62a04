package data

import (
	"fmt"
	"io"
)

// Array is a NumPy array decoded by ReadNPY, in C (row-major) order whatever
// the order it was stored in.
type Array struct {
	// Dtype is the array's type as the header gives it, such as "<f8",
	// ">i4" or "<U12".
	Dtype string
	// Shape holds the dimensions; it is empty for a scalar.
	Shape []int
	// Float holds the exact values of a numeric (bool, integer or float)
	// array, nil for a string array.
	Float []float64
	// Strings holds the items of a byte ('S') or unicode ('U') string
	// array, without NumPy's trailing NUL padding; nil for a numeric array.
	Strings []string
}

// NPYOptions say how ReadNPY reads an array. The zero value reads any
// array from a reader of unknown size.
type NPYOptions struct {
	// Avail, when positive, is an upper bound on the bytes the reader can
	// deliver (the file size): a header claiming more data is refused
	// before anything is allocated for it.
	Avail int64
	// MaxItems, when positive, refuses before reading any data an array of
	// more items.
	MaxItems int64
	// Check, when not nil, is called with the number of items the header
	// declares before any data is read; its error is returned as is (use
	// it to check the memory the caller will need for the items).
	Check func(items int64) error
}

// ReadNPY reads one NumPy .npy array (format version 1, 2 or 3) from r,
// which must end where the array does, as opt says.
//
// The reader is meant for untrusted input: the sizes a header claims are
// checked against caps and against opt.Avail before anything is allocated
// for them, and buffers grow only as data actually arrives. It reads bool,
// integer and float16/32/64 arrays in either byte order as exact float64
// values (a 64-bit integer that float64 cannot hold exactly is an error),
// byte and unicode string arrays as strings, and reorders Fortran-order
// arrays of any rank. Errors are *Error values without a file name, or
// opt.Check's error.
func ReadNPY(r io.Reader, opt NPYOptions) (*Array, error) {
	avail, maxItems := opt.Avail, opt.MaxItems
	if avail <= 0 {
		avail = -1
	}
	if maxItems <= 0 {
		maxItems = -1
	}
	a, err := readNPYCheck(r, avail, false, maxItems, opt.Check)
	if err != nil {
		return nil, err
	}
	return a.export(), nil
}

// export converts an internal array to an Array.
func (a *npyArray) export() *Array {
	return &Array{Dtype: a.hdr.descr, Shape: a.hdr.shape, Float: a.nums, Strings: a.strs}
}

// InexactError reports an integer item that float64 cannot hold exactly.
type InexactError struct {
	// Index is the item's position in the decoded data.
	Index int64
	// Dtype is the item's NumPy dtype.
	Dtype string
}

func (e *InexactError) Error() string {
	return fmt.Sprintf("item %d: the %s value is not exactly representable as a float64", e.Index, e.Dtype)
}

// DecodeNumbers decodes raw items of a numeric NumPy dtype (such as "<f2",
// ">i8" or "|u1") stored one after the other, as exact float64 values. The
// error is an *InexactError for a 64-bit integer float64 cannot hold
// exactly, and says so when dtype is not a numeric dtype or raw is not a
// whole number of items.
func DecodeNumbers(dtype string, raw []byte) ([]float64, error) {
	h := &npyHeader{descr: dtype}
	if err := parseDtype(h); err != nil {
		return nil, err
	}
	if h.kind == 'S' || h.kind == 'U' {
		return nil, fmt.Errorf("dtype %q is not numeric", dtype)
	}
	if len(raw)%h.size != 0 {
		return nil, fmt.Errorf("%d bytes is not a whole number of %q items", len(raw), dtype)
	}
	out := make([]float64, len(raw)/h.size)
	if bad := npyConv(h)(out, raw); bad >= 0 {
		return nil, &InexactError{Index: int64(bad), Dtype: dtype}
	}
	return out, nil
}
