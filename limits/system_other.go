//go:build !unix

package limits

func addressSpace() int64 { return 0 }
func cgroupMemory() int64 { return 0 }
