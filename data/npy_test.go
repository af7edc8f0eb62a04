package data

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/sbinet/npyio/npy"
	"github.com/sbinet/npyio/npz"
	"gonum.org/v1/gonum/mat"

	"github.com/memnet/memnet/limits"
)

// npyBytes builds a version 1.0 .npy file by hand.
func npyBytes(descr string, fortran bool, shape string, data []byte) []byte {
	fo := "False"
	if fortran {
		fo = "True"
	}
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': %s, 'shape': %s, }", descr, fo, shape)
	for (10+len(dict)+1)%64 != 0 {
		dict += " "
	}
	dict += "\n"
	var b bytes.Buffer
	b.WriteString(npyMagic)
	b.Write([]byte{1, 0})
	binary.Write(&b, binary.LittleEndian, uint16(len(dict)))
	b.WriteString(dict)
	b.Write(data)
	return b.Bytes()
}

// npyWrite encodes v with npyio.
func npyWrite(t testing.TB, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := npy.Write(&b, v); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// le encodes values little endian.
func le(vs ...any) []byte {
	var b bytes.Buffer
	for _, v := range vs {
		binary.Write(&b, binary.LittleEndian, v)
	}
	return b.Bytes()
}

func TestNPZRoundTrip(t *testing.T) {
	x := mat.NewDense(4, 3, []float64{
		0.5, 1, -2,
		3, math.Copysign(0, -1), 1e300,
		0.1, 0.2, 0.3,
		0.5, 1, -2, // duplicate of row 1
	})
	for _, tt := range []struct {
		name   string
		xName  string
		yName  string
		labels any
		want   []string
	}{
		{"int64 labels, x/y", "x", "y", []int64{7, 3, 7, 7}, []string{"3", "7"}},
		{"string labels, X/Y.npy", "X.npy", "Y.npy", []string{"cat", "dog", "cat", "cat"}, []string{"cat", "dog"}},
		{"uint8 labels", "x.npy", "y.npy", []uint8{1, 0, 2, 1}, []string{"0", "1", "2"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			w := npz.NewWriter(&buf)
			if err := w.Write(tt.xName, x); err != nil {
				t.Fatal(err)
			}
			if err := w.Write(tt.yName, tt.labels); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			path := writeFile(t, "d.npz", buf.Bytes())
			ds, err := Load(LoadOptions{Path: path})
			if err != nil {
				t.Fatal(err)
			}
			if ds.N() != 3 || ds.D() != 3 || ds.Duplicates != 1 || !slices.Equal(ds.Classes, tt.want) {
				t.Fatalf("N=%d D=%d Dups=%d Classes=%q", ds.N(), ds.D(), ds.Duplicates, ds.Classes)
			}
			if !slices.Equal(ds.X[1], []float64{3, 0, 1e300}) || math.Signbit(ds.X[1][1]) {
				t.Errorf("X[1] = %v", ds.X[1])
			}
			if !slices.Equal(ds.Rows, []int{1, 2, 3}) || !strings.Contains(ds.Notes[0], "row 4 repeats row 1") {
				t.Errorf("Rows = %v, Notes = %q", ds.Rows, ds.Notes)
			}
		})
	}
}

func TestNPYWithLabelFile(t *testing.T) {
	// 3-D uint8 features, flattened; int32 labels.
	feats := [3][2][2]uint8{{{1, 2}, {3, 4}}, {{5, 6}, {7, 8}}, {{0, 0}, {0, 255}}}
	xp := writeFile(t, "x.npy", npyWrite(t, feats))
	yp := writeFile(t, "y.npy", npyWrite(t, []int32{-1, 2, -1}))
	ds, err := Load(LoadOptions{Path: xp, Labels: yp})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]float64{{1, 2, 3, 4}, {5, 6, 7, 8}, {0, 0, 0, 255}}
	if !slices.EqualFunc(ds.X, want, slices.Equal) || !slices.Equal(ds.Classes, []string{"-1", "2"}) || !slices.Equal(ds.Y, []int{0, 1, 0}) {
		t.Errorf("X=%v Classes=%q Y=%v", ds.X, ds.Classes, ds.Y)
	}

	// A label count that does not match.
	yp2 := writeFile(t, "y2.npy", npyWrite(t, []int32{1, 2}))
	_, err = Load(LoadOptions{Path: xp, Labels: yp2})
	if err == nil || !strings.Contains(err.Error(), "y2.npy: 2 labels, but "+xp+" has 3 rows") {
		t.Errorf("err = %v", err)
	}

	// Without a label file or a label column: refused (issue 24: the last
	// feature column was taken as the label silently).
	xy := mat.NewDense(2, 3, []float64{1, 2, 0, 3, 4, 1})
	p := writeFile(t, "xy.npy", npyWrite(t, xy))
	if _, err = Load(LoadOptions{Path: p}); err == nil || !strings.Contains(err.Error(), "--labels") {
		t.Errorf("npy without labels: err = %v, want a refusal naming --labels", err)
	}
	// Labels from a column named by LabelCol.
	ds, err = Load(LoadOptions{Path: p, LabelCol: -1})
	if err != nil || !slices.EqualFunc(ds.X, [][]float64{{1, 2}, {3, 4}}, slices.Equal) || !slices.Equal(ds.Classes, []string{"0", "1"}) {
		t.Errorf("label column: ds=%+v err=%v", ds, err)
	}
	ds, err = Load(LoadOptions{Path: p, LabelCol: 1})
	if err != nil || !slices.EqualFunc(ds.X, [][]float64{{2, 0}, {4, 1}}, slices.Equal) || !slices.Equal(ds.Classes, []string{"1", "3"}) {
		t.Errorf("label column 1: ds=%+v err=%v", ds, err)
	}
}

