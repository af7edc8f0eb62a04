package project

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"slices"
)

// The global order is the one step of a project-then-sort construction that
// needs all N points at once. It is written here as stages that each see
// only a range of points or a range of keys, so that the same functions run
// in-process (Along, Draw) or on a distributed engine (contrib/beam):
//
//  1. Scale     the common power-of-two scale of the exact values (a max over ranges);
//  2. TauRange  the exact projections τ_i = w·x_i·2^Scale of a range of points;
//  3. Key       (τ_i, i) as bytes whose bytewise order is the order of (τ_i, i);
//  4. Splitters boundaries between key ranges, chosen from a sample of keys; Part
//     names the range of a key;
//  5. SortRun   sorts the keys of one range;
//  6. Assemble  streams the sorted runs, in range order, into a Projection and
//     checks that every point appears exactly once.
//
// Sorting by (τ_i, i) is the stable sort by τ that Along has always done, so
// the order is the same whichever way the stages are run.

// Orderer computes the projection of xs on w with the points sorted by τ
// (every field of Projection but Draws). The in-process one runs the stages
// in sequence; contrib/beam provides one that runs them on a Beam runner.
type Orderer interface {
	Order(ctx context.Context, xs [][]float64, w []float64) (*Projection, error)
}

type ordererKey struct{}

// WithOrderer returns a context whose projections (Draw, and every
// construction that sorts its points along a direction) run on o.
func WithOrderer(ctx context.Context, o Orderer) context.Context {
	return context.WithValue(ctx, ordererKey{}, o)
}

// orderWith projects xs on w with the context's Orderer, or in-process.
func orderWith(ctx context.Context, xs [][]float64, w []float64) (*Projection, error) {
	if o, ok := ctx.Value(ordererKey{}).(Orderer); ok && o != nil {
		return o.Order(ctx, xs, w)
	}
	return along(ctx, xs, w)
}

// HasOrderer reports whether ctx carries an Orderer (constructions with a
// faster in-process projection of their own use it only when none is set).
func HasOrderer(ctx context.Context) bool {
	o, ok := ctx.Value(ordererKey{}).(Orderer)
	return ok && o != nil
}

// OrderWith is orderWith for constructions outside this package.
func OrderWith(ctx context.Context, xs [][]float64, w []float64) (*Projection, error) {
	return orderWith(ctx, xs, w)
}

// ColumnScales is stage 1 on a range of points: the largest number of
// fractional bits in each column (combine ranges with MaxScales).
func ColumnScales(xs [][]float64, d int) []int {
	s := make([]int, d)
	for _, x := range xs {
		for k, v := range x[:min(len(x), d)] {
			s[k] = max(s[k], fracBits(v))
		}
	}
	return s
}

// MaxScales combines the column scales of two ranges into a (elementwise max).
func MaxScales(a, b []int) []int {
	for k := range a {
		a[k] = max(a[k], b[k])
	}
	return a
}

// Scale is stage 1's result: the scale at which every product x_ik·w_k is an
// integer, from the column scales of all points.
func Scale(colScale []int, w []float64) int {
	scale := 0
	for k := range w {
		if w[k] != 0 {
			scale = max(scale, colScale[k]+fracBits(w[k]))
		}
	}
	return scale
}

// TauRange is stage 2: τ_i = w·x_i·2^scale exactly, for a range of points.
func TauRange(xs [][]float64, w []float64, scale int) []*big.Int {
	tau := make([]*big.Int, len(xs))
	if fast := int64Dots(xs, w); fast != nil {
		for i, t := range fast {
			tau[i] = big.NewInt(t)
		}
		return tau
	}
	d := len(w)
	wm := make([]*big.Int, d)
	we := make([]int, d)
	for k := range w {
		wm[k], we[k] = mantissa(w[k])
	}
	tmp := new(big.Int)
	xm := new(big.Int)
	for i, x := range xs {
		acc := new(big.Int)
		for k, v := range x {
			if v == 0 || w[k] == 0 {
				continue
			}
			m, e := mantissa64(v)
			xm.SetInt64(m)
			tmp.Mul(xm, wm[k])
			tmp.Lsh(tmp, uint(scale-e-we[k]))
			acc.Add(acc, tmp)
		}
		tau[i] = acc
	}
	return tau
}

// Key is stage 3: the bytes of (τ, i) in an order-preserving encoding —
// one sign byte (0 negative, 1 zero or positive), the magnitude's byte length
// as 4 big-endian bytes, the magnitude big-endian (both complemented for
// negative τ, so a larger magnitude sorts first), then i as 8 big-endian
// bytes. bytes.Compare on keys is the order of τ, ties broken by i.
func Key(tau *big.Int, i int) []byte {
	mag := tau.Bytes()
	out := make([]byte, 0, 1+4+len(mag)+8)
	neg := tau.Sign() < 0
	if neg {
		out = append(out, 0)
	} else {
		out = append(out, 1)
	}
	n := uint32(len(mag))
	if neg {
		n = ^n
	}
	out = binary.BigEndian.AppendUint32(out, n)
	for _, b := range mag {
		if neg {
			b = ^b
		}
		out = append(out, b)
	}
	return binary.BigEndian.AppendUint64(out, uint64(i))
}

