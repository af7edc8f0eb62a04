package export

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"

	"google.golang.org/protobuf/proto"

	"github.com/memnet/memnet/export/onnxpb"
	"github.com/memnet/memnet/limits"
	"github.com/memnet/memnet/nn"
)

// ONNX versions written: IR version 8 (the onnx.proto of libonnx-dev 1.12)
// and opset 17 of the default domain.
const (
	onnxIRVersion = 8
	onnxOpset     = 17
)

// WriteONNX writes m as an ONNX model whose weights are rounded to dtype:
// input "x" of shape (N, d), output "y" of shape (N, outputs); layer k is a
// Gemm node (transB = 1) with initializers W{k} (out × in) and b{k}, followed
// by Relu when every neuron of the layer is ReLU, or by Max(z, c{k}) with
// c{k}[j] = 0 for ReLU and −∞ for identity neurons when the layer mixes the
// two. STEP and sigmoid neurons are refused: a STEP neuron has an exact ReLU
// form only given the smallest gap of its pre-activations over the inputs,
// which the network alone does not tell. The metadata (Meta) is stored in
// metadata_props.
//
// WriteONNX does not judge the rounding: see CheckWeights and Verdict.
func WriteONNX(w io.Writer, m *nn.Model, dtype Dtype) error {
	b, err := ONNXBytes(m, dtype)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// ONNXBytes is WriteONNX into memory.
func ONNXBytes(m *nn.Model, dtype Dtype) ([]byte, error) {
	if err := m.Net.Check(); err != nil {
		return nil, err
	}
	for k, l := range m.Net.Layers() {
		for j, a := range l.Act {
			if a == nn.Step {
				return nil, fmt.Errorf("onnx: neuron %d of layer %d is a STEP neuron; its exact ReLU form needs the smallest gap of its pre-activations over the inputs, which the network alone does not give, so memnet does not export STEP networks to ONNX yet (use --format npz, safetensors or json, which list the activations)", j, k)
			}
			if a == nn.Sigmoid {
				return nil, fmt.Errorf("onnx: neuron %d of layer %d is a sigmoid neuron; memnet exports only ReLU/identity networks to ONNX (use --format npz, safetensors or json)", j, k)
			}
		}
	}
	elem := onnxpb.TensorProto_DOUBLE
	if dtype == Float32 {
		elem = onnxpb.TensorProto_FLOAT
	}
	v := CheckWeights(m.Net, dtype)
	layers := floatLayers(m.Net, dtype)
	g := &onnxpb.GraphProto{Name: proto.String("memnet_" + m.Method)}
	g.Input = []*onnxpb.ValueInfoProto{valueInfo("x", elem, m.Net.InputDim)}
	g.Output = []*onnxpb.ValueInfoProto{valueInfo("y", elem, m.Net.OutputDim())}
	cur := "x"
	for k, l := range layers {
		wn, bn, zn := fmt.Sprintf("W%d", k), fmt.Sprintf("b%d", k), fmt.Sprintf("z%d", k)
		last := k == len(layers)-1
		g.Initializer = append(g.Initializer, tensor(wn, elem, dtype, []int64{int64(l.out), int64(l.in)}, l.w),
			tensor(bn, elem, dtype, []int64{int64(l.out)}, l.b))
		relu, ident := 0, 0
		for _, a := range l.act {
			if a == CodeReLU {
				relu++
			} else {
				ident++
			}
		}
		out := zn
		if last || relu == 0 {
			out = fmt.Sprintf("h%d", k+1)
		}
		if last {
			out = "y"
		}
		g.Node = append(g.Node, &onnxpb.NodeProto{
			Name: proto.String(fmt.Sprintf("gemm%d", k)), OpType: proto.String("Gemm"),
			Input: []string{cur, wn, bn}, Output: []string{out},
			Attribute: []*onnxpb.AttributeProto{{Name: proto.String("transB"), Type: onnxpb.AttributeProto_INT.Enum(), I: proto.Int64(1)}},
		})
		cur = out
		if last || relu == 0 {
			continue
		}
		hn := fmt.Sprintf("h%d", k+1)
		if ident == 0 {
			g.Node = append(g.Node, &onnxpb.NodeProto{Name: proto.String(fmt.Sprintf("relu%d", k)), OpType: proto.String("Relu"), Input: []string{cur}, Output: []string{hn}})
		} else {
			cn := fmt.Sprintf("c%d", k)
			c := make([]float64, l.out)
			for j, a := range l.act {
				if a != CodeReLU {
					c[j] = math.Inf(-1)
				}
			}
			g.Initializer = append(g.Initializer, tensor(cn, elem, dtype, []int64{int64(l.out)}, c))
			g.Node = append(g.Node, &onnxpb.NodeProto{Name: proto.String(fmt.Sprintf("max%d", k)), OpType: proto.String("Max"), Input: []string{cur, cn}, Output: []string{hn}})
		}
		cur = hn
	}
	meta := newMeta(m, string(dtype), v.Rounded)
	mp := &onnxpb.ModelProto{
		IrVersion:       proto.Int64(onnxIRVersion),
		OpsetImport:     []*onnxpb.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(onnxOpset)}},
		ProducerName:    proto.String("memnet"),
		ProducerVersion: proto.String("1"),
		DocString:       proto.String(fmt.Sprintf("memnet %s network (%s), weights rounded to %s", m.Method, m.Theorem, dtype)),
		Graph:           g,
		MetadataProps: []*onnxpb.StringStringEntryProto{
			{Key: proto.String("memnet"), Value: proto.String(meta.json())},
			{Key: proto.String("memnet.method"), Value: proto.String(m.Method)},
			{Key: proto.String("memnet.classes"), Value: proto.String(jsonString(m.Classes))},
			{Key: proto.String("memnet.output"), Value: proto.String(meta.Output)},
		},
	}
	return proto.MarshalOptions{Deterministic: true}.Marshal(mp)
}

