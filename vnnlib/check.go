package vnnlib

import (
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"strings"
)

// Value is Σ Coef[j]·y[j] + Const: the constraint holds when it is > 0, or
// = 0 and the constraint is not strict.
func (c *Constraint) Value(y []*big.Rat) *big.Rat {
	v := new(big.Rat).Set(c.Const)
	t := new(big.Rat)
	for j, a := range c.Coef {
		if a.Sign() != 0 {
			v.Add(v, t.Mul(a, y[j]))
		}
	}
	return v
}

// Holds says whether the constraint holds at y.
func (c *Constraint) Holds(y []*big.Rat) bool {
	s := c.Value(y).Sign()
	return s > 0 || s == 0 && !c.Strict
}

// Margin is how far x[i] is inside the box along input i: min(x − lo,
// hi − x) over its bounds (negative outside; no bound: nil), and whether x[i]
// satisfies them (a strict bound is not met at 0).
func (b *Box) Margin(x []*big.Rat, i int) (*big.Rat, bool) {
	var m *big.Rat
	ok := true
	if lo := b.Lo[i]; lo != nil {
		m = new(big.Rat).Sub(x[i], lo)
		ok = m.Sign() > 0 || m.Sign() == 0 && !b.LoStrict[i]
	}
	if hi := b.Hi[i]; hi != nil {
		d := new(big.Rat).Sub(hi, x[i])
		ok = ok && (d.Sign() > 0 || d.Sign() == 0 && !b.HiStrict[i])
		if m == nil || d.Cmp(m) < 0 {
			m = d
		}
	}
	return m, ok
}

// Bounded says whether every input has both bounds.
func (b *Box) Bounded() bool {
	for i := range b.Lo {
		if b.Lo[i] == nil || b.Hi[i] == nil {
			return false
		}
	}
	return true
}

// Empty says whether some input's bounds leave no value.
func (b *Box) Empty() bool {
	for i := range b.Lo {
		if b.Lo[i] != nil && b.Hi[i] != nil {
			if c := b.Lo[i].Cmp(b.Hi[i]); c > 0 || c == 0 && (b.LoStrict[i] || b.HiStrict[i]) {
				return true
			}
		}
	}
	return false
}

// Centre is the box's centre (a bounded box).
func (b *Box) Centre() []*big.Rat {
	c := make([]*big.Rat, len(b.Lo))
	for i := range c {
		c[i] = new(big.Rat).Add(b.Lo[i], b.Hi[i])
		c[i].Quo(c[i], big.NewRat(2, 1))
	}
	return c
}

// Corner is the corner of a bounded box whose input i is at its upper
// bound when bit i of k is set.
func (b *Box) Corner(k uint64) []*big.Rat {
	c := make([]*big.Rat, len(b.Lo))
	for i := range c {
		c[i] = b.Lo[i]
		if i < 64 && k>>uint(i)&1 == 1 {
			c[i] = b.Hi[i]
		}
	}
	return c
}

// DisjunctResult is a disjunct judged at an input x with outputs y.
type DisjunctResult struct {
	// Inside: x is in the box. WorstInput is the input with the smallest
	// margin (−1 for a box without bounds), WorstMargin that margin.
	Inside      bool
	WorstInput  int
	WorstMargin *big.Rat
	// Values are the output constraints' values at y (see Constraint.Value),
	// Holds whether each holds.
	Values []*big.Rat
	Holds  []bool
}

// Counterexample says whether x is in the box and y satisfies every output
// constraint.
func (r *DisjunctResult) Counterexample() bool {
	if !r.Inside {
		return false
	}
	for _, h := range r.Holds {
		if !h {
			return false
		}
	}
	return true
}

// Judge judges every disjunct at x (len NX) with outputs y (len NY).
func (p *Property) Judge(x, y []*big.Rat) ([]DisjunctResult, error) {
	if len(x) != p.NX || len(y) != p.NY {
		return nil, fmt.Errorf("the property has %d inputs and %d outputs, given %d and %d", p.NX, p.NY, len(x), len(y))
	}
	out := make([]DisjunctResult, len(p.Disjuncts))
	for k, d := range p.Disjuncts {
		r := DisjunctResult{Inside: true, WorstInput: -1}
		for i := range x {
			m, ok := d.Box.Margin(x, i)
			r.Inside = r.Inside && ok
			if m != nil && (r.WorstMargin == nil || m.Cmp(r.WorstMargin) < 0) {
				r.WorstInput, r.WorstMargin = i, m
			}
		}
		for _, c := range d.Out {
			r.Values = append(r.Values, c.Value(y))
			r.Holds = append(r.Holds, c.Holds(y))
		}
		out[k] = r
	}
	return out, nil
}

