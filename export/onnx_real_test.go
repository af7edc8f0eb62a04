package export

import (
	"context"
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/memnet/memnet/export/onnxpb"
	"github.com/memnet/memnet/limits"
	"github.com/memnet/memnet/nn"
)

// The VNN-COMP 2022 networks in testdata/vnncomp (unchanged copies, see
// testdata/vnncomp/README.md) import with the shapes their benchmarks state.
func TestImportVNNCOMP(t *testing.T) {
	cases := []struct {
		file          string
		in, hid, outs int
		input, folded string
	}{
		{"test_nano.onnx", 1, 1, 1, `input "model_in" of shape [1]`, "none"},
		{"test_tiny.onnx", 1, 1, 1, `input "X_0" of shape [1]`, "none"},
		{"test_small.onnx", 1, 2, 1, `input "X_0" of shape [1]`, "none"},
		{"test_sat.onnx", 5, 6, 5, `input "input" of shape [1, 1, 1, 5]`, `Sub "input_Sub" by 5 constant(s)`},
		{"test_unsat.onnx", 5, 6, 5, `input "input" of shape [1, 1, 1, 5]`, `Sub "input_Sub" by 5 constant(s)`},
		{"cartpole.onnx.gz", 4, 2, 2, `input "input" of shape [1, 4]`, "none"},
	}
	for _, c := range cases {
		var cls []string
		if c.outs == 1 {
			cls = []string{"0", "1"}
		}
		m, _, err := Import("testdata/vnncomp/"+c.file, cls)
		if err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		if m.Net.InputDim != c.in || len(m.Net.Hidden) != c.hid || m.Net.OutputDim() != c.outs {
			t.Errorf("%s: input %d, %d hidden, %d outputs", c.file, m.Net.InputDim, len(m.Net.Hidden), m.Net.OutputDim())
		}
		if !strings.Contains(m.Options["onnx.input"], c.input) || !strings.Contains(m.Options["onnx.folded"], c.folded) {
			t.Errorf("%s: input %q, folded %q", c.file, m.Options["onnx.input"], m.Options["onnx.folded"])
		}
	}
}

