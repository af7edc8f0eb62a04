package export

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
)

// NPZBytes writes m as a NumPy .npz archive (compressed, as np.savez_compressed):
// W{k} (out × in) and b{k} in dtype, act{k} (uint8 codes, see the package
// comment), classes (a string array: class index → label) and meta (a 0-d
// string array holding Meta as JSON).
func NPZBytes(m *nn.Model, dtype Dtype) ([]byte, error) {
	if err := m.Net.Check(); err != nil {
		return nil, err
	}
	v := CheckWeights(m.Net, dtype)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name string, data []byte) error {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name + ".npy", Method: zip.Deflate, Modified: time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	}
	for k, l := range floatLayers(m.Net, dtype) {
		if err := add(fmt.Sprintf("W%d", k), npyFloats(l.w, []int{l.out, l.in}, dtype)); err != nil {
			return nil, err
		}
		if err := add(fmt.Sprintf("b%d", k), npyFloats(l.b, []int{l.out}, dtype)); err != nil {
			return nil, err
		}
		if err := add(fmt.Sprintf("act%d", k), npyBytes("|u1", []int{l.out}, l.act)); err != nil {
			return nil, err
		}
	}
	if err := add("classes", npyStrings(m.Classes, []int{len(m.Classes)})); err != nil {
		return nil, err
	}
	if err := add("meta", npyStrings([]string{newMeta(m, string(dtype), v.Rounded).json()}, nil)); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// SafetensorsBytes writes m in the safetensors format: the tensors W{k},
// b{k} (F64 or F32) and act{k} (U8) in that order, and __metadata__ with
// "memnet" (Meta as JSON), "classes" (a JSON array) and "output".
func SafetensorsBytes(m *nn.Model, dtype Dtype) ([]byte, error) {
	if err := m.Net.Check(); err != nil {
		return nil, err
	}
	v := CheckWeights(m.Net, dtype)
	meta := newMeta(m, string(dtype), v.Rounded)
	fdt := "F64"
	if dtype == Float32 {
		fdt = "F32"
	}
	var hdr bytes.Buffer
	var data bytes.Buffer
	hdr.WriteString("{")
	md, _ := json.Marshal(map[string]string{"memnet": meta.json(), "classes": jsonString(m.Classes), "output": meta.Output})
	hdr.WriteString(`"__metadata__":`)
	hdr.Write(md)
	entry := func(name, dt string, shape []int, b []byte) {
		start := data.Len()
		data.Write(b)
		sh, _ := json.Marshal(shape)
		fmt.Fprintf(&hdr, `,%q:{"dtype":%q,"shape":%s,"data_offsets":[%d,%d]}`, name, dt, sh, start, data.Len())
	}
	for k, l := range floatLayers(m.Net, dtype) {
		entry(fmt.Sprintf("W%d", k), fdt, []int{l.out, l.in}, floatBytes(l.w, dtype))
		entry(fmt.Sprintf("b%d", k), fdt, []int{l.out}, floatBytes(l.b, dtype))
		entry(fmt.Sprintf("act%d", k), "U8", []int{l.out}, l.act)
	}
	hdr.WriteString("}")
	for hdr.Len()%8 != 0 {
		hdr.WriteByte(' ')
	}
	out := binary.LittleEndian.AppendUint64(nil, uint64(hdr.Len()))
	out = append(out, hdr.Bytes()...)
	return append(out, data.Bytes()...), nil
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// maxMembers bounds the number of arrays read from an archive.
const maxMembers = 1 << 20

// ReadNPZ reads an .npz archive in the export layout (W{k}, b{k}, optional
// act{k}, classes, meta) as a network with the exact values of its floats.
func ReadNPZ(b []byte, classes []string) (*nn.Model, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, fmt.Errorf("not an .npz (zip) archive: %v", err)
	}
	if len(zr.File) > maxMembers {
		return nil, fmt.Errorf("npz: %d members is too many", len(zr.File))
	}
	members := map[string]*zip.File{}
	for _, f := range zr.File {
		k := strings.TrimSuffix(f.Name, ".npy")
		if members[k] != nil {
			// numpy.load would take the last one silently
			return nil, fmt.Errorf("npz: the archive holds two arrays named %q: refusing to guess which one is meant", k)
		}
		members[k] = f
	}
	used := map[string]bool{}
	read := func(name string) (*ndarray, error) {
		f, ok := members[name]
		if !ok {
			return nil, nil
		}
		used[name] = true
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("npz: member %q: %v", f.Name, err)
		}
		defer rc.Close()
		a, err := readNPY(rc, int64(len(b))*1032+1<<20) // deflate expands at most ~1032×
		if err != nil {
			return nil, fmt.Errorf("npz: member %q: %v", f.Name, err)
		}
		return a, nil
	}
	ts := tensorSet{read: read, file: "npz"}
	var metaJSON string
	if a, err := read("meta"); err != nil {
		return nil, err
	} else if a != nil {
		if len(a.strs) != 1 {
			return nil, fmt.Errorf("npz: meta is a %s; want one string", a.describe())
		}
		metaJSON = a.strs[0]
	}
	if classes == nil {
		if a, err := read("classes"); err != nil {
			return nil, err
		} else if a != nil {
			if a.strs == nil || len(a.shape) != 1 {
				return nil, fmt.Errorf("npz: classes is a %s; want a 1-d string array", a.describe())
			}
			classes = a.strs
		}
	}
	net, err := ts.network()
	if err != nil {
		return nil, err
	}
	if err := unusedArrays("npz", members, used, classes != nil); err != nil {
		return nil, err
	}
	return importedModel(net, NPZ, metaJSON, classes)
}

