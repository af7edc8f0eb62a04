package export

import (
	"context"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/memnet/memnet/construct"
	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/export/onnxpb"
	"github.com/memnet/memnet/nn"
	"github.com/memnet/memnet/pipeline"
)

// shared returns the path of a small real dataset kept in the repository's
// testdata (copies of ../shared/data).
func shared(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join("..", "testdata", name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	return p
}

func build(t testing.TB, file, method string) (*nn.Model, *data.Dataset) {
	t.Helper()
	ds, err := data.Load(data.LoadOptions{Path: shared(t, file)})
	if err != nil {
		t.Fatal(err)
	}
	b, err := pipeline.Build(context.Background(), ds, method, construct.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	return b.Model, ds
}

// small is a hand-made network: 2 inputs, a mixed ReLU/identity layer, a
// ReLU layer, 3 outputs (argmax).
func small() *nn.Model {
	r := func(s string) *big.Rat { v, _ := new(big.Rat).SetString(s); return v }
	l1 := nn.Layer{W: [][]*big.Rat{{r("1"), r("-1/2")}, {r("3/4"), r("1/3")}, {r("0"), r("2")}},
		B: []*big.Rat{r("1/8"), r("-1"), r("0")}, Act: []nn.Activation{nn.ReLU, nn.Identity, nn.ReLU}}
	l2 := nn.Layer{W: [][]*big.Rat{{r("1"), r("1"), r("1")}, {r("-1"), r("1/1024"), r("5")}},
		B: []*big.Rat{r("0"), r("1/2")}, Act: []nn.Activation{nn.ReLU, nn.ReLU}}
	ro := nn.Layer{W: [][]*big.Rat{{r("1"), r("0")}, {r("0"), r("1")}, {r("1/2"), r("1/2")}},
		B: []*big.Rat{r("0"), r("0"), r("-1/16")}, Act: []nn.Activation{nn.Identity, nn.Identity, nn.Identity}}
	return &nn.Model{Net: &nn.Network{InputDim: 2, Hidden: []nn.Layer{l1, l2}, Readout: ro},
		Method: "test", Options: map[string]string{}, Classes: []string{"a", "b", "c"}, Points: 3}
}

// roundedEqual checks that every weight of got is the dtype rounding of want's.
func roundedEqual(t *testing.T, want, got *nn.Network, dtype Dtype) {
	t.Helper()
	wl, gl := want.Layers(), got.Layers()
	if len(wl) != len(gl) || want.InputDim != got.InputDim {
		t.Fatalf("shape: %d layers (input %d), want %d (input %d)", len(gl), got.InputDim, len(wl), want.InputDim)
	}
	round := func(r *big.Rat) *big.Rat {
		if dtype == Float32 {
			f, _ := r.Float32()
			return new(big.Rat).SetFloat64(float64(f))
		}
		f, _ := r.Float64()
		return new(big.Rat).SetFloat64(f)
	}
	for k := range wl {
		if wl[k].Out() != gl[k].Out() || wl[k].In() != gl[k].In() {
			t.Fatalf("layer %d is %d×%d, want %d×%d", k, gl[k].Out(), gl[k].In(), wl[k].Out(), wl[k].In())
		}
		for j := range wl[k].W {
			for i := range wl[k].W[j] {
				if round(wl[k].W[j][i]).Cmp(gl[k].W[j][i]) != 0 {
					t.Fatalf("W%d[%d,%d] = %s, want %s", k, j, i, gl[k].W[j][i].RatString(), round(wl[k].W[j][i]).RatString())
				}
			}
			if round(wl[k].B[j]).Cmp(gl[k].B[j]) != 0 {
				t.Fatalf("b%d[%d] = %s, want %s", k, j, gl[k].B[j], round(wl[k].B[j]))
			}
			if wl[k].Act[j] != gl[k].Act[j] {
				t.Fatalf("act%d[%d] = %v, want %v", k, j, gl[k].Act[j], wl[k].Act[j])
			}
		}
	}
}

func TestRoundTripSmall(t *testing.T) {
	m := small()
	for _, f := range []string{ONNX, NPZ, Safetensors} {
		for _, dt := range []Dtype{Float64, Float32} {
			b, err := Bytes(m, f, dt)
			if err != nil {
				t.Fatalf("%s %s: %v", f, dt, err)
			}
			if Sniff(b) != f {
				t.Errorf("%s: sniffed as %s", f, Sniff(b))
			}
			got, err := ImportBytes(b, f, nil)
			if err != nil {
				t.Fatalf("%s %s import: %v", f, dt, err)
			}
			roundedEqual(t, m.Net, got.Net, dt)
			if strings.Join(got.Classes, ",") != "a,b,c" || got.Method != "import" || got.Options["source_method"] != "test" {
				t.Errorf("%s: classes %v method %s options %v", f, got.Classes, got.Method, got.Options)
			}
		}
	}
	b, err := JSONBytes(m)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ReadJSON(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	exactEqual(t, m, got)
}

func exactEqual(t *testing.T, want, got *nn.Model) {
	t.Helper()
	var a, b strings.Builder
	if err := want.Encode(&a); err != nil {
		t.Fatal(err)
	}
	if err := got.Encode(&b); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() {
		t.Fatal("the JSON round trip does not reproduce the .mnet file byte for byte")
	}
}

// TestNPZRoundTripHZ: .mnet → NPZ (float64) → import → .mnet reproduces every
// float64 weight exactly, and the imported network is still exact on iris.
func TestNPZRoundTripHZ(t *testing.T) {
	m, ds := build(t, "iris.csv", "hz")
	dir := t.TempDir()
	b, err := NPZBytes(m, Float64)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "iris.npz")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	got, format, err := Import(p, nil)
	if err != nil || format != NPZ {
		t.Fatal(format, err)
	}
	q := filepath.Join(dir, "back.mnet")
	if err := got.Save(q); err != nil {
		t.Fatal(err)
	}
	back, err := nn.Load(q)
	if err != nil {
		t.Fatal(err)
	}
	roundedEqual(t, m.Net, back.Net, Float64)
	// the float64 view of the imported network is the float64 view of the original
	f0, f1 := m.Net.Float64(), back.Net.Float64()
	for k := range m.Net.Layers() {
		w0, b0 := f0.Layer(k)
		w1, b1 := f1.Layer(k)
		for i := range w0 {
			if w0[i] != w1[i] {
				t.Fatalf("layer %d weight %d: %v != %v", k, i, w0[i], w1[i])
			}
		}
		for i := range b0 {
			if b0[i] != b1[i] {
				t.Fatalf("layer %d bias %d: %v != %v", k, i, b0[i], b1[i])
			}
		}
	}
	v, err := pipeline.Verify(context.Background(), back, ds, pipeline.VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !v.Exact {
		t.Errorf("the float64 rounding of the iris HZ network is not exact: %d of %d", v.ExactCorrect, v.DistinctPoints)
	}
	// ONNX float64 reads back to the same network
	ob, err := ONNXBytes(m, Float64)
	if err != nil {
		t.Fatal(err)
	}
	om, err := ReadONNX(ob, nil)
	if err != nil {
		t.Fatal(err)
	}
	roundedEqual(t, m.Net, om.Net, Float64)
}

func TestVerdictHZ(t *testing.T) {
	m, ds := build(t, "iris.csv", "hz")
	v := CheckWeights(m.Net, Float64)
	if v.Rounded == 0 || len(v.NotRepresentable) == 0 {
		t.Fatalf("no rounded weight in the HZ iris network: %+v", v)
	}
	if err := v.Refusal(false); !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "--data") {
		t.Errorf("rounded weights without data: %v", err)
	}
	if err := v.Refusal(true); err != nil {
		t.Errorf("--force: %v", err)
	}
	exact, err := ExactClasses(context.Background(), m.Net, len(m.Classes), ds.X, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.CheckPoints(context.Background(), m.Net, len(m.Classes), ds.X, exact); err != nil {
		t.Fatal(err)
	}
	if !v.Checked || v.Points != ds.N() || v.Changed != 0 || v.Refusal(false) != nil {
		t.Errorf("float64 verdict on iris: %s (%v)", v.Summary(), v.Refusal(false))
	}
	// a network whose weights are all floats needs no data
	small := small()
	small.Net.Hidden[0].W[1][1].SetFloat64(0.25)
	if v := CheckWeights(small.Net, Float64); v.Rounded != 0 || v.Refusal(false) != nil {
		t.Errorf("exact weights: %s", v.Summary())
	}
}

// TestVardi: a Vardi network is refused in float64 (its weights have far more
// bits than float64 holds and points change), and the exact JSON export
// reads back to a network that verify finds exact.
func TestVardi(t *testing.T) {
	m, ds := build(t, "digits.csv.gz", "vardi")
	v := CheckWeights(m.Net, Float64)
	exact, err := ExactClasses(context.Background(), m.Net, len(m.Classes), ds.X, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.CheckPoints(context.Background(), m.Net, len(m.Classes), ds.X, exact); err != nil {
		t.Fatal(err)
	}
	err = v.Refusal(false)
	if !errors.Is(err, ErrRefused) || v.Changed == 0 || v.MaxBits <= 53 {
		t.Fatalf("vardi float64 verdict: %s, %v", v.Summary(), err)
	}
	t.Logf("refusal: %v", err)
	b, err := JSONBytes(m)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ImportBytes(b, Sniff(b), nil)
	if err != nil {
		t.Fatal(err)
	}
	exactEqual(t, m, got)
	r, err := pipeline.Verify(context.Background(), got, ds, pipeline.VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Exact {
		t.Errorf("vardi JSON round trip is not exact: %d of %d", r.ExactCorrect, r.DistinctPoints)
	}
}

func TestSTEPRefusedForONNX(t *testing.T) {
	m := small()
	m.Net.Hidden[1].Act[0] = nn.Step
	if _, err := ONNXBytes(m, Float64); err == nil || !strings.Contains(err.Error(), "STEP") {
		t.Errorf("STEP network: %v", err)
	}
	// the tensor formats carry the activation
	b, err := NPZBytes(m, Float64)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ReadNPZ(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Net.Hidden[1].Act[0] != nn.Step {
		t.Errorf("act = %v", got.Net.Hidden[1].Act[0])
	}
}

func TestImportErrors(t *testing.T) {
	m := small()
	ob, _ := ONNXBytes(m, Float32)
	for name, tc := range map[string]struct {
		b      []byte
		format string
		want   string
	}{
		"garbage onnx": {[]byte("hello"), ONNX, "not an ONNX model"},
		"truncated":    {ob[:len(ob)/2], ONNX, "not an ONNX model"},
		"npz garbage":  {[]byte("PK\x03\x04xx"), NPZ, "not an .npz"},
		"json":         {[]byte(`{"format":"memnet-exact-json","version":1,"input_dim":1,"classes":["a"],"layers":[{"activation":"identity","W":[["0.5"]],"b":["0"]}]}`), JSON, "not an exact rational"},
		"safetensors":  {[]byte("\x05\x00\x00\x00\x00\x00\x00\x00{}"), Safetensors, "not a safetensors"},
	} {
		_, err := ImportBytes(tc.b, tc.format, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v (want one line with %q)", name, err, tc.want)
		}
	}
	// one output and no class names
	m1 := small()
	m1.Net.Readout = identityLayer(2)
	m1.Net.Readout.W = m1.Net.Readout.W[:1]
	m1.Net.Readout.B = m1.Net.Readout.B[:1]
	m1.Net.Readout.Act = m1.Net.Readout.Act[:1]
	var tensors = map[string]*ndarray{}
	for k, l := range floatLayers(m1.Net, Float64) {
		tensors[name("W", k)] = &ndarray{descr: "<f8", shape: []int{l.out, l.in}, nums: l.w}
		tensors[name("b", k)] = &ndarray{descr: "<f8", shape: []int{l.out}, nums: l.b}
	}
	net, err := tensorSet{read: func(n string) (*ndarray, error) { return tensors[n], nil }, file: "npz"}.network()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := importedModel(net, NPZ, "", nil); err == nil || !strings.Contains(err.Error(), "--classes") {
		t.Errorf("one output, no classes: %v", err)
	}
}

func name(p string, k int) string { return p + string(rune('0'+k)) }

// TestImportMatMulChain reads an ONNX graph written by hand the way
// PyTorch-style exporters do: MatMul with (in, out) weights, Add, Relu, typed
// float_data, no memnet metadata.
func TestImportMatMulChain(t *testing.T) {
	f := func(name string, dims []int64, v ...float32) *onnxpb.TensorProto {
		return &onnxpb.TensorProto{Name: proto.String(name), Dims: dims, DataType: proto.Int32(int32(onnxpb.TensorProto_FLOAT)), FloatData: v}
	}
	node := func(op string, in []string, out string) *onnxpb.NodeProto {
		return &onnxpb.NodeProto{OpType: proto.String(op), Input: in, Output: []string{out}}
	}
	g := &onnxpb.GraphProto{
		Input:  []*onnxpb.ValueInfoProto{valueInfo("input", onnxpb.TensorProto_FLOAT, 2)},
		Output: []*onnxpb.ValueInfoProto{valueInfo("out", onnxpb.TensorProto_FLOAT, 1)},
		Initializer: []*onnxpb.TensorProto{
			f("w1", []int64{2, 3}, 1, 0.5, 0, -1, 0.25, 2), f("c1", []int64{3}, 0.125, -0.5, 1),
			f("w2", []int64{3, 1}, 1, 2, -0.75), f("c2", []int64{1, 1}, 0.5),
		},
		Node: []*onnxpb.NodeProto{
			node("MatMul", []string{"input", "w1"}, "a"), node("Add", []string{"a", "c1"}, "b"),
			node("Relu", []string{"b"}, "h"), node("MatMul", []string{"h", "w2"}, "d"),
			node("Add", []string{"c2", "d"}, "out"),
		},
	}
	b, err := proto.Marshal(&onnxpb.ModelProto{IrVersion: proto.Int64(7), Graph: g})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ReadONNX(b, nil); err == nil || !strings.Contains(err.Error(), "--classes") {
		t.Errorf("no classes: %v", err)
	}
	m, err := ReadONNX(b, []string{"no", "yes"})
	if err != nil {
		t.Fatal(err)
	}
	n := m.Net
	if n.InputDim != 2 || len(n.Hidden) != 1 || n.Hidden[0].Out() != 3 || n.OutputDim() != 1 {
		t.Fatalf("shape: input %d, %d hidden, out %d", n.InputDim, len(n.Hidden), n.OutputDim())
	}
	// W (out × in) is the transpose of MatMul's (in × out)
	if n.Hidden[0].W[1][0].Cmp(big.NewRat(1, 2)) != 0 || n.Hidden[0].W[0][1].Cmp(big.NewRat(-1, 1)) != 0 ||
		n.Hidden[0].B[1].Cmp(big.NewRat(-1, 2)) != 0 || n.Readout.W[0][2].Cmp(big.NewRat(-3, 4)) != 0 ||
		n.Readout.B[0].Cmp(big.NewRat(1, 2)) != 0 || n.Hidden[0].Act[0] != nn.ReLU {
		t.Errorf("weights: %v %v", n.Hidden[0].W, n.Readout.W)
	}
	// an unsupported operator is a one-line error naming the node
	g.Node[2].OpType = proto.String("Sigmoid")
	b, _ = proto.Marshal(&onnxpb.ModelProto{Graph: g})
	if _, err := ReadONNX(b, []string{"a"}); err == nil || !strings.Contains(err.Error(), "node 3 (Sigmoid") {
		t.Errorf("Sigmoid: %v", err)
	}
}
