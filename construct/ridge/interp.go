package ridge

import (
	"context"
	"math/big"
)

// Kink is one ReLU term V·σ(z − At) of a piecewise-linear interpolant.
type Kink struct {
	// Index is the point the kink serves: the interpolant reaches y[Index]
	// at z[Index] once this kink is added; At lies in [z[Index−1], z[Index]).
	Index int
	At    *big.Rat
	// V = ±2^e is the change of slope.
	V *big.Rat
}

// Interpolate returns the kinks of a continuous piecewise-linear f with
// f = y[0] (constant) left of z[0] and f(z[i]) = y[i] for every i, for
// strictly increasing z: f(z) = y[0] + Σ V_k σ(z − At_k). This is the
// triangular system of Zhang et al. (2017, Theorem 1), A_ij = σ(z_i − b_j)
// with A_ij = 0 for j > i, solved forward, except that the kink b_j is not
// fixed in advance: each change of slope is rounded up to a power of two V
// and the kink placed where the interpolant still passes through the next
// point, At = z_i − D/V with D the miss at z_i of the line so far. Since
// |V| ≥ |D|/(z_i − z_{i−1}) the kink lies in [z_{i−1}, z_i) (so the system
// stays triangular), and for dyadic z and integer y every V and At are
// dyadic. A point the current line already meets needs no kink. It stops
// with ctx's error when ctx is done.
func Interpolate(ctx context.Context, z []*big.Rat, y []*big.Rat) ([]Kink, error) {
	var ks []Kink
	slope := new(big.Rat)
	d := new(big.Rat)
	g := new(big.Rat)
	for i := 1; i < len(z); i++ {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		g.Sub(z[i], z[i-1])
		// miss D = y_i − (y_{i−1} + slope·g)
		d.Mul(slope, g)
		d.Add(d, y[i-1])
		d.Sub(y[i], d)
		if d.Sign() == 0 {
			continue
		}
		delta := new(big.Rat).Quo(d, g)
		v := Pow2AtLeast(delta)
		if d.Sign() < 0 {
			v.Neg(v)
		}
		u := new(big.Rat).Quo(d, v)
		at := new(big.Rat).Sub(z[i], u)
		ks = append(ks, Kink{Index: i, At: at, V: v})
		slope.Add(slope, v)
	}
	return ks, nil
}

// Pow2AtLeast returns the smallest power of two 2^e ≥ |r| (r ≠ 0).
func Pow2AtLeast(r *big.Rat) *big.Rat {
	a := new(big.Rat).Abs(r)
	e := a.Num().BitLen() - a.Denom().BitLen() - 1
	p := pow2(e)
	for p.Cmp(a) < 0 {
		e++
		p = pow2(e)
	}
	for {
		q := pow2(e - 1)
		if q.Cmp(a) < 0 {
			break
		}
		e--
		p = q
	}
	return p
}

// Pow2AtMost returns the largest power of two 2^e ≤ r (r > 0).
func Pow2AtMost(r *big.Rat) *big.Rat {
	p := Pow2AtLeast(r)
	if p.Cmp(r) > 0 {
		p.Quo(p, big.NewRat(2, 1))
	}
	return p
}

func pow2(e int) *big.Rat {
	if e >= 0 {
		return new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), uint(e)))
	}
	return new(big.Rat).SetFrac(big.NewInt(1), new(big.Int).Lsh(big.NewInt(1), uint(-e)))
}
