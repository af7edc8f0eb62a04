package nn

import (
	"context"
	"math"
	"math/big"
	"math/bits"
	"sync/atomic"

	"github.com/memnet/memnet/internal/par"
)

// Helpers of exact evaluation shared with other packages: dyadic and float64
// decompositions, input scales, and the parallel loop. The exact engine
// itself is in engine.go (Exact) and engine_compile.go (CompileExact).

// DyadicParts writes a dyadic r = m·2^-e with m an integer, odd unless zero
// (e is negative for integers with trailing zero bits). ok is false when r is
// not dyadic.
func DyadicParts(r *big.Rat) (m *big.Int, e int, ok bool) {
	if !isDyadic(r) {
		return nil, 0, false
	}
	m, e = dyadicParts(r)
	return m, e, true
}

func dyadicParts(r *big.Rat) (m *big.Int, e int) {
	m = new(big.Int).Set(r.Num())
	e = r.Denom().BitLen() - 1
	if m.Sign() != 0 && e == 0 {
		tz := m.TrailingZeroBits()
		m.Rsh(m, tz)
		e = -int(tz)
	}
	return m, e
}

// FloatParts writes a finite float64 x = m·2^-e exactly, m odd unless zero.
func FloatParts(x float64) (m int64, e int) {
	if x == 0 {
		return 0, 0
	}
	frac, exp := math.Frexp(x) // x = frac·2^exp, 0.5 ≤ |frac| < 1
	m = int64(frac * (1 << 53))
	tz := bits.TrailingZeros64(uint64(m))
	return m >> tz, 53 - exp - tz
}

// InputScales returns, for each coordinate, the number of fractional bits
// needed to write every value of that coordinate in xs as an integer.
func InputScales(d int, xs [][]float64) []int {
	s := make([]int, d)
	for _, x := range xs {
		for i, v := range x {
			if _, e := FloatParts(v); e > s[i] {
				s[i] = e
			}
		}
	}
	return s
}

// EvalExact evaluates net exactly on every row of xs with the exact engine
// (see Exact), on all cores. progress, if not nil, is called (from any
// goroutine) with the number of points finished so far. It returns ctx's
// error within a chunk's time once ctx is done.
func EvalExact(ctx context.Context, net *Network, xs [][]float64, progress func(done int64)) ([][]*big.Rat, error) {
	e, err := CompileExact(net, xs)
	if err != nil {
		return nil, err
	}
	return e.Outputs(ctx, xs, progress)
}

// Parallel runs f over [0,n) split into chunks (of at most 64), one
// goroutine per core taking chunks until none are left (par.Do). The first
// error wins and stops the handing out of chunks; so does ctx being done,
// and then its error is returned. done is shared by all calls, for
// progress counts.
func Parallel(ctx context.Context, n int, f func(lo, hi int, done *atomic.Int64) error) error {
	var done atomic.Int64
	chunk := max(1, min(64, n/(par.Workers()*8)+1))
	return par.Do(ctx, n, chunk, nil, func(lo, hi int, _ struct{}) error { return f(lo, hi, &done) })
}
