package export

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/memnet/memnet/export/onnxpb"
	"github.com/memnet/memnet/nn"
)

// The ONNX idioms of real exporters, written from a network by hand: each
// must import to a network with the same exact outputs.
var idioms = []string{"memnet-export", "gemm", "rank3-flatten", "reshape-matmul", "subdiv", "weight-first", "transposed-gemm", "max", "float16", "identity-const", "mul-reshape"}

// randomNet is a ReLU MLP with float32 weights of few bits (so that every
// idiom's rescaling stays exact) and d inputs.
func randomNet(r *rand.Rand, d int) *nn.Network {
	widths := []int{d}
	for k := r.IntN(3); k >= 0; k-- {
		widths = append(widths, 1+r.IntN(5))
	}
	widths = append(widths, 1+r.IntN(3))
	w := func() *big.Rat { return big.NewRat(int64(r.IntN(33)-16), 8) }
	net := &nn.Network{InputDim: d}
	for k := 1; k < len(widths); k++ {
		l := nn.Layer{W: make([][]*big.Rat, widths[k]), B: make([]*big.Rat, widths[k]), Act: make([]nn.Activation, widths[k])}
		for j := range l.W {
			l.W[j] = make([]*big.Rat, widths[k-1])
			for i := range l.W[j] {
				l.W[j][i] = w()
			}
			l.B[j], l.Act[j] = w(), nn.ReLU
			if k == len(widths)-1 {
				l.Act[j] = nn.Identity
			}
		}
		if k == len(widths)-1 {
			net.Readout = l
		} else {
			net.Hidden = append(net.Hidden, l)
		}
	}
	return net
}

func f32s(rs []*big.Rat) []float32 {
	v := make([]float32, len(rs))
	for i, r := range rs {
		f, _ := r.Float32()
		v[i] = f
	}
	return v
}

func f32(name string, dims []int64, v []float32) *onnxpb.TensorProto {
	return &onnxpb.TensorProto{Name: proto.String(name), Dims: dims, DataType: proto.Int32(int32(onnxpb.TensorProto_FLOAT)), FloatData: v}
}

// f16 encodes values that are exact in float16 (the test's weights are).
func f16(name string, dims []int64, v []float32) *onnxpb.TensorProto {
	raw := make([]byte, 2*len(v))
	for i, x := range v {
		bits := math.Float32bits(x)
		sign := uint16(bits>>16) & 0x8000
		var h uint16
		if x != 0 {
			e := int(bits>>23&0xff) - 127 + 15
			h = uint16(e)<<10 | uint16(bits>>13&0x3ff)
		}
		binary.LittleEndian.PutUint16(raw[2*i:], sign|h)
	}
	return &onnxpb.TensorProto{Name: proto.String(name), Dims: dims, DataType: proto.Int32(int32(onnxpb.TensorProto_FLOAT16)), RawData: raw}
}

func shapeInfo(name string, dims ...int64) *onnxpb.ValueInfoProto {
	var ds []*onnxpb.TensorShapeProto_Dimension
	for _, d := range dims {
		if d < 0 {
			ds = append(ds, &onnxpb.TensorShapeProto_Dimension{Value: &onnxpb.TensorShapeProto_Dimension_DimParam{DimParam: "batch"}})
		} else {
			ds = append(ds, &onnxpb.TensorShapeProto_Dimension{Value: &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: d}})
		}
	}
	return &onnxpb.ValueInfoProto{Name: proto.String(name), Type: &onnxpb.TypeProto{Value: &onnxpb.TypeProto_TensorType{TensorType: &onnxpb.TypeProto_Tensor{
		ElemType: proto.Int32(1), Shape: &onnxpb.TensorShapeProto{Dim: ds}}}}}
}

func attrI(name string, v int64) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: onnxpb.AttributeProto_INT.Enum(), I: proto.Int64(v)}
}

func attrF(name string, v float32) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: onnxpb.AttributeProto_FLOAT.Enum(), F: proto.Float32(v)}
}

