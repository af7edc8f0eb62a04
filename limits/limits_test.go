package limits

import (
	"bytes"
	"io"
	"math"
	"strings"
	"testing"
)

func TestParseSize(t *testing.T) {
	for s, want := range map[string]int64{"4GiB": 4 << 30, "512MiB": 512 << 20, "1.5GB": 1_500_000_000, "100000": 100000, "1e9": 1e9, "8k": 8 << 10, "2 G": 2 << 30, "17B": 17} {
		if got, err := ParseSize(s); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", "0", "-1GiB", "NaN", "inf", "1e30", "GiB", "4 XB", "0.1"} {
		if got, err := ParseSize(s); err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", s, got)
		}
	}
}

func TestReader(t *testing.T) {
	for _, n := range []int{0, 99, 100} {
		b, err := io.ReadAll(Reader(bytes.NewReader(make([]byte, n)), 100, "the data", InputBytesFlag))
		if err != nil || len(b) != n {
			t.Errorf("%d bytes under a limit of 100: %d, %v", n, len(b), err)
		}
	}
	_, err := io.ReadAll(Reader(bytes.NewReader(make([]byte, 101)), 100, "the data", InputBytesFlag))
	if !IsLimit(err) || err.Error() != "the data is larger than the limit of 100 B (raise it with --max-input-bytes)" {
		t.Errorf("101 bytes under a limit of 100: %v", err)
	}
}

func TestCheckMemoryAndArithmetic(t *testing.T) {
	SetMemory(1 << 20)
	defer Reset()
	if err := CheckMemory("x", 1<<20); err != nil {
		t.Error(err)
	}
	err := CheckMemory("loading x", 3<<20)
	if err == nil || err.Error() != "loading x would need about 3 MiB of memory, more than the limit of 1 MiB (raise it with --max-memory)" {
		t.Errorf("%v", err)
	}
	if Mul(math.MaxInt64/2, 3) != math.MaxInt64 || Mul(-1, 2) != math.MaxInt64 || Add(math.MaxInt64, 1) != math.MaxInt64 || Mul(0, -1) != math.MaxInt64 {
		t.Error("saturating arithmetic")
	}
	if e := CheckMemory("y", Mul(math.MaxInt64, 2)); e == nil || !strings.Contains(e.Error(), "more than 8 EiB") {
		t.Errorf("%v", e)
	}
}

func TestFitMemoryToProcess(t *testing.T) {
	defer Reset()
	n, why := ProcessMemory()
	SetMemory(1 << 62)
	got := FitMemoryToProcess()
	if n > 0 {
		if got != n || why == "" {
			t.Errorf("limit %d (%q), want the process's %d", got, why, n)
		}
		err := CheckMemory("x", got+1)
		if err == nil || !strings.Contains(err.Error(), why) {
			t.Errorf("refusal %v does not name %q", err, why)
		}
	} else if got != 1<<62 {
		t.Errorf("no system limit, yet the limit became %d", got)
	}
	SetMemory(1 << 20)
	if FitMemoryToProcess() != 1<<20 {
		t.Error("a flag below the system limit was raised")
	}
}
