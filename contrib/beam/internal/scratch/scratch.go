// Package scratch reads and writes the files a Beam job shares between
// its workers and this machine (partial verdicts, staged points, sorted
// runs, grid cells) through Beam's filesystem layer, so a scratch
// directory may be local (Prism) or gs://… (Dataflow).
package scratch

import (
	"context"
	"io"
	"sort"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"

	"github.com/memnet/memnet/limits"
)

// file is an open file that closes its filesystem with it.
type file[T io.Closer] struct {
	inner T
	fs    filesystem.Interface
}

func (f file[T]) Close() error {
	err := f.inner.Close()
	f.fs.Close()
	return err
}

type writer struct{ file[io.WriteCloser] }

func (w writer) Write(b []byte) (int, error) { return w.inner.Write(b) }

type reader struct{ file[io.ReadCloser] }

func (r reader) Read(b []byte) (int, error) { return r.inner.Read(b) }

// Seek seeks when the underlying file can (local files), else it fails.
func (r reader) Seek(off int64, whence int) (int64, error) {
	if s, ok := r.inner.(io.Seeker); ok {
		return s.Seek(off, whence)
	}
	return 0, io.ErrUnexpectedEOF
}

// Create opens name for writing; Close commits it.
func Create(ctx context.Context, name string) (io.WriteCloser, error) {
	fs, err := filesystem.New(ctx, name)
	if err != nil {
		return nil, err
	}
	wc, err := fs.OpenWrite(ctx, name)
	if err != nil {
		fs.Close()
		return nil, err
	}
	return writer{file[io.WriteCloser]{wc, fs}}, nil
}

// Open opens name for reading.
func Open(ctx context.Context, name string) (io.ReadCloser, error) {
	fs, err := filesystem.New(ctx, name)
	if err != nil {
		return nil, err
	}
	rc, err := fs.OpenRead(ctx, name)
	if err != nil {
		fs.Close()
		return nil, err
	}
	return reader{file[io.ReadCloser]{rc, fs}}, nil
}

// Write writes b to name.
func Write(ctx context.Context, name string, b []byte) error {
	wc, err := Create(ctx, name)
	if err != nil {
		return err
	}
	if _, err := wc.Write(b); err != nil {
		wc.Close()
		return err
	}
	return wc.Close()
}

// Read reads name (at most limits.InputBytes()).
func Read(ctx context.Context, name string) ([]byte, error) {
	rc, err := Open(ctx, name)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(io.LimitReader(rc, limits.InputBytes()))
}

// List returns the files matching glob, sorted.
func List(ctx context.Context, glob string) ([]string, error) {
	fs, err := filesystem.New(ctx, glob)
	if err != nil {
		return nil, err
	}
	defer fs.Close()
	files, err := fs.List(ctx, glob)
	sort.Strings(files)
	return files, err
}

// Remove removes the files matching glob where the filesystem can (best
// effort: one without removal keeps them).
func Remove(ctx context.Context, glob string) {
	fs, err := filesystem.New(ctx, glob)
	if err != nil {
		return
	}
	defer fs.Close()
	rm, ok := fs.(filesystem.Remover)
	if !ok {
		return
	}
	files, _ := fs.List(ctx, glob)
	for _, f := range files {
		_ = rm.Remove(ctx, f)
	}
}
