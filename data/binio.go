package data

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/memnet/memnet/limits"
)

// chunkBytes is how much binary data is read and converted at a time.
const chunkBytes = 1 << 20

// errTruncated marks a binary input that ends before its header says.
var errTruncated = errors.New("truncated")

// input is an opened data file, decompressed if it was gzipped.
type input struct {
	r    *bufio.Reader
	size int64 // bytes r can deliver, or -1 when unknown (gzip)
	gz   bool
	f    *os.File
	zr   *gzip.Reader
}

// openInput opens path, recognizing gzip by its magic bytes.
func openInput(path string) (*input, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fileError(path, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fileError(path, err)
	}
	if st.IsDir() {
		f.Close()
		return nil, newError(path, 0, "is a directory")
	}
	if lim := limits.InputBytes(); st.Mode().IsRegular() && st.Size() > lim {
		f.Close()
		return nil, newLimitError(path, &limits.Error{What: "the file", Need: st.Size(), Limit: lim, Flag: limits.InputBytesFlag, Kind: "size"})
	}
	in := &input{f: f, size: st.Size()}
	in.r = bufio.NewReaderSize(f, 1<<16)
	if err := in.maybeGunzip(); err != nil {
		f.Close()
		return nil, &Error{File: path, Reason: err.Error(), Err: err}
	}
	return in, nil
}

// newInput wraps a reader of unknown size, recognizing gzip.
func newInput(r io.Reader) (*input, error) {
	in := &input{r: bufio.NewReaderSize(r, 1<<16), size: -1}
	return in, in.maybeGunzip()
}

func (in *input) maybeGunzip() error {
	if magic, _ := in.r.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(in.r)
		if err != nil {
			return fmt.Errorf("not a valid gzip file: %w", err)
		}
		in.zr = zr
		in.r = bufio.NewReaderSize(limitInput(zr), 1<<16)
		in.size = -1
		in.gz = true
	}
	return nil
}

// Close closes the file.
func (in *input) Close() {
	if in.zr != nil {
		in.zr.Close()
	}
	if in.f != nil {
		in.f.Close()
	}
}

// fileError turns an error from the file system into an *Error.
func fileError(path string, err error) *Error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return &Error{File: path, Reason: fmt.Sprintf("cannot %s: %v", pe.Op, pe.Err), Err: err}
	}
	return &Error{File: path, Reason: err.Error(), Err: err}
}

// readN reads exactly n bytes. With sized set (the caller checked that the
// input holds n bytes), it allocates them at once; otherwise it grows the
// buffer as data arrives, so a header claiming a huge size cannot make it
// allocate much more than the input really holds. On a short input it
// returns the bytes read and an error wrapping errTruncated.
func readN(r io.Reader, n int64, sized bool) ([]byte, error) {
	if sized {
		buf := make([]byte, n)
		m, err := io.ReadFull(r, buf)
		return buf[:m], readErr(err)
	}
	buf := make([]byte, 0, min(n, chunkBytes))
	for int64(len(buf)) < n {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, int(min(n-int64(len(buf)), int64(cap(buf)))))
		}
		m, err := io.ReadFull(r, buf[len(buf):min(int64(cap(buf)), n)])
		buf = buf[:len(buf)+m]
		if err != nil {
			return buf, readErr(err)
		}
	}
	return buf, nil
}

// readItems reads n items of size bytes each and converts them to float64
// with conv, chunk by chunk, growing the result only as data arrives (unless
// sized is set). conv returns the index of the first item it cannot convert
// exactly, or -1. On failure readItems returns the number of items read and
// either an error wrapping errTruncated or an *itemError.
func readItems(r io.Reader, n int64, size int, sized bool, conv func(dst []float64, src []byte) int) ([]float64, int64, error) {
	if !sized {
		// Read the raw bytes first (readN grows its buffer only as data
		// arrives), then convert them with the size now proven by the input.
		raw, err := readN(r, n*int64(size), false)
		got := int64(len(raw) / size)
		out := make([]float64, got)
		if bad := conv(out, raw[:got*int64(size)]); bad >= 0 {
			return out[:bad], int64(bad), &itemError{index: int64(bad)}
		}
		return out, got, err
	}
	out := make([]float64, 0, n)
	per := max(chunkBytes/size, 1)
	buf := make([]byte, int64(per)*int64(size))
	for done := int64(0); done < n; {
		k := min(int64(per), n-done)
		m, err := io.ReadFull(r, buf[:k*int64(size)])
		got := int64(m / size)
		start := len(out)
		out = out[:start+int(got)]
		if bad := conv(out[start:], buf[:got*int64(size)]); bad >= 0 {
			return out, done + int64(bad), &itemError{index: done + int64(bad)}
		}
		done += got
		if err != nil {
			return out, done, readErr(err)
		}
	}
	return out, n, nil
}

// itemError says which item readItems could not convert exactly.
type itemError struct{ index int64 }

func (e *itemError) Error() string {
	return fmt.Sprintf("item %d is not exactly representable", e.index)
}

// readErr maps end-of-input errors to errTruncated.
func readErr(err error) error {
	if err == nil {
		return nil
	}
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return errTruncated
	}
	if limits.IsLimit(err) {
		return err
	}
	return fmt.Errorf("reading: %w", err)
}

// checkEnd reports an error when r holds data past the expected end. It also
// makes a gzip reader check its checksum.
func checkEnd(r io.Reader) error {
	var b [1]byte
	n, err := io.ReadFull(r, b[:])
	if n > 0 {
		return errors.New("unexpected data after the end of the array (the header's dimensions do not match the file size)")
	}
	if err != nil && err != io.EOF {
		return readErr(err)
	}
	return nil
}

// mulDims multiplies dimensions, reporting false on a negative dimension or
// when the product exceeds limit (a zero dimension makes the product 0).
func mulDims(dims []int, limit int64) (int64, bool) {
	if slices.Contains(dims, 0) {
		return 0, !slices.ContainsFunc(dims, func(d int) bool { return d < 0 })
	}
	n := int64(1)
	for _, d := range dims {
		if d < 0 || n > limit/int64(d) {
			return 0, false
		}
		n *= int64(d)
	}
	return n, true
}
