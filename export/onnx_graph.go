package export

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"

	"github.com/memnet/memnet/export/onnxpb"
	"github.com/memnet/memnet/limits"
	"github.com/memnet/memnet/nn"
)

// elems is the chain's current value, a tensor whose element e is
// s[e]·base[src[e]] + t[e], with base the affine map not yet followed by an
// activation (graphBuilder.dense) or, when there is none, the last
// materialized vector h (the input or a hidden layer's output). Shape
// operations permute and copy elements; constant Add/Sub/Mul/Div change s
// and t; so every operation between two affine maps is exact and costs one
// pass over the elements.
type elems struct {
	shape []int64
	src   []int
	s, t  []*big.Rat
}

func identityElems(shape []int64, n int) elems {
	v := elems{shape: append([]int64(nil), shape...), src: make([]int, n), s: make([]*big.Rat, n), t: make([]*big.Rat, n)}
	one, zero := big.NewRat(1, 1), new(big.Rat)
	for e := range v.src {
		v.src[e], v.s[e], v.t[e] = e, one, zero // shared, never mutated in place
	}
	return v
}

func (v *elems) len() int { return len(v.src) }

// graphBuilder turns a chain of ONNX nodes into layers.
type graphBuilder struct {
	hidden []nn.Layer
	hdim   int       // width of h
	dense  *nn.Layer // affine map over h not yet followed by an activation, or nil
	v      elems
	params int64
	affine int   // MatMul/Gemm nodes read so far
	work   int64 // values made by the operations so far (see spend)
	ctx    context.Context
	folded []string // constant operations before the first affine map
}

// fits checks, before anything is allocated for them, that n more
// parameters stay within maxImportParams and the memory limit.
func (g *graphBuilder) fits(n int64) error {
	p := limits.Add(g.params, n)
	if p > maxImportParams {
		return fmt.Errorf("the network has more than %d parameters, which memnet does not import", maxImportParams)
	}
	return checkWeights(fmt.Sprintf("a network of %d parameters", p), p)
}

// spend counts n more values made by an operation on the chain's value and
// checks the total against the memory limit before they are allocated: the
// work and garbage of a graph of many nodes are bounded as its weights are.
func (g *graphBuilder) spend(n int64) error {
	g.work = limits.Add(g.work, n)
	if g.work > 4*maxImportParams {
		return fmt.Errorf("the graph's operations make more than %d values, which memnet does not import", 4*maxImportParams)
	}
	return checkWeights(fmt.Sprintf("a graph whose operations make %d values", g.work), g.work)
}

