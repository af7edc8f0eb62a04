package nn

import (
	"fmt"
	"math"
)

// FloatNet is a float64 or float32 view of a network: every weight rounded to
// the nearest F. Products are rounded before they are added (no fused
// multiply-add), as most runtimes do.
type FloatNet[F float32 | float64] struct {
	in     int
	layers []floatLayer[F]
	width  int
}

type floatLayer[F float32 | float64] struct {
	w   [][]F
	b   []F
	act []Activation
}

// Float64 returns the float64 view of n.
func (n *Network) Float64() *FloatNet[float64] { return newFloatNet[float64](n) }

// Float32 returns the float32 view of n.
func (n *Network) Float32() *FloatNet[float32] { return newFloatNet[float32](n) }

func newFloatNet[F float32 | float64](n *Network) *FloatNet[F] {
	f := &FloatNet[F]{in: n.InputDim, width: n.InputDim}
	for _, l := range n.Layers() {
		fl := floatLayer[F]{w: make([][]F, l.Out()), b: make([]F, l.Out()), act: l.Act}
		for j := range l.W {
			fl.w[j] = make([]F, len(l.W[j]))
			for i, w := range l.W[j] {
				v, _ := w.Float64()
				fl.w[j][i] = F(v)
				if _, ok := any(F(0)).(float32); ok {
					v32, _ := w.Float32()
					fl.w[j][i] = F(v32)
				}
			}
			v, _ := l.B[j].Float64()
			fl.b[j] = F(v)
			if _, ok := any(F(0)).(float32); ok {
				v32, _ := l.B[j].Float32()
				fl.b[j] = F(v32)
			}
		}
		f.layers = append(f.layers, fl)
		f.width = max(f.width, l.Out())
	}
	return f
}

// Weights returns the rounded weights of layer k (read-out last), row by row.
func (f *FloatNet[F]) Weights(k int) ([][]F, []F) { return f.layers[k].w, f.layers[k].b }

// Eval computes the outputs for x into out, using buf (len ≥ 2·width, or nil
// to allocate).
func (f *FloatNet[F]) Eval(x []float64, out []F, buf []F) error {
	if len(x) != f.in {
		return fmt.Errorf("evaluation: input has %d coordinates, network wants %d", len(x), f.in)
	}
	if len(buf) < 2*f.width {
		buf = make([]F, 2*f.width)
	}
	cur, next := buf[:f.width], buf[f.width:2*f.width]
	for i, v := range x {
		cur[i] = F(v)
	}
	for _, l := range f.layers {
		for j, row := range l.w {
			z := l.b[j]
			for i, w := range row {
				if w != 0 {
					z += F(w * cur[i])
				}
			}
			switch l.act[j] {
			case ReLU:
				if z < 0 {
					z = 0
				}
			case Step:
				if z >= 0 {
					z = 1
				} else {
					z = 0
				}
			case Sigmoid:
				z = F(1 / (1 + math.Exp(-float64(z))))
			}
			next[j] = z
		}
		cur, next = next, cur
	}
	copy(out, cur[:len(out)])
	return nil
}

// BufLen is the scratch length Eval wants.
func (f *FloatNet[F]) BufLen() int { return 2 * f.width }
