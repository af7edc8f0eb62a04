package pipeline

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWriteSweepPlots: rows whose params are 3·N (method a) and 35·√N
// (method b) give fitted exponents 1 and 0.5, a crossing at N = 136.1
// inside the range, the first N below N parameters for b only; a row not
// built exactly is left out with a note, and a norm beyond float64 is not
// drawn (a note says so). Every file named is written.
func TestWriteSweepPlots(t *testing.T) {
	var rows []CompareRow
	for _, n := range []int{100, 400, 1600} {
		rows = append(rows,
			CompareRow{Method: "a", N: n, Exact: true, Params: int64(3 * n), MaxWeightBits: 8, NormL2Squared: float64(n)},
			CompareRow{Method: "b", N: n, Exact: true, Params: int64(35 * math.Sqrt(float64(n))), MaxWeightBits: 8, NormL2Squared: math.MaxFloat64})
	}
	rows = append(rows, CompareRow{Method: "c", N: 100, Error: "timeout"}, CompareRow{Method: "d", N: 100, NotApplicable: "integers only"})
	dir := t.TempDir()
	var out bytes.Buffer
	files, err := WriteSweepPlots(&out, rows, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 10 {
		t.Errorf("%d files, want 10 (five plots, PNG and SVG)", len(files))
	}
	for _, f := range files {
		if st, err := os.Stat(f); err != nil || st.Size() == 0 || filepath.Dir(f) != dir {
			t.Errorf("%s: %v", f, err)
		}
	}
	s := out.String()
	for _, want := range []string{
		"note: c at N=100 left out (not built exactly)",
		"‖θ‖₂² beyond the float64 range, not drawn (inspect prints it as 2^k): b at N=100, b at N=400, b at N=1600",
		"a           a = 1.000, c = 3 (3 points); never below N in the sweep",
		"b           a = 0.500, c = 35 (3 points); below N from N=1600 in the sweep",
		"a and b at N≈136",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "d at N=100") {
		t.Errorf("a not-applicable row is reported as left out:\n%s", s)
	}
}
