package vnnlib

import (
	"bufio"
	"fmt"
	"io"
	"math/big"
	"strings"
)

// Decimal writes r exactly as a decimal when its denominator has no prime
// factors but 2 and 5 (every float, and a float ± a decimal radius); for
// any other r it returns p/q and ok = false (VNN-LIB has no fractions).
func Decimal(r *big.Rat) (s string, ok bool) {
	d := new(big.Int).Set(r.Denom())
	n := 0
	for _, p := range []int64{2, 5} {
		k := 0
		bp := big.NewInt(p)
		m := new(big.Int)
		for {
			q, rem := new(big.Int).QuoRem(d, bp, m)
			if rem.Sign() != 0 {
				break
			}
			d, k = q, k+1
		}
		n = max(n, k)
	}
	if d.Cmp(big.NewInt(1)) != 0 {
		return r.RatString(), false
	}
	s = r.FloatString(n)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s, true
}

// ArgmaxProperty is the VNN-LIB property "some input in the box
// [x − radius, x + radius] (the point x when Radius is nil) has an output
// that does not stand for class label": its counterexamples are the inputs
// where the network does not give the label. With several outputs (class =
// index of the strictly largest), a counterexample has some Y_j ≥ Y_label,
// j ≠ label; with one output (class = the index it rounds to, an exact half
// standing for none), Y_0 ≤ label − 1/2 or Y_0 ≥ label + 1/2. comment lines
// come first.
type ArgmaxProperty struct {
	X       []*big.Rat
	Radius  *big.Rat
	Label   int
	Outputs int
	Comment []string
}

// Write writes the property; it fails when a bound is not a finite decimal.
func (p *ArgmaxProperty) Write(w io.Writer) error {
	bw := bufio.NewWriter(w)
	for _, c := range p.Comment {
		fmt.Fprintf(bw, "; %s\n", strings.ReplaceAll(c, "\n", " "))
	}
	for i := range p.X {
		fmt.Fprintf(bw, "(declare-const X_%d Real)\n", i)
	}
	for j := 0; j < p.Outputs; j++ {
		fmt.Fprintf(bw, "(declare-const Y_%d Real)\n", j)
	}
	for i, x := range p.X {
		lo, hi := new(big.Rat).Set(x), new(big.Rat).Set(x)
		if p.Radius != nil {
			lo.Sub(lo, p.Radius)
			hi.Add(hi, p.Radius)
		}
		ls, ok1 := Decimal(lo)
		hs, ok2 := Decimal(hi)
		if !ok1 || !ok2 {
			return fmt.Errorf("input %d: the bound %s is not a finite decimal", i, lo.RatString())
		}
		fmt.Fprintf(bw, "(assert (>= X_%d %s))\n(assert (<= X_%d %s))\n", i, ls, i, hs)
	}
	if p.Outputs == 1 {
		lo, _ := Decimal(new(big.Rat).Sub(big.NewRat(int64(p.Label), 1), big.NewRat(1, 2)))
		hi, _ := Decimal(new(big.Rat).Add(big.NewRat(int64(p.Label), 1), big.NewRat(1, 2)))
		fmt.Fprintf(bw, "(assert (or (<= Y_0 %s) (>= Y_0 %s)))\n", lo, hi)
	} else {
		fmt.Fprint(bw, "(assert (or")
		for j := 0; j < p.Outputs; j++ {
			if j != p.Label {
				fmt.Fprintf(bw, "\n    (and (>= Y_%d Y_%d))", j, p.Label)
			}
		}
		fmt.Fprint(bw, "\n))\n")
	}
	return bw.Flush()
}
