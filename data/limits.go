package data

import (
	"errors"
	"io"

	"github.com/memnet/memnet/limits"
)

// rowOverhead bounds the memory a dataset keeps per row besides its values:
// the row's slice header (twice: the loaded rows and Dataset.X), its label,
// row number, class and source index, and the duplicate check's hash table.
const rowOverhead = 192

// datasetBytes estimates the memory of a dataset of n rows holding values
// float64 values in all, with raw more bytes held while they are converted.
func datasetBytes(values, n, raw int64) int64 {
	return limits.Add(limits.Add(limits.Mul(values, 8), limits.Mul(n, rowOverhead)), raw)
}

// checkMemory refuses, before allocating, a load that would need need bytes
// when that exceeds limits.Memory. what describes the data.
func checkMemory(what string, need int64) error {
	if err := limits.CheckMemory("loading "+what, need); err != nil {
		return newLimitError("", err)
	}
	return nil
}

// newLimitError wraps a limits.Error in an *Error for file.
func newLimitError(file string, err error) error {
	var le *limits.Error
	if errors.As(err, &le) {
		return &Error{File: file, Reason: le.Error(), Err: le}
	}
	return err
}

// limitInput caps the bytes read from r at limits.InputBytes.
func limitInput(r io.Reader) io.Reader {
	return limits.Reader(r, limits.InputBytes(), "the decompressed data", limits.InputBytesFlag)
}

// arrayBytes estimates loading an array of nelems items of size bytes
// (rows along the first axis): the float64 values, the rows, and the raw
// bytes when they are read whole before conversion (unsized input).
func arrayBytes(nelems, rows int64, size int, sized bool) int64 {
	if nelems == 0 {
		return 0 // nothing to hold; the caller reports an empty array
	}
	raw := int64(0)
	if !sized {
		raw = limits.Mul(nelems, int64(size))
	}
	return datasetBytes(nelems, rows, raw)
}