func (g *graphBuilder) node(op string, node *onnxpb.NodeProto, curAt int, ops []*onnxConst) error {
	ints := map[string]int64{}
	floats := map[string]float64{}
	for _, a := range node.GetAttribute() {
		switch a.GetType() {
		case onnxpb.AttributeProto_INT:
			ints[a.GetName()] = a.GetI()
		case onnxpb.AttributeProto_FLOAT:
			floats[a.GetName()] = float64(a.GetF())
		default:
			return fmt.Errorf("attribute %q (%s) is not supported", a.GetName(), a.GetType())
		}
	}
	allowed := map[string][]string{"Flatten": {"axis"}, "Reshape": {"allowzero"}, "Gemm": {"alpha", "beta", "transA", "transB"}}[op]
	for name := range ints {
		if !contains(allowed, name) {
			return fmt.Errorf("attribute %q is not supported", name)
		}
	}
	for name := range floats {
		if !contains(allowed, name) {
			return fmt.Errorf("attribute %q is not supported", name)
		}
	}
	arity := func(lo, hi int) error {
		if len(ops) < lo || len(ops) > hi {
			return fmt.Errorf("takes %d to %d inputs, has %d", lo, hi, len(ops))
		}
		return nil
	}
	switch op {
	case "Identity":
		return arity(1, 1)
	case "Flatten":
		if err := arity(1, 1); err != nil {
			return err
		}
		axis := int64(1)
		if hasAttr(node, "axis") {
			axis = ints["axis"]
		}
		return g.flatten(axis)
	case "Reshape":
		if err := arity(2, 2); err != nil {
			return err
		}
		if curAt != 0 || ops[1] == nil || !ops[1].isInt {
			return errors.New("memnet imports Reshape(x, shape) with shape an INT64 constant")
		}
		return g.reshape(ops[1].ints, ints["allowzero"] != 0)
	case "Add", "Sub", "Mul", "Div":
		if err := arity(2, 2); err != nil {
			return err
		}
		k := ops[1-curAt]
		if k == nil {
			return fmt.Errorf("memnet imports %s of the chain's value and a constant", op)
		}
		if err := g.elementwise(op, curAt == 1, k); err != nil {
			return err
		}
		if g.affine == 0 && len(g.hidden) == 0 {
			g.folded = append(g.folded, fmt.Sprintf("%s %q by %d constant(s)", op, node.GetName(), k.size()))
		}
		return nil
	case "MatMul":
		if err := arity(2, 2); err != nil {
			return err
		}
		if ops[1-curAt] == nil {
			return errors.New("memnet imports MatMul of the chain's value and a constant")
		}
		g.affine++
		return g.matmul(curAt, ops[1-curAt])
	case "Gemm":
		if err := arity(2, 3); err != nil {
			return err
		}
		if curAt > 1 || ops[1-curAt] == nil {
			return errors.New("memnet imports Gemm(A, B[, C]) with one of A, B the chain's value and the others constants")
		}
		g.affine++
		return g.gemm(curAt, ops, ints, floats, node)
	case "Relu":
		if err := arity(1, 1); err != nil {
			return err
		}
		return g.activate(nil)
	case "Max":
		return g.max(curAt, ops)
	}
	return fmt.Errorf("operator %s is not supported; memnet imports ReLU MLPs: MatMul, Gemm, Relu, Max(x, c), Add/Sub/Mul/Div by constants, Flatten, Reshape, Identity, Constant", plainName(op))
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

func hasAttr(node *onnxpb.NodeProto, name string) bool {
	for _, a := range node.GetAttribute() {
		if a.GetName() == name {
			return true
		}
	}
	return false
}

func prod(dims []int64) int64 {
	n := int64(1)
	for _, d := range dims {
		n = limits.Mul(n, d)
	}
	return n
}

// flatten is ONNX Flatten: shape (d0…d_{a−1}, d_a…) becomes
// (d0·…·d_{a−1}, d_a·…); the default axis is 1.
func (g *graphBuilder) flatten(axis int64) error {
	r := int64(len(g.v.shape))
	if axis < -r || axis > r {
		return fmt.Errorf("axis %d is out of range for a value of rank %d", axis, r)
	}
	if axis < 0 {
		axis += r
	}
	g.v.shape = []int64{prod(g.v.shape[:axis]), prod(g.v.shape[axis:])}
	return nil
}

// reshape is ONNX Reshape: one −1 takes the size left over, 0 copies the
// input's dimension (unless allowzero).
func (g *graphBuilder) reshape(to []int64, allowzero bool) error {
	n := int64(g.v.len())
	shape := make([]int64, len(to))
	infer := -1
	known := int64(1)
	for i, d := range to {
		switch {
		case d == -1 && infer < 0:
			infer = i
			continue
		case d == 0 && !allowzero:
			if i >= len(g.v.shape) {
				return fmt.Errorf("shape %v copies dimension %d of a value of rank %d", to, i, len(g.v.shape))
			}
			d = g.v.shape[i]
		case d < 0:
			return fmt.Errorf("shape %v has a negative size", to)
		}
		shape[i] = d
		known = limits.Mul(known, d)
	}
	if infer >= 0 {
		if known == 0 || n%known != 0 {
			return fmt.Errorf("the value of shape %v (%d elements) cannot be reshaped to %v", g.v.shape, n, to)
		}
		shape[infer] = n / known
		known = n
	}
	if known != n {
		return fmt.Errorf("the value of shape %v (%d elements) cannot be reshaped to %v", g.v.shape, n, to)
	}
	g.v.shape = shape
	return nil
}

// broadcast is the shape of a and b broadcast together (numpy rules), and
// for each element of it the index of the element of a and of b it reads.
func (g *graphBuilder) broadcast(a, b []int64) (shape []int64, ia, ib []int, err error) {
	r := max(len(a), len(b))
	shape = make([]int64, r)
	at := func(s []int64, k int) int64 {
		if k < r-len(s) {
			return 1
		}
		return s[k-(r-len(s))]
	}
	for k := range shape {
		x, y := at(a, k), at(b, k)
		switch {
		case x == y || y == 1:
			shape[k] = x
		case x == 1:
			shape[k] = y
		default:
			return nil, nil, nil, fmt.Errorf("shapes %v and %v do not broadcast", a, b)
		}
	}
	n := prod(shape)
	if n > maxImportParams {
		return nil, nil, nil, fmt.Errorf("broadcasting %v and %v gives %d elements, more than memnet imports", a, b, n)
	}
	if err := g.spend(n); err != nil {
		return nil, nil, nil, err
	}
	ia, ib = make([]int, n), make([]int, n)
	idx := make([]int64, r)
	for e := 0; e < int(n); e++ {
		var pa, pb int64
		for k := range shape {
			x, y := at(a, k), at(b, k)
			pa = pa*x + min(idx[k], x-1)
			pb = pb*y + min(idx[k], y-1)
		}
		ia[e], ib[e] = int(pa), int(pb)
		for k := r - 1; k >= 0; k-- {
			if idx[k]++; idx[k] < shape[k] {
				break
			}
			idx[k] = 0
		}
	}
	return shape, ia, ib, nil
}

// elementwise applies op between the value and the constant k (k first when
// kFirst): the result's elements are affine in the value's, exactly.
func (g *graphBuilder) elementwise(op string, kFirst bool, k *onnxConst) error {
	if k.isInt {
		return fmt.Errorf("the constant of %s is an integer tensor; memnet folds float constants", op)
	}
	if op == "Div" && kFirst {
		return errors.New("a Div of a constant by the value is not affine; memnet imports x / c")
	}
	shape, iv, ik, err := g.broadcast(g.v.shape, k.dims)
	if err != nil {
		return err
	}
	if k.size() == 0 && len(ik) > 0 {
		return fmt.Errorf("the constant of %s is empty", op)
	}
	w := elems{shape: shape, src: make([]int, len(iv)), s: make([]*big.Rat, len(iv)), t: make([]*big.Rat, len(iv))}
	for e := range iv {
		if ik[e] >= k.size() {
			return fmt.Errorf("the constant of %s has %d values for shape %v", op, k.size(), k.dims)
		}
		c, err := k.rat(ik[e])
		if err != nil {
			return fmt.Errorf("the constant of %s: %v", op, err)
		}
		s, t := g.v.s[iv[e]], g.v.t[iv[e]]
		w.src[e] = g.v.src[iv[e]]
		switch op {
		case "Add":
			w.s[e], w.t[e] = s, new(big.Rat).Add(t, c)
		case "Sub":
			if kFirst {
				w.s[e], w.t[e] = new(big.Rat).Neg(s), new(big.Rat).Sub(c, t)
			} else {
				w.s[e], w.t[e] = s, new(big.Rat).Sub(t, c)
			}
		case "Mul":
			w.s[e], w.t[e] = new(big.Rat).Mul(s, c), new(big.Rat).Mul(t, c)
		case "Div":
			if c.Sign() == 0 {
				return errors.New("division by a constant 0")
			}
			w.s[e], w.t[e] = new(big.Rat).Quo(s, c), new(big.Rat).Quo(t, c)
		}
	}
	g.v = w
	return nil
}

// transpose2 swaps the two dimensions of a matrix-shaped value.
func (v *elems) transpose2() error {
	if len(v.shape) != 2 {
		return fmt.Errorf("the Gemm reads matrices; the value has shape %v", v.shape)
	}
	r, c := int(v.shape[0]), int(v.shape[1])
	w := elems{shape: []int64{int64(c), int64(r)}, src: make([]int, len(v.src)), s: make([]*big.Rat, len(v.src)), t: make([]*big.Rat, len(v.src))}
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			w.src[j*r+i], w.s[j*r+i], w.t[j*r+i] = v.src[i*c+j], v.s[i*c+j], v.t[i*c+j]
		}
	}
	*v = w
	return nil
}

