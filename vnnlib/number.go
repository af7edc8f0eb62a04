package vnnlib

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// maxNumberLen and maxExponent bound a number's text and its decimal
// exponent, so that a hostile "1e999999999" cannot ask for a huge integer.
const (
	maxNumberLen = 400
	maxExponent  = 400
)

// ParseNumber reads an exact rational: a decimal number with an optional
// sign, fraction and exponent ("-0.30353115613746867", "1e-9", "+3"), or a
// fraction p/q of decimal integers ("1/255"). The value is exact: 0.1 is
// 1/10, not the float64 nearest to it.
func ParseNumber(s string) (*big.Rat, error) {
	bad := func(why string) (*big.Rat, error) {
		return nil, fmt.Errorf("%s is not a number%s", strconv.Quote(abbrev(s)), why)
	}
	if len(s) == 0 || len(s) > maxNumberLen {
		return bad(" (empty or too long)")
	}
	if num, den, ok := strings.Cut(s, "/"); ok {
		p, err := ParseNumber(num)
		if err != nil || !isInteger(num) || !isInteger(den) {
			return bad(": want p/q with integers p and q")
		}
		q, _ := new(big.Int).SetString(strings.TrimPrefix(den, "+"), 10)
		if q == nil || q.Sign() <= 0 {
			return bad(": the denominator must be a positive integer")
		}
		return p.Quo(p, new(big.Rat).SetInt(q)), nil
	}
	t := strings.TrimLeft(s, "+-")
	if len(s)-len(t) > 1 {
		return bad("")
	}
	mant, exp, hasExp := strings.Cut(strings.ToLower(t), "e")
	intPart, frac, _ := strings.Cut(mant, ".")
	if intPart+frac == "" || !digits(intPart) || !digits(frac) {
		return bad("")
	}
	e := 0
	if hasExp {
		et := strings.TrimLeft(exp, "+-")
		if len(exp)-len(et) > 1 || et == "" || !digits(et) || len(et) > 4 {
			return bad(": bad or too large exponent")
		}
		e, _ = strconv.Atoi(exp)
		if e > maxExponent || e < -maxExponent {
			return bad(": exponent out of range")
		}
	}
	m, _ := new(big.Int).SetString("0"+intPart+frac, 10)
	e -= len(frac)
	r := new(big.Rat).SetInt(m)
	p := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs(e))), nil)
	if e >= 0 {
		r.Mul(r, new(big.Rat).SetInt(p))
	} else {
		r.Quo(r, new(big.Rat).SetInt(p))
	}
	if strings.HasPrefix(s, "-") {
		r.Neg(r)
	}
	return r, nil
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func digits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func isInteger(s string) bool {
	t := strings.TrimLeft(s, "+-")
	return len(s)-len(t) <= 1 && t != "" && digits(t)
}

// abbrev shortens s for messages.
func abbrev(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
