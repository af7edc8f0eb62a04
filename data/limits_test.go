package data

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/memnet/memnet/limits"
)

// noMemoryLimit lifts the memory limit for one test.
func noMemoryLimit(t *testing.T) {
	t.Helper()
	limits.SetMemory(1 << 62)
	t.Cleanup(limits.Reset)
}

// setLimits lowers the limits for one test.
func setLimits(t testing.TB, memory, input int64) {
	limits.SetMemory(memory)
	limits.SetInputBytes(input)
	t.Cleanup(limits.Reset)
}

// gzipRepeat compresses chunk once and repeats the gzip member n times (a
// valid multi-member gzip file: n·len(chunk) bytes once decompressed).
func gzipRepeat(t testing.TB, head, chunk []byte, n int) []byte {
	member := func(b []byte) []byte {
		var buf bytes.Buffer
		w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		w.Write(b)
		w.Close()
		return buf.Bytes()
	}
	out := member(head)
	c := member(chunk)
	for range n {
		out = append(out, c...)
	}
	return out
}

func TestLabelWithLineBreakRefused(t *testing.T) {
	_, err := FromRaw("x", [][]float64{{1}, {2}}, []string{"a", "b\nc"}, nil)
	if err == nil || !strings.Contains(err.Error(), "x: row 2: label \"b\\nc\" contains a line break") {
		t.Fatalf("err = %v", err)
	}
}

// TestDecompressionAndMemoryLimits loads the bombs of issue 14 (small
// versions, lowered limits): each ends with a one-line *Error naming the
// limit's flag, having allocated at most a few times the limit.
func TestDecompressionAndMemoryLimits(t *testing.T) {
	const memory, input = 16 << 20, 4 << 20
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	comments := bytes.Repeat([]byte("# a comment line, skipped by the parser\n"), 1<<15) // 1.25 MiB
	npyHead := func(descr, shape string) []byte {
		return npyBytes(descr, false, shape, nil)
	}
	idxHead := []byte{0, 0, 8, 2, 0, 0x0f, 0x42, 0x40, 0, 0, 0x03, 0xe8} // 10^6 × 1000 uint8
	for _, tc := range []struct {
		name, path, labels, want string
	}{
		{"csv.gz inflating past the input limit", write("bomb.csv.gz", gzipRepeat(t, []byte("a,b,c,y\n1,2,3,4\n"), comments, 64)), "", limits.InputBytesFlag},
		{"csv past the memory limit", write("big.csv", bytes.Repeat([]byte("1,2,3,4\n"), 1<<19)), "", limits.MemoryFlag},
		{"npy.gz declaring 10^8 bytes", write("bomb.npy.gz", gzipRepeat(t, npyHead("|u1", "(100000, 1000)"), make([]byte, 1<<20), 8)), write("y.npy", npyHead("|u1", "(100000,)")), limits.MemoryFlag},
		{"idx.gz declaring 10^9 bytes", write("bomb-idx3-ubyte.gz", gzipRepeat(t, idxHead, make([]byte, 1<<20), 8)), write("y-idx1-ubyte", []byte{0, 0, 8, 1, 0, 0x0f, 0x42, 0x40}), limits.MemoryFlag},
		{"plain file over the input limit", write("long.csv", bytes.Repeat([]byte("1,2,3,4\n"), 1<<20)), "", limits.InputBytesFlag},
	} {
		setLimits(t, memory, input)
		var err error
		got := allocated(func() { _, err = Load(LoadOptions{Path: tc.path, Labels: tc.labels}) })
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: err = %v, want one line naming %s", tc.name, err, tc.want)
		}
		if got > 4*memory {
			t.Errorf("%s: allocated %d bytes under a %d-byte memory limit", tc.name, got, memory)
		}
	}
}

// FuzzLoadLimited loads fuzzed input, plain and as a gzip member repeated
// (decompressing to up to 64 times its size), as CSV, .npy and IDX under
// small limits: the loader returns a dataset or a one-line *Error and
// allocates at most a few times the limits.
func FuzzLoadLimited(f *testing.F) {
	f.Add([]byte("1,2,a\n3,4,b\n"), uint8(3), uint8(0))
	f.Add([]byte("0,0,0\n"), uint8(63), uint8(0))
	f.Add(npyBytes("<f8", false, "(2, 2)", make([]byte, 32)), uint8(0), uint8(1))
	f.Add(npyBytes("|u1", false, "(100000, 100)", make([]byte, 100)), uint8(63), uint8(1))
	f.Add([]byte{0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 1, 7, 9}, uint8(0), uint8(2))
	const memory, input = 2 << 20, 1 << 20
	f.Fuzz(func(t *testing.T, b []byte, repeat, format uint8) {
		setLimits(t, memory, input)
		if len(b) > 1<<16 {
			return
		}
		content := b
		if repeat > 0 {
			content = gzipRepeat(t, nil, b, int(repeat%64))
		}
		p := filepath.Join(t.TempDir(), "f")
		if err := os.WriteFile(p, content, 0o644); err != nil {
			t.Fatal(err)
		}
		opt := LoadOptions{Path: p, Format: []string{"csv", "npy", "idx"}[format%3], LabelCol: 0}
		var ds *Dataset
		var err error
		got := allocated(func() { ds, err = Load(opt) })
		if got > 8*memory+64*uint64(len(content)) {
			t.Fatalf("allocated %d bytes for %d input bytes under a %d-byte memory limit", got, len(content), memory)
		}
		checkResult(t, ds, err)
	})
}