// idiomONNX writes net as an exporter of the given idiom would. For
// "subdiv" the file computes net((x − 1/2)/4 · ...) — see shift: the network
// it holds reads (x − m)/s, m = 1/2 and s = 4, so the test evaluates the
// original at (x − m)/s.
func idiomONNX(net *nn.Network, idiom string, opset int64) []byte {
	g := &onnxpb.GraphProto{Name: proto.String("idiom")}
	d := int64(net.InputDim)
	n := 0
	fresh := func(p string) string { n++; return fmt.Sprintf("%s%d", p, n) }
	node := func(op string, in []string, attrs ...*onnxpb.AttributeProto) string {
		out := fresh("v")
		g.Node = append(g.Node, &onnxpb.NodeProto{Name: proto.String(fresh(strings.ToLower(op))), OpType: proto.String(op), Input: in, Output: []string{out}, Attribute: attrs})
		return out
	}
	init := func(dims []int64, v []float32) string {
		name := fresh("c")
		if idiom == "float16" {
			g.Initializer = append(g.Initializer, f16(name, dims, v))
		} else {
			g.Initializer = append(g.Initializer, f32(name, dims, v))
		}
		if idiom == "reshape-matmul" { // IR 3: initializers listed as graph inputs too
			g.Input = append(g.Input, shapeInfo(name, dims...))
		}
		return name
	}
	var cur string
	switch idiom {
	case "rank3-flatten":
		g.Input = append(g.Input, shapeInfo("x", -1, d, 1))
		cur = node("Flatten", []string{"x"})
	case "reshape-matmul":
		g.Input = append(g.Input, shapeInfo("x", -1, d))
		g.Initializer = append(g.Initializer, &onnxpb.TensorProto{Name: proto.String("shape"), Dims: []int64{2}, DataType: proto.Int32(int32(onnxpb.TensorProto_INT64)), Int64Data: []int64{-1, d}})
		cur = node("Reshape", []string{"x", "shape"})
	case "subdiv":
		g.Input = append(g.Input, shapeInfo("x", 1, 1, 1, d))
		m := make([]float32, d)
		for i := range m {
			m[i] = 0.5
		}
		cur = node("Sub", []string{"x", init([]int64{1, 1, 1, d}, m)})
		cur = node("Div", []string{cur, init(nil, []float32{4})})
		cur = node("Flatten", []string{cur}, attrI("axis", 1))
	case "weight-first":
		g.Input = append(g.Input, shapeInfo("x", d))
		cur = "x"
	case "mul-reshape": // x·2 reshaped to a vector [d], then weight-first MatMul
		g.Input = append(g.Input, shapeInfo("x", -1, d))
		cur = node("Mul", []string{init(nil, []float32{2}), "x"})
		g.Initializer = append(g.Initializer, &onnxpb.TensorProto{Name: proto.String("vshape"), Dims: []int64{1}, DataType: proto.Int32(int32(onnxpb.TensorProto_INT64)), RawData: binary.LittleEndian.AppendUint64(nil, uint64(d))})
		cur = node("Reshape", []string{cur, "vshape"})
	case "transposed-gemm":
		g.Input = append(g.Input, shapeInfo("x", d, 1))
		cur = "x"
	case "identity-const":
		g.Input = append(g.Input, shapeInfo("x", -1, d))
		cur = node("Identity", []string{"x"})
	default:
		g.Input = append(g.Input, shapeInfo("x", -1, d))
		cur = "x"
	}
	layers := net.Layers()
	for k, l := range layers {
		out, in := int64(l.Out()), int64(l.In())
		var wt, wio []float32 // (out, in) and (in, out)
		for j := range l.W {
			wt = append(wt, f32s(l.W[j])...)
		}
		for i := 0; i < int(in); i++ {
			for j := 0; j < int(out); j++ {
				f, _ := l.W[j][i].Float32()
				wio = append(wio, f)
			}
		}
		b := f32s(l.B)
		switch {
		case idiom == "weight-first" || idiom == "mul-reshape":
			cur = node("MatMul", []string{init([]int64{out, in}, wt), cur})
			cur = node("Add", []string{cur, init([]int64{out}, b)})
		case idiom == "transposed-gemm" && k == 0:
			// x is a column (d, 1): Gemm(x, W, transA, transB) with alpha 1/2 and beta 2
			w2 := make([]float32, len(wt))
			for i, v := range wt {
				w2[i] = 2 * v
			}
			b2 := make([]float32, len(b))
			for i, v := range b {
				b2[i] = v / 2
			}
			cur = node("Gemm", []string{cur, init([]int64{out, in}, w2), init([]int64{1, out}, b2)},
				attrI("transA", 1), attrI("transB", 1), attrF("alpha", 0.5), attrF("beta", 2))
		case idiom == "reshape-matmul" || idiom == "subdiv" || idiom == "identity-const":
			cur = node("MatMul", []string{cur, init([]int64{in, out}, wio)})
			cur = node("Add", []string{cur, init([]int64{out}, b)})
		default:
			cur = node("Gemm", []string{cur, init([]int64{out, in}, wt), init([]int64{out}, b)}, attrI("transB", 1))
		}
		if k < len(layers)-1 {
			if idiom == "max" {
				cur = node("Max", []string{cur, init(nil, []float32{0})})
			} else {
				cur = node("Relu", []string{cur})
			}
		}
	}
	if idiom == "identity-const" {
		g.Node = append(g.Node, &onnxpb.NodeProto{OpType: proto.String("Constant"), Output: []string{"zero"},
			Attribute: []*onnxpb.AttributeProto{{Name: proto.String("value_float"), Type: onnxpb.AttributeProto_FLOAT.Enum(), F: proto.Float32(0)}}})
		node("Add", []string{cur, "zero"})
	}
	g.Node[len(g.Node)-1].Output[0] = "y"
	g.Output = []*onnxpb.ValueInfoProto{{Name: proto.String("y")}}
	ir := int64(8)
	if idiom == "reshape-matmul" {
		ir = 3
	}
	b, err := proto.Marshal(&onnxpb.ModelProto{IrVersion: proto.Int64(ir), Graph: g,
		OpsetImport: []*onnxpb.OperatorSetIdProto{{Version: proto.Int64(opset)}}})
	if err != nil {
		panic(err)
	}
	return b
}