// DecodeKey is Key's inverse; it rejects bytes Key cannot have written.
func DecodeKey(key []byte) (*big.Int, int, error) {
	if len(key) < 13 || key[0] > 1 {
		return nil, 0, errors.New("projection key: malformed")
	}
	neg := key[0] == 0
	n := binary.BigEndian.Uint32(key[1:5])
	if neg {
		n = ^n
	}
	if uint64(len(key)) != 13+uint64(n) {
		return nil, 0, errors.New("projection key: length does not match")
	}
	mag := slices.Clone(key[5 : 5+n])
	if neg {
		for k := range mag {
			mag[k] = ^mag[k]
		}
	}
	if (n > 0 && mag[0] == 0) || (neg && n == 0) {
		return nil, 0, errors.New("projection key: not in canonical form")
	}
	tau := new(big.Int).SetBytes(mag)
	if neg {
		tau.Neg(tau)
	}
	i := binary.BigEndian.Uint64(key[5+n:])
	if i > 1<<62 {
		return nil, 0, errors.New("projection key: index out of range")
	}
	return tau, int(i), nil
}

// Splitters is stage 4: parts−1 keys that cut the sorted sample into parts
// ranges of about equal size (fewer when the sample is smaller). The sample
// may be in any order; it is sorted in place.
func Splitters(sample [][]byte, parts int) [][]byte {
	slices.SortFunc(sample, bytes.Compare)
	var out [][]byte
	for p := 1; p < parts && len(sample) > 0; p++ {
		s := sample[p*len(sample)/parts]
		if len(out) == 0 || bytes.Compare(out[len(out)-1], s) < 0 {
			out = append(out, s)
		}
	}
	return out
}

// Part is the range of key given the splitters: the number of splitters ≤ key.
func Part(key []byte, splitters [][]byte) int {
	lo, hi := 0, len(splitters)
	for lo < hi {
		m := (lo + hi) / 2
		if bytes.Compare(splitters[m], key) <= 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// SortRun is stage 5: the keys of one range in increasing order (in place).
func SortRun(keys [][]byte) [][]byte {
	slices.SortFunc(keys, bytes.Compare)
	return keys
}

// Assemble is stage 6: it streams the sorted runs (next returns the next
// key in range order, or nil at the end) into the projection of n points
// on w at the given scale, checking that keys increase and that every index
// in [0, n) appears exactly once.
func Assemble(ctx context.Context, w []float64, scale, n int, next func() ([]byte, error)) (*Projection, error) {
	p := &Projection{W: w, Tau: make([]*big.Int, n), Scale: scale, Order: make([]int, 0, n)}
	var prev []byte
	for k := 0; ; k++ {
		if k%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		key, err := next()
		if err != nil {
			return nil, err
		}
		if key == nil {
			break
		}
		if prev != nil && bytes.Compare(prev, key) >= 0 {
			return nil, errors.New("projection: sorted runs are out of order")
		}
		prev = key
		tau, i, err := DecodeKey(key)
		if err != nil {
			return nil, err
		}
		if i >= n || p.Tau[i] != nil {
			return nil, fmt.Errorf("projection: point %d appears twice or is out of range", i)
		}
		p.Tau[i] = tau
		p.Order = append(p.Order, i)
	}
	if len(p.Order) != n {
		return nil, fmt.Errorf("projection: sorted runs hold %d of %d points", len(p.Order), n)
	}
	return p, nil
}

// SortStages runs stages 3 to 6 in-process on the exact values tau: keys,
// splitters from every step-th key, parts sorted runs, assembled in order.
// Its Order is the stable sort of the indices by tau.
func SortStages(tau []*big.Int, parts int) []int {
	order, _ := sortStages(context.Background(), tau, parts)
	return order
}

// sortStages is SortStages stopping with ctx's error between runs.
func sortStages(ctx context.Context, tau []*big.Int, parts int) ([]int, error) {
	n := len(tau)
	keys := make([][]byte, n)
	for i, t := range tau {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		keys[i] = Key(t, i)
	}
	var sample [][]byte
	step := max(1, n/(64*parts))
	for i := 0; i < n; i += step {
		sample = append(sample, keys[i])
	}
	split := Splitters(sample, parts)
	runs := make([][][]byte, len(split)+1)
	for i, k := range keys {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		p := Part(k, split)
		runs[p] = append(runs[p], k)
	}
	order := make([]int, 0, n)
	for _, r := range runs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for _, k := range SortRun(r) {
			order = append(order, int(binary.BigEndian.Uint64(k[len(k)-8:])))
		}
	}
	return order, nil
}