// transposeConst is a matrix constant transposed and scaled by f (exactly).
func transposeConst(k *onnxConst, trans bool, f *big.Rat) (*onnxConst, error) {
	if len(k.dims) != 2 || k.isInt {
		return nil, fmt.Errorf("the Gemm reads float matrices; a constant has shape %v", k.dims)
	}
	r, c := int(k.dims[0]), int(k.dims[1])
	out := &onnxConst{dims: []int64{k.dims[0], k.dims[1]}, rats: make([]*big.Rat, r*c)}
	if trans {
		out.dims = []int64{k.dims[1], k.dims[0]}
	}
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			x, err := k.rat(i*c + j)
			if err != nil {
				return nil, err
			}
			if f != nil {
				x = new(big.Rat).Mul(x, f)
			}
			if trans {
				out.rats[j*r+i] = x
			} else {
				out.rats[i*c+j] = x
			}
		}
	}
	return out, nil
}

// gemm is Y = alpha·A'·B' + beta·C with A' = Aᵀ when transA (B' likewise)
// and C broadcast to Y's shape.
func (g *graphBuilder) gemm(curAt int, ops []*onnxConst, ints map[string]int64, floats map[string]float64, node *onnxpb.NodeProto) error {
	alpha, beta := 1.0, 1.0
	if hasAttr(node, "alpha") {
		alpha = floats["alpha"]
	}
	if hasAttr(node, "beta") {
		beta = floats["beta"]
	}
	ar, err := ratOf(alpha)
	if err != nil {
		return fmt.Errorf("alpha: %v", err)
	}
	br, err := ratOf(beta)
	if err != nil {
		return fmt.Errorf("beta: %v", err)
	}
	trans := [2]bool{ints["transA"] != 0, ints["transB"] != 0}
	if trans[curAt] {
		if err := g.spend(int64(g.v.len())); err != nil {
			return err
		}
		if err := g.v.transpose2(); err != nil {
			return err
		}
	} else if len(g.v.shape) != 2 {
		return fmt.Errorf("the Gemm reads matrices; the value has shape %v", g.v.shape)
	}
	k, err := transposeConst(ops[1-curAt], trans[1-curAt], ar)
	if err != nil {
		return err
	}
	if err := g.matmul(curAt, k); err != nil {
		return err
	}
	if len(ops) == 3 && ops[2] != nil {
		c := ops[2]
		if c.isInt {
			return errors.New("the bias C is an integer tensor")
		}
		cs := &onnxConst{dims: c.dims, rats: make([]*big.Rat, c.size())}
		for i := range cs.rats {
			x, err := c.rat(i)
			if err != nil {
				return fmt.Errorf("the bias C: %v", err)
			}
			cs.rats[i] = new(big.Rat).Mul(x, br)
		}
		shape := g.v.shape
		if err := g.elementwise("Add", false, cs); err != nil {
			return fmt.Errorf("the bias C: %v", err)
		}
		if len(g.v.shape) != len(shape) || g.v.shape[0] != shape[0] || g.v.shape[1] != shape[1] {
			return fmt.Errorf("the bias C of shape %v does not broadcast to %v", c.dims, shape)
		}
	}
	return nil
}