func valueInfo(name string, elem onnxpb.TensorProto_DataType, d int) *onnxpb.ValueInfoProto {
	return &onnxpb.ValueInfoProto{
		Name: proto.String(name),
		Type: &onnxpb.TypeProto{Value: &onnxpb.TypeProto_TensorType{TensorType: &onnxpb.TypeProto_Tensor{
			ElemType: proto.Int32(int32(elem)),
			Shape: &onnxpb.TensorShapeProto{Dim: []*onnxpb.TensorShapeProto_Dimension{
				{Value: &onnxpb.TensorShapeProto_Dimension_DimParam{DimParam: "N"}},
				{Value: &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: int64(d)}},
			}},
		}}},
	}
}

func tensor(name string, elem onnxpb.TensorProto_DataType, dtype Dtype, dims []int64, vals []float64) *onnxpb.TensorProto {
	return &onnxpb.TensorProto{Name: proto.String(name), DataType: proto.Int32(int32(elem)), Dims: dims, RawData: floatBytes(vals, dtype)}
}

// floatBytes encodes values little-endian in dtype.
func floatBytes(vals []float64, dtype Dtype) []byte {
	if dtype == Float32 {
		b := make([]byte, 4*len(vals))
		for i, v := range vals {
			binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(float32(v)))
		}
		return b
	}
	b := make([]byte, 8*len(vals))
	for i, v := range vals {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(v))
	}
	return b
}

// maxImportParams bounds the size of an imported network (weights and
// biases), so that a small malformed file cannot ask for huge matrices.
const maxImportParams = 1 << 27

// onnxConst is a constant tensor of an ONNX graph, values widened to float64.
type onnxConst struct {
	dims []int64
	vals []float64
}