// ReadSafetensors reads a safetensors file in the export layout.
func ReadSafetensors(b []byte, classes []string) (*nn.Model, error) {
	if len(b) < 8 {
		return nil, errors.New("not a safetensors file (too short)")
	}
	n := binary.LittleEndian.Uint64(b)
	if n > uint64(len(b)-8) || n > 100<<20 {
		return nil, fmt.Errorf("not a safetensors file (header length %d, file length %d)", n, len(b))
	}
	var hdr map[string]json.RawMessage
	if err := json.Unmarshal(b[8:8+n], &hdr); err != nil {
		return nil, fmt.Errorf("not a safetensors file (header: %v)", err)
	}
	body := b[8+n:]
	var meta map[string]string
	if raw, ok := hdr["__metadata__"]; ok {
		if err := json.Unmarshal(raw, &meta); err != nil {
			return nil, fmt.Errorf("safetensors: __metadata__: %v", err)
		}
	}
	used := map[string]bool{"__metadata__": true}
	read := func(name string) (*ndarray, error) {
		raw, ok := hdr[name]
		if !ok || name == "__metadata__" {
			return nil, nil
		}
		used[name] = true
		var e struct {
			Dtype   string  `json:"dtype"`
			Shape   []int64 `json:"shape"`
			Offsets []int64 `json:"data_offsets"`
		}
		if err := json.Unmarshal(raw, &e); err != nil {
			return nil, fmt.Errorf("safetensors: tensor %q: %v", name, err)
		}
		descr, size := "", 0 // the NumPy dtype of the items; "" for bfloat16
		switch e.Dtype {
		case "F64":
			descr, size = "<f8", 8
		case "F32":
			descr, size = "<f4", 4
		case "F16":
			descr, size = "<f2", 2
		case "BF16":
			descr, size = "", 2
		case "U8", "BOOL":
			descr, size = "|u1", 1
		case "I8":
			descr, size = "|i1", 1
		case "I16":
			descr, size = "<i2", 2
		case "I32":
			descr, size = "<i4", 4
		case "I64":
			descr, size = "<i8", 8
		default:
			return nil, fmt.Errorf("safetensors: tensor %q has dtype %s; memnet reads float and integer tensors", name, e.Dtype)
		}
		cnt := int64(1)
		a := &ndarray{descr: e.Dtype}
		for _, d := range e.Shape {
			if d < 0 || d > maxImportParams || cnt*d > maxImportParams {
				return nil, fmt.Errorf("safetensors: tensor %q has shape %v, which memnet does not read", name, e.Shape)
			}
			cnt *= d
			a.shape = append(a.shape, int(d))
		}
		if err := checkWeights(fmt.Sprintf("tensor %q (%d values)", name, cnt), cnt); err != nil {
			return nil, fmt.Errorf("safetensors: %w", err)
		}
		if len(e.Offsets) != 2 || e.Offsets[0] < 0 || e.Offsets[1] < e.Offsets[0] || e.Offsets[1] > int64(len(body)) || e.Offsets[1]-e.Offsets[0] != cnt*int64(size) {
			return nil, fmt.Errorf("safetensors: tensor %q: data offsets %v do not fit its shape %v and dtype %s in %d bytes of data", name, e.Offsets, e.Shape, e.Dtype, len(body))
		}
		raw2 := body[e.Offsets[0]:e.Offsets[1]]
		if descr == "" {
			a.nums = make([]float64, cnt)
			for i := range a.nums {
				a.nums[i] = float64(math.Float32frombits(uint32(binary.LittleEndian.Uint16(raw2[2*i:])) << 16))
			}
			return a, nil
		}
		nums, err := data.DecodeNumbers(descr, raw2)
		if err != nil {
			var ie *data.InexactError
			if errors.As(err, &ie) {
				return nil, fmt.Errorf("safetensors: tensor %q: item %d is an integer too large to be exact in float64", name, ie.Index)
			}
			return nil, fmt.Errorf("safetensors: tensor %q: %v", name, err)
		}
		a.nums = nums
		return a, nil
	}
	if classes == nil && meta["classes"] != "" {
		if err := json.Unmarshal([]byte(meta["classes"]), &classes); err != nil {
			return nil, fmt.Errorf("safetensors: metadata classes: %v", err)
		}
	}
	ts := tensorSet{read: read, file: "safetensors"}
	net, err := ts.network()
	if err != nil {
		return nil, err
	}
	if err := unusedArrays("safetensors", hdr, used, false); err != nil {
		return nil, err
	}
	return importedModel(net, Safetensors, meta["memnet"], classes)
}