// ACAS Xu subtracts the mean image before the first MatMul: the first
// layer's bias is b − Wᵀ·avg, exactly.
func TestImportACASFoldsSub(t *testing.T) {
	b, err := os.ReadFile("testdata/vnncomp/test_sat.onnx")
	if err != nil {
		t.Fatal(err)
	}
	m, err := ReadONNX(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	var mp onnxpb.ModelProto
	if err := proto.Unmarshal(b, &mp); err != nil {
		t.Fatal(err)
	}
	c := map[string]*onnxConst{}
	for _, tp := range mp.GetGraph().GetInitializer() {
		if c[tp.GetName()], err = readTensor(tp); err != nil {
			t.Fatal(err)
		}
	}
	avg, w, bias := c["input_AvgImg"], c["Operation_1_MatMul_W"], c["Operation_1_Add_B"]
	l := m.Net.Hidden[0]
	for j := 0; j < 50; j++ {
		want := new(big.Rat).SetFloat64(bias.vals[j])
		for i := 0; i < 5; i++ {
			wij := new(big.Rat).SetFloat64(w.vals[i*50+j])
			if l.W[j][i].Cmp(wij) != 0 {
				t.Fatalf("W[%d][%d] = %s, want %s", j, i, l.W[j][i].RatString(), wij.RatString())
			}
			want.Sub(want, new(big.Rat).Mul(wij, new(big.Rat).SetFloat64(avg.vals[i])))
		}
		if l.B[j].Cmp(want) != 0 {
			t.Fatalf("b[%d] = %s, want %s", j, l.B[j].RatString(), want.RatString())
		}
	}
}

// What the importer refuses, it refuses in one line naming the node.
func TestImportRefusals(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	net := randomNet(r, 3)
	good := idiomONNX(net, "subdiv", 13)
	edit := func(f func(*onnxpb.ModelProto)) []byte {
		var mp onnxpb.ModelProto
		if err := proto.Unmarshal(good, &mp); err != nil {
			t.Fatal(err)
		}
		f(&mp)
		b, _ := proto.Marshal(&mp)
		return b
	}
	cases := map[string]struct {
		b    []byte
		want string
	}{
		"sigmoid":  {edit(func(mp *onnxpb.ModelProto) { mp.Graph.Node[3].OpType = proto.String("Sigmoid") }), `node 4 (Sigmoid "matmul`},
		"opset 6":  {edit(func(mp *onnxpb.ModelProto) { mp.OpsetImport[0].Version = proto.Int64(6) }), "opset 6 is too old"},
		"opset 26": {edit(func(mp *onnxpb.ModelProto) { mp.OpsetImport[0].Version = proto.Int64(26) }), "opset 26 is newer"},
		"const / x": {edit(func(mp *onnxpb.ModelProto) {
			in := mp.Graph.Node[1].Input
			in[0], in[1] = in[1], in[0]
		}), "a Div of a constant by the value"},
		"symbolic inner dim": {edit(func(mp *onnxpb.ModelProto) {
			mp.Graph.Input[0].Type.GetTensorType().Shape.Dim[2].Value = &onnxpb.TensorShapeProto_Dimension_DimParam{DimParam: "h"}
		}), "dimension 2 of input"},
		"branch": {edit(func(mp *onnxpb.ModelProto) { mp.Graph.Node[2].Input[0] = "x" }), "neither the chain's current value"},
		"bad broadcast": {edit(func(mp *onnxpb.ModelProto) {
			mp.Graph.Initializer[0].Dims = []int64{1, 1, 3, 1}
		}), "do not multiply"},
	}
	for name, c := range cases {
		_, err := ReadONNX(c.b, []string{"a", "b"})
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
}

// Max(x, c) with a nonzero c is ReLU(x − c) + c, and −∞ is the identity.
func TestImportMaxConstant(t *testing.T) {
	net := randomNet(rand.New(rand.NewPCG(9, 9)), 2)
	b := idiomONNX(net, "gemm", 17)
	var mp onnxpb.ModelProto
	if err := proto.Unmarshal(b, &mp); err != nil {
		t.Fatal(err)
	}
	// y = Max(net(x), c) with c = (1/4, −∞, …)
	g := mp.Graph
	out := net.OutputDim()
	c := make([]float32, out)
	for j := range c {
		c[j] = 0.25
		if j == 1 {
			c[j] = float32(math.Inf(-1))
		}
	}
	g.Node[len(g.Node)-1].Output[0] = "z"
	g.Initializer = append(g.Initializer, f32("cmax", []int64{int64(out)}, c))
	g.Node = append(g.Node, &onnxpb.NodeProto{OpType: proto.String("Max"), Input: []string{"cmax", "z"}, Output: []string{"y"}})
	b, _ = proto.Marshal(&mp)
	m, err := ReadONNX(b, []string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	xs := [][]float64{{0.5, -1}, {2, 0.25}, {-3, 1.5}}
	got, err := nn.EvalExact(context.Background(), m.Net, xs, nil)
	if err != nil {
		t.Fatal(err)
	}
	want, err := nn.EvalExact(context.Background(), net, xs, nil)
	if err != nil {
		t.Fatal(err)
	}
	for p := range xs {
		for j := range want[p] {
			w := want[p][j]
			if j != 1 && w.Cmp(big.NewRat(1, 4)) < 0 {
				w = big.NewRat(1, 4)
			}
			if got[p][j].Cmp(w) != 0 {
				t.Errorf("point %d output %d: %s, want %s", p, j, got[p][j].RatString(), w.RatString())
			}
		}
	}
}

// A graph of many constant operations on a wide value is refused before its
// work exceeds the memory limit (every value an operation makes counts).
func TestImportManyNodesBounded(t *testing.T) {
	limits.SetMemory(8 << 20)
	defer limits.Reset()
	const width, nodes = 4000, 2000
	g := &onnxpb.GraphProto{Input: []*onnxpb.ValueInfoProto{shapeInfo("x", 1, width)}}
	g.Initializer = append(g.Initializer, f32("one", nil, []float32{1}))
	cur := "x"
	for k := 0; k < nodes; k++ {
		out := "v" + strconv.Itoa(k)
		g.Node = append(g.Node, &onnxpb.NodeProto{OpType: proto.String("Add"), Input: []string{cur, "one"}, Output: []string{out}})
		cur = out
	}
	g.Output = []*onnxpb.ValueInfoProto{{Name: proto.String(cur)}}
	b, _ := proto.Marshal(&onnxpb.ModelProto{Graph: g, OpsetImport: []*onnxpb.OperatorSetIdProto{{Version: proto.Int64(13)}}})
	start := time.Now()
	_, err := ReadONNX(b, nil)
	if err == nil || !strings.Contains(err.Error(), "--max-memory") {
		t.Fatalf("%v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("refused after %v", d)
	}
}

// A done context stops an import.
func TestImportContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := ImportContext(ctx, "testdata/vnncomp/test_sat.onnx", nil); !errors.Is(err, context.Canceled) {
		t.Errorf("%v", err)
	}
}
