package export

import (
	"context"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/memnet/memnet/export/onnxpb"
	"github.com/memnet/memnet/nn"
)

// Operator conformance: the ONNX backend's node tests (testdata/onnxnode,
// copied from onnx/onnx 6be0677, see its README.md). Every operand of a case
// is a graph input; the harness folds input_1..K into initializers so that
// the model is a network of input_0, imports it, evaluates it exactly on
// input_0, rounds each output to float32 and compares with output_0 within
// the ONNX backend's float32 tolerance (|got − want| ≤ atol + rtol·|want|,
// rtol = 1e-6 and atol = 1e-7 here, tighter than the backend's 1e-3/1e-7:
// the reference is numpy in float32 or float64, ours the exact value rounded
// once).
func TestONNXNodeConformance(t *testing.T) {
	dirs, err := filepath.Glob("testdata/onnxnode/test_*")
	if err != nil || len(dirs) < 23 {
		t.Fatalf("%d cases (%v)", len(dirs), err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) { nodeCase(t, dir) })
	}
}

func readPB(t *testing.T, path string) *onnxpb.TensorProto {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var tp onnxpb.TensorProto
	if err := proto.Unmarshal(b, &tp); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return &tp
}

func nodeCase(t *testing.T, dir string) {
	b, err := os.ReadFile(filepath.Join(dir, "model.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	var mp onnxpb.ModelProto
	if err := proto.Unmarshal(b, &mp); err != nil {
		t.Fatal(err)
	}
	g := mp.GetGraph()
	for k := 1; k < len(g.GetInput()); k++ {
		in := readPB(t, filepath.Join(dir, "test_data_set_0", "input_"+string(rune('0'+k))+".pb"))
		in.Name = proto.String(g.GetInput()[k].GetName())
		g.Initializer = append(g.Initializer, in)
	}
	net, _, _, _, err := readONNXNet(context.Background(), &mp)
	if err != nil {
		t.Fatal(err)
	}
	x, err := readTensor(readPB(t, filepath.Join(dir, "test_data_set_0", "input_0.pb")))
	if err != nil {
		t.Fatal(err)
	}
	want, err := readTensor(readPB(t, filepath.Join(dir, "test_data_set_0", "output_0.pb")))
	if err != nil {
		t.Fatal(err)
	}
	if net.InputDim != len(x.vals) || net.OutputDim() != len(want.vals) {
		t.Fatalf("network %d → %d, data %d → %d", net.InputDim, net.OutputDim(), len(x.vals), len(want.vals))
	}
	out, err := nn.EvalExact(context.Background(), net, [][]float64{x.vals}, nil)
	if err != nil {
		t.Fatal(err)
	}
	worst := 0.0
	for j, o := range out[0] {
		got, _ := o.Float32()
		w := want.vals[j]
		if d := math.Abs(float64(got) - w); d > 1e-7+1e-6*math.Abs(w) {
			t.Errorf("output %d: exact %s = %v in float32, want %v", j, o.RatString(), got, w)
		} else if d > 0 {
			worst = max(worst, d/math.Abs(w))
		}
	}
	if worst > 0 {
		t.Logf("largest relative difference from the reference: %.3g", worst)
	}
	// the exact value is the reference computation rounded once: where the
	// reference is exact (no rounding in the case), ours equals it.
	if filepath.Base(dir) == "test_relu" || filepath.Base(dir) == "test_identity" {
		for j, o := range out[0] {
			if o.Cmp(new(big.Rat).SetFloat64(want.vals[j])) != 0 {
				t.Errorf("output %d: %s, want exactly %v", j, o.RatString(), want.vals[j])
			}
		}
	}
}
