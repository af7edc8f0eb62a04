package train

import (
	"fmt"
	"math"
)

// Optimizer names an optimization method.
type Optimizer string

const (
	// SGD is stochastic gradient descent with (heavy-ball, PyTorch-style)
	// momentum: v ← μv + g, θ ← θ − ηv, and a step schedule: η is multiplied
	// by Decay at each of Milestones (fractions of the epochs; Park et al.,
	// Appendix A: 0.1 at 1.5·10⁵ and 3.5·10⁵ of 5·10⁵ iterations, i.e. 0.3
	// and 0.7).
	SGD Optimizer = "sgd"
	// Adam is Kingma & Ba's method with bias correction (β₁ = 0.9, β₂ = 0.999,
	// ε = 10⁻⁸); the regularization gradient 2λθ is added to g (L2, not AdamW).
	Adam Optimizer = "adam"
	// LBFGS is full-batch limited-memory BFGS (memory 10) with a backtracking
	// Armijo line search; for the small Hernández–Zuazua runs.
	LBFGS Optimizer = "lbfgs"
)

// ParseOptimizer checks an optimizer name.
func ParseOptimizer(s string) (Optimizer, error) {
	switch o := Optimizer(s); o {
	case SGD, Adam, LBFGS:
		return o, nil
	}
	return "", fmt.Errorf("optimizer %q: want sgd, adam or lbfgs", s)
}

// stepper updates parameters from a gradient.
type stepper[F Float] interface {
	update(theta, grad []F, lr float64)
}

type sgdState[F Float] struct {
	mom float64
	v   []F
}

func (s *sgdState[F]) update(theta, g []F, lr float64) {
	mu, eta := F(s.mom), F(lr)
	for i := range theta {
		s.v[i] = mu*s.v[i] + g[i]
		theta[i] -= eta * s.v[i]
	}
}

type adamState[F Float] struct {
	m, v []F
	t    int
}

func (s *adamState[F]) update(theta, g []F, lr float64) {
	const b1, b2, eps = 0.9, 0.999, 1e-8
	s.t++
	c1 := 1 - math.Pow(b1, float64(s.t))
	c2 := 1 - math.Pow(b2, float64(s.t))
	a := F(lr / c1)
	sq := F(1 / math.Sqrt(c2))
	for i := range theta {
		s.m[i] = F(b1)*s.m[i] + F(1-b1)*g[i]
		s.v[i] = F(b2)*s.v[i] + F(1-b2)*g[i]*g[i]
		theta[i] -= a * s.m[i] / (F(math.Sqrt(float64(s.v[i])))*sq + F(eps))
	}
}

func newStepper[F Float](o Optimizer, p int, momentum float64) stepper[F] {
	if o == Adam {
		return &adamState[F]{m: make([]F, p), v: make([]F, p)}
	}
	return &sgdState[F]{mom: momentum, v: make([]F, p)}
}

// lbfgs minimizes f from x (changed in place) for at most iters iterations;
// fg returns J(x) and writes ∇J(x) into g. It stops early when the gradient
// vanishes or the line search cannot decrease J. It returns the final J and
// the number of iterations done.
func lbfgs(x []float64, iters int, fg func(x, g []float64) float64, after func(it int, f float64) bool) (float64, int) {
	const mem = 10
	p := len(x)
	g := make([]float64, p)
	f := fg(x, g)
	var ss, ys [][]float64
	var rho []float64
	d := make([]float64, p)
	xn := make([]float64, p)
	gn := make([]float64, p)
	alpha := make([]float64, mem)
	for it := 0; it < iters; it++ {
		// two-loop recursion: d = −H g
		copy(d, g)
		for k := len(ss) - 1; k >= 0; k-- {
			alpha[k] = rho[k] * dot(ss[k], d)
			axpy(-alpha[k], ys[k], d)
		}
		gamma := 1.0
		if n := len(ss); n > 0 {
			gamma = dot(ss[n-1], ys[n-1]) / dot(ys[n-1], ys[n-1])
		}
		for i := range d {
			d[i] *= gamma
		}
		for k := range ss {
			b := rho[k] * dot(ys[k], d)
			axpy(alpha[k]-b, ss[k], d)
		}
		for i := range d {
			d[i] = -d[i]
		}
		slope := dot(g, d)
		if !(slope < 0) {
			// not a descent direction: restart from the gradient
			ss, ys, rho = ss[:0], ys[:0], rho[:0]
			for i := range d {
				d[i] = -g[i]
			}
			slope = -dot(g, g)
			if slope == 0 {
				return f, it
			}
		}
		t := 1.0
		if len(ss) == 0 {
			t = math.Min(1, 1/math.Sqrt(-slope))
		}
		var fn float64
		ok := false
		for range 40 {
			for i := range x {
				xn[i] = x[i] + t*d[i]
			}
			fn = fg(xn, gn)
			if fn <= f+1e-4*t*slope && !math.IsNaN(fn) {
				ok = true
				break
			}
			t /= 2
		}
		if !ok {
			return f, it
		}
		s := make([]float64, p)
		y := make([]float64, p)
		for i := range x {
			s[i], y[i] = xn[i]-x[i], gn[i]-g[i]
		}
		if sy := dot(s, y); sy > 1e-12*math.Sqrt(dot(s, s)*dot(y, y)) {
			if len(ss) == mem {
				ss, ys, rho = ss[1:], ys[1:], rho[1:]
			}
			ss, ys, rho = append(ss, s), append(ys, y), append(rho, 1/sy)
		}
		copy(x, xn)
		copy(g, gn)
		f = fn
		if after != nil && !after(it+1, f) {
			return f, it + 1
		}
	}
	return f, iters
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

func axpy(a float64, x, y []float64) {
	for i, v := range x {
		y[i] += a * v
	}
}