// sameOutputs checks that got(x) = want(pre(x)) exactly on random points.
func sameOutputs(t *testing.T, r *rand.Rand, got, want *nn.Network, pre func(float64) float64) {
	t.Helper()
	var xs, ws [][]float64
	for p := 0; p < 8; p++ {
		x, w := make([]float64, got.InputDim), make([]float64, got.InputDim)
		for i := range x {
			x[i] = float64(r.IntN(64)-32) / 16
			w[i] = pre(x[i])
		}
		xs, ws = append(xs, x), append(ws, w)
	}
	a, err := nn.EvalExact(context.Background(), got, xs, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := nn.EvalExact(context.Background(), want, ws, nil)
	if err != nil {
		t.Fatal(err)
	}
	for p := range a {
		for j := range a[p] {
			if a[p][j].Cmp(b[p][j]) != 0 {
				t.Fatalf("point %v output %d: imported %s, original %s", xs[p], j, a[p][j].RatString(), b[p][j].RatString())
			}
		}
	}
}

// memnetONNX is memnet's own float32 export of net, some hidden neurons
// made identity neurons (written as Max with −∞).
func memnetONNX(t *testing.T, r *rand.Rand, net *nn.Network) []byte {
	for k := range net.Hidden {
		for j := range net.Hidden[k].Act {
			if r.IntN(3) == 0 {
				net.Hidden[k].Act[j] = nn.Identity
			}
		}
	}
	cls := make([]string, max(2, net.OutputDim()))
	for i := range cls {
		cls[i] = string(rune('a' + i))
	}
	b, err := ONNXBytes(&nn.Model{Net: net, Method: "test", Classes: cls}, Float32)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func checkIdiom(t *testing.T, r *rand.Rand, net *nn.Network, idiom string, opset int64) {
	t.Helper()
	var b []byte
	if idiom == "memnet-export" {
		b = memnetONNX(t, r, net)
	} else {
		b = idiomONNX(net, idiom, opset)
	}
	m, err := ReadONNX(b, nil)
	if net.OutputDim() == 1 {
		m, err = ReadONNX(b, []string{"a", "b"})
	}
	if err != nil {
		t.Fatalf("%s: %v", idiom, err)
	}
	if m.Net.InputDim != net.InputDim || m.Net.OutputDim() != net.OutputDim() {
		t.Fatalf("%s: input %d output %d, want %d %d", idiom, m.Net.InputDim, m.Net.OutputDim(), net.InputDim, net.OutputDim())
	}
	pre := func(x float64) float64 { return x }
	if idiom == "mul-reshape" {
		pre = func(x float64) float64 { return 2 * x }
		if !strings.Contains(m.Options["onnx.folded"], "Mul") {
			t.Errorf("mul-reshape: folded %q", m.Options["onnx.folded"])
		}
	} else if idiom == "subdiv" {
		pre = func(x float64) float64 { return (x - 0.5) / 4 }
		if !strings.Contains(m.Options["onnx.folded"], "Sub") || !strings.Contains(m.Options["onnx.folded"], "Div") {
			t.Errorf("subdiv: folded %q", m.Options["onnx.folded"])
		}
	} else if m.Options["onnx.folded"] != "none" {
		t.Errorf("%s: folded %q", idiom, m.Options["onnx.folded"])
	}
	if len(m.Net.Hidden) != len(net.Hidden) {
		t.Errorf("%s: %d hidden layers, want %d", idiom, len(m.Net.Hidden), len(net.Hidden))
	}
	sameOutputs(t, r, m.Net, net, pre)
}

func TestImportIdioms(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, idiom := range idioms {
		for _, opset := range []int64{7, 9, 13, 17, 21, 25} {
			checkIdiom(t, r, randomNet(r, 1+r.IntN(6)), idiom, opset)
		}
	}
}

// FuzzImportIdioms round-trips random MLPs through every accepted idiom.
func FuzzImportIdioms(f *testing.F) {
	f.Add(uint64(1), uint8(0))
	f.Add(uint64(7), uint8(3))
	f.Fuzz(func(t *testing.T, seed uint64, which uint8) {
		r := rand.New(rand.NewPCG(seed, 3))
		checkIdiom(t, r, randomNet(r, 1+r.IntN(8)), idioms[int(which)%len(idioms)], 7+int64(which)%19)
	})
}
