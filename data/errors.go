package data

import (
	"strconv"
	"strings"
)

// Error is a problem with the input data. It prints on one line as
//
//	FILE: row R: reason
//
// leaving out "FILE: " when File is empty and "row R: " when Row is 0 (the
// problem is not tied to one row).
type Error struct {
	// File names the input (a path, or a dataset name).
	File string
	// Row is the 1-based row the problem is in, or 0. For CSV files it is the
	// line number in the file (header, comment and blank lines included); for
	// NumPy and IDX files it is the index along the first axis plus one.
	Row int
	// Reason says what is wrong, in one line.
	Reason string
	// Err is the underlying error, if any (for example from the file system).
	Err error
}

// Error formats e as "FILE: row R: reason".
func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(": ")
	}
	if e.Row > 0 {
		b.WriteString("row ")
		b.WriteString(strconv.Itoa(e.Row))
		b.WriteString(": ")
	}
	// Keep the message on one line whatever the input held.
	b.WriteString(strings.NewReplacer("\n", `\n`, "\r", `\r`).Replace(e.Reason))
	return b.String()
}

// Unwrap returns the underlying error, if any.
func (e *Error) Unwrap() error { return e.Err }

// newError builds an *Error.
func newError(file string, row int, reason string) *Error {
	return &Error{File: file, Row: row, Reason: reason}
}