// ReadONNX reads an ONNX model that is a chain of MatMul / Gemm / Add / Relu
// (and Identity, Constant, and Max with a constant of zeros and −∞ for mixed
// ReLU/identity layers) on a single input of shape (N, d), with float32 or
// float64 initializers, and returns it as a network whose weights are the
// exact values of those floats. classes, when not nil, names the classes;
// otherwise they come from memnet's metadata, or are "0", "1", ... for a
// network with several outputs.
func ReadONNX(b []byte, classes []string) (*nn.Model, error) {
	var mp onnxpb.ModelProto
	if err := proto.Unmarshal(b, &mp); err != nil {
		return nil, fmt.Errorf("not an ONNX model: %v", err)
	}
	g := mp.GetGraph()
	if g == nil || len(g.GetNode()) == 0 {
		return nil, errors.New("not an ONNX model: no graph or an empty graph")
	}
	for _, op := range mp.GetOpsetImport() {
		if d := op.GetDomain(); d != "" && d != "ai.onnx" {
			continue
		}
		if v := op.GetVersion(); v > 0 && v < 7 {
			return nil, fmt.Errorf("onnx: opset %d is too old (memnet reads opset 7 and later)", v)
		}
	}
	// Every constant becomes float64 values and then exact weights: check
	// the memory of all of them before converting any.
	var total int64
	for _, t := range g.GetInitializer() {
		total = limits.Add(total, tensorSize(t))
	}
	for _, node := range g.GetNode() {
		for _, a := range node.GetAttribute() {
			if t := a.GetT(); t != nil {
				total = limits.Add(total, tensorSize(t))
			}
			total = limits.Add(total, int64(len(a.GetFloats())))
		}
	}
	if err := checkWeights(fmt.Sprintf("%d constant values", total), total); err != nil {
		return nil, err
	}
	consts := map[string]*onnxConst{}
	for _, t := range g.GetInitializer() {
		c, err := readTensor(t)
		if err != nil {
			return nil, err
		}
		consts[t.GetName()] = c
	}
	var inputs []*onnxpb.ValueInfoProto
	for _, in := range g.GetInput() {
		if _, ok := consts[in.GetName()]; !ok {
			inputs = append(inputs, in)
		}
	}
	if len(inputs) != 1 {
		return nil, fmt.Errorf("onnx: the graph has %d inputs besides its initializers; memnet imports networks with one input of shape (N, d)", len(inputs))
	}
	if len(g.GetOutput()) != 1 {
		return nil, fmt.Errorf("onnx: the graph has %d outputs; memnet imports networks with one output of shape (N, outputs)", len(g.GetOutput()))
	}
	b2 := &chain{width: -1}
	if tt := inputs[0].GetType().GetTensorType(); tt != nil {
		if e := tt.GetElemType(); e != int32(onnxpb.TensorProto_FLOAT) && e != int32(onnxpb.TensorProto_DOUBLE) && e != 0 {
			return nil, fmt.Errorf("onnx: input %q has element type %s; memnet imports float and double networks", inputs[0].GetName(), onnxpb.TensorProto_DataType(e))
		}
		if sh := tt.GetShape(); sh != nil {
			dims := sh.GetDim()
			if len(dims) != 2 {
				return nil, fmt.Errorf("onnx: input %q has %d dimensions; memnet imports inputs of shape (N, d)", inputs[0].GetName(), len(dims))
			}
			if d := dims[1].GetDimValue(); d > 0 {
				if d > maxImportParams {
					return nil, fmt.Errorf("onnx: input dimension %d is too large", d)
				}
				b2.width = int(d)
			}
		}
	}
	cur := inputs[0].GetName()
	for ni, node := range g.GetNode() {
		op := node.GetOpType()
		where := fmt.Sprintf("onnx: node %d (%s %q)", ni+1, op, node.GetName())
		if d := node.GetDomain(); d != "" && d != "ai.onnx" {
			return nil, fmt.Errorf("%s: operator domain %q is not supported; memnet imports MatMul/Gemm/Add/Relu chains", where, d)
		}
		if len(node.GetOutput()) != 1 {
			return nil, fmt.Errorf("%s: has %d outputs, want 1", where, len(node.GetOutput()))
		}
		if op == "Constant" {
			c, err := constantNode(node)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", where, err)
			}
			consts[node.GetOutput()[0]] = c
			continue
		}
		// every other node reads the chain's current value and constants
		var operands []*onnxConst
		curAt := -1
		for i, in := range node.GetInput() {
			if in == cur {
				if curAt >= 0 {
					return nil, fmt.Errorf("%s: reads %q twice; memnet imports plain chains", where, cur)
				}
				curAt = i
				operands = append(operands, nil)
				continue
			}
			if in == "" {
				operands = append(operands, nil)
				continue
			}
			c, ok := consts[in]
			if !ok {
				return nil, fmt.Errorf("%s: reads %q, which is neither the chain's current value %q nor a constant; memnet imports plain chains (no branches)", where, in, cur)
			}
			operands = append(operands, c)
		}
		if curAt < 0 {
			return nil, fmt.Errorf("%s: does not read the chain's current value %q; memnet imports plain chains", where, cur)
		}
		var err error
		switch op {
		case "MatMul":
			err = b2.matmul(curAt, operands)
		case "Gemm":
			err = b2.gemm(curAt, operands, node)
		case "Add":
			err = b2.add(operands)
		case "Relu":
			err = b2.relu(len(operands))
		case "Max":
			err = b2.max(operands)
		case "Identity":
			if len(operands) != 1 {
				err = fmt.Errorf("takes one input, has %d", len(operands))
			}
		default:
			err = fmt.Errorf("operator %s is not supported; memnet imports chains of MatMul, Gemm, Add and Relu (plus Identity, Constant, Max)", op)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %v", where, err)
		}
		cur = node.GetOutput()[0]
	}
	if out := g.GetOutput()[0].GetName(); out != cur {
		return nil, fmt.Errorf("onnx: the graph's output %q is not the end of the chain %q", out, cur)
	}
	net, err := b2.network()
	if err != nil {
		return nil, fmt.Errorf("onnx: %v", err)
	}
	meta := map[string]string{}
	for _, p := range mp.GetMetadataProps() {
		meta[p.GetKey()] = p.GetValue()
	}
	return importedModel(net, "onnx", meta["memnet"], classes)
}

