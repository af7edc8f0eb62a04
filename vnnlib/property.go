// Package vnnlib reads VNN-LIB 1.0 properties — the SMT-LIB subset of the
// VNN-COMP benchmarks — as boxes on the network's inputs X and disjunctions
// of linear constraints on its outputs Y, with exact rational bounds, and
// decides whether a given input and output satisfy one (is a
// counterexample). It does not evaluate networks.
//
// Supported: (declare-const X_i Real) and (declare-const Y_j Real);
// (assert E) where E is a comparison (<=, >=, <, >, =) of linear terms —
// numbers, variables, (+ …), (- …), (* number term) — or an (and …) / (or …)
// of such. The asserts' conjunction is turned into a disjunction of
// conjunctions (at most maxDisjuncts). In each disjunct, the constraints on
// X alone must be bounds on single variables (a box); the constraints on Y
// alone may be any linear ones; a constraint mixing X and Y is refused.
//
// A property holds (is SAT, in VNN-COMP's terms) when some input in a
// disjunct's box has outputs satisfying that disjunct's output constraints:
// such an input is a counterexample to the safety property the file encodes.
package vnnlib

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"math/big"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// maxDisjuncts bounds the disjunctive normal form of a property.
const maxDisjuncts = 1 << 16

// maxFile bounds a property file's size.
const maxFile = 256 << 20

// Constraint is Σ Coef[j]·Y_j + Const ≥ 0, or > 0 when Strict.
type Constraint struct {
	Coef   []*big.Rat
	Const  *big.Rat
	Strict bool
	// Text is the constraint as the file writes it.
	Text string
}

// Box bounds each X_i: Lo[i] ≤ X_i ≤ Hi[i] (strict where LoStrict or
// HiStrict); a nil bound is no bound.
type Box struct {
	Lo, Hi             []*big.Rat
	LoStrict, HiStrict []bool
}

// Disjunct is a box on X and a conjunction of constraints on Y.
type Disjunct struct {
	Box Box
	Out []Constraint
}

// Property is a disjunction of disjuncts over NX inputs and NY outputs.
type Property struct {
	NX, NY    int
	Disjuncts []Disjunct
	// Comments are the file's comment lines, in order (the first often
	// names the expected label: a claim of the file).
	Comments []string
}

// ReadFile reads a property from a file; errors name the file.
func ReadFile(path string) (*Property, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	if st.IsDir() || st.Size() > maxFile {
		return nil, fmt.Errorf("%s: not a property file (a directory, or over %d bytes)", path, maxFile)
	}
	b := make([]byte, st.Size())
	if _, err := fh.ReadAt(b, 0); err != nil && st.Size() > 0 {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if bytes.HasPrefix(b, []byte{0x1f, 0x8b}) { // gzip, as VNN-COMP publishes properties
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("%s: gzip: %v", path, err)
		}
		if b, err = io.ReadAll(io.LimitReader(zr, maxFile+1)); err != nil {
			return nil, fmt.Errorf("%s: gzip: %v", path, err)
		}
		if len(b) > maxFile {
			return nil, fmt.Errorf("%s: over %d bytes decompressed", path, maxFile)
		}
	}
	p, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return p, nil
}

var varName = regexp.MustCompile(`^([XY])_(\d{1,7})$`)

// linear is Σ x[i]·X_i + Σ y[j]·Y_j + c, sparse.
type linear struct {
	x, y map[int]*big.Rat
	c    *big.Rat
}

func newLinear() *linear {
	return &linear{x: map[int]*big.Rat{}, y: map[int]*big.Rat{}, c: new(big.Rat)}
}

func (l *linear) addScaled(o *linear, f *big.Rat) {
	for i, v := range o.x {
		addTo(l.x, i, new(big.Rat).Mul(v, f))
	}
	for j, v := range o.y {
		addTo(l.y, j, new(big.Rat).Mul(v, f))
	}
	l.c.Add(l.c, new(big.Rat).Mul(o.c, f))
}

func addTo(m map[int]*big.Rat, k int, v *big.Rat) {
	if m[k] == nil {
		m[k] = new(big.Rat)
	}
	m[k].Add(m[k], v)
	if m[k].Sign() == 0 {
		delete(m, k)
	}
}

