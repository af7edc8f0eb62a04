package approx

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// Target is a function f: Ω ⊂ R^d → R^m to approximate.
type Target interface {
	// Name describes the function for reports.
	Name() string
	// Dim is d, the input dimension.
	Dim() int
	// Outputs is m, the number of components of f.
	Outputs() int
	// Eval writes f(x) into out (len Outputs).
	Eval(x []float64, out []float64)
	// Sobolev reports whether f is in W^{1,p} for every p < ∞ (so the
	// depth bound of the specification §3 applies with a rate).
	Sobolev() bool
	// Box is the function's default domain.
	Box() Box
}

// named is one of the built-in test functions.
type named struct {
	name, desc string
	d          int
	sobolev    bool
	f          func(x []float64) float64
	box        float64 // domain [−box, box]^d
}

func (t *named) Name() string                  { return fmt.Sprintf("%s (%s), d=%d, m=1", t.name, t.desc, t.d) }
func (t *named) Dim() int                      { return t.d }
func (t *named) Outputs() int                  { return 1 }
func (t *named) Eval(x []float64, o []float64) { o[0] = t.f(x) }
func (t *named) Sobolev() bool                 { return t.sobolev }
func (t *named) Box() Box {
	b := make(Box, t.d)
	for k := range b {
		b[k] = Interval{-t.box, t.box}
	}
	return b
}

func norm2(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v * v
	}
	return s
}

// namedFuncs are the built-in test functions, all nonnegative, on [−1, 1]^d.
var namedFuncs = map[string]struct {
	desc    string
	sobolev bool
	f       func(x []float64) float64
}{
	// The specification's prototype function.
	"gauss": {"Gaussian bump exp(−4|x|²)", true, func(x []float64) float64 { return math.Exp(-4 * norm2(x)) }},
	// Discontinuous: in L^p but not in W^{1,p}, so no rate is promised.
	"disc": {"indicator of the disc |x| ≤ 1/2", false, func(x []float64) float64 {
		if norm2(x) <= 0.25 {
			return 1
		}
		return 0
	}},
	// Lipschitz (W^{1,∞}) with a kink at the origin and along |x| = 1.
	"kink": {"tent max(0, 1 − |x|), kinks at 0 and |x| = 1", true, func(x []float64) float64 {
		return math.Max(0, 1-math.Sqrt(norm2(x)))
	}},
	// Smooth but oscillating: large ‖∇f‖, so the rate sets in late.
	"osc": {"oscillating 1 + Π_k sin(3πx_k)", true, func(x []float64) float64 {
		p := 1.0
		for _, v := range x {
			p *= math.Sin(3 * math.Pi * v)
		}
		return 1 + p
	}},
}

// Names lists the built-in test functions.
func Names() []string {
	var ns []string
	for n := range namedFuncs {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	return ns
}

// Named returns the built-in test function name in dimension d (on
// [−1, 1]^d).
func Named(name string, d int) (Target, error) {
	f, ok := namedFuncs[name]
	if !ok {
		return nil, fmt.Errorf("unknown function %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	if d < 1 || d > 8 {
		return nil, fmt.Errorf("dimension d=%d: want 1..8", d)
	}
	return &named{name: name, desc: f.desc, d: d, sobolev: f.sobolev, f: f.f, box: 1}, nil
}
