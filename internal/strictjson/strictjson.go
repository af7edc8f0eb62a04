// Package strictjson refuses the JSON that encoding/json reads one way and
// other readers (jq, Python's json, JavaScript) another: encoding/json
// matches an object key to a struct field case-insensitively and keeps the
// last of two equal keys, so a file holding both "layers" and "Layers" is
// one network to memnet and another to the reader who checks it. Check
// walks the text against the Go type it is decoded into and refuses any
// object key given twice, any struct key not spelled exactly as the
// field's tag, and any JSON number longer than limits.NumberDigits.
package strictjson

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/memnet/memnet/limits"
)

// Check walks raw, JSON text that encoding/json has already accepted as one
// value of type t, and returns an error naming the first object key that is
// given twice in its object (after escapes are decoded) or, in an object
// decoded into a struct, differs from every field's JSON name (case
// included), and the first number with more characters than
// limits.NumberDigits allows.
func Check(raw []byte, t reflect.Type) error {
	w := walker{raw: raw}
	w.value(t, "")
	if w.err != nil {
		return w.err
	}
	return nil
}

type walker struct {
	raw []byte
	pos int
	err error
}

func (w *walker) fail(format string, a ...any) {
	if w.err == nil {
		w.err = fmt.Errorf(format, a...)
	}
}

func (w *walker) space() {
	for w.pos < len(w.raw) {
		switch w.raw[w.pos] {
		case ' ', '\t', '\n', '\r':
			w.pos++
		default:
			return
		}
	}
}

// value walks one JSON value expected to decode into t (nil: any), at
// path (for messages).
func (w *walker) value(t reflect.Type, path string) {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t != nil && reflect.PointerTo(t).Implements(unmarshaler) {
		t = nil // its own decoder: only duplicates and digits are checked
	}
	w.space()
	if w.err != nil || w.pos >= len(w.raw) {
		w.fail("JSON text ends early")
		return
	}
	switch c := w.raw[w.pos]; {
	case c == '{':
		w.object(t, path)
	case c == '[':
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		w.pos++
		w.space()
		if w.pos < len(w.raw) && w.raw[w.pos] == ']' {
			w.pos++
			return
		}
		for i := 0; w.err == nil; i++ {
			w.value(elem, path)
			w.space()
			if w.pos >= len(w.raw) {
				w.fail("JSON text ends early")
				return
			}
			if w.raw[w.pos] == ']' {
				w.pos++
				return
			}
			w.pos++ // ','
		}
	case c == '"':
		w.str()
	default: // number, true, false, null
		start := w.pos
		for w.pos < len(w.raw) && !strings.ContainsRune(" \t\n\r,]}", rune(w.raw[w.pos])) {
			w.pos++
		}
		if c == '-' || (c >= '0' && c <= '9') {
			if err := limits.CheckDigits(at(path)+"a number", w.pos-start); err != nil && w.err == nil {
				w.err = err
			}
		}
	}
}

func at(path string) string {
	if path == "" {
		return ""
	}
	return path + ": "
}

// str skips a string and returns its raw text, quotes included.
func (w *walker) str() []byte {
	start := w.pos
	w.pos++
	for w.pos < len(w.raw) {
		switch w.raw[w.pos] {
		case '\\':
			w.pos += 2
			continue
		case '"':
			w.pos++
			return w.raw[start:w.pos]
		}
		w.pos++
	}
	w.fail("JSON text ends in a string")
	return nil
}

func (w *walker) object(t reflect.Type, path string) {
	var fields map[string]reflect.Type
	var elem reflect.Type
	if t != nil {
		switch t.Kind() {
		case reflect.Struct:
			fields = structFields(t)
		case reflect.Map:
			elem = t.Elem()
		}
	}
	seen := map[string]bool{}
	w.pos++
	w.space()
	if w.pos < len(w.raw) && w.raw[w.pos] == '}' {
		w.pos++
		return
	}
	for w.err == nil {
		w.space()
		rawKey := w.str()
		if w.err != nil {
			return
		}
		key := string(rawKey[1 : len(rawKey)-1])
		if strings.IndexByte(key, '\\') >= 0 {
			if err := json.Unmarshal(rawKey, &key); err != nil {
				w.fail("%skey %s: %v", at(path), rawKey, err)
				return
			}
		}
		if seen[key] {
			w.fail("%skey %q appears twice in one object (readers disagree on which counts)", at(path), key)
			return
		}
		seen[key] = true
		vt := elem
		if fields != nil {
			ft, ok := fields[key]
			if !ok {
				for name := range fields {
					if strings.EqualFold(name, key) {
						w.fail("%skey %q is not the format's %q (keys are case-sensitive)", at(path), key, name)
						return
					}
				}
				w.fail("%sunknown key %q", at(path), key)
				return
			}
			vt = ft
		}
		w.space()
		w.pos++ // ':'
		sub := key
		if path != "" {
			sub = path + "." + key
		}
		w.value(vt, sub)
		w.space()
		if w.pos >= len(w.raw) {
			w.fail("JSON text ends early")
			return
		}
		if w.raw[w.pos] == '}' {
			w.pos++
			return
		}
		w.pos++ // ','
	}
}

var unmarshaler = reflect.TypeFor[json.Unmarshaler]()

var fieldCache sync.Map // reflect.Type -> map[string]reflect.Type

// structFields maps the JSON names of t's exported fields to their types.
func structFields(t reflect.Type) map[string]reflect.Type {
	if f, ok := fieldCache.Load(t); ok {
		return f.(map[string]reflect.Type)
	}
	f := map[string]reflect.Type{}
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		f[name] = sf.Type
	}
	fieldCache.Store(t, f)
	return f
}
