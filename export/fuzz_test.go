package export

import (
	"math/rand/v2"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/memnet/memnet/export/onnxpb"
	"github.com/memnet/memnet/limits"
	"github.com/memnet/memnet/nn"
)

// wideReluONNX is a model of one Relu on an input declared width wide.
func wideReluONNX(width int64) []byte {
	dim := func(v int64) *onnxpb.TensorShapeProto_Dimension {
		return &onnxpb.TensorShapeProto_Dimension{Value: &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: v}}
	}
	b, _ := proto.Marshal(&onnxpb.ModelProto{
		OpsetImport: []*onnxpb.OperatorSetIdProto{{Version: proto.Int64(17)}},
		Graph: &onnxpb.GraphProto{
			Node: []*onnxpb.NodeProto{{OpType: proto.String("Relu"), Input: []string{"x"}, Output: []string{"y"}}},
			Input: []*onnxpb.ValueInfoProto{{Name: proto.String("x"), Type: &onnxpb.TypeProto{Value: &onnxpb.TypeProto_TensorType{TensorType: &onnxpb.TypeProto_Tensor{
				ElemType: proto.Int32(1), Shape: &onnxpb.TensorShapeProto{Dim: []*onnxpb.TensorShapeProto_Dimension{dim(1), dim(width)}}}}}}},
			Output: []*onnxpb.ValueInfoProto{{Name: proto.String("y")}},
		},
	})
	return b
}

// The importers must return an error, never panic, on any bytes, and their
// errors are one line.

func fuzzSeeds(f *testing.F, format string) {
	m := small()
	for _, dt := range []Dtype{Float64, Float32} {
		if format == JSON {
			b, _ := JSONBytes(m)
			f.Add(b)
			break
		}
		b, err := Bytes(m, format, dt)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)/3])
	}
	f.Add([]byte{})
	f.Add([]byte("\x93NUMPY\x01\x00\x10\x00{'descr': '<f8'}"))
}

// fuzzMemory is the memory limit the import fuzz targets run under; an
// import may allocate (in total, garbage included) at most a few times the
// limit plus a constant per input byte.
const fuzzMemory = 8 << 20

func fuzzImport(f *testing.F, format string) {
	fuzzSeeds(f, format)
	f.Add(wideReluONNX(100_000)) // issue 14: an identity of width² before any size check
	if format == ONNX {
		r := rand.New(rand.NewPCG(4, 4))
		for _, idiom := range idioms {
			f.Add(idiomONNX(randomNet(r, 3), idiom, 13))
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		limits.SetMemory(fuzzMemory)
		defer limits.Reset()
		var m *nn.Model
		var err error
		if got := limits.Allocated(func() { m, err = ImportBytes(b, format, nil) }); got > 4*fuzzMemory+64*uint64(len(b))+1<<20 {
			t.Fatalf("allocated %d bytes for %d input bytes under a %d-byte memory limit", got, len(b), fuzzMemory)
		}
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error of several lines: %q", err)
			}
			return
		}
		if err := m.Net.Check(); err != nil {
			t.Fatalf("imported an invalid network: %v", err)
		}
	})
}

func FuzzImportONNX(f *testing.F)        { fuzzImport(f, ONNX) }
func FuzzImportNPZ(f *testing.F)         { fuzzImport(f, NPZ) }
func FuzzImportSafetensors(f *testing.F) { fuzzImport(f, Safetensors) }
func FuzzImportJSON(f *testing.F)        { fuzzImport(f, JSON) }

// FuzzReadNPY fuzzes the .npy decoder alone.
func FuzzReadNPY(f *testing.F) {
	f.Add(npyFloats([]float64{1, 2, 3, 4}, []int{2, 2}, Float64))
	f.Add(npyStrings([]string{"ab", "c"}, []int{2}))
	f.Add(npyBytes(">f4", []int{1}, []byte{0x3f, 0x80, 0, 0}))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := readNPY(strings.NewReader(string(b)), int64(len(b)))
		if err == nil && a.size() != len(a.nums)+len(a.strs) {
			t.Fatalf("size %d, %d numbers, %d strings", a.size(), len(a.nums), len(a.strs))
		}
	})
}
