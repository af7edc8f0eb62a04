package vnnlib

import (
	"math/big"
	"os"
	"strings"
	"testing"
)

func rat(s string) *big.Rat {
	r, err := ParseNumber(s)
	if err != nil {
		panic(err)
	}
	return r
}

func rats(s ...string) []*big.Rat {
	out := make([]*big.Rat, len(s))
	for i, v := range s {
		out[i] = rat(v)
	}
	return out
}

// test_prop.vnnlib (VNN-COMP 2022 test, ACAS Xu property 3): a box and four
// output constraints in one disjunct.
func TestParseTestProp(t *testing.T) {
	p, err := ReadFile("../export/testdata/vnncomp/test_prop.vnnlib")
	if err != nil {
		t.Fatal(err)
	}
	if p.NX != 5 || p.NY != 5 || len(p.Disjuncts) != 1 || len(p.Disjuncts[0].Out) != 4 {
		t.Fatalf("%d %d %d", p.NX, p.NY, len(p.Disjuncts))
	}
	b := p.Disjuncts[0].Box
	if b.Lo[0].Cmp(rat("-0.30353115613746867")) != 0 || b.Hi[2].Cmp(rat("0.49999999998567607")) != 0 || !b.Bounded() || b.Empty() {
		t.Errorf("box %v %v", b.Lo, b.Hi)
	}
	if p.Comments[0] != "test property is acas xu property 3" {
		t.Errorf("comments %q", p.Comments)
	}
	// (<= Y_0 Y_1) is Y_1 − Y_0 ≥ 0
	c := p.Disjuncts[0].Out[0]
	if c.Coef[0].Cmp(big.NewRat(-1, 1)) != 0 || c.Coef[1].Cmp(big.NewRat(1, 1)) != 0 || c.Const.Sign() != 0 || c.Strict {
		t.Errorf("constraint %+v", c)
	}
	y := rats("1", "1", "2", "3", "4")
	r, err := p.Judge(b.Centre(), y)
	if err != nil || !r[0].Counterexample() || r[0].Values[0].Sign() != 0 {
		t.Errorf("judge: %+v %v", r, err)
	}
	y[0] = rat("1.000000001")
	if r, _ := p.Judge(b.Centre(), y); r[0].Counterexample() || r[0].Holds[0] || r[0].Values[0].Cmp(rat("-1e-9")) != 0 {
		t.Errorf("Y_0 above Y_1 by 1e-9: %+v", r)
	}
	x := b.Centre()
	x[3] = rat("0.500000001")
	if r, _ := p.Judge(x, rats("0", "1", "1", "1", "1")); r[0].Inside || r[0].WorstInput != 3 || r[0].WorstMargin.Cmp(rat("-1e-9")) != 0 {
		t.Errorf("outside by 1e-9: %+v", r)
	}
}

// test_small.vnnlib puts the box inside a disjunction; DNF of and/or,
// strict and equality comparisons and linear terms.
func TestParseForms(t *testing.T) {
	p, err := ReadFile("../export/testdata/vnncomp/test_small.vnnlib")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Disjuncts) != 1 || p.Disjuncts[0].Box.Lo[0].Cmp(big.NewRat(-1, 1)) != 0 || p.Disjuncts[0].Out[0].Const.Cmp(big.NewRat(-100, 1)) != 0 {
		t.Fatalf("%+v", p.Disjuncts)
	}
	src := `(declare-const X_0 Real) (declare-const X_1 Real) (declare-const Y_0 Real) (declare-const Y_1 Real)
(assert (and (<= 0 X_0) (< X_0 1) (>= X_1 -1) (<= (* 2 X_1) 4)))
(assert (or (and (> (+ Y_0 (* -3 Y_1) 1) 0)) (= Y_0 (- Y_1 2)) (<= X_0 0.25)))`
	p, err = Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Disjuncts) != 3 {
		t.Fatalf("%d disjuncts", len(p.Disjuncts))
	}
	d := p.Disjuncts[0]
	if !d.Box.HiStrict[0] || d.Box.Hi[1].Cmp(big.NewRat(2, 1)) != 0 || d.Out[0].Coef[1].Cmp(big.NewRat(-3, 1)) != 0 || !d.Out[0].Strict {
		t.Errorf("disjunct 1: %+v", d)
	}
	if len(p.Disjuncts[1].Out) != 2 || p.Disjuncts[2].Box.Hi[0].Cmp(big.NewRat(1, 4)) != 0 {
		t.Errorf("disjuncts 2, 3: %+v %+v", p.Disjuncts[1], p.Disjuncts[2])
	}
	// a strict upper bound is not met on the bound
	if r, _ := p.Judge(rats("1", "0"), rats("0", "0")); r[0].Inside {
		t.Errorf("X_0 = 1 with X_0 < 1 inside")
	}
	if r, _ := p.Judge(rats("0.5", "0"), rats("0", "2")); !r[1].Counterexample() || r[0].Counterexample() {
		t.Errorf("Y_0 = Y_1 − 2: %+v", r)
	}
}

