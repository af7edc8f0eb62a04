package nn

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/bits"

	"github.com/memnet/memnet/internal/par"
)

// A float-exactness certificate proves that every IEEE evaluation of a
// network in a given format — products rounded or fused, any summation order
// and bracketing, the bias anywhere, zero terms kept or skipped, accumulator
// of that format or wider — returns exactly the network's exact value at
// every neuron of every data point. It is the invariant of the floatexact
// specification (../shared/papers/floatexact.md §1), generalised from
// integers to dyadic numbers:
//
// Every weight, bias and input is a number of the format. At data point x,
// neuron j has terms (its bias and the products w_ji·a_i(x)); let 2^e be the
// smallest power of two (at most 1) dividing all of them, P the sum of the
// positive terms and N the sum of the absolute values of the negative ones.
// If P ≤ 2^p·2^e and N ≤ 2^p·2^e (p = 24 for float32, 53 for float64) and
// 2^e is not below the format's smallest normal number (2^−126, 2^−1022),
// then every sum of a subset of the terms — every partial sum of any
// evaluation order — is an integer multiple of 2^e of magnitude at most
// 2^p·2^e, hence zero or a normal number of the format, so each rounding
// returns it unchanged; by induction over the layers every activation is
// exact. For integer networks 2^e = 1 and the condition is the spec's
// P, N ≤ 2^24.
//
// Subnormals: since every unit 2^e is at least the smallest normal number,
// no input, weight, product or partial sum the certificate covers is
// subnormal, so the claim holds alike for runtimes that keep subnormals and
// for those that flush them to zero (FTZ/DAZ).
//
// Frameworks multiply every column (a dense Gemm), zero weights included,
// and 0·(±Inf) is NaN. So every coordinate of every point, read by the
// network or not, must convert to a finite number of the format (1e39 does
// not in float32: it becomes +Inf); a coordinate no neuron reads need not be
// a number of the format (its rounded value is multiplied by zero only), and
// may be subnormal or flushed to zero. Hidden values are exact and bounded,
// hence finite, so their zero weights contribute 0.
//
// Certify checks the condition in exact integer arithmetic, point by point,
// without trusting anything the construction says.

// CertFormat is a binary floating-point format a certificate is made for.
type CertFormat struct {
	Name      string
	Precision int // significand bits p, hidden bit included
	MinExp    int // exponent of the smallest normal number: the lowest unit allowed
}

var (
	// CertFloat32 is IEEE binary32.
	CertFloat32 = CertFormat{Name: "float32", Precision: 24, MinExp: -126}
	// CertFloat64 is IEEE binary64.
	CertFloat64 = CertFormat{Name: "float64", Precision: 53, MinExp: -1022}
)

// Certificate is the outcome of Certify.
type Certificate struct {
	Format string `json:"format"`
	// Proven says the condition holds at every neuron of every point.
	Proven bool `json:"proven"`
	// Reason says why not, naming the first weight, input or neuron at fault.
	Reason string `json:"reason,omitempty"`
	Points int    `json:"points"`
	// Neurons counts the hidden and read-out neurons checked per point.
	Neurons int `json:"neurons"`
	// MaxPositive and MaxNegative are the largest sums of positive terms and
	// of |negative terms| over every neuron and point (exact values).
	MaxPositive float64 `json:"max_positive_partial"`
	MaxNegative float64 `json:"max_negative_partial"`
	// MaxUnits is the largest max(P, N)/2^e; it must be ≤ Limit = 2^p.
	MaxUnits uint64 `json:"max_partial_units"`
	Limit    uint64 `json:"limit"`
	// Where names the neuron and point of MaxUnits ("layer 3 neuron 7, point 12").
	Where string `json:"where,omitempty"`
	// DataSHA256 identifies the points the certificate was computed on (the
	// SHA-256 of their float64 coordinates, little-endian, row after row).
	DataSHA256 string `json:"data_sha256"`
	// NetworkSHA256 identifies the network: the SHA-256 of every weight and
	// bias as an exact rational string, layer after layer, with the
	// activations. A network changed in any weight has another hash.
	NetworkSHA256 string `json:"network_sha256"`
	// Outputs are the exact outputs at every point when Proven (each is a
	// number of the format, so float64 holds it exactly).
	Outputs [][]float64 `json:"-"`
	// FailPoint is the (0-based) number of the point Reason names, or -1
	// when the reason is in the weights; WherePoint that of Where, or -1.
	// (Shards of a verification merge certificates by them.)
	FailPoint  int `json:"-"`
	WherePoint int `json:"-"`
}

