package nn

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"runtime"
	"sync"
	"sync/atomic"
)

// Program is a network compiled for exact evaluation.
//
// When every weight and bias is dyadic, each neuron's value is held as an
// integer Z with a fixed per-neuron scale s (value = Z·2^-s): a neuron's
// pre-activation scale is the largest scale among its terms w·h (weight
// scale plus input scale) and its bias, so each term needs one integer
// multiply and a precomputed left shift, and no gcd is ever taken. Inputs are
// float64 values, themselves dyadic; their per-coordinate scales are taken
// from the points being evaluated. Terms whose input is zero are skipped, and
// weights ±1 need no multiply.
//
// Otherwise the program evaluates in big.Rat, again skipping zero terms.
// Sigmoid neurons have no exact rational value and are refused.
type Program struct {
	net      *Network
	dyadic   bool
	inScale  []int
	layers   [][]FixedNeuron
	maxWidth int
}

// FixedTerm is one nonzero weight of a neuron in fixed-point form.
type FixedTerm struct {
	In    int      // index of the input within the previous layer
	W     *big.Int // the weight's integer mantissa
	Unit  int      // +1 or -1 when the mantissa is ±1, else 0
	Shift uint     // left shift that brings W·h to the neuron's scale
}

// FixedNeuron is a neuron of a dyadic network in fixed-point form: its
// pre-activation is Σ (W·h_In) << Shift + Bias, an integer at scale Scale
// (value = integer·2^-Scale), and its output has scale Scale too (0 for Step).
type FixedNeuron struct {
	Terms []FixedTerm
	Bias  *big.Int // at the neuron's scale; nil when zero
	Act   Activation
	Scale int
}

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

// Compile prepares net for exact evaluation of inputs whose coordinate i has
// at most inScale[i] fractional bits (see InputScales).
func Compile(net *Network, inScale []int) (*Program, error) {
	if err := net.Check(); err != nil {
		return nil, err
	}
	if net.HasActivation(Sigmoid) {
		return nil, errors.New("exact evaluation: the network has sigmoid neurons, which have no exact rational value")
	}
	if len(inScale) != net.InputDim {
		return nil, fmt.Errorf("exact evaluation: %d input scales for input dimension %d", len(inScale), net.InputDim)
	}
	p := &Program{net: net, dyadic: net.IsDyadic(), inScale: inScale}
	for _, l := range net.Layers() {
		p.maxWidth = max(p.maxWidth, l.Out())
	}
	p.maxWidth = max(p.maxWidth, net.InputDim)
	if !p.dyadic {
		return p, nil
	}
	layers, err := FixedPoint(net, inScale)
	if err != nil {
		return nil, err
	}
	p.layers = layers
	return p, nil
}

// FixedPoint lays out a dyadic network in fixed point for inputs whose
// coordinate i is an integer times 2^-inScale[i]: each neuron's scale is the
// largest among its terms' (weight scale plus input scale) and its bias's,
// so every term needs one integer multiply and a fixed left shift.
func FixedPoint(net *Network, inScale []int) ([][]FixedNeuron, error) {
	if !net.IsDyadic() {
		return nil, errors.New("fixed point: the network has non-dyadic weights")
	}
	var layers [][]FixedNeuron
	scale := inScale
	for _, l := range net.Layers() {
		neurons := make([]FixedNeuron, l.Out())
		next := make([]int, l.Out())
		for j := range l.W {
			n := FixedNeuron{Act: l.Act[j]}
			zs := 0
			type raw struct {
				m *big.Int
				e int
				i int
			}
			var rs []raw
			for i, w := range l.W[j] {
				if w.Sign() == 0 {
					continue
				}
				m, e := dyadicParts(w)
				rs = append(rs, raw{m, e, i})
				zs = max(zs, e+scale[i])
			}
			if l.B[j].Sign() != 0 {
				bm, be := dyadicParts(l.B[j])
				zs = max(zs, be)
				n.Bias = bm.Lsh(bm, uint(zs-be))
			}
			for _, r := range rs {
				t := FixedTerm{In: r.i, W: r.m, Shift: uint(zs - r.e - scale[r.i])}
				if r.m.IsInt64() && (r.m.Int64() == 1 || r.m.Int64() == -1) {
					t.Unit = int(r.m.Int64())
				}
				n.Terms = append(n.Terms, t)
			}
			n.Scale = zs
			if n.Act == Step {
				n.Scale = 0
			}
			next[j] = n.Scale
			neurons[j] = n
		}
		layers = append(layers, neurons)
		scale = next
	}
	return layers, nil
}

// Dyadic reports whether the program runs in integer fixed point.
func (p *Program) Dyadic() bool { return p.dyadic }

// Scratch holds the buffers one goroutine needs to evaluate a Program.
type Scratch struct {
	cur, next []*big.Int
	tmp       *big.Int
	rcur      []*big.Rat
	rnext     []*big.Rat
	rtmp      *big.Rat
}

