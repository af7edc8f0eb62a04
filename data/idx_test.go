package data

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// idxBytes builds an IDX file: type code, dimensions, then big-endian data.
func idxBytes(typ byte, dims []int, data ...any) []byte {
	var b bytes.Buffer
	b.Write([]byte{0, 0, typ, byte(len(dims))})
	for _, d := range dims {
		binary.Write(&b, binary.BigEndian, uint32(d))
	}
	for _, v := range data {
		binary.Write(&b, binary.BigEndian, v)
	}
	return b.Bytes()
}

func TestIDXRoundTrip(t *testing.T) {
	images := idxBytes(0x08, []int{3, 2, 2}, []uint8{0, 1, 2, 3, 255, 0, 0, 0, 0, 1, 2, 3})
	labels := idxBytes(0x08, []int{3}, []uint8{7, 1, 7})
	for _, compressed := range []bool{false, true} {
		name := "plain"
		if compressed {
			name = "gzip"
		}
		t.Run(name, func(t *testing.T) {
			im, lb := images, labels
			if compressed {
				im, lb = gz(t, im), gz(t, lb)
			}
			dir := t.TempDir()
			ip := filepath.Join(dir, "train-images-idx3-ubyte")
			lp := filepath.Join(dir, "train-labels-idx1-ubyte")
			if compressed {
				ip, lp = ip+".gz", lp+".gz"
			}
			writeTo(t, ip, im)
			writeTo(t, lp, lb)

			ds, err := Load(LoadOptions{Path: ip, Labels: lp})
			if err != nil {
				t.Fatal(err)
			}
			want := [][]float64{{0, 1, 2, 3}, {255, 0, 0, 0}}
			if !slices.EqualFunc(ds.X, want, slices.Equal) || !slices.Equal(ds.Classes, []string{"1", "7"}) ||
				!slices.Equal(ds.Y, []int{1, 0}) || ds.Duplicates != 1 || !slices.Equal(ds.Rows, []int{1, 2}) {
				t.Errorf("X=%v Classes=%q Y=%v Dups=%d Rows=%v", ds.X, ds.Classes, ds.Y, ds.Duplicates, ds.Rows)
			}
			if !slices.Contains(ds.Notes, "dropped 1 duplicate row (row 3 repeats row 1)") {
				t.Errorf("Notes = %q", ds.Notes)
			}

			// Without Labels, the MNIST-style label file beside it is found.
			ds, err = Load(LoadOptions{Path: ip})
			if err != nil || ds.N() != 2 || !strings.Contains(ds.Notes[0], "labels read from") {
				t.Errorf("guessed labels: ds=%+v err=%v", ds, err)
			}

			x, err := LoadIDXImages(ip)
			if err != nil || len(x) != 3 || !slices.Equal(x[1], []float64{255, 0, 0, 0}) {
				t.Errorf("LoadIDXImages = %v, %v", x, err)
			}
			y, err := LoadIDXLabels(lp)
			if err != nil || !slices.Equal(y, []int{7, 1, 7}) {
				t.Errorf("LoadIDXLabels = %v, %v", y, err)
			}
		})
	}
}