// atom is one comparison: l ≥ 0 (> 0 when strict).
type atom struct {
	l      *linear
	strict bool
	text   string
}

type parser struct {
	nx, ny   int
	cells    int64 // output coefficients allocated
	declared map[string]bool
}

// Parse reads a property from VNN-LIB text.
func Parse(b []byte) (*Property, error) {
	var comments []string
	exprs, err := parseSexprs(b, func(_ int, text string) {
		if len(comments) < 1000 {
			comments = append(comments, strings.TrimSpace(text))
		}
	})
	if err != nil {
		return nil, err
	}
	p := &parser{declared: map[string]bool{}}
	conj := [][]atom{{}} // DNF of the asserts so far
	for _, e := range exprs {
		if !e.isL || len(e.list) == 0 || e.list[0].isL {
			return nil, fmt.Errorf("line %d: expected (declare-const …) or (assert …), found %s", e.line, quoteExpr(e))
		}
		switch e.list[0].atom {
		case "declare-const":
			if err := p.declare(e); err != nil {
				return nil, err
			}
		case "assert":
			if len(e.list) != 2 {
				return nil, fmt.Errorf("line %d: assert takes one expression", e.line)
			}
			d, err := p.formula(e.list[1])
			if err != nil {
				return nil, err
			}
			if conj, err = andDNF(conj, d); err != nil {
				return nil, fmt.Errorf("line %d: %v", e.line, err)
			}
		case "set-logic", "set-info", "check-sat", "get-model", "exit", "set-option":
			// SMT-LIB commands some files carry; they do not change the property
		default:
			return nil, fmt.Errorf("line %d: unknown command %s", e.line, strconv.Quote(abbrev(e.list[0].atom)))
		}
	}
	if p.nx == 0 || p.ny == 0 {
		return nil, fmt.Errorf("the property declares %d inputs X_i and %d outputs Y_j; want at least one of each", p.nx, p.ny)
	}
	for i := 0; i < p.nx; i++ {
		if !p.declared[fmt.Sprintf("X_%d", i)] {
			return nil, fmt.Errorf("input X_%d is not declared (inputs must be X_0 … X_%d)", i, p.nx-1)
		}
	}
	for j := 0; j < p.ny; j++ {
		if !p.declared[fmt.Sprintf("Y_%d", j)] {
			return nil, fmt.Errorf("output Y_%d is not declared (outputs must be Y_0 … Y_%d)", j, p.ny-1)
		}
	}
	if cells := int64(p.nx+p.ny) * int64(len(conj)); cells > maxNodes {
		return nil, fmt.Errorf("%d inputs and %d outputs in %d disjuncts are more than memnet reads (%d bounds and coefficients)", p.nx, p.ny, len(conj), maxNodes)
	}
	prop := &Property{NX: p.nx, NY: p.ny, Comments: comments}
	for _, c := range conj {
		d, err := p.disjunct(c)
		if err != nil {
			return nil, err
		}
		prop.Disjuncts = append(prop.Disjuncts, d)
	}
	return prop, nil
}

func quoteExpr(e *sexpr) string { return strconv.Quote(abbrev(e.String())) }

func (p *parser) declare(e *sexpr) error {
	if len(e.list) != 3 || e.list[1].isL || e.list[2].isL || e.list[2].atom != "Real" {
		return fmt.Errorf("line %d: want (declare-const X_i Real) or (declare-const Y_j Real), found %s", e.line, quoteExpr(e))
	}
	name := e.list[1].atom
	m := varName.FindStringSubmatch(name)
	if m == nil {
		return fmt.Errorf("line %d: variable %s: memnet reads inputs X_i and outputs Y_j", e.line, strconv.Quote(abbrev(name)))
	}
	if p.declared[name] {
		return fmt.Errorf("line %d: %s declared twice", e.line, name)
	}
	k, _ := strconv.Atoi(m[2])
	if k >= maxVars {
		return fmt.Errorf("line %d: %s: more than %d variables", e.line, name, maxVars)
	}
	p.declared[name] = true
	if m[1] == "X" {
		p.nx = max(p.nx, k+1)
	} else {
		p.ny = max(p.ny, k+1)
	}
	return nil
}

