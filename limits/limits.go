// Package limits holds the resource limits memnet applies to input it did
// not make: how many bytes it reads (after decompression) from one file, and
// how much memory a step may plan to use. The limits are checked before the
// memory is allocated, from sizes a file declares or from the bytes seen so
// far, and a refusal names the limit and the command-line flag that raises
// it (see docs/limits.md).
//
// The limits are process-wide settings: the command line sets them once from
// its flags; library users may call the setters. Every value is read
// atomically, so concurrent readers are safe.
package limits

import (
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
)

// Defaults. They keep every step of memnet under about 6 GB of resident
// memory on the crafted inputs of the hostile corpus (internal/hostile),
// while the real datasets memnet is used on (Fashion-MNIST, N up to 10^6
// points of low dimension) stay far below them.
const (
	// DefaultMemory bounds the memory one step plans to allocate (--max-memory).
	DefaultMemory int64 = 4 << 30
	// DefaultInputBytes bounds the bytes read from one data file after
	// decompression (--max-input-bytes).
	DefaultInputBytes int64 = 4 << 30
	// DefaultNetworkBytes bounds the decompressed size of one network file
	// (.mnet, or an imported exact JSON) (--max-network-bytes).
	DefaultNetworkBytes int64 = 1 << 30
	// DefaultNumberDigits bounds the characters of one number in a network
	// file (--max-number-digits): decimal parsing grows faster than
	// linearly (10^6 digits take seconds, 10^7 minutes), so a 10 KB file of
	// one long number would hang every command. 100,000 digits (about
	// 332,000 bits) parse in milliseconds and are far more than any
	// construction here writes.
	DefaultNumberDigits int64 = 100_000
)

// Flag names, for messages.
const (
	MemoryFlag       = "--max-memory"
	InputBytesFlag   = "--max-input-bytes"
	NetworkBytesFlag = "--max-network-bytes"
	NumberDigitsFlag = "--max-number-digits"
)

var (
	memory       atomic.Int64
	inputBytes   atomic.Int64
	networkBytes atomic.Int64
	numberDigits atomic.Int64
	// memoryWhy says why the memory limit is below the flag's value ("" when
	// it is the flag's).
	memoryWhy atomic.Value
)

func init() { Reset() }

// Reset restores the defaults.
func Reset() {
	memory.Store(DefaultMemory)
	inputBytes.Store(DefaultInputBytes)
	networkBytes.Store(DefaultNetworkBytes)
	numberDigits.Store(DefaultNumberDigits)
	memoryWhy.Store("")
}

// Memory is the current memory limit in bytes.
func Memory() int64 { return memory.Load() }

// InputBytes is the current limit on the decompressed bytes of a data file.
func InputBytes() int64 { return inputBytes.Load() }

// NetworkBytes is the current limit on the decompressed bytes of a network file.
func NetworkBytes() int64 { return networkBytes.Load() }

// ProcessMemory returns the memory the process may actually use, from the
// limits the system puts on it, and which limit that is: two fifths of the
// address-space limit (RLIMIT_AS, `ulimit -v`: the Go runtime reserves
// address space well beyond the heap it uses; under `ulimit -v 3000000` it
// ran out at 1.2 GB in use), or three quarters of the
// cgroup's memory.max (resident memory, with room for the runtime and the
// garbage collector), whichever is smaller; 0 when neither is set.
func ProcessMemory() (int64, string) {
	var n int64
	var why string
	if as := addressSpace(); as > 0 {
		n, why = as/5*2, fmt.Sprintf("two fifths of the address-space limit (ulimit -v) of %s", Bytes(as))
	}
	if cg := cgroupMemory(); cg > 0 && (n == 0 || cg/4*3 < n) {
		n, why = cg/4*3, fmt.Sprintf("three quarters of the cgroup memory limit of %s", Bytes(cg))
	}
	return n, why
}

// FitMemoryToProcess lowers the memory limit to ProcessMemory when that is
// smaller, so a step is refused with a message rather than ending in the
// runtime's "fatal error: out of memory"; refusals then say which system
// limit applies. It returns the limit in force.
func FitMemoryToProcess() int64 {
	if n, why := ProcessMemory(); n > 0 && n < Memory() {
		memory.Store(n)
		memoryWhy.Store(why)
	}
	return Memory()
}

// NumberDigits is the current limit on the characters of one number in a
// network file.
func NumberDigits() int64 { return numberDigits.Load() }

// SetNumberDigits sets the limit on a number's characters (n > 0).
func SetNumberDigits(n int64) { numberDigits.Store(n) }

// SetMemory sets the memory limit (n > 0).
func SetMemory(n int64) { memory.Store(n); memoryWhy.Store("") }

// SetInputBytes sets the limit on a data file's decompressed bytes (n > 0).
func SetInputBytes(n int64) { inputBytes.Store(n) }

// SetNetworkBytes sets the limit on a network file's decompressed bytes (n > 0).
func SetNetworkBytes(n int64) { networkBytes.Store(n) }

// Error is a refusal by a limit.
type Error struct {
	// What is being refused, such as "the array x (10000 × 784 float64)".
	What string
	// Need is the size the input asks for (bytes), or a lower bound of it;
	// 0 when only the limit is known to be exceeded.
	Need int64
	// Limit is the limit in bytes.
	Limit int64
	// Flag is the command-line flag that raises the limit.
	Flag string
	// Kind is "memory" for an estimated allocation, "size" for bytes read,
	// "digits" for the characters of one number (Need and Limit count
	// characters).
	Kind string
}