func TestNPYDtypes(t *testing.T) {
	tests := []struct {
		name string
		file []byte
		want [][]float64
	}{
		{"fortran order", npyBytes("<f8", true, "(2, 3)", le(0.0, 3.0, 1.0, 4.0, 2.0, 5.0)), [][]float64{{0, 1, 2}, {3, 4, 5}}},
		{"fortran 3-D", npyBytes("<i2", true, "(2, 2, 2)", le(int16(0), int16(4), int16(2), int16(6), int16(1), int16(5), int16(3), int16(7))),
			[][]float64{{0, 1, 2, 3}, {4, 5, 6, 7}}},
		{"big endian", npyBytes(">i4", false, "(2, 1)", []byte{0, 0, 1, 0, 0xff, 0xff, 0xff, 0xfe}), [][]float64{{256}, {-2}}},
		{"float16", npyBytes("<f2", false, "(3,)", le(uint16(0x3c00), uint16(0xc000), uint16(0x0001))), [][]float64{{1}, {-2}, {0x1p-24}}},
		{"float32", npyBytes("<f4", false, "(1, 2)", le(float32(0.1), float32(-3))), [][]float64{{float64(float32(0.1)), -3}}},
		{"bool", npyBytes("|b1", false, "(2, 2)", []byte{0, 1, 2, 0}), [][]float64{{0, 1}, {1, 0}}},
		{"uint64 exact", npyBytes("<u8", false, "(1,)", le(uint64(1)<<60)), [][]float64{{0x1p60}}},
		{"python 2 longs", npyBytes("<i1", false, "(2L, 1L)", []byte{1, 0xff}), [][]float64{{1}, {-1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := readNPY(bytes.NewReader(tt.file), int64(len(tt.file)), true)
			if err != nil {
				t.Fatal(err)
			}
			x, err := a.rows("f")
			if err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(x, tt.want, slices.Equal) {
				t.Errorf("x = %v, want %v", x, tt.want)
			}
		})
	}
}

func TestNPYErrors(t *testing.T) {
	valid := npyWrite(t, mat.NewDense(2, 2, []float64{1, 2, 3, 4}))
	labels := writeFile(t, "y.npy", npyWrite(t, []int64{0, 1}))
	tests := []struct {
		name string
		file []byte
		row  int
		want string
	}{
		{"empty", nil, 0, "not a NumPy .npy file (too short)"},
		{"bad magic", []byte("\x93NUMPZ\x01\x00\x00\x00"), 0, "no \\x93NUMPY magic"},
		{"bad version", []byte("\x93NUMPY\x09\x00\x00\x00"), 0, "unsupported .npy format version 9.0"},
		{"truncated header", valid[:20], 0, "truncated .npy header"},
		{"truncated data", valid[:len(valid)-3], 0, "truncated: the header describes a (2, 2) array of dtype \"<f8\" (32 bytes of data), but only 29 bytes follow"},
		{"extra data", append(slices.Clone(valid), 0), 0, "unexpected data after the end of the array"},
		{"huge shape", npyBytes("<f8", false, "(60000000000, 1024)", nil), 0, "too large"},
		{"claimed size", npyBytes("<f8", false, "(1000000000, 2)", nil), 0, "truncated"},
		{"structured", npyBytes("[('a', '<f8')]", false, "(1,)", nil), 0, "bad .npy header"},
		{"structured list", []byte(strings.Replace(string(npyBytes("<f8", false, "(1,)", le(1.0))), "'<f8'", "[('a','<f8')]", 1)), 0, "structured dtypes"},
		{"object", npyBytes("|O", false, "(1,)", nil), 0, "unsupported dtype \"|O\""},
		{"complex", npyBytes("<c16", false, "(1,)", make([]byte, 16)), 0, "unsupported dtype"},
		{"scalar", npyBytes("<f8", false, "()", le(1.0)), 0, "features must be an array with a row per point"},
		{"no rows", npyBytes("<f8", false, "(0, 3)", nil), 0, "no data rows"},
		{"no columns", npyBytes("<f8", false, "(3, 0)", nil), 0, "no features"},
		{"huge rows, no columns", npyBytes("<f8", false, "(10000000000, 0)", nil), 0, "no features"},
		{"nan", npyBytes("<f8", false, "(2, 2)", le(1.0, 2.0, 3.0, math.NaN())), 2, "column 2 is NaN"},
		{"inexact int64", npyBytes("<i8", false, "(2, 2)", le(int64(1), int64(2), int64(1)<<53+1, int64(0))), 2, "column 1: the <i8 value is not exactly representable"},
		{"inexact uint64", npyBytes("<u8", false, "(1, 1)", le(uint64(math.MaxUint64))), 1, "column 1: the <u8 value"},
		{"string features", npyBytes("<U1", false, "(2, 1)", le(uint32('a'), uint32('b'))), 0, "features must be numeric"},
		{"bad header dict", []byte(strings.Replace(string(valid), "'shape'", "'shapf'", 1)), 0, "no tuple 'shape' key"},
		{"negative dim", npyBytes("<f8", false, "(-1, 2)", nil), 0, "bad dimension -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "x.npy", tt.file)
			_, err := Load(LoadOptions{Path: path, Labels: labels})
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want *Error", err)
			}
			if e.File != path || e.Row != tt.row || !strings.Contains(e.Reason, tt.want) {
				t.Errorf("err = %q (row %d), want row %d and reason containing %q", err, e.Row, tt.row, tt.want)
			}
		})
	}
}

