package export

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/memnet/memnet/export/onnxpb"
	"github.com/memnet/memnet/limits"
	"github.com/memnet/memnet/nn"
)

// The opsets of the default domain ReadONNX knows the operators of: the
// operators it reads last changed their float semantics at opset 14 (Add,
// Sub, Mul, Div, Relu, Reshape's allowzero) or before; later versions (up to
// 25, which the ONNX node tests use for Flatten and Identity) only add
// element types.
const (
	minReadOpset = 7
	maxReadOpset = 25
)

// ReadONNX reads an ONNX model that is a ReLU MLP as its exporters write it
// and returns it as a network whose weights are the exact values of the
// file's floats (float16, bfloat16, float32, float64: all dyadic rationals).
//
// The graph is read as a function of one sample: a symbolic first dimension
// of the input (the batch) is 1, and the input's other dimensions must be
// fixed; the network's input is the input tensor's values in row-major order.
// Every node must read the value the chain has computed so far (and
// constants): Flatten, Reshape (INT64 shape constants, −1 and 0), Identity,
// Constant, Add/Sub/Mul/Div by a constant (with broadcasting; they are
// folded exactly into the next affine map, so a normalization x ↦ (x−m)/s
// before the first layer becomes part of it), MatMul with the constant on
// either side, Gemm (alpha, beta, transA, transB, any bias shape that
// broadcasts), Relu, and Max(x, c) with c a constant (Max(x, c) =
// ReLU(x − c) + c exactly; c = −∞ is the identity). Anything else is refused
// with the node's name and operator. Initializers that are also graph
// inputs (IR 3) are constants. Opsets 7–25 of the default domain.
//
// classes, when not nil, names the classes; otherwise they come from
// memnet's metadata, or are "0", "1", ... for a network with several
// outputs. The model's Options record what was read as the file's claims
// (onnx.input: the declared input shape) and what memnet did
// (onnx.folded: the constant operations folded before the first layer).
func ReadONNX(b []byte, classes []string) (*nn.Model, error) {
	return readONNX(context.Background(), b, classes)
}

func readONNX(ctx context.Context, b []byte, classes []string) (*nn.Model, error) {
	var mp onnxpb.ModelProto
	if err := proto.Unmarshal(b, &mp); err != nil {
		return nil, fmt.Errorf("not an ONNX model: %v", err)
	}
	net, gb, inDesc, opset, err := readONNXNet(ctx, &mp)
	if err != nil {
		return nil, err
	}
	meta := map[string]string{}
	for _, p := range mp.GetMetadataProps() {
		meta[p.GetKey()] = p.GetValue()
	}
	m, err := importedModel(net, "onnx", meta["memnet"], classes)
	if err != nil {
		return nil, err
	}
	m.Options["onnx.input"] = fmt.Sprintf("%s, read as %d features", inDesc, net.InputDim)
	if opset > 0 {
		m.Options["onnx.opset"] = fmt.Sprint(opset)
	}
	if len(gb.folded) > 0 {
		m.Options["onnx.folded"] = strings.Join(gb.folded, "; ") + " (folded exactly into layer 1)"
	} else {
		m.Options["onnx.folded"] = "none"
	}
	return m, nil
}