func TestParseErrors(t *testing.T) {
	decl := "(declare-const X_0 Real)(declare-const Y_0 Real)"
	cases := map[string]string{
		decl + "(assert (<= (* X_0 Y_0) 1))": "not linear",
		decl + "(assert (<= (+ X_0 Y_0) 1))": "mixes inputs and outputs",
		"(declare-const X_0 Real)(declare-const X_1 Real)(declare-const Y_0 Real)(assert (<= (+ X_0 X_1) 1))": "several inputs",
		decl + "(assert (<= X_0 1)":                        "not closed",
		decl + "(assert (<= X_0 1)))":                      "without '('",
		decl + "(assert (<= X_7 1))":                       "before it is declared",
		decl + "(assert (foo X_0 1))":                      "unknown operator",
		decl + "(assert (<= X_0 1e999999))":                "exponent",
		"(declare-const X_1 Real)(declare-const Y_0 Real)": "X_0 is not declared",
		decl + "(declare-const Z Real)":                    "memnet reads inputs",
		decl + "(assert (<= X_0 \x01))":                    "control character",
		strings.Repeat("(", 300):                           "nested more than",
		decl + "(assert (and " + strings.Repeat("(or (<= Y_0 1) (<= Y_0 2) (<= Y_0 3) (<= Y_0 4)) ", 10) + "))": "disjuncts",
	}
	for src, want := range cases {
		_, err := Parse([]byte(src))
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%.60q: %v, want %q", src, err, want)
		}
	}
}

func TestParseWitness(t *testing.T) {
	w, err := ParseWitness([]byte("sat\n((X_0 0.5)\n (X_1 (- 2))\n (Y_0 1e-3))"), 2, 1)
	if err != nil || w.Format != "vnncomp" || w.X[1].Cmp(big.NewRat(-2, 1)) != 0 || w.Y[0].Cmp(big.NewRat(1, 1000)) != 0 {
		t.Fatalf("%+v %v", w, err)
	}
	w, err = ParseWitness([]byte("0.5, -2\n"), 2, 1)
	if err != nil || w.Format != "vector" || w.Y != nil || w.X[0].Cmp(big.NewRat(1, 2)) != 0 {
		t.Fatalf("%+v %v", w, err)
	}
	w, err = ParseWitness([]byte("0.5 -2 7"), 2, 1)
	if err != nil || w.Y[0].Cmp(big.NewRat(7, 1)) != 0 {
		t.Fatalf("%+v %v", w, err)
	}
	for src, want := range map[string]string{
		"unsat":                             "not a counterexample",
		"((X_0 1))":                         "X_1 is not given",
		"((X_0 1) (X_1 1) (X_0 2))":         "given twice",
		"((X_0 1) (X_1 1) (X_5 2))":         "beyond",
		"1 2 3 4":                           "plain vector of 4",
		"((X_0 1) (X_1 zz))":                "not a number",
		"((X_0 1) (X_1 1) (Y_0 1) (Y_1 2))": "beyond",
	} {
		if _, err := ParseWitness([]byte(src), 2, 1); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", src, err, want)
		}
	}
}

// The reader returns an error or a property, never panics, in bounded time
// and memory, and its errors are one line.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"test_prop", "test_small", "test_nano", "test_tiny"} {
		b, err := os.ReadFile("../export/testdata/vnncomp/" + name + ".vnnlib")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("(declare-const X_0 Real)(declare-const Y_0 Real)(assert (or (and (<= X_0 1) (>= Y_0 (* 2 (- 1 3)))) (< Y_0 0)))"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := Parse(b)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error of several lines: %q", err)
			}
			return
		}
		x, y := make([]*big.Rat, p.NX), make([]*big.Rat, p.NY)
		for i := range x {
			x[i] = new(big.Rat)
		}
		for j := range y {
			y[j] = new(big.Rat)
		}
		if p.NX > 1<<16 || p.NY > 1<<16 {
			return
		}
		if _, err := p.Judge(x, y); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzParseWitness(f *testing.F) {
	f.Add([]byte("sat\n((X_0 0.5)\n (X_1 -2)\n (Y_0 1e-3))"))
	f.Add([]byte("0.5, -2"))
	f.Fuzz(func(t *testing.T, b []byte) {
		w, err := ParseWitness(b, 2, 1)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error of several lines: %q", err)
			}
			return
		}
		if len(w.X) != 2 || (w.Y != nil && len(w.Y) != 1) {
			t.Fatalf("%+v", w)
		}
	})
}