func TestNPZErrors(t *testing.T) {
	mk := func(members map[string][]byte) []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, name := range slices.Sorted(func(yield func(string) bool) {
			for k := range members {
				if !yield(k) {
					return
				}
			}
		}) {
			w, _ := zw.Create(name)
			w.Write(members[name])
		}
		zw.Close()
		return buf.Bytes()
	}
	x := npyWrite(t, mat.NewDense(2, 1, []float64{1, 2}))
	tests := []struct {
		name string
		file []byte
		row  int
		want string
	}{
		{"not a zip", []byte("hello"), 0, "not a valid .npz (zip) file"},
		{"no x", mk(map[string][]byte{"a.npy": x}), 0, `no array named x or X in the archive (it holds "a")`},
		{"no y", mk(map[string][]byte{"x.npy": x}), 0, "no array named y or Y"},
		{"bad y", mk(map[string][]byte{"x.npy": x, "y.npy": []byte("junk")}), 0, `member "y.npy": not a NumPy .npy file`},
		{"y shape", mk(map[string][]byte{"x.npy": x, "y.npy": npyWrite(t, mat.NewDense(2, 2, nil))}), 0, "labels must have shape (N,) or (N, 1)"},
		{"y nan", mk(map[string][]byte{"x.npy": x, "y.npy": npyWrite(t, []float64{1, math.NaN()})}), 2, "label is NaN"},
		{"y empty string", mk(map[string][]byte{"x.npy": x, "y.npy": npyBytes("|S1", false, "(2,)", []byte{'a', 0})}), 2, "empty label"},
		{"truncated member", mk(map[string][]byte{"x.npy": x[:len(x)-1], "y.npy": npyWrite(t, []int64{1, 2})}), 0, "truncated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "d.npz", tt.file)
			_, err := Load(LoadOptions{Path: path})
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want *Error", err)
			}
			if e.File != path || e.Row != tt.row || !strings.Contains(e.Reason, tt.want) {
				t.Errorf("err = %q (row %d), want row %d and reason containing %q", err, e.Row, tt.row, tt.want)
			}
		})
	}
}