// Summary is a one-line statement of the certificate.
func (c *Certificate) Summary() string {
	if !c.Proven {
		return fmt.Sprintf("not proven exact in %s: %s", c.Format, c.Reason)
	}
	s := fmt.Sprintf("PROVEN exact in %s (any summation order) on %d points: largest positive partial sum %s, largest negative %s (limit %s)",
		c.Format, c.Points, fmtNum(c.MaxPositive), fmtNum(c.MaxNegative), fmtNum(float64(c.Limit)))
	if float64(c.MaxUnits) != max(c.MaxPositive, c.MaxNegative) {
		s += fmt.Sprintf("; largest in units of its neuron's lowest bit %d", c.MaxUnits)
	}
	return s
}

func fmtNum(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e18 {
		return big.NewInt(int64(v)).String()
	}
	return fmt.Sprintf("%g", v)
}

// DataHash is the SHA-256 (hex) of the points, as stored in certificates.
func DataHash(xs [][]float64) string {
	h := sha256.New()
	var b []byte
	for _, x := range xs {
		b = b[:0]
		for _, v := range x {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		}
		h.Write(b) // one write per point: the same bytes, far fewer calls
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

// NetworkHash is the SHA-256 (hex) of the network's exact weights, biases and
// activations, as stored in certificates.
func NetworkHash(net *Network) string {
	h := sha256.New()
	fmt.Fprintf(h, "in %d\n", net.InputDim)
	for _, l := range net.Layers() {
		fmt.Fprintf(h, "layer %d %d\n", l.In(), l.Out())
		for j := range l.W {
			h.Write([]byte{l.Act[j].Code()})
			for _, w := range l.W[j] {
				h.Write([]byte(w.RatString()))
				h.Write([]byte{','})
			}
			h.Write([]byte(l.B[j].RatString()))
			h.Write([]byte{'\n'})
		}
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

// dyad is m·2^e with m odd (or zero).
type dyad struct {
	m int64
	e int32
}

func normDyad(m int64, e int) dyad {
	if m == 0 {
		return dyad{}
	}
	tz := bits.TrailingZeros64(uint64(m))
	return dyad{m >> tz, int32(e + tz)}
}

// formatDyad returns x as a dyad when it is a finite number of f.
func formatDyad(x float64, f CertFormat) (dyad, bool) {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return dyad{}, false
	}
	if x == 0 {
		return dyad{}, true
	}
	if f.Precision == 24 && float64(float32(x)) != x {
		return dyad{}, false
	}
	fr, ex := math.Frexp(x)
	d := normDyad(int64(fr*(1<<53)), ex-53)
	if int(d.e) < f.MinExp || bits.Len64(uint64(abs64(d.m))) > f.Precision {
		return dyad{}, false
	}
	return d, true
}

// productBits is the bit length of the 128-bit product hi·2^64 + lo (its
// significant bits, the factors' mantissas being odd).
func productBits(hi, lo uint64) int {
	if hi != 0 {
		return 64 + bits.Len64(hi)
	}
	return bits.Len64(lo)
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

type certTerm struct {
	in int32
	w  dyad
}

type certNeuron struct {
	terms []certTerm
	bias  dyad
	act   Activation
	// integer form (when every weight and bias is an integer): magnitudes
	// above 2^62 are clamped, which any nonzero product then flags
	wi []int64
	bi int64
}

// clampInt returns the integer d (e ≥ 0), clamped to ±2^62.
func clampInt(d dyad) int64 {
	if d.m == 0 || d.e < 0 {
		return 0 // zero, or not an integer (then the integer path is not used)
	}
	if int(d.e)+bits.Len64(uint64(abs64(d.m))) > 62 {
		if d.m < 0 {
			return -1 << 62
		}
		return 1 << 62
	}
	return d.m << d.e
}

// CertifyPoints computes the float-exactness certificate of net in format f
// on the points xs; its error is returned once ctx is done, and otherwise
// only for inputs of the wrong length. The points may be part of a larger
// set: index[i] (when index is not nil) is the 0-based number point i has
// there, used in the certificate's messages, FailPoint and WherePoint.
func CertifyPoints(ctx context.Context, net *Network, xs [][]float64, index []int, f CertFormat) (*Certificate, error) {
	if err := net.Check(); err != nil {
		return nil, err
	}
	if index != nil && len(index) != len(xs) {
		return nil, errors.New("certify: an index per point is needed")
	}
	num := func(i int) int {
		if index != nil {
			return index[i]
		}
		return i
	}
	c := &Certificate{Format: f.Name, Points: len(xs), Limit: 1 << f.Precision, DataSHA256: DataHash(xs), NetworkSHA256: NetworkHash(net),
		FailPoint: -1, WherePoint: -1}
	for i, x := range xs {
		if len(x) != net.InputDim {
			return nil, fmt.Errorf("certify: point %d has %d coordinates, the network reads %d", num(i)+1, len(x), net.InputDim)
		}
	}
	// the weights, biases and activations
	var layers [][]certNeuron
	for k, l := range net.Layers() {
		name := fmt.Sprintf("layer %d", k+1)
		if k == len(net.Hidden) {
			name = "read-out"
		}
		ns := make([]certNeuron, l.Out())
		for j := range l.W {
			c.Neurons++
			if l.Act[j] == Sigmoid {
				c.Reason = fmt.Sprintf("%s neuron %d is a sigmoid, which no float format evaluates exactly", name, j+1)
				return c, nil
			}
			ns[j].act = l.Act[j]
			for i, w := range l.W[j] {
				if w.Sign() == 0 {
					continue
				}
				d, ok := ratDyad(w, f)
				if !ok {
					c.Reason = fmt.Sprintf("%s weight [%d,%d] = %s is not a %s number", name, j+1, i+1, ShortRat(w), f.Name)
					return c, nil
				}
				ns[j].terms = append(ns[j].terms, certTerm{int32(i), d})
			}
			b, ok := ratDyad(l.B[j], f)
			if !ok {
				c.Reason = fmt.Sprintf("%s bias %d = %s is not a %s number", name, j+1, ShortRat(l.B[j]), f.Name)
				return c, nil
			}
			ns[j].bias = b
		}
		layers = append(layers, ns)
	}
	// integer fast path: every weight, bias and input an integer
	integer := true
	for _, l := range layers {
		for j := range l {
			n := &l[j]
			if n.bias.e < 0 {
				integer = false
			}
			n.bi = clampInt(n.bias)
			n.wi = make([]int64, len(n.terms))
			for q, t := range n.terms {
				if t.w.e < 0 {
					integer = false
				}
				n.wi[q] = clampInt(t.w)
			}
		}
	}
	used := map[int32]bool{}
	for _, n := range layers[0] {
		for _, t := range n.terms {
			used[t.in] = true
		}
	}
	var usedIn []int32
	for i := range int32(net.InputDim) {
		if used[i] {
			usedIn = append(usedIn, i)
		}
	}
	for _, x := range xs {
		for _, i := range usedIn {
			if v := x[i]; v != math.Trunc(v) || math.Abs(v) > 1<<53 {
				integer = false
			}
		}
	}
	// the points, in parallel chunks; each chunk stops at its first failure
	type result struct {
		fail     int // first failing point of the chunk or -1
		reason   string
		units    uint64
		where    string
		wherePt  int
		pos, neg float64
		outputs  [][]float64
	}
	const chunk = 64
	results := make([]result, (len(xs)+chunk-1)/chunk)
	errFailed := errors.New("certify: a point fails") // stops the handing out of chunks
	err := par.Do(ctx, len(xs), chunk, func() *certEval {
		ev := newCertEval(net, layers, f)
		ev.usedIn = usedIn
		return ev
	}, func(lo, hi int, ev *certEval) error {
		r := result{fail: -1}
		defer func() { results[lo/chunk] = r }()
		for i := lo; i < hi; i++ {
			var out []float64
			err := finiteIn(xs[i], f)
			switch {
			case err != nil:
			case integer:
				out, err = ev.pointInt(xs[i])
			default:
				out, err = ev.point(xs[i])
			}
			if err != nil {
				r.fail, r.reason = i, fmt.Sprintf("point %d: %v", num(i)+1, err)
				return errFailed
			}
			r.outputs = append(r.outputs, out)
			if ev.units > r.units {
				r.units, r.where, r.wherePt = ev.units, fmt.Sprintf("%s, point %d", ev.name(ev.wk, ev.wj), num(i)+1), num(i)
			}
			r.pos, r.neg = max(r.pos, ev.pos), max(r.neg, ev.ngv)
		}
		return nil
	})
	if err != nil && err != errFailed {
		return nil, err
	}
	// every chunk before a failing one was handed out before it and has
	// finished: the first failure in chunk order is the lowest point
	for _, r := range results {
		if r.fail >= 0 {
			c.Reason, c.FailPoint = r.reason, num(r.fail)
			return c, nil
		}
	}
	c.Proven = true
	c.Outputs = make([][]float64, 0, len(xs))
	for _, r := range results {
		c.Outputs = append(c.Outputs, r.outputs...)
		if r.units > c.MaxUnits {
			c.MaxUnits, c.Where, c.WherePoint = r.units, r.where, r.wherePt
		}
		c.MaxPositive, c.MaxNegative = max(c.MaxPositive, r.pos), max(c.MaxNegative, r.neg)
	}
	return c, nil
}

// finiteIn checks that every coordinate of x converts to a finite number
// of f (rounded to nearest, as a runtime reads it).
func finiteIn(x []float64, f CertFormat) error {
	for i, v := range x {
		c := v
		if f.Precision == 24 {
			c = float64(float32(v))
		}
		if math.IsInf(c, 0) || math.IsNaN(c) {
			return fmt.Errorf("input coordinate %d = %v is ±Inf or NaN in %s, and a framework multiplies every coordinate, even by a zero weight (0·Inf = NaN)", i+1, v, f.Name)
		}
	}
	return nil
}

func ratDyad(r *big.Rat, f CertFormat) (dyad, bool) {
	if f.Precision == 24 {
		v, exact := r.Float32()
		if !exact || math.IsInf(float64(v), 0) {
			return dyad{}, false
		}
		return formatDyad(float64(v), f)
	}
	v, exact := r.Float64()
	if !exact || math.IsInf(v, 0) {
		return dyad{}, false
	}
	return formatDyad(v, f)
}

// certEval evaluates one point, checking the condition at every neuron.
type certEval struct {
	net      *Network
	layers   [][]certNeuron
	f        CertFormat
	cur, nxt []dyad
	prod     []uint64
	pe       []int32
	neg      []bool
	// per point: the largest units and partial sums, and where
	units    uint64
	wk, wj   int // layer and neuron of units
	pos, ngv float64
	usedIn   []int32 // the inputs the first layer reads
	ci, ni   []int64 // integer values of the current and next layer
	P, N     []uint64
	cols     [][][]certCol // per layer, per input: the neurons reading it
	nzIn     []int32
	nzNext   []int32
}

type certCol struct {
	j int32
	w int64
}

func newCertEval(net *Network, layers [][]certNeuron, f CertFormat) *certEval {
	w := net.InputDim
	for _, l := range layers {
		w = max(w, len(l))
	}
	ev := &certEval{net: net, layers: layers, f: f, cur: make([]dyad, w), nxt: make([]dyad, w), ci: make([]int64, w), ni: make([]int64, w),
		P: make([]uint64, w), N: make([]uint64, w)}
	in := net.InputDim
	for _, l := range layers {
		cols := make([][]certCol, in)
		for j := range l {
			for q, t := range l[j].terms {
				cols[t.in] = append(cols[t.in], certCol{int32(j), l[j].wi[q]})
			}
		}
		ev.cols = append(ev.cols, cols)
		in = len(l)
	}
	return ev
}

// pointInt is point for integer networks and inputs: values are int64,
// every term's lowest bit is 1, and the limit is 2^p itself. It runs column
// by column over the nonzero activations only (ReLU layers are mostly zero).
func (ev *certEval) pointInt(x []float64) ([]float64, error) {
	ev.units, ev.pos, ev.ngv = 0, 0, 0
	cur := ev.ci[:len(x)]
	nzIn := ev.nzIn[:0]
	for _, i := range ev.usedIn {
		v := x[i]
		if _, ok := formatDyad(v, ev.f); !ok {
			return nil, fmt.Errorf("input coordinate %d = %v is not a %s number", i+1, v, ev.f.Name)
		}
		cur[i] = int64(v)
		if v != 0 {
			nzIn = append(nzIn, i)
		}
	}
	limit := uint64(1) << ev.f.Precision
	var maxP, maxN uint64
	for k, layer := range ev.layers {
		cols := ev.cols[k]
		nxt := ev.ni[:len(layer)]
		P, N := ev.P[:len(layer)], ev.N[:len(layer)]
		for j := range layer {
			if b := layer[j].bi; b > 0 {
				P[j], N[j] = uint64(b), 0
			} else {
				P[j], N[j] = 0, uint64(-b)
			}
		}
		over := false
		for _, i := range nzIn {
			a := cur[i]
			ua := uint64(abs64(a))
			for _, c := range cols[i] {
				hi, lo := bits.Mul64(uint64(abs64(c.w)), ua)
				if hi != 0 || lo > limit {
					over = true
					continue
				}
				if (c.w < 0) != (a < 0) {
					N[c.j] += lo
					over = over || N[c.j] > limit
				} else {
					P[c.j] += lo
					over = over || P[c.j] > limit
				}
			}
			if over {
				break
			}
		}
		if !over {
			for j := range layer {
				over = over || P[j] > limit || N[j] > limit
			}
		}
		if over {
			// find the neuron at fault by the per-neuron rule
			for j := range layer {
				if err := ev.fault(k, j, cur, limit); err != nil {
					return nil, err
				}
			}
			return nil, errors.New("certify: internal inconsistency in the column pass")
		}
		nzNext := ev.nzNext[:0]
		for j := range layer {
			if u := max(P[j], N[j]); u > ev.units {
				ev.units, ev.wk, ev.wj = u, k, j
			}
			maxP, maxN = max(maxP, P[j]), max(maxN, N[j])
			z := int64(P[j]) - int64(N[j])
			switch layer[j].act {
			case ReLU:
				z = max(z, 0)
			case Step:
				if z >= 0 {
					z = 1
				} else {
					z = 0
				}
			}
			nxt[j] = z
			if z != 0 {
				nzNext = append(nzNext, int32(j))
			}
		}
		cur, ev.ci, ev.ni = nxt, ev.ni, ev.ci
		ev.nzIn, ev.nzNext = nzNext, nzIn
		nzIn = nzNext
	}
	ev.pos, ev.ngv = float64(maxP), float64(maxN)
	out := make([]float64, len(cur))
	for j, v := range cur {
		out[j] = float64(v)
	}
	return out, nil
}

// fault re-checks neuron j of layer k term by term and says what is wrong.
func (ev *certEval) fault(k, j int, cur []int64, limit uint64) error {
	n := &ev.layers[k][j]
	var P, N uint64
	if n.bi > 0 {
		P = uint64(n.bi)
	} else {
		N = uint64(-n.bi)
	}
	if max(P, N) > limit {
		return fmt.Errorf("%s: its bias exceeds 2^%d", ev.name(k, j), ev.f.Precision)
	}
	for q, t := range n.terms {
		a := cur[t.in]
		if a == 0 {
			continue
		}
		w := n.wi[q]
		hi, lo := bits.Mul64(uint64(abs64(w)), uint64(abs64(a)))
		if hi != 0 || lo > limit {
			return fmt.Errorf("%s: the product of weight %d and input %d exceeds 2^%d", ev.name(k, j), w, a, ev.f.Precision)
		}
		if (w < 0) != (a < 0) {
			N += lo
		} else {
			P += lo
		}
		if P > limit {
			return fmt.Errorf("%s: the sum of its positive terms exceeds 2^%d, so some summation order rounds", ev.name(k, j), ev.f.Precision)
		}
		if N > limit {
			return fmt.Errorf("%s: the sum of its negative terms exceeds 2^%d, so some summation order rounds", ev.name(k, j), ev.f.Precision)
		}
	}
	return nil
}

func (ev *certEval) point(x []float64) ([]float64, error) {
	ev.units, ev.pos, ev.ngv = 0, 0, 0
	cur := ev.cur[:len(x)]
	for _, i := range ev.usedIn {
		d, ok := formatDyad(x[i], ev.f)
		if !ok {
			return nil, fmt.Errorf("input coordinate %d = %v is not a %s number", i+1, x[i], ev.f.Name)
		}
		cur[i] = d
	}
	limit := uint64(1) << ev.f.Precision
	for k, layer := range ev.layers {
		nxt := ev.nxt[:len(layer)]
		for j := range layer {
			n := &layer[j]
			// the terms: exact products m·2^e, and the common exponent
			ev.prod, ev.pe, ev.neg = ev.prod[:0], ev.pe[:0], ev.neg[:0]
			emin := int32(0)
			if n.bias.m != 0 {
				ev.prod = append(ev.prod, uint64(abs64(n.bias.m)))
				ev.pe = append(ev.pe, n.bias.e)
				ev.neg = append(ev.neg, n.bias.m < 0)
				emin = min(emin, n.bias.e)
			}
			for _, t := range n.terms {
				a := cur[t.in]
				if a.m == 0 {
					continue
				}
				hi, lo := bits.Mul64(uint64(abs64(t.w.m)), uint64(abs64(a.m)))
				if hi != 0 || lo > limit {
					return nil, fmt.Errorf("%s: a product has %d significant bits, more than %s holds", ev.name(k, j), productBits(hi, lo), ev.f.Name)
				}
				e := t.w.e + a.e
				ev.prod = append(ev.prod, lo)
				ev.pe = append(ev.pe, e)
				ev.neg = append(ev.neg, (t.w.m < 0) != (a.m < 0))
				emin = min(emin, e)
			}
			if int(emin) < ev.f.MinExp {
				return nil, fmt.Errorf("%s: a term is a multiple of 2^%d only, below the smallest %s subnormal", ev.name(k, j), emin, ev.f.Name)
			}
			var P, N uint64
			for q, p := range ev.prod {
				sh := uint(ev.pe[q] - emin)
				if sh >= 64 || p > limit>>sh {
					return nil, fmt.Errorf("%s: a single term exceeds 2^%d units of 2^%d", ev.name(k, j), ev.f.Precision, emin)
				}
				u := p << sh
				if ev.neg[q] {
					N += u
					if N > limit {
						return nil, fmt.Errorf("%s: the sum of its negative terms exceeds 2^%d units of 2^%d, so some summation order rounds", ev.name(k, j), ev.f.Precision, emin)
					}
				} else {
					P += u
					if P > limit {
						return nil, fmt.Errorf("%s: the sum of its positive terms exceeds 2^%d units of 2^%d, so some summation order rounds", ev.name(k, j), ev.f.Precision, emin)
					}
				}
			}
			if u := max(P, N); u > ev.units {
				ev.units, ev.wk, ev.wj = u, k, j
			}
			ev.pos = max(ev.pos, math.Ldexp(float64(P), int(emin)))
			ev.ngv = max(ev.ngv, math.Ldexp(float64(N), int(emin)))
			z := int64(P) - int64(N)
			switch n.act {
			case ReLU:
				z = max(z, 0)
				nxt[j] = normDyad(z, int(emin))
			case Step:
				if z >= 0 {
					nxt[j] = dyad{1, 0}
				} else {
					nxt[j] = dyad{}
				}
			default:
				nxt[j] = normDyad(z, int(emin))
			}
		}
		cur, ev.cur, ev.nxt = nxt, ev.nxt, ev.cur
	}
	out := make([]float64, len(cur))
	for j, d := range cur {
		out[j] = math.Ldexp(float64(d.m), int(d.e))
	}
	return out, nil
}

func (ev *certEval) name(k, j int) string {
	if k == len(ev.layers)-1 {
		return fmt.Sprintf("read-out neuron %d", j+1)
	}
	return fmt.Sprintf("layer %d neuron %d", k+1, j+1)
}

// ShortRat writes r exactly when that takes at most 40 characters, and
// otherwise as its size and a 4-digit approximation, for messages (a
// 1123-bit weight is not read digit by digit).
func ShortRat(r *big.Rat) string {
	if s := r.RatString(); len(s) <= 40 {
		return s
	}
	approx := new(big.Float).SetPrec(64).SetRat(r).Text('g', 4)
	if r.IsInt() {
		return fmt.Sprintf("%s (an integer of %d bits)", approx, r.Num().BitLen())
	}
	return fmt.Sprintf("%s (a %d-bit numerator over a %d-bit denominator)", approx, r.Num().BitLen(), r.Denom().BitLen())
}
