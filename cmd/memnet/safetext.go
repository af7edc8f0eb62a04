package main

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
)

// safeText is s as memnet prints a string that came from a file: unchanged
// when every rune is graphic (letters, marks, numbers, punctuation, symbols,
// spaces) and s does not start with a double quote; otherwise Go-quoted with
// every control, format (bidirectional overrides included) and invalid byte
// escaped ("a\x1b[2K", "x\ny"). So a class name or method cannot move the
// cursor, rewrite a verdict on the screen or print invented lines, and the
// mapping is one-to-one (a quoted result always starts with '"').
func safeText(s string) string {
	if !strings.HasPrefix(s, `"`) && graphic(s) {
		return s
	}
	return strconv.QuoteToGraphic(s)
}

func graphic(s string) bool {
	for _, r := range s {
		if r == utf8.RuneError || !strconv.IsGraphic(r) {
			return false
		}
	}
	return utf8.ValidString(s)
}

func safeMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[safeText(k)] = safeText(v)
	}
	return out
}

func safeSlice(xs []string) []string {
	for i, x := range xs {
		xs[i] = safeText(x)
	}
	return xs
}

// safeModel escapes, in place, every string of a model read from a file
// (method, theorem, options, hints, class names, the theory record) for
// printing: the verdict never depends on them, and every command prints
// them through here.
func safeModel(m *nn.Model) *nn.Model {
	m.Method, m.Theorem = safeText(m.Method), safeText(m.Theorem)
	m.Options, m.Hints = safeMap(m.Options), safeMap(m.Hints)
	safeSlice(m.Classes)
	if m.Predicted != nil {
		p := make(map[string]int64, len(m.Predicted))
		for k, v := range m.Predicted {
			p[safeText(k)] = v
		}
		m.Predicted = p
	}
	if t := m.Theory; t != nil {
		t.Theorem, t.Statement = safeText(t.Theorem), safeText(t.Statement)
		safeSlice(t.Notes)
		t.RealisationFormula = safeMap(t.RealisationFormula)
		if t.TheoremForm != nil {
			f := make(map[string]nn.Formula, len(t.TheoremForm))
			for k, v := range t.TheoremForm {
				v.Formula, v.Constants = safeText(v.Formula), safeText(v.Constants)
				f[safeText(k)] = v
			}
			t.TheoremForm = f
		}
		if t.Realisation != nil {
			r := make(map[string]int64, len(t.Realisation))
			for k, v := range t.Realisation {
				r[safeText(k)] = v
			}
			t.Realisation = r
		}
		if t.Inputs != nil {
			in := make(map[string]float64, len(t.Inputs))
			for k, v := range t.Inputs {
				in[safeText(k)] = v
			}
			t.Inputs = in
		}
	}
	return m
}

// loadModel reads a network file with its strings escaped for printing.
func loadModel(path string) (*nn.Model, error) {
	m, err := nn.Load(path)
	if err != nil {
		return nil, err
	}
	return safeModel(m), nil
}

// safeDataset escapes a dataset's label names for printing.
func safeDataset(ds *data.Dataset) *data.Dataset {
	safeSlice(ds.Classes)
	return ds
}

// quoted is s, already passed through safeText, in double quotes (once).
func quoted(s string) string {
	if strings.HasPrefix(s, `"`) {
		return s
	}
	return strconv.Quote(s)
}