// Witness is a claimed counterexample: an input and, when the file gives
// them, the outputs the tool computed.
type Witness struct {
	X, Y []*big.Rat
	// Format is "vnncomp" ((X_0 v) … (Y_0 v) …) or "vector".
	Format string
}

// ParseWitness reads a counterexample for a property of nx inputs and ny
// outputs: VNN-COMP's result format — an optional first word "sat" (or
// "violated"), then ((X_0 v) … (Y_0 v) …) — or a plain vector of nx numbers
// (or nx + ny, the outputs last) separated by spaces, commas or newlines.
func ParseWitness(b []byte, nx, ny int) (*Witness, error) {
	if len(b) > maxFile {
		return nil, fmt.Errorf("over %d bytes", maxFile)
	}
	if !strings.Contains(string(b), "(") {
		var vals []*big.Rat
		fields := strings.FieldsFunc(string(b), func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r' })
		if len(fields) > 0 {
			switch strings.ToLower(fields[0]) {
			case "sat", "violated":
				fields = fields[1:]
			case "unsat", "holds", "unknown", "timeout", "error":
				return nil, fmt.Errorf("the result is %q, not a counterexample (want sat)", fields[0])
			}
		}
		for _, f := range fields {
			if len(vals) > nx+ny {
				break
			}
			v, err := ParseNumber(f)
			if err != nil {
				return nil, err
			}
			vals = append(vals, v)
		}
		switch len(vals) {
		case nx:
			return &Witness{X: vals, Format: "vector"}, nil
		case nx + ny:
			return &Witness{X: vals[:nx], Y: vals[nx:], Format: "vector"}, nil
		}
		return nil, fmt.Errorf("a plain vector of %d numbers; the property has %d inputs (and %d outputs)", len(vals), nx, ny)
	}
	exprs, err := parseSexprs(b, nil)
	if err != nil {
		return nil, err
	}
	w := &Witness{X: make([]*big.Rat, nx), Format: "vnncomp"}
	y := make([]*big.Rat, ny)
	var pairs []*sexpr
	for _, e := range exprs {
		switch {
		case !e.isL && (e.atom == "sat" || e.atom == "violated"):
		case !e.isL:
			return nil, fmt.Errorf("line %d: the result is %q, not a counterexample (want sat)", e.line, abbrev(e.atom))
		case len(e.list) > 0 && e.list[0].isL:
			pairs = append(pairs, e.list...)
		default:
			pairs = append(pairs, e)
		}
	}
	ys := 0
	for _, e := range pairs {
		if !e.isL || len(e.list) != 2 || e.list[0].isL {
			return nil, fmt.Errorf("line %d: want (X_i value) or (Y_j value), found %s", e.line, quoteExpr(e))
		}
		m := varName.FindStringSubmatch(e.list[0].atom)
		if m == nil {
			return nil, fmt.Errorf("line %d: unknown variable %s", e.line, quoteExpr(e.list[0]))
		}
		v, err := witnessValue(e.list[1])
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", e.line, err)
		}
		k := 0
		fmt.Sscan(m[2], &k)
		dst := w.X
		if m[1] == "Y" {
			dst = y
		}
		if k >= len(dst) {
			return nil, fmt.Errorf("line %d: %s is beyond the property's %d %s", e.line, e.list[0].atom, len(dst), map[string]string{"X": "inputs", "Y": "outputs"}[m[1]])
		}
		if dst[k] != nil {
			return nil, fmt.Errorf("line %d: %s is given twice", e.line, e.list[0].atom)
		}
		dst[k] = v
		if m[1] == "Y" {
			ys++
		}
	}
	for i, v := range w.X {
		if v == nil {
			return nil, fmt.Errorf("input X_%d is not given", i)
		}
	}
	if ys == ny {
		w.Y = y
	} else if ys > 0 {
		return nil, fmt.Errorf("%d of the %d outputs Y_j are given; give all or none", ys, ny)
	}
	return w, nil
}

func witnessValue(e *sexpr) (*big.Rat, error) {
	if !e.isL {
		return ParseNumber(e.atom)
	}
	if len(e.list) == 2 && !e.list[0].isL && e.list[0].atom == "-" && !e.list[1].isL {
		v, err := ParseNumber(e.list[1].atom)
		if err != nil {
			return nil, err
		}
		return v.Neg(v), nil
	}
	return nil, errors.New("want a number or (- number)")
}

// ReadWitnessFile reads a witness file's bytes, at most maxFile of them.
func ReadWitnessFile(path string) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, maxFile+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if len(b) > maxFile {
		return nil, fmt.Errorf("%s: over %d bytes", path, maxFile)
	}
	return b, nil
}