// NewScratch returns buffers for p.
func (p *Program) NewScratch() *Scratch {
	s := &Scratch{tmp: new(big.Int), rtmp: new(big.Rat)}
	s.cur = make([]*big.Int, p.maxWidth)
	s.next = make([]*big.Int, p.maxWidth)
	s.rcur = make([]*big.Rat, p.maxWidth)
	s.rnext = make([]*big.Rat, p.maxWidth)
	for i := range p.maxWidth {
		s.cur[i], s.next[i] = new(big.Int), new(big.Int)
		s.rcur[i], s.rnext[i] = new(big.Rat), new(big.Rat)
	}
	return s
}

// Eval computes the exact outputs for input x into out (len OutputDim; each
// element must be non-nil). x must fit the scales the program was compiled for.
func (p *Program) Eval(x []float64, out []*big.Rat, s *Scratch) error {
	if len(x) != p.net.InputDim {
		return fmt.Errorf("exact evaluation: input has %d coordinates, network wants %d", len(x), p.net.InputDim)
	}
	if !p.dyadic {
		return p.evalRat(x, out, s)
	}
	cur := s.cur
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("exact evaluation: input coordinate %d is %v", i, v)
		}
		m, e := FloatParts(v)
		if e > p.inScale[i] {
			return fmt.Errorf("exact evaluation: input coordinate %d has more fractional bits than compiled for", i)
		}
		cur[i].SetInt64(m)
		cur[i].Lsh(cur[i], uint(p.inScale[i]-e))
	}
	next := s.next
	tmp := s.tmp
	for _, layer := range p.layers {
		for j := range layer {
			n := &layer[j]
			z := next[j]
			if n.Bias != nil {
				z.Set(n.Bias)
			} else {
				z.SetInt64(0)
			}
			for _, t := range n.Terms {
				h := cur[t.In]
				if h.Sign() == 0 {
					continue
				}
				switch {
				case t.Unit != 0 && t.Shift == 0:
					if t.Unit > 0 {
						z.Add(z, h)
					} else {
						z.Sub(z, h)
					}
				case t.Unit != 0:
					tmp.Lsh(h, t.Shift)
					if t.Unit > 0 {
						z.Add(z, tmp)
					} else {
						z.Sub(z, tmp)
					}
				default:
					tmp.Mul(h, t.W)
					if t.Shift != 0 {
						tmp.Lsh(tmp, t.Shift)
					}
					z.Add(z, tmp)
				}
			}
			switch n.Act {
			case ReLU:
				if z.Sign() < 0 {
					z.SetInt64(0)
				}
			case Step:
				if z.Sign() >= 0 {
					z.SetInt64(1)
				} else {
					z.SetInt64(0)
				}
			}
		}
		cur, next = next, cur
	}
	last := p.layers[len(p.layers)-1]
	for j := range out {
		den := new(big.Int).Lsh(big.NewInt(1), uint(last[j].Scale))
		out[j].SetFrac(cur[j], den)
	}
	return nil
}

func (p *Program) evalRat(x []float64, out []*big.Rat, s *Scratch) error {
	cur, next, tmp := s.rcur, s.rnext, s.rtmp
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("exact evaluation: input coordinate %d is %v", i, v)
		}
		cur[i].SetFloat64(v)
	}
	for _, l := range p.net.Layers() {
		for j := range l.W {
			z := next[j]
			z.Set(l.B[j])
			for i, w := range l.W[j] {
				if w.Sign() == 0 || cur[i].Sign() == 0 {
					continue
				}
				z.Add(z, tmp.Mul(w, cur[i]))
			}
			switch l.Act[j] {
			case ReLU:
				if z.Sign() < 0 {
					z.SetInt64(0)
				}
			case Step:
				if z.Sign() >= 0 {
					z.SetInt64(1)
				} else {
					z.SetInt64(0)
				}
			}
		}
		cur, next = next, cur
	}
	for j := range out {
		out[j].Set(cur[j])
	}
	return nil
}

// EvalExact evaluates net exactly on every row of xs with the exact engine
// (see Exact), on all cores. progress, if not nil, is called (from any
// goroutine) with the number of points finished so far.
func EvalExact(net *Network, xs [][]float64, progress func(done int64)) ([][]*big.Rat, error) {
	e, err := CompileExact(net, xs)
	if err != nil {
		return nil, err
	}
	return e.Outputs(xs, progress)
}

// Parallel runs f over [0,n) split into chunks, one goroutine per core, each
// goroutine taking chunks until none are left. The first error wins and stops
// the handing out of chunks. done is shared by all calls, for progress counts.
func Parallel(n int, f func(lo, hi int, done *atomic.Int64) error) error {
	workers := runtime.GOMAXPROCS(0)
	chunk := max(1, min(64, n/(workers*8)+1))
	var next, done atomic.Int64
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				lo := int(next.Add(int64(chunk))) - chunk
				if lo >= n {
					return
				}
				if err := f(lo, min(n, lo+chunk), &done); err != nil {
					once.Do(func() { first = err })
					next.Store(int64(n))
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}