// tensorSize is the number of values a tensor's shape declares (saturating).
func tensorSize(t *onnxpb.TensorProto) int64 {
	n := int64(1)
	for _, d := range t.GetDims() {
		n = limits.Mul(n, d)
	}
	return n
}

func readTensor(t *onnxpb.TensorProto) (*onnxConst, error) {
	name := t.GetName()
	if t.GetDataLocation() == onnxpb.TensorProto_EXTERNAL || len(t.GetExternalData()) > 0 {
		return nil, fmt.Errorf("onnx: tensor %q keeps its data in an external file, which memnet does not read", name)
	}
	if t.GetSegment() != nil {
		return nil, fmt.Errorf("onnx: tensor %q is segmented, which memnet does not read", name)
	}
	n := int64(1)
	for _, d := range t.GetDims() {
		if d < 0 || d > maxImportParams || n*d > maxImportParams {
			return nil, fmt.Errorf("onnx: tensor %q has shape %v, which memnet does not read", name, t.GetDims())
		}
		n *= d
	}
	c := &onnxConst{dims: t.GetDims()}
	switch dt := onnxpb.TensorProto_DataType(t.GetDataType()); dt {
	case onnxpb.TensorProto_FLOAT:
		if raw := t.GetRawData(); raw != nil {
			if int64(len(raw)) != 4*n {
				return nil, fmt.Errorf("onnx: tensor %q of shape %v has %d bytes of float data, want %d", name, t.GetDims(), len(raw), 4*n)
			}
			c.vals = make([]float64, n)
			for i := range c.vals {
				c.vals[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:])))
			}
		} else {
			fd := t.GetFloatData()
			if int64(len(fd)) != n {
				return nil, fmt.Errorf("onnx: tensor %q of shape %v has %d floats, want %d", name, t.GetDims(), len(fd), n)
			}
			c.vals = widen(fd)
		}
	case onnxpb.TensorProto_DOUBLE:
		if raw := t.GetRawData(); raw != nil {
			if int64(len(raw)) != 8*n {
				return nil, fmt.Errorf("onnx: tensor %q of shape %v has %d bytes of double data, want %d", name, t.GetDims(), len(raw), 8*n)
			}
			c.vals = make([]float64, n)
			for i := range c.vals {
				c.vals[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
			}
		} else {
			dd := t.GetDoubleData()
			if int64(len(dd)) != n {
				return nil, fmt.Errorf("onnx: tensor %q of shape %v has %d doubles, want %d", name, t.GetDims(), len(dd), n)
			}
			c.vals = append([]float64(nil), dd...)
		}
	default:
		return nil, fmt.Errorf("onnx: tensor %q has element type %s; memnet imports float and double weights", name, dt)
	}
	return c, nil
}

func constantNode(node *onnxpb.NodeProto) (*onnxConst, error) {
	for _, a := range node.GetAttribute() {
		switch a.GetName() {
		case "value":
			if a.GetT() == nil {
				return nil, errors.New("attribute value holds no tensor")
			}
			return readTensor(a.GetT())
		case "value_float":
			return &onnxConst{vals: []float64{float64(a.GetF())}}, nil
		case "value_floats":
			return &onnxConst{dims: []int64{int64(len(a.GetFloats()))}, vals: widen(a.GetFloats())}, nil
		}
	}
	return nil, errors.New("only Constant nodes with a float or double tensor are supported")
}

// chain builds a network from a chain of affine maps and activations.
type chain struct {
	width   int // width of the current value, -1 until known
	hidden  []nn.Layer
	pending *nn.Layer // affine map not yet followed by an activation
	params  int64
}

func (c *chain) grow(n int64) error {
	if err := c.fits(n); err != nil {
		return err
	}
	c.params += n
	return nil
}