func TestNPYStringLabels(t *testing.T) {
	xp := writeFile(t, "x.npy", npyWrite(t, mat.NewDense(3, 1, []float64{1, 2, 3})))
	// Byte strings padded with NULs, and big-endian UCS-4 with a non-ASCII letter.
	sp := writeFile(t, "s.npy", npyBytes("|S3", false, "(3,)", []byte("ab\x00abcx\x00\x00")))
	ds, err := Load(LoadOptions{Path: xp, Labels: sp})
	if err != nil || !slices.Equal(ds.Classes, []string{"ab", "abc", "x"}) {
		t.Fatalf("ds=%+v err=%v", ds, err)
	}
	up := writeFile(t, "u.npy", npyBytes(">U2", false, "(3, 1)", []byte{0, 0, 0, 0xe9, 0, 0, 0, 0, 0, 0, 0, 'a', 0, 0, 0, 'b', 0, 0, 0, 0xe9, 0, 0, 0, 0}))
	ds, err = Load(LoadOptions{Path: xp, Labels: up})
	if err != nil || !slices.Equal(ds.Classes, []string{"ab", "é"}) || !slices.Equal(ds.Y, []int{1, 0, 1}) {
		t.Fatalf("ds=%+v err=%v", ds, err)
	}
}

// allocated returns the bytes allocated while running f.
func allocated(f func()) uint64 { return limits.Allocated(f) }

func TestNPYHugeClaimsDoNotAllocate(t *testing.T) {
	noMemoryLimit(t) // the growth as data arrives, not the memory estimate
	// A gzipped .npy whose size is unknown until read: buffers grow only as
	// data arrives.
	claim := npyBytes("<f8", false, "(4000000000, 2)", make([]byte, 1000))
	path := writeFile(t, "x.npy.gz", gz(t, claim))
	var err error
	n := allocated(func() { _, err = Load(LoadOptions{Path: path}) })
	if err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("err = %v", err)
	}
	if n > 8<<20 {
		t.Errorf("allocated %d bytes for a tiny file", n)
	}
	// Same inside an .npz archive.
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("x.npy")
	w.Write(claim)
	w, _ = zw.Create("y.npy")
	w.Write(npyBytes("<i8", false, "(4000000000,)", nil))
	zw.Close()
	path = writeFile(t, "d.npz", buf.Bytes())
	n = allocated(func() { _, err = Load(LoadOptions{Path: path}) })
	if err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("err = %v", err)
	}
	if n > 8<<20 {
		t.Errorf("allocated %d bytes for a tiny archive", n)
	}
}