// unusedArrays refuses an archive holding an array the export layout does
// not read (a W5 after a missing W4, a stray "x"): importing without it
// would silently drop part of what the file holds. classesGiven: the
// command line replaced the file's classes, so its "classes" array is not
// read but expected.
func unusedArrays[V any](file string, all map[string]V, used map[string]bool, classesGiven bool) error {
	var extra []string
	for name := range all {
		if !used[name] && !(classesGiven && name == "classes") {
			extra = append(extra, name)
		}
	}
	if len(extra) == 0 {
		return nil
	}
	sort.Strings(extra)
	if len(extra) > 5 {
		extra = append(extra[:5], fmt.Sprintf("… (%d in all)", len(extra)))
	}
	return fmt.Errorf("%s: arrays %s are not part of the export layout W0, b0, act0, W1, … (read-out last), classes, meta: refusing to import part of the file", file, strings.Join(quoteAll(extra), ", "))
}

func quoteAll(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = strconv.Quote(x)
	}
	return out
}

// tensorSet reads the export layout from named arrays.
type tensorSet struct {
	read func(name string) (*ndarray, error) // nil, nil when absent
	file string
}

func (t tensorSet) network() (*nn.Network, error) {
	var layers []nn.Layer
	in := -1
	var params int64
	for k := 0; ; k++ {
		wn, bn, an := fmt.Sprintf("W%d", k), fmt.Sprintf("b%d", k), fmt.Sprintf("act%d", k)
		w, err := t.read(wn)
		if err != nil {
			return nil, err
		}
		if w == nil {
			if k == 0 {
				return nil, fmt.Errorf("%s: no array W0: memnet reads the layout W0, b0, W1, b1, ... (W{k} of shape (out, in), read-out last)", t.file)
			}
			break
		}
		if w.nums == nil || len(w.shape) != 2 || w.shape[0] < 1 || w.shape[1] < 1 {
			return nil, fmt.Errorf("%s: %s is a %s; want a numeric matrix (out, in)", t.file, wn, w.describe())
		}
		out, n := w.shape[0], w.shape[1]
		if in >= 0 && n != in {
			return nil, fmt.Errorf("%s: %s has %d columns, but the layer before has %d neurons", t.file, wn, n, in)
		}
		if params += int64(out) * int64(n+1); params > maxImportParams {
			return nil, fmt.Errorf("%s: more than %d parameters, which memnet does not import", t.file, maxImportParams)
		}
		if err := checkWeights(fmt.Sprintf("%d parameters", params), params); err != nil {
			return nil, fmt.Errorf("%s: %w", t.file, err)
		}
		b, err := t.read(bn)
		if err != nil {
			return nil, err
		}
		if b == nil {
			return nil, fmt.Errorf("%s: %s has no biases %s", t.file, wn, bn)
		}
		if b.nums == nil || b.size() != out || len(b.shape) > 2 {
			return nil, fmt.Errorf("%s: %s is a %s; want %d biases", t.file, bn, b.describe(), out)
		}
		l := nn.Layer{W: make([][]*big.Rat, out), B: make([]*big.Rat, out), Act: make([]nn.Activation, out)}
		for j := range out {
			l.W[j] = make([]*big.Rat, n)
			for i := range n {
				if l.W[j][i], err = ratOf(w.nums[j*n+i]); err != nil {
					return nil, fmt.Errorf("%s: %s[%d,%d]: %v", t.file, wn, j, i, err)
				}
			}
			if l.B[j], err = ratOf(b.nums[j]); err != nil {
				return nil, fmt.Errorf("%s: %s[%d]: %v", t.file, bn, j, err)
			}
			l.Act[j] = nn.ReLU
		}
		a, err := t.read(an)
		if err != nil {
			return nil, err
		}
		if a != nil {
			if a.size() != out || len(a.shape) > 1 {
				return nil, fmt.Errorf("%s: %s is a %s; want %d activation codes", t.file, an, a.describe(), out)
			}
			for j := range out {
				if a.strs != nil {
					act, ok := actByName(a.strs[j])
					if !ok {
						return nil, fmt.Errorf("%s: %s[%d] is %q; want relu, identity, step or sigmoid", t.file, an, j, a.strs[j])
					}
					l.Act[j] = act
					continue
				}
				c := a.nums[j]
				act, ok := codeToAct[uint8(c)]
				if !ok || c != math.Trunc(c) || c < 0 || c > 255 {
					return nil, fmt.Errorf("%s: %s[%d] is %v; want an activation code 0 (identity), 1 (ReLU), 2 (STEP) or 3 (sigmoid)", t.file, an, j, c)
				}
				l.Act[j] = act
			}
		} else {
			// no codes: the last layer is the read-out, the others ReLU;
			// set below once the last layer is known
			l.Act = nil
		}
		layers = append(layers, l)
		in = out
		if k > maxMembers {
			return nil, fmt.Errorf("%s: too many layers", t.file)
		}
	}
	for k := range layers {
		if layers[k].Act == nil {
			act := nn.ReLU
			if k == len(layers)-1 {
				act = nn.Identity
			}
			layers[k].Act = make([]nn.Activation, layers[k].Out())
			for j := range layers[k].Act {
				layers[k].Act[j] = act
			}
		}
	}
	last := &layers[len(layers)-1]
	affine := true
	for _, a := range last.Act {
		affine = affine && a == nn.Identity
	}
	net := &nn.Network{InputDim: len(layers[0].W[0])}
	if affine {
		net.Hidden, net.Readout = layers[:len(layers)-1], *last
	} else {
		// the last layer has activations: read its outputs through an identity read-out
		net.Hidden, net.Readout = layers, identityLayer(last.Out())
	}
	if err := net.Check(); err != nil {
		return nil, fmt.Errorf("%s: %v", t.file, err)
	}
	return net, nil
}