// matmul is numpy's matmul of the value and the constant k (the value first
// when curAt is 0): a rank-1 operand is a row (first) or column (second)
// vector; the value may have leading batch dimensions, the constant not.
// The product becomes a new affine map over h.
func (g *graphBuilder) matmul(curAt int, k *onnxConst) error {
	if k.isInt {
		return errors.New("the weight is an integer tensor")
	}
	if len(k.dims) < 1 || len(k.dims) > 2 {
		return fmt.Errorf("the weight has shape %v; memnet imports vectors and matrices", k.dims)
	}
	vs := g.v.shape
	if len(vs) < 1 {
		return errors.New("the value is a scalar")
	}
	a, b := vs, k.dims
	if curAt == 1 {
		a, b = k.dims, vs
	}
	dropM, dropN := len(a) == 1, len(b) == 1
	if dropM {
		a = []int64{1, a[0]}
	}
	if dropN {
		b = []int64{b[0], 1}
	}
	m, kk, k2, n := a[len(a)-2], a[len(a)-1], b[len(b)-2], b[len(b)-1]
	if kk != k2 {
		return fmt.Errorf("shapes %v and %v do not multiply", a, b)
	}
	batch := a[:len(a)-2]
	if curAt == 1 {
		batch = b[:len(b)-2]
	}
	nb := prod(batch)
	out := limits.Mul(limits.Mul(nb, m), n)
	if out < 1 {
		return fmt.Errorf("the product of shapes %v and %v is empty", a, b)
	}
	if err := g.fits(limits.Mul(out, int64(g.hdim)+1)); err != nil {
		return err
	}
	if err := g.spend(limits.Mul(out, kk)); err != nil { // the products to add
		return err
	}
	if g.dense != nil { // an affine map not followed by an activation: an identity layer
		if err := g.activate([]nn.Activation{}); err != nil {
			return err
		}
		if err := g.fits(limits.Mul(out, int64(g.hdim)+1)); err != nil {
			return err
		}
	}
	g.params += out * (int64(g.hdim) + 1)
	l := nn.Layer{W: make([][]*big.Rat, out), B: make([]*big.Rat, out), Act: make([]nn.Activation, out)}
	tmp := new(big.Rat)
	for bt := int64(0); bt < nb; bt++ {
		for i := int64(0); i < m; i++ {
			for j := int64(0); j < n; j++ {
				o := (bt*m+i)*n + j
				if o%64 == 0 && g.ctx != nil {
					if err := g.ctx.Err(); err != nil {
						return err
					}
				}
				row := make([]*big.Rat, g.hdim)
				bias := new(big.Rat)
				for l := int64(0); l < kk; l++ {
					var ve, ke int64
					if curAt == 0 {
						ve, ke = (bt*m+i)*kk+l, l*n+j
					} else {
						ve, ke = (bt*kk+l)*n+j, i*kk+l
					}
					w, err := k.rat(int(ke))
					if err != nil {
						return fmt.Errorf("the weight: %v", err)
					}
					if w.Sign() == 0 {
						continue
					}
					src := g.v.src[ve]
					if row[src] == nil {
						row[src] = new(big.Rat)
					}
					row[src].Add(row[src], tmp.Mul(w, g.v.s[ve]))
					if g.v.t[ve].Sign() != 0 {
						bias.Add(bias, tmp.Mul(w, g.v.t[ve]))
					}
				}
				for c := range row {
					if row[c] == nil {
						row[c] = new(big.Rat)
					}
				}
				l.W[o], l.B[o], l.Act[o] = row, bias, nn.Identity
			}
		}
	}
	shape := append(append([]int64(nil), batch...), m, n)
	if dropN {
		shape = shape[:len(shape)-1]
	}
	if dropM {
		shape = append(shape[:len(shape)-2], shape[len(shape)-1])
	}
	g.dense = &l
	g.v = identityElems(shape, int(out))
	return nil
}

