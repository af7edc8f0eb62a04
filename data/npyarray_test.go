package data

import (
	"bytes"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestReadNPYArray(t *testing.T) {
	for name, tc := range map[string]struct {
		file  []byte
		shape []int
		nums  []float64
		strs  []string
	}{
		"f8":          {npyBytes("<f8", false, "(2,)", le(1.5, -2.25)), []int{2}, []float64{1.5, -2.25}, nil},
		"big endian":  {npyBytes(">i4", false, "(2,)", []byte{0, 0, 0, 1, 0xff, 0xff, 0xff, 0xfe}), []int{2}, []float64{1, -2}, nil},
		"float16":     {npyBytes("<f2", false, "(3,)", le(uint16(0x3c00), uint16(0xc000), uint16(0x0001))), []int{3}, []float64{1, -2, math.Ldexp(1, -24)}, nil},
		"fortran 2x3": {npyBytes("<i2", true, "(2, 3)", le(int16(1), int16(4), int16(2), int16(5), int16(3), int16(6))), []int{2, 3}, []float64{1, 2, 3, 4, 5, 6}, nil},
		"fortran 3-d": {npyBytes("|u1", true, "(2, 1, 2)", []byte{1, 3, 2, 4}), []int{2, 1, 2}, []float64{1, 2, 3, 4}, nil},
		"exact i8":    {npyBytes("<i8", false, "(1,)", le(int64(1)<<60)), []int{1}, []float64{0x1p60}, nil},
		"bool":        {npyBytes("|b1", false, "()", []byte{2}), nil, []float64{1}, nil},
		"bytes":       {npyBytes("|S3", false, "(2,)", []byte("ab\x00xyz")), []int{2}, nil, []string{"ab", "xyz"}},
		"unicode":     {npyBytes(">U2", false, "(1,)", []byte{0, 0, 0, 'h', 0, 0, 0x00, 0xe9}), []int{1}, nil, []string{"hé"}},
	} {
		a, err := ReadNPY(bytes.NewReader(tc.file), NPYOptions{Avail: int64(len(tc.file))})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !slices.Equal(a.Shape, tc.shape) || !slices.Equal(a.Float, tc.nums) || !slices.Equal(a.Strings, tc.strs) {
			t.Errorf("%s: got %+v", name, a)
		}
		// the same with an unknown size
		b, err := ReadNPY(bytes.NewReader(tc.file), NPYOptions{})
		if err != nil || !slices.Equal(b.Float, a.Float) || !slices.Equal(b.Strings, a.Strings) {
			t.Errorf("%s, unknown size: %+v, %v", name, b, err)
		}
	}
}

func TestReadNPYArrayErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		file []byte
		max  int64
		want string
	}{
		"inexact i8":  {npyBytes("<i8", false, "(2,)", le(int64(1), int64(1)<<53+1)), -1, "row 2: column 1: the <i8 value is not exactly representable"},
		"inexact u8":  {npyBytes("<u8", false, "(1,)", le(uint64(math.MaxUint64))), -1, "not exactly representable"},
		"huge claim":  {npyBytes("<f8", false, "(1000000000,)", nil), -1, "truncated"},
		"too many":    {npyBytes("<f8", false, "(3,)", le(1.0, 2.0, 3.0)), 2, "more than the 2 allowed"},
		"extra bytes": {append(npyBytes("<f8", false, "(1,)", le(1.0)), 0), -1, "unexpected data after the end"},
		"complex":     {npyBytes("<c16", false, "(1,)", le(1.0, 0.0)), -1, "unsupported dtype"},
	} {
		_, err := ReadNPY(bytes.NewReader(tc.file), NPYOptions{Avail: int64(len(tc.file)), MaxItems: tc.max})
		var e *Error
		if !errors.As(err, &e) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v (want an *Error with %q)", name, err, tc.want)
		}
	}
}

func TestDecodeNumbers(t *testing.T) {
	got, err := DecodeNumbers(">f2", []byte{0x3c, 0x00, 0x7c, 0x00})
	if err != nil || !slices.Equal(got, []float64{1, math.Inf(1)}) {
		t.Errorf("f2: %v, %v", got, err)
	}
	got, err = DecodeNumbers("|u1", []byte{7, 255})
	if err != nil || !slices.Equal(got, []float64{7, 255}) {
		t.Errorf("u1: %v, %v", got, err)
	}
	_, err = DecodeNumbers("<i8", le(int64(3), int64(-1)<<62, int64(1)<<62+1))
	var ie *InexactError
	if !errors.As(err, &ie) || ie.Index != 2 {
		t.Errorf("inexact: %v", err)
	}
	for _, bad := range []string{"<U2", "<c16", ""} {
		if _, err := DecodeNumbers(bad, make([]byte, 8)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	if _, err := DecodeNumbers("<f4", make([]byte, 6)); err == nil {
		t.Error("ragged data: no error")
	}
}
