package export

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/memnet/memnet/limits"
	"github.com/memnet/memnet/nn"
)

// Bytes encodes m in format (dtype is ignored for JSON, which is exact).
// It does not judge the rounding: see CheckWeights and Verdict.
func Bytes(m *nn.Model, format string, dtype Dtype) ([]byte, error) {
	switch format {
	case ONNX:
		return ONNXBytes(m, dtype)
	case NPZ:
		return NPZBytes(m, dtype)
	case Safetensors:
		return SafetensorsBytes(m, dtype)
	case JSON:
		return JSONBytes(m)
	}
	return nil, fmt.Errorf("unknown export format %q", format)
}

// maxImportFile bounds the size of a file Import reads.
const maxImportFile = 2 << 30

// Import reads a network from an ONNX, .npz, safetensors or exact JSON file;
// the format comes from the extension, or else from the file's first bytes.
// classes, when not nil, names the classes (see ReadONNX).
func Import(path string, classes []string) (*nn.Model, string, error) {
	return ImportContext(context.Background(), path, classes)
}

// ImportContext is Import returning ctx's error soon after ctx is done (an
// ONNX graph is checked between nodes and rows of its affine maps).
func ImportContext(ctx context.Context, path string, classes []string) (*nn.Model, string, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, "", err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, "", err
	}
	if st.IsDir() {
		return nil, "", fmt.Errorf("%s is a directory", path)
	}
	if st.Size() > maxImportFile {
		return nil, "", fmt.Errorf("%s: %d bytes is more than memnet imports", path, st.Size())
	}
	if lim := limits.InputBytes(); st.Size() > lim {
		return nil, "", fmt.Errorf("%s: %w", path, &limits.Error{What: "the file", Need: st.Size(), Limit: lim, Flag: limits.InputBytesFlag, Kind: "size"})
	}
	b, err := io.ReadAll(fh)
	if err != nil {
		return nil, "", err
	}
	name := path
	if bytes.HasPrefix(b, []byte{0x1f, 0x8b}) { // gzip, as VNN-COMP publishes its networks
		if b, err = gunzip(b); err != nil {
			return nil, "", fmt.Errorf("%s: %v", path, err)
		}
		name = strings.TrimSuffix(strings.TrimSuffix(path, ".gz"), ".GZ")
	}
	format, ferr := FormatFromPath(name)
	if ferr != nil {
		format = Sniff(b)
	}
	m, err := importBytes(ctx, b, format, classes)
	if err != nil {
		return nil, format, fmt.Errorf("%s: %w", path, err)
	}
	return m, format, nil
}

// errNoClasses is a one-output network whose file names no classes.
var errNoClasses = errors.New("the network has one output (a class index by rounding) and the file names no classes: give them with --classes")

// ImportNet is Import for a use that needs the network and not its classes
// (memnet check): a one-output network without class names gets "0", "1".
func ImportNet(ctx context.Context, path string) (*nn.Model, string, error) {
	m, f, err := ImportContext(ctx, path, nil)
	if errors.Is(err, errNoClasses) {
		return ImportContext(ctx, path, []string{"0", "1"})
	}
	return m, f, err
}

// gunzip decompresses b, at most as many bytes as Import reads from a file.
func gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("gzip: %v", err)
	}
	lim := min(int64(maxImportFile), limits.InputBytes())
	out, err := io.ReadAll(io.LimitReader(zr, lim+1))
	if err != nil {
		return nil, fmt.Errorf("gzip: %v", err)
	}
	if int64(len(out)) > lim {
		return nil, fmt.Errorf("gzip: %w", &limits.Error{What: "the decompressed file", Need: int64(len(out)), Limit: lim, Flag: limits.InputBytesFlag, Kind: "size"})
	}
	return out, nil
}

// bytesPerWeight bounds the memory one imported value costs: its float64,
// the *big.Rat it becomes (with its words), and its slot in a layer.
const bytesPerWeight = 112

// checkWeights refuses, before they are allocated, n imported values whose
// memory would exceed limits.Memory.
func checkWeights(what string, n int64) error {
	return limits.CheckMemory("importing "+what, limits.Mul(n, bytesPerWeight))
}

// Sniff guesses a file's format from its first bytes.
func Sniff(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("PK\x03\x04")) || bytes.HasPrefix(b, []byte("PK\x05\x06")):
		return NPZ
	case len(bytes.TrimLeft(b, " \t\r\n")) > 0 && bytes.TrimLeft(b, " \t\r\n")[0] == '{':
		return JSON
	case len(b) >= 9 && b[8] == '{' && binary.LittleEndian.Uint64(b) <= uint64(len(b)-8):
		return Safetensors
	}
	return ONNX
}

// ImportBytes reads a network in the given format from memory.
func ImportBytes(b []byte, format string, classes []string) (*nn.Model, error) {
	return importBytes(context.Background(), b, format, classes)
}

func importBytes(ctx context.Context, b []byte, format string, classes []string) (*nn.Model, error) {
	var m *nn.Model
	var err error
	switch format {
	case ONNX:
		m, err = readONNX(ctx, b, classes)
	case NPZ:
		m, err = ReadNPZ(b, classes)
	case Safetensors:
		m, err = ReadSafetensors(b, classes)
	case JSON:
		m, err = ReadJSON(b, classes)
	default:
		return nil, fmt.Errorf("unknown import format %q", format)
	}
	if err != nil {
		return nil, err
	}
	if m.Method == "" {
		m.Method = "import"
	}
	if m.Options == nil {
		m.Options = map[string]string{}
	}
	return m, nil
}
