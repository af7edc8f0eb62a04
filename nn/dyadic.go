package nn

import "math/big"

// Rounding selects the direction of RoundDyadic.
type Rounding int

const (
	// Nearest rounds to the nearest representable value (ties away from zero).
	Nearest Rounding = iota
	// Up rounds towards +∞.
	Up
	// Down rounds towards −∞.
	Down
)

// RoundDyadic returns the dyadic rational m·2^-k closest to r in the given
// direction whose integer m has at most bits binary digits (bits ≥ 2; one more
// only when rounding carries into a new power of two).
// Zero stays zero; a value already dyadic with few enough digits is unchanged.
func RoundDyadic(r *big.Rat, bits int, mode Rounding) *big.Rat {
	if r.Sign() == 0 {
		return new(big.Rat)
	}
	a := new(big.Int).Abs(r.Num())
	b := r.Denom()
	// |r| lies in [2^(e-1), 2^(e+1)); choose k so that |r|·2^k has about bits digits.
	e := a.BitLen() - b.BitLen()
	k := bits - e - 1
	num, den := new(big.Int).Set(a), new(big.Int).Set(b)
	if k >= 0 {
		num.Lsh(num, uint(k))
	} else {
		den.Lsh(den, uint(-k))
	}
	q, rem := new(big.Int).QuoRem(num, den, new(big.Int))
	neg := r.Sign() < 0
	if rem.Sign() != 0 {
		up := false
		switch mode {
		case Nearest:
			up = rem.Lsh(rem, 1).Cmp(den) >= 0
		case Up:
			up = !neg
		case Down:
			up = neg
		}
		if up {
			q.Add(q, big.NewInt(1))
		}
	}
	if neg {
		q.Neg(q)
	}
	out := new(big.Rat)
	if k >= 0 {
		return out.SetFrac(q, new(big.Int).Lsh(big.NewInt(1), uint(k)))
	}
	return out.SetInt(q.Lsh(q, uint(-k)))
}
