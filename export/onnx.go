package export

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"

	"google.golang.org/protobuf/proto"

	"github.com/memnet/memnet/export/onnxpb"
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
