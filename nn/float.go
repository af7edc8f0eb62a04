package nn

import (
	"fmt"
	"math"
)

// FloatNet is a float64 or float32 view of a network: every weight rounded to
// the nearest F. Products are rounded before they are added (no fused
// multiply-add), as most runtimes do.
//
// Parameters are packed in one array, layer after layer (weights row by row,
// then biases), and EvalBatch pushes a batch of points through each layer
// together, so deep narrow networks stream their parameters once per batch.
type FloatNet[F float32 | float64] struct {
	in     int
	width  int
	layers []floatLayer
	params []F
	acts   []Activation
	// the nonzero weights of every neuron: sparse[rowStart[r]:rowStart[r+1]]
	// for the r-th neuron of the network, counting layer after layer
	rowStart []int32
	sparse   []sparseWeight[F]
}

type sparseWeight[F float32 | float64] struct {
	in int32
	w  F
}

type floatLayer struct {
	off, in, out, act int  // params offset, shape, acts offset (= first neuron's row)
	two               bool // 2 inputs, 2 ReLU neurons
}

// Float64 returns the float64 view of n.
func (n *Network) Float64() *FloatNet[float64] { return newFloatNet[float64](n) }

// Float32 returns the float32 view of n.
func (n *Network) Float32() *FloatNet[float32] { return newFloatNet[float32](n) }

func newFloatNet[F float32 | float64](n *Network) *FloatNet[F] {
	f := &FloatNet[F]{in: n.InputDim, width: n.InputDim}
	_, is32 := any(F(0)).(float32)
	round := func(r interface {
		Float64() (float64, bool)
		Float32() (float32, bool)
	}) F {
		if is32 {
			v, _ := r.Float32()
			return F(v)
		}
		v, _ := r.Float64()
		return F(v)
	}
	for _, l := range n.Layers() {
		fl := floatLayer{off: len(f.params), in: l.In(), out: l.Out(), act: len(f.acts)}
		for j := range l.W {
			f.rowStart = append(f.rowStart, int32(len(f.sparse)))
			for i, w := range l.W[j] {
				v := round(w)
				f.params = append(f.params, v)
				if v != 0 {
					f.sparse = append(f.sparse, sparseWeight[F]{int32(i), v})
				}
			}
		}
		for j := range l.B {
			f.params = append(f.params, round(l.B[j]))
		}
		f.acts = append(f.acts, l.Act...)
		fl.two = fl.in == 2 && fl.out == 2 && l.Act[0] == ReLU && l.Act[1] == ReLU
		f.layers = append(f.layers, fl)
		f.width = max(f.width, fl.out)
	}
	f.rowStart = append(f.rowStart, int32(len(f.sparse)))
	return f
}

// Layer returns the rounded weights (row by row) and biases of layer k, the
// read-out being the last.
func (f *FloatNet[F]) Layer(k int) (w []F, b []F) {
	l := f.layers[k]
	w = f.params[l.off : l.off+l.in*l.out]
	return w, f.params[l.off+l.in*l.out : l.off+l.in*l.out+l.out]
}

// Eval computes the outputs for x into out.
func (f *FloatNet[F]) Eval(x []float64, out []F) error {
	return f.EvalBatch([][]float64{x}, [][]F{out})
}

// EvalBatch computes the outputs of every point of xs into outs.
func (f *FloatNet[F]) EvalBatch(xs [][]float64, outs [][]F) error {
	nb := len(xs)
	w := f.width
	cur := make([]F, nb*w)
	next := make([]F, nb*w)
	for p, x := range xs {
		if len(x) != f.in {
			return fmt.Errorf("evaluation: input has %d coordinates, network wants %d", len(x), f.in)
		}
		for i, v := range x {
			cur[p*w+i] = F(v)
		}
	}
	for k := range f.layers {
		l := &f.layers[k]
		ps := f.params[l.off : l.off+l.in*l.out+l.out]
		if l.two {
			// the common 2×2 ReLU layer of deep narrow networks, unrolled
			w00, w01, w10, w11, b0, b1 := ps[0], ps[1], ps[2], ps[3], ps[4], ps[5]
			for p := 0; p < nb; p++ {
				a, b := cur[p*w], cur[p*w+1]
				z0 := b0 + F(w00*a) + F(w01*b)
				z1 := b1 + F(w10*a) + F(w11*b)
				if z0 < 0 {
					z0 = 0
				}
				if z1 < 0 {
					z1 = 0
				}
				next[p*w], next[p*w+1] = z0, z1
			}
			cur, next = next, cur
			continue
		}
		bias := ps[l.in*l.out:]
		acts := f.acts[l.act : l.act+l.out]
		for p := 0; p < nb; p++ {
			h := cur[p*w : p*w+l.in]
			for j := 0; j < l.out; j++ {
				z := bias[j]
				for _, sw := range f.sparse[f.rowStart[l.act+j]:f.rowStart[l.act+j+1]] {
					z += F(sw.w * h[sw.in])
				}
				switch acts[j] {
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
				next[p*w+j] = z
			}
		}
		cur, next = next, cur
	}
	for p := range outs {
		copy(outs[p], cur[p*w:p*w+len(outs[p])])
	}
	return nil
}