func identityLayer(n int) nn.Layer {
	l := nn.NewLayer(n, n, nn.Identity)
	for j := range n {
		l.W[j][j].SetInt64(1)
	}
	return l
}

func actByName(s string) (nn.Activation, bool) {
	for _, a := range []nn.Activation{nn.ReLU, nn.Step, nn.Identity, nn.Sigmoid} {
		if strings.EqualFold(s, a.String()) {
			return a, true
		}
	}
	return 0, false
}

// importedModel wraps an imported network: method "import", the source's
// format and method in the options, classes from the argument, else from
// memnet's metadata, else "0", "1", ... for several outputs.
func importedModel(net *nn.Network, format, metaJSON string, classes []string) (*nn.Model, error) {
	m := &nn.Model{Net: net, Method: "import", Options: map[string]string{"source_format": format}}
	if metaJSON != "" {
		var meta Meta
		if err := json.Unmarshal([]byte(metaJSON), &meta); err != nil {
			return nil, fmt.Errorf("%s: memnet metadata: %v", format, err)
		}
		if meta.Method != "" {
			m.Options["source_method"] = meta.Method
		}
		if meta.Dtype != "" {
			m.Options["source_dtype"] = meta.Dtype
		}
		m.Points = meta.Points
		if classes == nil {
			classes = meta.Classes
		}
	}
	if classes == nil {
		if net.OutputDim() == 1 {
			return nil, fmt.Errorf("%s: %w", format, errNoClasses)
		}
		classes = make([]string, net.OutputDim())
		for i := range classes {
			classes[i] = strconv.Itoa(i)
		}
	}
	if len(classes) < 1 {
		return nil, fmt.Errorf("%s: no classes", format)
	}
	if net.OutputDim() > 1 && len(classes) != net.OutputDim() {
		return nil, fmt.Errorf("%s: the network has %d outputs (argmax) but %d classes are named", format, net.OutputDim(), len(classes))
	}
	if err := nn.CheckClasses(classes); err != nil {
		return nil, fmt.Errorf("%s: %v", format, err)
	}
	m.Classes = classes
	return m, nil
}