// fits checks, before anything is allocated for them, that n more
// parameters stay within maxImportParams and the memory limit.
func (c *chain) fits(n int64) error {
	p := limits.Add(c.params, n)
	if p > maxImportParams {
		return fmt.Errorf("the network has more than %d parameters, which memnet does not import", maxImportParams)
	}
	return checkWeights(fmt.Sprintf("a network of %d parameters", p), p)
}

// affine starts a new affine map with W (out × in), zero biases; a pending
// affine map before it becomes an identity-activation hidden layer.
func (c *chain) affine(w [][]*big.Rat) error {
	in := len(w[0])
	if c.width >= 0 && c.width != in {
		return fmt.Errorf("the weights have %d inputs, but the value they multiply has %d columns", in, c.width)
	}
	if err := c.grow(int64(len(w)) * int64(in+1)); err != nil {
		return err
	}
	c.flush(nn.Identity)
	l := nn.Layer{W: w, B: make([]*big.Rat, len(w)), Act: make([]nn.Activation, len(w))}
	for j := range l.B {
		l.B[j] = new(big.Rat)
		l.Act[j] = nn.Identity
	}
	c.pending = &l
	c.width = len(w)
	return nil
}

// flush ends the pending affine map with activation a.
func (c *chain) flush(a nn.Activation) {
	if c.pending == nil {
		return
	}
	for j := range c.pending.Act {
		c.pending.Act[j] = a
	}
	c.hidden = append(c.hidden, *c.pending)
	c.pending = nil
}

// ensurePending starts an identity affine map when none is pending.
func (c *chain) ensurePending() error {
	if c.pending != nil {
		return nil
	}
	if c.width < 1 {
		return errors.New("the width of the value is not known here (give the input a shape (N, d))")
	}
	// an identity map of the current width: check its size first
	if err := c.fits(limits.Mul(int64(c.width), int64(c.width)+1)); err != nil {
		return err
	}
	w := make([][]*big.Rat, c.width)
	for j := range w {
		w[j] = make([]*big.Rat, c.width)
		for i := range w[j] {
			w[j][i] = new(big.Rat)
		}
		w[j][j].SetInt64(1)
	}
	return c.affine(w)
}

func ratOf(v float64) (*big.Rat, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil, fmt.Errorf("a weight is %v", v)
	}
	return new(big.Rat).SetFloat64(v), nil
}

// matrix turns a constant of shape (rows, cols) into W (out × in), reading
// it transposed when trans is false (MatMul's B is in × out).
func matrix(t *onnxConst, trans bool, what string) ([][]*big.Rat, error) {
	if len(t.dims) != 2 || t.dims[0] < 1 || t.dims[1] < 1 {
		return nil, fmt.Errorf("%s has shape %v; want a matrix", what, t.dims)
	}
	r, cl := int(t.dims[0]), int(t.dims[1])
	out, in := cl, r
	if trans {
		out, in = r, cl
	}
	w := make([][]*big.Rat, out)
	for j := range w {
		w[j] = make([]*big.Rat, in)
		for i := range w[j] {
			idx := i*cl + j
			if trans {
				idx = j*cl + i
			}
			x, err := ratOf(t.vals[idx])
			if err != nil {
				return nil, fmt.Errorf("%s: %v", what, err)
			}
			w[j][i] = x
		}
	}
	return w, nil
}

func (c *chain) matmul(curAt int, ops []*onnxConst) error {
	if len(ops) != 2 || curAt != 0 {
		return errors.New("memnet imports MatMul(x, W) with x the chain's value and W a constant")
	}
	w, err := matrix(ops[1], false, "the weight")
	if err != nil {
		return err
	}
	return c.affine(w)
}

