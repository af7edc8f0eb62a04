package export

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

// TestReadNPY checks the importer's use of the data package's .npy reader.
func TestReadNPY(t *testing.T) {
	b := npyBytes(">f4", []int{1, 2}, []byte{0x3f, 0x80, 0, 0, 0xc0, 0, 0, 0})
	a, err := readNPY(bytes.NewReader(b), int64(len(b)))
	if err != nil || a.descr != ">f4" || !slices.Equal(a.shape, []int{1, 2}) || !slices.Equal(a.nums, []float64{1, -2}) {
		t.Errorf("big endian: %+v, %v", a, err)
	}
	b = npyStrings([]string{"relu", "id"}, []int{2})
	a, err = readNPY(bytes.NewReader(b), int64(len(b)))
	if err != nil || !slices.Equal(a.strs, []string{"relu", "id"}) || a.nums != nil {
		t.Errorf("strings: %+v, %v", a, err)
	}
	for name, tc := range map[string]struct {
		b    []byte
		want string
	}{
		"too many items": {npyBytes("|u1", []int{maxImportParams + 1}, nil), "memnet imports"},
		"truncated":      {npyBytes("<f8", []int{4}, make([]byte, 8)), "truncated"},
		"inexact":        {npyBytes("<i8", []int{1}, []byte{1, 0, 0, 0, 0, 0, 0x20, 0}), "not exactly representable"},
		"garbage":        {[]byte("hello"), "not a NumPy .npy file"},
	} {
		_, err := readNPY(bytes.NewReader(tc.b), int64(len(tc.b)))
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v (want one line with %q)", name, err, tc.want)
		}
	}
}
