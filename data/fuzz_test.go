package data

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// checkResult checks that a loader either returned a valid dataset or a
// one-line *Error.
func checkResult(t *testing.T, ds *Dataset, err error) {
	t.Helper()
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("error %v (%T) is not an *Error", err, err)
		}
		if strings.ContainsAny(err.Error(), "\n\r") {
			t.Fatalf("error spans lines: %q", err)
		}
		return
	}
	checkDataset(t, ds)
}

// checkErr checks that err, if any, is a one-line *Error.
func checkErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		checkResult(t, nil, err)
	}
}

// checkDataset checks a Dataset's invariants.
func checkDataset(t *testing.T, ds *Dataset) {
	t.Helper()
	n, d := ds.N(), ds.D()
	if n == 0 || d == 0 || len(ds.Y) != n || len(ds.Rows) != n || ds.M() == 0 {
		t.Fatalf("bad sizes: N=%d D=%d Y=%d Rows=%d M=%d", n, d, len(ds.Y), len(ds.Rows), ds.M())
	}
	seen := make(map[string]bool, n)
	for i, x := range ds.X {
		if len(x) != d {
			t.Fatalf("row %d has %d features, want %d", i, len(x), d)
		}
		var key strings.Builder
		for _, v := range x {
			if math.IsNaN(v) || math.IsInf(v, 0) || v == 0 && math.Signbit(v) {
				t.Fatalf("row %d holds %v", i, v)
			}
			key.WriteString(fmtBits(v))
		}
		if seen[key.String()] {
			t.Fatalf("row %d repeats a point", i)
		}
		seen[key.String()] = true
		if ds.Y[i] < 0 || ds.Y[i] >= ds.M() {
			t.Fatalf("Y[%d] = %d out of range", i, ds.Y[i])
		}
	}
}

// fmtBits renders a float's bits.
func fmtBits(v float64) string {
	b := math.Float64bits(v)
	var s [8]byte
	for i := range s {
		s[i] = byte(b >> (8 * i))
	}
	return string(s[:])
}

func FuzzCSV(f *testing.F) {
	f.Add([]byte("1,2,a\n3,4,b\n"), int8(0))
	f.Add([]byte("150,2,x,y\n1,2,0\n3,4,1\n1,2,0\n"), int8(0))
	f.Add([]byte("a,b,label\n1,2,\"q\"\"x\"\n# c\n\n3,4,y\r\n"), int8(-1))
	f.Add([]byte("1 2 0\n3 4 1\n"), int8(1))
	f.Add([]byte("1,nan,0\n"), int8(0))
	f.Add([]byte("1e308,-1e400,1\n"), int8(0))
	f.Add(gz(f, []byte("1,2,3\n4,5,6\n")), int8(2))
	f.Fuzz(func(t *testing.T, b []byte, labelCol int8) {
		ds, err := ReadCSV(bytes.NewReader(b), "fuzz.csv", int(labelCol))
		checkResult(t, ds, err)
		if err == nil {
			_, _ = Geometry(context.Background(), ds)
		}
	})
}

func FuzzNPY(f *testing.F) {
	f.Add(npyWrite(f, mat.NewDense(2, 3, []float64{1, 2, 3, 4, 5, 6})))
	f.Add(npyWrite(f, []int64{1, 2, 3}))
	f.Add(npyWrite(f, []string{"ab", "c"}))
	f.Add(npyWrite(f, [2][2][2]uint8{}))
	f.Add(npyBytes("<f2", true, "(2, 2)", le(uint16(1), uint16(2), uint16(3), uint16(4))))
	f.Add(npyBytes(">U2", false, "(2,)", make([]byte, 16)))
	f.Add(npyBytes("|S3", false, "(1,)", []byte("abc")))
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	w, _ := zw.Create("x.npy")
	w.Write(npyWrite(f, mat.NewDense(2, 1, []float64{1, 2})))
	w, _ = zw.Create("y.npy")
	w.Write(npyWrite(f, []int64{0, 1}))
	zw.Close()
	f.Add(zbuf.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, sized := range []bool{true, false} {
			avail := int64(len(b))
			if !sized {
				avail = -1
			}
			a, err := readNPY(bytes.NewReader(b), avail, sized)
			checkErr(t, err)
			if err != nil {
				continue
			}
			if x, err := a.rows("f"); err == nil {
				labels := make([]string, len(x))
				for i := range labels {
					labels[i] = "a"
				}
				ds, err := FromRaw("f", x, labels, nil)
				checkResult(t, ds, err)
				if err == nil {
					if x2, l2, col, err := labelColumn("f", ds.X, -1); err == nil {
						ds, err := fromRaw("f", x2, l2, nil, rawOptions{column: col})
						checkResult(t, ds, err)
					}
				}
			}
			if _, err := a.labelTexts("f"); err != nil {
				checkErr(t, err)
			}
		}
		x, y, err := readNPZ(bytes.NewReader(b), int64(len(b)), true)
		checkErr(t, err)
		if err == nil && (x == nil || y == nil) {
			t.Fatal("readNPZ returned nil arrays")
		}
	})
}

func FuzzIDX(f *testing.F) {
	f.Add(idxBytes(0x08, []int{2, 2, 2}, []uint8{1, 2, 3, 4, 5, 6, 7, 8}))
	f.Add(idxBytes(0x08, []int{3}, []uint8{1, 2, 1}))
	f.Add(idxBytes(0x0B, []int{1, 2}, []int16{-1, 1}))
	f.Add(idxBytes(0x0D, []int{2, 1}, []float32{0.5, -0.5}))
	f.Add(idxBytes(0x0E, []int{1, 1}, []float64{math.NaN()}))
	f.Add(gz(f, idxBytes(0x0C, []int{2, 1}, []int32{5, 6})))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := ReadIDX(bytes.NewReader(b))
		checkErr(t, err)
		a2, err2 := readIDX(bytes.NewReader(b), int64(len(b)), true)
		if (err == nil) != (err2 == nil) && !(len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b) {
			t.Fatalf("sized and unsized reads disagree: %v vs %v", err, err2)
		}
		for _, a := range []*IDX{a, a2} {
			if a == nil {
				continue
			}
			if x, err := a.rows("f"); err == nil {
				labels, lerr := a.labels("f")
				if lerr != nil || len(labels) != len(x) {
					labels = make([]string, len(x))
					for i := range labels {
						labels[i] = "z"
					}
				}
				ds, err := FromRaw("f", x, labels, nil)
				checkResult(t, ds, err)
			}
		}
	})
}