// activate ends the value as a hidden layer, one neuron per element: ReLU
// for every element when acts is nil, acts[e] for element e otherwise (an
// empty acts is all identity).
func (g *graphBuilder) activate(acts []nn.Activation) error {
	l, err := g.materialize()
	if err != nil {
		return err
	}
	for e := range l.Act {
		switch {
		case acts == nil:
			l.Act[e] = nn.ReLU
		case len(acts) == 0:
			l.Act[e] = nn.Identity
		default:
			l.Act[e] = acts[e]
		}
	}
	g.hidden = append(g.hidden, *l)
	g.hdim = l.Out()
	g.dense = nil
	g.v = identityElems(g.v.shape, g.hdim)
	return nil
}

// materialize is the value as an affine map over h, one row per element.
func (g *graphBuilder) materialize() (*nn.Layer, error) {
	n := g.v.len()
	if n < 1 {
		return nil, errors.New("the value is empty")
	}
	if d := g.dense; d != nil && n == d.Out() {
		plain := true
		for e := 0; e < n && plain; e++ {
			plain = g.v.src[e] == e && g.v.s[e].Cmp(big.NewRat(1, 1)) == 0
		}
		if plain { // the affine map itself, its biases moved by t
			for e := range d.B {
				d.B[e] = new(big.Rat).Add(d.B[e], g.v.t[e])
			}
			return d, nil
		}
	}
	if err := g.fits(limits.Mul(int64(n), int64(g.hdim)+1)); err != nil {
		return nil, err
	}
	g.params += int64(n) * (int64(g.hdim) + 1)
	l := &nn.Layer{W: make([][]*big.Rat, n), B: make([]*big.Rat, n), Act: make([]nn.Activation, n)}
	for e := 0; e < n; e++ {
		s, t, src := g.v.s[e], g.v.t[e], g.v.src[e]
		row := make([]*big.Rat, g.hdim)
		bias := new(big.Rat).Set(t)
		if g.dense == nil {
			for c := range row {
				row[c] = new(big.Rat)
			}
			row[src].Set(s)
		} else {
			for c, w := range g.dense.W[src] {
				row[c] = new(big.Rat).Mul(w, s)
			}
			bias.Add(bias, new(big.Rat).Mul(g.dense.B[src], s))
		}
		l.W[e], l.B[e], l.Act[e] = row, bias, nn.Identity
	}
	return l, nil
}