// maxVars bounds the number of inputs and of outputs.
const maxVars = 1 << 20

// formula is the DNF of e: a disjunction of conjunctions of atoms.
func (p *parser) formula(e *sexpr) ([][]atom, error) {
	if !e.isL || len(e.list) == 0 || e.list[0].isL {
		return nil, fmt.Errorf("line %d: expected a comparison, (and …) or (or …), found %s", e.line, quoteExpr(e))
	}
	args := e.list[1:]
	switch op := e.list[0].atom; op {
	case "and":
		out := [][]atom{{}}
		for _, a := range args {
			d, err := p.formula(a)
			if err != nil {
				return nil, err
			}
			if out, err = andDNF(out, d); err != nil {
				return nil, fmt.Errorf("line %d: %v", e.line, err)
			}
		}
		return out, nil
	case "or":
		var out [][]atom
		for _, a := range args {
			d, err := p.formula(a)
			if err != nil {
				return nil, err
			}
			out = append(out, d...)
			if len(out) > maxDisjuncts {
				return nil, fmt.Errorf("line %d: more than %d disjuncts", e.line, maxDisjuncts)
			}
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("line %d: (or) with no arguments is false", e.line)
		}
		return out, nil
	case "<=", ">=", "<", ">", "=":
		if len(args) != 2 {
			return nil, fmt.Errorf("line %d: %s takes two terms", e.line, op)
		}
		a, err := p.term(args[0])
		if err != nil {
			return nil, err
		}
		b, err := p.term(args[1])
		if err != nil {
			return nil, err
		}
		ge := newLinear() // a − b for >=, >; b − a for <=, <
		text := e.String()
		switch op {
		case ">=", ">":
			ge.addScaled(a, big.NewRat(1, 1))
			ge.addScaled(b, big.NewRat(-1, 1))
		case "<=", "<":
			ge.addScaled(b, big.NewRat(1, 1))
			ge.addScaled(a, big.NewRat(-1, 1))
		case "=":
			le := newLinear()
			ge.addScaled(a, big.NewRat(1, 1))
			ge.addScaled(b, big.NewRat(-1, 1))
			le.addScaled(ge, big.NewRat(-1, 1))
			return [][]atom{{{l: ge, text: text}, {l: le, text: text}}}, nil
		}
		return [][]atom{{{l: ge, strict: op == "<" || op == ">", text: text}}}, nil
	}
	return nil, fmt.Errorf("line %d: unknown operator %s (memnet reads and, or, <=, >=, <, >, =)", e.line, strconv.Quote(abbrev(e.list[0].atom)))
}

// andDNF is the DNF of a ∧ b.
func andDNF(a, b [][]atom) ([][]atom, error) {
	if int64(len(a))*int64(len(b)) > maxDisjuncts {
		return nil, fmt.Errorf("the property has more than %d disjuncts in disjunctive normal form", maxDisjuncts)
	}
	var na, nb int64
	for _, x := range a {
		na += int64(len(x))
	}
	for _, y := range b {
		nb += int64(len(y))
	}
	if int64(len(b))*na+int64(len(a))*nb > maxNodes {
		return nil, fmt.Errorf("the property has more than %d comparisons in disjunctive normal form", maxNodes)
	}
	var out [][]atom
	for _, x := range a {
		for _, y := range b {
			c := make([]atom, 0, len(x)+len(y))
			out = append(out, append(append(c, x...), y...))
		}
	}
	return out, nil
}