func (e *Error) Error() string {
	if e.Kind == "digits" {
		return fmt.Sprintf("%s has %d characters, more than the limit of %d (raise it with %s)", e.What, e.Need, e.Limit, e.Flag)
	}
	if e.Kind == "size" {
		if e.Need > 0 {
			return fmt.Sprintf("%s is %s, more than the limit of %s (raise it with %s)", e.What, Bytes(e.Need), Bytes(e.Limit), e.Flag)
		}
		return fmt.Sprintf("%s is larger than the limit of %s (raise it with %s)", e.What, Bytes(e.Limit), e.Flag)
	}
	if why, _ := memoryWhy.Load().(string); why != "" && e.Flag == MemoryFlag {
		return fmt.Sprintf("%s would need about %s of memory, more than the limit of %s (%s; %s cannot go above it)", e.What, Bytes(e.Need), Bytes(e.Limit), why, e.Flag)
	}
	return fmt.Sprintf("%s would need about %s of memory, more than the limit of %s (raise it with %s)", e.What, Bytes(e.Need), Bytes(e.Limit), e.Flag)
}

// IsLimit reports whether err is (or wraps) a refusal by a limit.
func IsLimit(err error) bool {
	var e *Error
	return errors.As(err, &e)
}

// CheckMemory refuses, with an *Error, a step that would need need bytes
// when that is more than the memory limit. what says what would need them.
func CheckMemory(what string, need int64) error {
	if lim := Memory(); need > lim || need < 0 {
		if need < 0 {
			need = math.MaxInt64
		}
		return &Error{What: what, Need: need, Limit: lim, Flag: MemoryFlag, Kind: "memory"}
	}
	return nil
}

// CheckDigits refuses, with an *Error, a number of n characters (digits,
// sign and '/') when that is more than the digit limit, before it is parsed.
// what names the number ("a number", "layer 3: a number").
func CheckDigits(what string, n int) error {
	if lim := NumberDigits(); int64(n) > lim {
		return &Error{What: what, Need: int64(n), Limit: lim, Flag: NumberDigitsFlag, Kind: "digits"}
	}
	return nil
}

// Mul returns a·b, saturating at math.MaxInt64 (for estimates from sizes a
// file declares, which may be absurd). Negative factors give MaxInt64 too.
func Mul(a, b int64) int64 {
	if a < 0 || b < 0 {
		return math.MaxInt64
	}
	if a == 0 || b == 0 {
		return 0
	}
	if a > math.MaxInt64/b {
		return math.MaxInt64
	}
	return a * b
}

// Add returns a+b, saturating at math.MaxInt64.
func Add(a, b int64) int64 {
	if a < 0 || b < 0 || a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// Reader returns a reader of r that fails with an *Error (Kind "size") once
// more than limit bytes have been read: what names the input in the message
// ("FILE (decompressed)") and flag the option that raises the limit.
func Reader(r io.Reader, limit int64, what, flag string) io.Reader {
	return &limitedReader{r: r, left: limit, limit: limit, what: what, flag: flag}
}

type limitedReader struct {
	r           io.Reader
	left, limit int64
	what, flag  string
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left < 0 {
		return 0, &Error{What: l.what, Limit: l.limit, Flag: l.flag, Kind: "size"}
	}
	// Read one byte more than allowed, to tell "exactly at the limit" from "over".
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return n, &Error{What: l.what, Limit: l.limit, Flag: l.flag, Kind: "size"}
	}
	return n, err
}

// Bytes formats a byte count for messages: 4 GiB, 300 MiB, 12 KiB, 17 B.
func Bytes(n int64) string {
	switch {
	case n == math.MaxInt64:
		return "more than 8 EiB"
	case n >= 1<<30:
		return trim(float64(n)/(1<<30)) + " GiB"
	case n >= 1<<20:
		return trim(float64(n)/(1<<20)) + " MiB"
	case n >= 1<<10:
		return trim(float64(n)/(1<<10)) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " B"
}

func trim(v float64) string {
	s := strconv.FormatFloat(v, 'f', 1, 64)
	return strings.TrimSuffix(s, ".0")
}

// ParseSize reads a positive size in bytes such as 4GiB, 512MiB, 1.5GB,
// 100000 or 1e9: KiB, MiB, GiB, TiB (and K, M, G, T) are powers of 1024,
// KB, MB, GB, TB powers of 1000, case ignored.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	units := []struct {
		suffix string
		mult   float64
	}{
		{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
		{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
		{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"T", 1 << 40},
		{"B", 1},
	}
	mult := 1.0
	for _, u := range units {
		if len(t) > len(u.suffix) && strings.EqualFold(t[len(t)-len(u.suffix):], u.suffix) {
			mult = u.mult
			t = strings.TrimSpace(t[:len(t)-len(u.suffix)])
			break
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v*mult < 1 || v*mult >= math.MaxInt64 {
		return 0, fmt.Errorf("%q is not a size (want a positive number of bytes such as 4GiB, 512MiB or 1e9)", s)
	}
	return int64(v * mult), nil
}

// Allocated returns the bytes allocated (garbage included) while f ran:
// the measure the tests use to assert that a refusal came before the
// allocation.
func Allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}