// max reads Max(x, c) with c a constant: ReLU(x − c) + c where c is finite,
// the identity where it is −∞.
func (g *graphBuilder) max(curAt int, ops []*onnxConst) error {
	var k *onnxConst
	for i, c := range ops {
		if i == curAt {
			continue
		}
		if c == nil || k != nil {
			return errors.New("memnet imports Max of the chain's value and at most one constant")
		}
		k = c
	}
	if k == nil {
		return nil
	}
	if k.isInt {
		return errors.New("the constant of Max is an integer tensor")
	}
	shape, _, ik, err := g.broadcast(g.v.shape, k.dims)
	if err != nil {
		return err
	}
	if prod(shape) != int64(g.v.len()) || prod(k.dims) != int64(k.size()) {
		return fmt.Errorf("the constant of Max (shape %v) would broadcast the value of shape %v", k.dims, g.v.shape)
	}
	acts := make([]nn.Activation, len(ik))
	cs := make([]*big.Rat, len(ik))
	for e := range ik {
		x, ok := k.float(ik[e])
		switch {
		case ok && math.IsInf(x, -1):
			acts[e] = nn.Identity
			continue
		case ok && (math.IsNaN(x) || math.IsInf(x, 1)):
			return fmt.Errorf("the constant of Max is %v", x)
		}
		c, err := k.rat(ik[e])
		if err != nil {
			return err
		}
		acts[e], cs[e] = nn.ReLU, c
		g.v.t[e] = new(big.Rat).Sub(g.v.t[e], c)
	}
	g.v.shape = shape
	if err := g.activate(acts); err != nil {
		return err
	}
	for e, c := range cs {
		if c != nil && c.Sign() != 0 {
			g.v.t[e] = c
		}
	}
	return nil
}

// network finishes the chain: the value is the read-out.
func (g *graphBuilder) network() (*nn.Network, error) {
	ro, err := g.materialize()
	if err != nil {
		return nil, err
	}
	for j := range ro.Act {
		ro.Act[j] = nn.Identity
	}
	net := &nn.Network{Hidden: g.hidden, Readout: *ro}
	first := ro
	if len(g.hidden) > 0 {
		first = &g.hidden[0]
	}
	net.InputDim = first.In()
	if err := net.Check(); err != nil {
		return nil, err
	}
	return net, nil
}
