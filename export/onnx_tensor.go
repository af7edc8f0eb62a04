package export

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"

	"github.com/memnet/memnet/export/onnxpb"
	"github.com/memnet/memnet/limits"
)

// maxImportParams bounds the size of an imported network (weights and
// biases), so that a small malformed file cannot ask for huge matrices.
const maxImportParams = 1 << 27

// onnxConst is a constant tensor of an ONNX graph: float values widened
// exactly to float64 (float16, bfloat16, float32 and float64 all are), or
// integers (int32, int64: shapes), or exact rationals made by folding.
type onnxConst struct {
	dims  []int64
	vals  []float64
	ints  []int64 // integer tensors (shapes); vals is nil then
	rats  []*big.Rat
	isInt bool
}

func (c *onnxConst) size() int {
	if c.isInt {
		return len(c.ints)
	}
	if c.rats != nil {
		return len(c.rats)
	}
	return len(c.vals)
}

// rat is value i as an exact rational (an error for NaN and ±∞).
func (c *onnxConst) rat(i int) (*big.Rat, error) {
	if c.rats == nil {
		c.rats = make([]*big.Rat, c.size())
	}
	if r := c.rats[i]; r != nil {
		return r, nil
	}
	var v float64
	if c.isInt {
		c.rats[i] = new(big.Rat).SetInt64(c.ints[i])
		return c.rats[i], nil
	}
	v = c.vals[i]
	r, err := ratOf(v)
	if err != nil {
		return nil, err
	}
	c.rats[i] = r
	return r, nil
}

// float is value i as a float64 when it is one (NaN and ±∞ included);
// folded constants report ok = false.
func (c *onnxConst) float(i int) (float64, bool) {
	if c.vals != nil {
		return c.vals[i], true
	}
	if c.isInt {
		return float64(c.ints[i]), true
	}
	return 0, false
}

func ratOf(v float64) (*big.Rat, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil, fmt.Errorf("a weight is %v", v)
	}
	return new(big.Rat).SetFloat64(v), nil
}

// tensorSize is the number of values a tensor's shape declares (saturating).
func tensorSize(t *onnxpb.TensorProto) int64 {
	n := int64(1)
	for _, d := range t.GetDims() {
		n = limits.Mul(n, d)
	}
	return n
}

// halfBits is the exact value of an IEEE binary16 number.
func halfBits(h uint16) float64 {
	exp, frac := int(h>>10)&0x1f, float64(h&0x3ff)
	var v float64
	switch exp {
	case 0:
		v = math.Ldexp(frac, -24)
	case 31:
		v = math.Inf(1)
		if frac != 0 {
			v = math.NaN()
		}
	default:
		v = math.Ldexp(frac+1024, exp-25)
	}
	if h&0x8000 != 0 {
		v = -v
	}
	return v
}

// bfloatBits is the exact value of a bfloat16 number (the top half of a float32).
func bfloatBits(h uint16) float64 {
	return float64(math.Float32frombits(uint32(h) << 16))
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
	raw := t.GetRawData()
	dt := onnxpb.TensorProto_DataType(t.GetDataType())
	width := map[onnxpb.TensorProto_DataType]int64{
		onnxpb.TensorProto_FLOAT: 4, onnxpb.TensorProto_DOUBLE: 8, onnxpb.TensorProto_FLOAT16: 2,
		onnxpb.TensorProto_BFLOAT16: 2, onnxpb.TensorProto_INT64: 8, onnxpb.TensorProto_INT32: 4,
	}[dt]
	if width == 0 {
		return nil, fmt.Errorf("onnx: tensor %q has element type %s; memnet imports float16, bfloat16, float and double weights (and int32/int64 shapes)", name, dt)
	}
	count := func(have int, what string) error {
		if int64(have) != n {
			return fmt.Errorf("onnx: tensor %q of shape %v has %d %s, want %d", name, t.GetDims(), have, what, n)
		}
		return nil
	}
	if raw != nil {
		if int64(len(raw)) != width*n {
			return nil, fmt.Errorf("onnx: tensor %q of shape %v has %d bytes of %s data, want %d", name, t.GetDims(), len(raw), dt, width*n)
		}
	}
	switch dt {
	case onnxpb.TensorProto_INT64, onnxpb.TensorProto_INT32:
		c.isInt = true
		c.ints = make([]int64, 0, n)
		switch {
		case raw != nil && dt == onnxpb.TensorProto_INT64:
			for i := int64(0); i < n; i++ {
				c.ints = append(c.ints, int64(binary.LittleEndian.Uint64(raw[8*i:])))
			}
		case raw != nil:
			for i := int64(0); i < n; i++ {
				c.ints = append(c.ints, int64(int32(binary.LittleEndian.Uint32(raw[4*i:]))))
			}
		case dt == onnxpb.TensorProto_INT64:
			if err := count(len(t.GetInt64Data()), "int64 values"); err != nil {
				return nil, err
			}
			c.ints = append(c.ints, t.GetInt64Data()...)
		default:
			if err := count(len(t.GetInt32Data()), "int32 values"); err != nil {
				return nil, err
			}
			for _, v := range t.GetInt32Data() {
				c.ints = append(c.ints, int64(v))
			}
		}
		return c, nil
	}
	c.vals = make([]float64, 0, n)
	switch {
	case raw != nil:
		for i := int64(0); i < n; i++ {
			switch dt {
			case onnxpb.TensorProto_FLOAT:
				c.vals = append(c.vals, float64(math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))))
			case onnxpb.TensorProto_DOUBLE:
				c.vals = append(c.vals, math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:])))
			case onnxpb.TensorProto_FLOAT16:
				c.vals = append(c.vals, halfBits(binary.LittleEndian.Uint16(raw[2*i:])))
			default:
				c.vals = append(c.vals, bfloatBits(binary.LittleEndian.Uint16(raw[2*i:])))
			}
		}
	case dt == onnxpb.TensorProto_FLOAT:
		if err := count(len(t.GetFloatData()), "floats"); err != nil {
			return nil, err
		}
		c.vals = widen(t.GetFloatData())
	case dt == onnxpb.TensorProto_DOUBLE:
		if err := count(len(t.GetDoubleData()), "doubles"); err != nil {
			return nil, err
		}
		c.vals = append(c.vals, t.GetDoubleData()...)
	default: // float16 and bfloat16 keep their bits in int32_data
		if err := count(len(t.GetInt32Data()), "16-bit values"); err != nil {
			return nil, err
		}
		for _, v := range t.GetInt32Data() {
			if dt == onnxpb.TensorProto_FLOAT16 {
				c.vals = append(c.vals, halfBits(uint16(v)))
			} else {
				c.vals = append(c.vals, bfloatBits(uint16(v)))
			}
		}
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
		case "value_int":
			return &onnxConst{ints: []int64{a.GetI()}, isInt: true}, nil
		case "value_ints":
			return &onnxConst{dims: []int64{int64(len(a.GetInts()))}, ints: append([]int64(nil), a.GetInts()...), isInt: true}, nil
		}
	}
	return nil, errors.New("only Constant nodes with a tensor, float(s) or int(s) are supported")
}