func (c *chain) gemm(curAt int, ops []*onnxConst, node *onnxpb.NodeProto) error {
	if len(ops) < 2 || len(ops) > 3 || curAt != 0 || ops[1] == nil {
		return errors.New("memnet imports Gemm(x, W[, b]) with x the chain's value and W, b constants")
	}
	alpha, beta := 1.0, 1.0
	transB := false
	for _, a := range node.GetAttribute() {
		switch a.GetName() {
		case "alpha":
			alpha = float64(a.GetF())
		case "beta":
			beta = float64(a.GetF())
		case "transA":
			if a.GetI() != 0 {
				return errors.New("transA = 1 is not supported")
			}
		case "transB":
			transB = a.GetI() != 0
		default:
			return fmt.Errorf("attribute %q is not supported", a.GetName())
		}
	}
	w, err := matrix(ops[1], transB, "the weight")
	if err != nil {
		return err
	}
	if alpha != 1 {
		ar, err := ratOf(alpha)
		if err != nil {
			return fmt.Errorf("alpha: %v", err)
		}
		for _, row := range w {
			for _, x := range row {
				x.Mul(x, ar)
			}
		}
	}
	if err := c.affine(w); err != nil {
		return err
	}
	if len(ops) == 3 && ops[2] != nil {
		br, err := ratOf(beta)
		if err != nil {
			return fmt.Errorf("beta: %v", err)
		}
		return c.addBias(ops[2], br)
	}
	return nil
}

// vector broadcasts a constant of shape (), (1,), (n,), (1, n) or (1, 1) to n values.
func vector(t *onnxConst, n int, what string) ([]float64, error) {
	size := 1
	for _, d := range t.dims {
		size *= int(d)
	}
	okShape := len(t.dims) <= 1 || len(t.dims) == 2 && t.dims[0] == 1
	if !okShape || (size != 1 && size != n) || len(t.vals) != size {
		return nil, fmt.Errorf("%s has shape %v; want (%d,) or (1, %d)", what, t.dims, n, n)
	}
	v := make([]float64, n)
	for j := range v {
		v[j] = t.vals[0]
		if size == n {
			v[j] = t.vals[j]
		}
	}
	return v, nil
}

func (c *chain) addBias(t *onnxConst, scale *big.Rat) error {
	v, err := vector(t, c.pending.Out(), "the bias")
	if err != nil {
		return err
	}
	for j, x := range v {
		r, err := ratOf(x)
		if err != nil {
			return fmt.Errorf("the bias: %v", err)
		}
		if scale != nil {
			r.Mul(r, scale)
		}
		c.pending.B[j].Add(c.pending.B[j], r)
	}
	return nil
}

func (c *chain) add(ops []*onnxConst) error {
	if len(ops) != 2 {
		return fmt.Errorf("takes two inputs, has %d", len(ops))
	}
	k := ops[0]
	if k == nil {
		k = ops[1]
	}
	if k == nil {
		return errors.New("memnet imports Add of the chain's value and a constant")
	}
	if err := c.ensurePending(); err != nil {
		return err
	}
	return c.addBias(k, nil)
}

func (c *chain) relu(n int) error {
	if n != 1 {
		return fmt.Errorf("takes one input, has %d", n)
	}
	if err := c.ensurePending(); err != nil {
		return err
	}
	c.flush(nn.ReLU)
	return nil
}

// max reads Max(z, c) with c[j] ∈ {0, −∞}: ReLU where c is 0, identity where
// it is −∞.
func (c *chain) max(ops []*onnxConst) error {
	if len(ops) != 2 || (ops[0] == nil) == (ops[1] == nil) {
		return errors.New("memnet imports Max of the chain's value and one constant")
	}
	k := ops[0]
	if k == nil {
		k = ops[1]
	}
	if err := c.ensurePending(); err != nil {
		return err
	}
	v, err := vector(k, c.pending.Out(), "the constant of Max")
	if err != nil {
		return err
	}
	acts := make([]nn.Activation, len(v))
	for j, x := range v {
		switch {
		case x == 0:
			acts[j] = nn.ReLU
		case math.IsInf(x, -1):
			acts[j] = nn.Identity
		default:
			return fmt.Errorf("the constant of Max is %v at %d; memnet reads Max(z, c) only with c of zeros (ReLU) and −∞ (identity)", x, j)
		}
	}
	l := c.pending
	c.flush(nn.Identity)
	copy(l.Act, acts)
	c.hidden[len(c.hidden)-1].Act = acts
	return nil
}

// network finishes the chain: the pending affine map is the read-out, or an
// identity read-out follows a final activation.
func (c *chain) network() (*nn.Network, error) {
	if c.pending == nil {
		if err := c.ensurePending(); err != nil {
			return nil, err
		}
	}
	ro := *c.pending
	for j := range ro.Act {
		ro.Act[j] = nn.Identity
	}
	net := &nn.Network{Hidden: c.hidden, Readout: ro}
	first := &ro
	if len(c.hidden) > 0 {
		first = &c.hidden[0]
	}
	net.InputDim = first.In()
	if err := net.Check(); err != nil {
		return nil, err
	}
	return net, nil
}