// writeTo writes a file at path.
func writeTo(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestIDXTypes(t *testing.T) {
	tests := []struct {
		name string
		file []byte
		dims []int
		want []float64
	}{
		{"int8", idxBytes(0x09, []int{2}, []int8{-1, 5}), []int{2}, []float64{-1, 5}},
		{"int16", idxBytes(0x0B, []int{1, 2}, []int16{-300, 300}), []int{1, 2}, []float64{-300, 300}},
		{"int32", idxBytes(0x0C, []int{2}, []int32{math.MinInt32, 7}), []int{2}, []float64{math.MinInt32, 7}},
		{"float32", idxBytes(0x0D, []int{2}, []float32{0.1, -2}), []int{2}, []float64{float64(float32(0.1)), -2}},
		{"float64", idxBytes(0x0E, []int{1, 1, 2}, []float64{0.1, 1e300}), []int{1, 1, 2}, []float64{0.1, 1e300}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := ReadIDX(bytes.NewReader(tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(a.Dims, tt.dims) || !slices.Equal(a.Data, tt.want) {
				t.Errorf("got %v %v, want %v %v", a.Dims, a.Data, tt.dims, tt.want)
			}
		})
	}
}

func TestIDXErrors(t *testing.T) {
	good := idxBytes(0x08, []int{2}, []uint8{0, 1})
	tests := []struct {
		name   string
		images []byte
		labels []byte
		file   string // "images" or "labels"
		row    int
		want   string
	}{
		{"empty", nil, good, "images", 0, "not an IDX file (too short)"},
		{"bad magic", []byte{1, 0, 8, 1, 0, 0, 0, 0}, good, "images", 0, "bad magic number 01 00 08 01"},
		{"bad type", []byte{0, 0, 7, 1, 0, 0, 0, 0}, good, "images", 0, "bad magic number"},
		{"no dims", []byte{0, 0, 8, 0}, good, "images", 0, "bad magic number"},
		{"truncated dims", []byte{0, 0, 8, 3, 0, 0, 0, 2}, good, "images", 0, "truncated IDX header (3 dimensions announced)"},
		{"truncated data", idxBytes(0x08, []int{2, 2}, []uint8{1, 2, 3}), good, "images", 0, "truncated: the header describes 2×2 uint8 (4 bytes of data), but only 3 bytes follow"},
		{"extra data", idxBytes(0x08, []int{2, 1}, []uint8{1, 2, 3}), good, "images", 0, "unexpected data after the end"},
		{"huge dims", idxBytes(0x0E, []int{1 << 31, 1 << 31}), good, "images", 0, "more than"},
		{"claimed size", idxBytes(0x08, []int{60000, 28, 28}, []uint8{1}), good, "images", 0, "truncated: the header describes 60000×28×28 uint8 (47040000 bytes of data), but only 1 bytes follow"},
		{"no features", idxBytes(0x08, []int{2, 0}), good, "images", 0, "no features"},
		{"nan image", idxBytes(0x0E, []int{2, 1}, []float64{1, math.NaN()}), good, "images", 2, "column 1 is NaN"},
		{"label count", idxBytes(0x08, []int{3, 1}, []uint8{1, 2, 3}), good, "labels", 0, "2 labels, but"},
		{"label dims", idxBytes(0x08, []int{2, 1}, []uint8{1, 2}), idxBytes(0x08, []int{2, 2}, []uint8{1, 2, 3, 4}), "labels", 0, "labels must be a vector"},
		{"label nan", idxBytes(0x08, []int{2, 1}, []uint8{1, 2}), idxBytes(0x0D, []int{2}, []float32{1, float32(math.NaN())}), "labels", 2, "label is NaN"},
		{"truncated labels", idxBytes(0x08, []int{2, 1}, []uint8{1, 2}), good[:len(good)-1], "labels", 0, "truncated"},
		{"conflict", idxBytes(0x08, []int{2, 1}, []uint8{1, 1}), good, "images", 0, `rows 1 and 2 are the same point with different labels ("0" and "1")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ip := writeFile(t, "images.idx", tt.images)
			lp := writeFile(t, "labels.idx", tt.labels)
			_, err := Load(LoadOptions{Path: ip, Labels: lp})
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want *Error", err)
			}
			file := ip
			if tt.file == "labels" {
				file = lp
			}
			if e.File != file || e.Row != tt.row || !strings.Contains(e.Reason, tt.want) {
				t.Errorf("err = %q (row %d), want %s, row %d and reason containing %q", err, e.Row, tt.file, tt.row, tt.want)
			}
		})
	}
}

func TestIDXHugeClaimsDoNotAllocate(t *testing.T) {
	noMemoryLimit(t) // the growth as data arrives, not the memory estimate
	claim := gz(t, idxBytes(0x0E, []int{1 << 30, 8}, make([]float64, 100)))
	var err error
	n := allocated(func() { _, err = ReadIDX(bytes.NewReader(claim)) })
	if err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("err = %v", err)
	}
	if n > 8<<20 {
		t.Errorf("allocated %d bytes for a tiny file", n)
	}
}

func TestFormatDetection(t *testing.T) {
	tests := []struct {
		name    string
		content []byte
		want    string
	}{
		{"train-images-idx3-ubyte", nil, "idx"},
		{"t10k-labels.idx1-ubyte.gz", nil, "idx"},
		{"x.NPY", nil, "npy"},
		{"d.npz", nil, "npz"},
		{"d.csv.gz", nil, "csv"},
		{"d.tsv", nil, "csv"},
		{"noext", npyBytes("<f8", false, "(1,)", le(1.0)), "npy"},
		{"noext", []byte("PK\x03\x04rest"), "npz"},
		{"noext", idxBytes(0x08, []int{1}, []uint8{1}), "idx"},
		{"noext", []byte("1,2,3\n"), "csv"},
		{"noext.gz", gz(t, idxBytes(0x08, []int{1}, []uint8{1})), "idx"},
	}
	for _, tt := range tests {
		path := tt.name
		if tt.content != nil {
			path = writeFile(t, tt.name, tt.content)
		}
		got, err := detectFormat(path)
		if err != nil || got != tt.want {
			t.Errorf("detectFormat(%s) = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
}

// TestIDXLargeGzip reads a compressed file whose data is larger than one read
// chunk and not a round size, so buffers grow several times.
func TestIDXLargeGzip(t *testing.T) {
	n, r, c := 2503, 31, 29
	pix := make([]uint8, n*r*c)
	for i := range pix {
		pix[i] = uint8(i*7 + i/13)
	}
	lbl := make([]uint8, n)
	for i := range lbl {
		lbl[i] = uint8(i % 10)
	}
	dir := t.TempDir()
	ip, lp := filepath.Join(dir, "big-images-idx3-ubyte.gz"), filepath.Join(dir, "big-labels-idx1-ubyte.gz")
	writeTo(t, ip, gz(t, idxBytes(0x08, []int{n, r, c}, pix)))
	writeTo(t, lp, gz(t, idxBytes(0x08, []int{n}, lbl)))
	x, err := LoadIDXImages(ip)
	if err != nil {
		t.Fatal(err)
	}
	if len(x) != n || x[n-1][r*c-1] != float64(pix[len(pix)-1]) || x[1][0] != float64(pix[r*c]) {
		t.Fatalf("read %d images with wrong values", len(x))
	}
}
