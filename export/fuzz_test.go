package export

import (
	"strings"
	"testing"
)

// The importers must return an error, never panic, on any bytes, and their
// errors are one line.

func fuzzSeeds(f *testing.F, format string) {
	m := small()
	for _, dt := range []Dtype{Float64, Float32} {
		if format == JSON {
			b, _ := JSONBytes(m)
			f.Add(b)
			break
		}
		b, err := Bytes(m, format, dt)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)/3])
	}
	f.Add([]byte{})
	f.Add([]byte("\x93NUMPY\x01\x00\x10\x00{'descr': '<f8'}"))
}

func fuzzImport(f *testing.F, format string) {
	fuzzSeeds(f, format)
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ImportBytes(b, format, nil)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error of several lines: %q", err)
			}
			return
		}
		if err := m.Net.Check(); err != nil {
			t.Fatalf("imported an invalid network: %v", err)
		}
	})
}

func FuzzImportONNX(f *testing.F)        { fuzzImport(f, ONNX) }
func FuzzImportNPZ(f *testing.F)         { fuzzImport(f, NPZ) }
func FuzzImportSafetensors(f *testing.F) { fuzzImport(f, Safetensors) }
func FuzzImportJSON(f *testing.F)        { fuzzImport(f, JSON) }

// FuzzReadNPY fuzzes the .npy decoder alone.
func FuzzReadNPY(f *testing.F) {
	f.Add(npyFloats([]float64{1, 2, 3, 4}, []int{2, 2}, Float64))
	f.Add(npyStrings([]string{"ab", "c"}, []int{2}))
	f.Add(npyBytes(">f4", []int{1}, []byte{0x3f, 0x80, 0, 0}))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := readNPY(strings.NewReader(string(b)), int64(len(b)))
		if err == nil && a.size() != len(a.nums)+len(a.strs) {
			t.Fatalf("size %d, %d numbers, %d strings", a.size(), len(a.nums), len(a.strs))
		}
	})
}
