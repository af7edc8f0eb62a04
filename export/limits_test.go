package export

import (
	"archive/zip"
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/memnet/memnet/limits"
)

// TestImportMemoryLimits checks the importers' refusals of issue 14 happen
// before the memory is allocated, with a one-line error naming the limit.
func TestImportMemoryLimits(t *testing.T) {
	limits.SetMemory(32 << 20)
	t.Cleanup(limits.Reset)
	zeros := func(n int) []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, _ := zw.Create("W0.npy")
		w.Write(npyBytes("<f8", []int{1, n}, make([]byte, 8*n)))
		zw.Close()
		return buf.Bytes()
	}
	for _, tc := range []struct {
		name, format string
		b            []byte
		want         string
	}{
		{"onnx: 100,000-wide input before a Relu", ONNX, wideReluONNX(100_000), "parameters"},
		{"onnx: 3,000-wide input before a Relu", ONNX, wideReluONNX(3_000), "--max-memory"},
		{"npz: 10^6 zeros", NPZ, zeros(1_000_000), "--max-memory"},
		{"json: many strings", JSON, []byte(`{"format":"memnet-exact-json","version":1,"layers":[{"W":[[` + strings.Repeat(`"0",`, 400_000) + `"0"]]}]}`), "--max-memory"},
	} {
		var err error
		got := limits.Allocated(func() { _, err = ImportBytes(tc.b, tc.format, []string{"a", "b"}) })
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: err = %v, want one line with %q", tc.name, err, tc.want)
		}
		if lim := uint64(4<<20 + 4*len(tc.b)); got > lim {
			t.Errorf("%s: allocated %d bytes before refusing (more than %d)", tc.name, got, lim)
		}
	}
}

func TestImportRefusesAmbiguousNames(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for range 2 {
		w, _ := zw.Create("W0.npy")
		w.Write(npyBytes("<f8", []int{1, 1}, make([]byte, 8)))
	}
	zw.Close()
	if _, err := ImportBytes(buf.Bytes(), NPZ, []string{"a", "b"}); err == nil || !strings.Contains(err.Error(), `two arrays named "W0"`) {
		t.Errorf("npz with two W0: %v", err)
	}
	js := `{"format":"memnet-exact-json","version":1,"input_dim":1,"classes":["a","b","a"],"layers":[{"activation":"identity","W":[["1"],["0"],["0"]],"b":["0","0","0"]}]}`
	if _, err := ImportBytes([]byte(js), JSON, nil); err == nil || !strings.Contains(err.Error(), `class "a" is named twice`) {
		t.Errorf("json with class a twice: %v", err)
	}
	for _, w := range []string{"010/3", "0x10", "1p10", "1_000", "+1", "1/0"} {
		js := fmt.Sprintf(`{"format":"memnet-exact-json","version":1,"input_dim":1,"classes":["a"],"layers":[{"activation":"identity","W":[[%q]],"b":["0"]}]}`, w)
		m, err := ImportBytes([]byte(js), JSON, nil)
		if w == "010/3" {
			// decimal with a leading zero: 10/3, never octal 8/3
			if err != nil || m.Net.Readout.W[0][0].RatString() != "10/3" {
				t.Errorf("%s: %v", w, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: accepted", w)
		}
	}
}
