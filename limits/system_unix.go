//go:build unix

package limits

import (
	"os"
	"strconv"
	"strings"
	"syscall"
)

// addressSpace returns the process's soft address-space limit (RLIMIT_AS,
// `ulimit -v`), or 0 when there is none.
func addressSpace() int64 {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_AS, &rl); err != nil || rl.Cur > 1<<62 { // RLIM_INFINITY is all ones
		return 0
	}
	return int64(rl.Cur)
}

// cgroupMemory returns the memory limit of the process's cgroup (v2
// memory.max, or v1 memory.limit_in_bytes), or 0 when there is none.
func cgroupMemory() int64 {
	for _, f := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
		if err != nil || n <= 0 || n > 1<<62 {
			return 0 // "max", or v1's "no limit" (a huge number)
		}
		return n
	}
	return 0
}