// readONNXNet is ReadONNX's network, its builder, the input's description
// and the default domain's opset.
func readONNXNet(ctx context.Context, mp *onnxpb.ModelProto) (*nn.Network, *graphBuilder, string, int64, error) {
	fail := func(err error) (*nn.Network, *graphBuilder, string, int64, error) { return nil, nil, "", 0, err }
	g := mp.GetGraph()
	if g == nil || len(g.GetNode()) == 0 {
		return fail(errors.New("not an ONNX model: no graph or an empty graph"))
	}
	opset := int64(0)
	for _, op := range mp.GetOpsetImport() {
		if d := op.GetDomain(); d != "" && d != "ai.onnx" {
			continue
		}
		opset = op.GetVersion()
		if opset > 0 && opset < minReadOpset {
			return fail(fmt.Errorf("onnx: opset %d is too old (memnet reads opsets %d to %d)", opset, minReadOpset, maxReadOpset))
		}
		if opset > maxReadOpset {
			return fail(fmt.Errorf("onnx: opset %d is newer than memnet knows (it reads opsets %d to %d; re-export with opset_version=%d)", opset, minReadOpset, maxReadOpset, maxReadOpset))
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
		return fail(err)
	}
	consts := map[string]*onnxConst{}
	for _, t := range g.GetInitializer() {
		c, err := readTensor(t)
		if err != nil {
			return fail(err)
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
		return fail(fmt.Errorf("onnx: the graph has %d inputs besides its initializers; memnet imports networks with one input", len(inputs)))
	}
	if len(g.GetOutput()) != 1 {
		return fail(fmt.Errorf("onnx: the graph has %d outputs; memnet imports networks with one output", len(g.GetOutput())))
	}
	gb, inDesc, err := inputValue(inputs[0])
	if err != nil {
		return fail(err)
	}
	gb.ctx = ctx
	cur := inputs[0].GetName()
	for ni, node := range g.GetNode() {
		if err := ctx.Err(); err != nil {
			return fail(err)
		}
		op := node.GetOpType()
		where := fmt.Sprintf("onnx: node %d (%s %q)", ni+1, plainName(op), node.GetName())
		if d := node.GetDomain(); d != "" && d != "ai.onnx" {
			return fail(fmt.Errorf("%s: operator domain %q is not supported; memnet imports ReLU MLPs in the default domain", where, d))
		}
		if len(node.GetOutput()) != 1 {
			return fail(fmt.Errorf("%s: has %d outputs, want 1", where, len(node.GetOutput())))
		}
		if op == "Constant" {
			c, err := constantNode(node)
			if err != nil {
				return fail(fmt.Errorf("%s: %v", where, err))
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
					return fail(fmt.Errorf("%s: reads %q twice; memnet imports plain chains", where, cur))
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
				return fail(fmt.Errorf("%s: reads %q, which is neither the chain's current value %q nor a constant; memnet imports plain chains (no branches)", where, in, cur))
			}
			operands = append(operands, c)
		}
		if curAt < 0 {
			if op == "Identity" && len(operands) == 1 && operands[0] != nil {
				consts[node.GetOutput()[0]] = operands[0]
				continue
			}
			return fail(fmt.Errorf("%s: does not read the chain's current value %q; memnet imports plain chains and folds only Constant and Identity on constants", where, cur))
		}
		if err := gb.node(op, node, curAt, operands); err != nil {
			return fail(fmt.Errorf("%s: %v", where, err))
		}
		cur = node.GetOutput()[0]
	}
	if out := g.GetOutput()[0].GetName(); out != cur {
		return fail(fmt.Errorf("onnx: the graph's output %q is not the end of the chain %q", out, cur))
	}
	net, err := gb.network()
	if err != nil {
		return fail(fmt.Errorf("onnx: %v", err))
	}
	return net, gb, inDesc, opset, nil
}

// plainName is an operator name as is when it is a plain identifier, else
// quoted (a file's strings never print raw control characters).
func plainName(s string) string {
	for _, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return strconv.Quote(s)
		}
	}
	if s == "" {
		return `""`
	}
	return s
}

// inputValue starts the graph builder on the graph's input: its declared
// shape, a symbolic first dimension read as 1. desc says what the file
// declares.
func inputValue(in *onnxpb.ValueInfoProto) (*graphBuilder, string, error) {
	name := in.GetName()
	tt := in.GetType().GetTensorType()
	if tt == nil || tt.GetShape() == nil {
		return nil, "", fmt.Errorf("onnx: input %q declares no shape; memnet needs the input's shape", name)
	}
	switch e := onnxpb.TensorProto_DataType(tt.GetElemType()); e {
	case 0, onnxpb.TensorProto_FLOAT, onnxpb.TensorProto_DOUBLE, onnxpb.TensorProto_FLOAT16, onnxpb.TensorProto_BFLOAT16:
	default:
		return nil, "", fmt.Errorf("onnx: input %q has element type %s; memnet imports float networks", name, e)
	}
	dims := tt.GetShape().GetDim()
	shape := make([]int64, len(dims))
	var parts []string
	for k, d := range dims {
		v := d.GetDimValue()
		switch {
		case v > 0:
			shape[k] = v
			parts = append(parts, fmt.Sprint(v))
		case k == 0 && len(dims) > 1:
			shape[k] = 1
			parts = append(parts, fmt.Sprintf("%q", d.GetDimParam()))
		default:
			return nil, "", fmt.Errorf("onnx: dimension %d of input %q is not a fixed size; memnet reads a symbolic batch dimension first and fixed sizes after it", k, name)
		}
	}
	n := int64(1)
	for _, v := range shape {
		n = limits.Mul(n, v)
	}
	if n > maxImportParams {
		return nil, "", fmt.Errorf("onnx: input %q of shape %v is too large", name, shape)
	}
	gb := &graphBuilder{hdim: int(n)}
	if err := gb.spend(n); err != nil {
		return nil, "", fmt.Errorf("onnx: input %q: %v", name, err)
	}
	gb.v = identityElems(shape, int(n))
	desc := fmt.Sprintf("input %q of shape [%s] declared by the file", name, strings.Join(parts, ", "))
	if len(dims) > 1 && dims[0].GetDimValue() <= 0 {
		desc += " (symbolic batch dimension read as 1)"
	}
	return gb, desc, nil
}
