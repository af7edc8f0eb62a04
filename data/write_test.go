package data

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestWriteRoundTrip: what WriteCSV and WriteNPZ write, Load reads back to
// the same points and labels, bit for bit.
func TestWriteRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for _, ds := range []*Dataset{Moons(300, 0.05, 3), Gaussian(50, 5, 3, 2), Spirals(40, 1)} {
		for _, ext := range []string{".csv", ".npz"} {
			var buf bytes.Buffer
			write := WriteCSV
			if ext == ".npz" {
				write = WriteNPZ
			}
			if err := write(&buf, ds); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "d"+ext)
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := Load(LoadOptions{Path: path})
			if err != nil {
				t.Fatalf("%s %s: %v", ds.Name, ext, err)
			}
			if got.N() != ds.N() {
				t.Fatalf("%s %s: N = %d, want %d", ds.Name, ext, got.N(), ds.N())
			}
			for i := range ds.X {
				if !slices.Equal(got.X[i], ds.X[i]) || got.Classes[got.Y[i]] != ds.Classes[ds.Y[i]] {
					t.Fatalf("%s %s: point %d = %v %s, want %v %s", ds.Name, ext, i, got.X[i], got.Classes[got.Y[i]], ds.X[i], ds.Classes[ds.Y[i]])
				}
			}
		}
	}
	bad, _ := FromRaw("words", [][]float64{{1}, {2}}, []string{"cat", "dog"}, nil)
	if err := WriteNPZ(&bytes.Buffer{}, bad); err == nil {
		t.Error("WriteNPZ accepted text labels")
	}
}
