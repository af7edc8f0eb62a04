// Command torchlayout writes a memnet network as an ONNX file in the layout
// torch.onnx.export gives an nn.Sequential(nn.Flatten(), nn.Linear, nn.ReLU,
// ..., nn.Linear) at opset 13: input "input" of shape [batch, ...shape],
// Flatten, then Gemm (weight "layers.K.weight" of shape (out, in), transB = 1,
// bias "layers.K.bias") and Relu, float32 weights. -prescale S makes the file
// read x/S: its first layer's weights are multiplied by S (the network it
// holds is f(y) = net(S·y)), as a network trained on inputs divided by S is.
//
// It made testdata/digits_mlp.onnx for the README's "verify a
// network you trained" section, because PyTorch is not installable here:
//
//	memnet train --data testdata/digits.csv.gz --hidden 32 --epochs 40 --dtype float32 --seed 3 -o /tmp/d.mnet
//	go run ./scripts/torchlayout -prescale 16 -shape 1,8,8 /tmp/d.mnet testdata/digits_mlp.onnx
package main

import (
	"flag"
	"fmt"
	"math/big"
	"os"
	"strconv"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/memnet/memnet/export/onnxpb"
	"github.com/memnet/memnet/nn"
)

func main() {
	prescale := flag.Int64("prescale", 1, "the file reads x divided by this")
	shape := flag.String("shape", "", "the input's shape after the batch dimension, comma-separated (default: d)")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: torchlayout [-prescale S] [-shape 1,8,8] NET.mnet OUT.onnx")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), flag.Arg(1), *prescale, *shape); err != nil {
		fmt.Fprintln(os.Stderr, "torchlayout:", err)
		os.Exit(1)
	}
}

func run(in, out string, prescale int64, shape string) error {
	m, err := nn.Load(in)
	if err != nil {
		return err
	}
	dims := []int64{int64(m.Net.InputDim)}
	if shape != "" {
		dims = nil
		for _, f := range strings.Split(shape, ",") {
			v, err := strconv.ParseInt(f, 10, 64)
			if err != nil {
				return err
			}
			dims = append(dims, v)
		}
	}
	dim := func(v int64) *onnxpb.TensorShapeProto_Dimension {
		return &onnxpb.TensorShapeProto_Dimension{Value: &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: v}}
	}
	sh := []*onnxpb.TensorShapeProto_Dimension{{Value: &onnxpb.TensorShapeProto_Dimension_DimParam{DimParam: "batch"}}}
	for _, d := range dims {
		sh = append(sh, dim(d))
	}
	info := func(name string, s []*onnxpb.TensorShapeProto_Dimension) *onnxpb.ValueInfoProto {
		return &onnxpb.ValueInfoProto{Name: proto.String(name), Type: &onnxpb.TypeProto{Value: &onnxpb.TypeProto_TensorType{TensorType: &onnxpb.TypeProto_Tensor{
			ElemType: proto.Int32(int32(onnxpb.TensorProto_FLOAT)), Shape: &onnxpb.TensorShapeProto{Dim: s}}}}}
	}
	g := &onnxpb.GraphProto{Name: proto.String("torch_jit")}
	g.Input = []*onnxpb.ValueInfoProto{info("input", sh)}
	g.Output = []*onnxpb.ValueInfoProto{info("output", []*onnxpb.TensorShapeProto_Dimension{sh[0], dim(int64(m.Net.OutputDim()))})}
	n := 0
	node := func(op, in string, extra []string, attrs ...*onnxpb.AttributeProto) string {
		outName := fmt.Sprint(n + 100)
		g.Node = append(g.Node, &onnxpb.NodeProto{Name: proto.String(fmt.Sprintf("%s_%d", op, n)), OpType: proto.String(op), Input: append([]string{in}, extra...), Output: []string{outName}, Attribute: attrs})
		n++
		return outName
	}
	cur := node("Flatten", "input", nil, &onnxpb.AttributeProto{Name: proto.String("axis"), Type: onnxpb.AttributeProto_INT.Enum(), I: proto.Int64(1)})
	layers := m.Net.Layers()
	for k, l := range layers {
		var w, b []float32
		for j := range l.W {
			for _, x := range l.W[j] {
				if k == 0 {
					x = new(big.Rat).Mul(x, big.NewRat(prescale, 1))
				}
				f, _ := x.Float32()
				w = append(w, f)
			}
			f, _ := l.B[j].Float32()
			b = append(b, f)
		}
		wn, bn := fmt.Sprintf("layers.%d.weight", 2*k), fmt.Sprintf("layers.%d.bias", 2*k)
		g.Initializer = append(g.Initializer,
			&onnxpb.TensorProto{Name: proto.String(wn), DataType: proto.Int32(int32(onnxpb.TensorProto_FLOAT)), Dims: []int64{int64(l.Out()), int64(l.In())}, FloatData: w},
			&onnxpb.TensorProto{Name: proto.String(bn), DataType: proto.Int32(int32(onnxpb.TensorProto_FLOAT)), Dims: []int64{int64(l.Out())}, FloatData: b})
		cur = node("Gemm", cur, []string{wn, bn},
			&onnxpb.AttributeProto{Name: proto.String("alpha"), Type: onnxpb.AttributeProto_FLOAT.Enum(), F: proto.Float32(1)},
			&onnxpb.AttributeProto{Name: proto.String("beta"), Type: onnxpb.AttributeProto_FLOAT.Enum(), F: proto.Float32(1)},
			&onnxpb.AttributeProto{Name: proto.String("transB"), Type: onnxpb.AttributeProto_INT.Enum(), I: proto.Int64(1)})
		if k < len(layers)-1 {
			cur = node("Relu", cur, nil)
		}
	}
	g.Node[len(g.Node)-1].Output[0] = "output"
	b, err := proto.Marshal(&onnxpb.ModelProto{IrVersion: proto.Int64(7), ProducerName: proto.String("memnet scripts/torchlayout (PyTorch's layout)"),
		Graph: g, OpsetImport: []*onnxpb.OperatorSetIdProto{{Version: proto.Int64(13)}}})
	if err != nil {
		return err
	}
	return os.WriteFile(out, b, 0o644)
}
