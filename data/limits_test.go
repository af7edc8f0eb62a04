package data

import (
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

func TestLabelWithLineBreakRefused(t *testing.T) {
	_, err := FromRaw("x", [][]float64{{1}, {2}}, []string{"a", "b\nc"}, nil)
	if err == nil || !strings.Contains(err.Error(), "x: row 2: label \"b\\nc\" contains a line break") {
		t.Fatalf("err = %v", err)
	}
}