// term is a linear term.
func (p *parser) term(e *sexpr) (*linear, error) {
	l := newLinear()
	if !e.isL {
		if m := varName.FindStringSubmatch(e.atom); m != nil {
			if !p.declared[e.atom] {
				return nil, fmt.Errorf("line %d: %s is used before it is declared", e.line, e.atom)
			}
			k, _ := strconv.Atoi(m[2])
			if m[1] == "X" {
				l.x[k] = big.NewRat(1, 1)
			} else {
				l.y[k] = big.NewRat(1, 1)
			}
			return l, nil
		}
		r, err := ParseNumber(e.atom)
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", e.line, err)
		}
		l.c = r
		return l, nil
	}
	if len(e.list) < 2 || e.list[0].isL {
		return nil, fmt.Errorf("line %d: expected a term, found %s", e.line, quoteExpr(e))
	}
	var parts []*linear
	for _, a := range e.list[1:] {
		t, err := p.term(a)
		if err != nil {
			return nil, err
		}
		parts = append(parts, t)
	}
	switch e.list[0].atom {
	case "+":
		for _, t := range parts {
			l.addScaled(t, big.NewRat(1, 1))
		}
	case "-":
		if len(parts) == 1 {
			l.addScaled(parts[0], big.NewRat(-1, 1))
			break
		}
		l.addScaled(parts[0], big.NewRat(1, 1))
		for _, t := range parts[1:] {
			l.addScaled(t, big.NewRat(-1, 1))
		}
	case "*":
		// a product is linear when at most one factor is not a number
		f := big.NewRat(1, 1)
		var v *linear
		for _, t := range parts {
			if len(t.x) == 0 && len(t.y) == 0 {
				f.Mul(f, t.c)
				continue
			}
			if v != nil {
				return nil, fmt.Errorf("line %d: %s is not linear", e.line, quoteExpr(e))
			}
			v = t
		}
		if v == nil {
			l.c = f
		} else {
			l.addScaled(v, f)
		}
	default:
		return nil, fmt.Errorf("line %d: unknown operator %s in a term (memnet reads +, -, *)", e.line, strconv.Quote(abbrev(e.list[0].atom)))
	}
	return l, nil
}

// disjunct splits a conjunction into a box on X and constraints on Y.
func (p *parser) disjunct(c []atom) (Disjunct, error) {
	d := Disjunct{Box: Box{Lo: make([]*big.Rat, p.nx), Hi: make([]*big.Rat, p.nx), LoStrict: make([]bool, p.nx), HiStrict: make([]bool, p.nx)}}
	for _, a := range c {
		switch {
		case len(a.l.x) > 0 && len(a.l.y) > 0:
			return d, fmt.Errorf("%s mixes inputs and outputs; memnet reads boxes on X and constraints on Y", strconv.Quote(abbrev(a.text)))
		case len(a.l.x) > 1:
			return d, fmt.Errorf("%s constrains several inputs; memnet reads boxes on X (bounds on single inputs)", strconv.Quote(abbrev(a.text)))
		case len(a.l.x) == 1:
			for i, k := range a.l.x { // k·X_i + c ≥ 0: X_i ≥ −c/k (k > 0) or X_i ≤ −c/k (k < 0)
				b := new(big.Rat).Quo(new(big.Rat).Neg(a.l.c), k)
				if k.Sign() > 0 {
					tighten(&d.Box.Lo[i], &d.Box.LoStrict[i], b, a.strict, 1)
				} else {
					tighten(&d.Box.Hi[i], &d.Box.HiStrict[i], b, a.strict, -1)
				}
			}
		default:
			if p.cells += int64(p.ny); p.cells > maxNodes {
				return d, fmt.Errorf("the output constraints have more than %d coefficients", maxNodes)
			}
			con := Constraint{Coef: make([]*big.Rat, p.ny), Const: a.l.c, Strict: a.strict, Text: a.text}
			for j := range con.Coef {
				con.Coef[j] = new(big.Rat)
				if v := a.l.y[j]; v != nil {
					con.Coef[j] = v
				}
			}
			d.Out = append(d.Out, con)
		}
	}
	return d, nil
}

// tighten keeps the tighter of a bound and a new one (dir 1: lower bounds,
// the larger is tighter; −1: upper bounds).
func tighten(bound **big.Rat, strict *bool, b *big.Rat, s bool, dir int) {
	if *bound == nil {
		*bound, *strict = b, s
		return
	}
	switch c := b.Cmp(*bound) * dir; {
	case c > 0:
		*bound, *strict = b, s
	case c == 0:
		*strict = *strict || s
	}
}
