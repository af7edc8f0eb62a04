// Package hostile generates the hostile corpus of issue 14: small crafted
// files that asked memnet for unbounded memory or time, forged a verdict,
// overwrote an input or were parsed too leniently. The files are written by
// code (into a test's temporary directory), never checked in: a few lines
// here stand for gigabytes once decompressed.
//
// Every Case is one memnet command line and what it must end with: a
// one-line error containing Want (or, with Stdout, a verdict line), the exit
// status, and the resident memory it may use. Quick cases use small files
// and lowered limits (--max-memory, --max-input-bytes, --max-network-bytes)
// so the whole corpus runs in seconds; Full cases use the sizes of the issue
// and the default limits (see testdata/hostile/README.md).
package hostile

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/memnet/memnet/export/onnxpb"
	"github.com/memnet/memnet/nn"
)

// Case is one hostile input and the outcome memnet must give.
type Case struct {
	// Name is short and unique.
	Name string
	// Issue quotes what the issue observed.
	Issue string
	// Args is the memnet command line (file paths absolute).
	Args []string
	// Want must occur in the one line memnet prints on standard error (or,
	// with Stdout, start its first line of standard output).
	Want   string
	Stdout bool
	// Exit is the expected exit status.
	Exit int
	// MaxRSS bounds the run's peak resident memory, in bytes.
	MaxRSS int64
}

const (
	mib = 1 << 20
	gib = 1 << 30
)

// Cases writes the corpus into dir and returns its cases. full selects the
// issue's sizes with the default limits (slow: gigabytes are decompressed
// or parsed up to the limits); otherwise small files with lowered limits.
func Cases(dir string, full bool) ([]Case, error) {
	g := &gen{dir: dir, full: full}
	var cases []Case
	for _, f := range []func() (Case, error){
		g.csvGzBomb, g.npyGzBomb, g.mnetPadded, g.onnxWideRelu, g.npzZeros, g.verifyWide, g.vardiDeep,
		g.epsHuge, g.epsNaN, g.epsInf, g.epsOverride, g.targetNaN,
		g.outputIsInput, g.outputIsInputLink, g.exportOntoInput, g.importOntoInput, g.outputEmpty, g.outputDir, g.outputMissingDir,
		g.csvAsNetwork,
		g.octal, g.hex, g.binExp, g.underscore,
		g.firstRowEmpty, g.firstRowUnderscore, g.firstRowUTF8, g.firstRowTextLabel,
		g.npzTwoX, g.npyLabelNewline, g.jsonDupClasses,
		g.parkSubnormal, g.parkMixed,
	} {
		c, err := f()
		if err != nil {
			return nil, err
		}
		if c.MaxRSS == 0 {
			c.MaxRSS = 512 * mib
		}
		if c.Exit == 0 && !c.Stdout {
			c.Exit = 1
		}
		cases = append(cases, c)
	}
	return cases, nil
}

type gen struct {
	dir  string
	full bool
}

func (g *gen) path(name string) string { return filepath.Join(g.dir, name) }

func (g *gen) write(name string, b []byte) (string, error) {
	p := g.path(name)
	return p, os.WriteFile(p, b, 0o644)
}

// size picks the quick or the full value.
func (g *gen) size(quick, full int64) int64 {
	if g.full {
		return full
	}
	return quick
}

// limit returns the flag lowering a limit in quick mode (nothing in full mode).
func (g *gen) limit(flag, quick string) []string {
	if g.full {
		return nil
	}
	return []string{flag, quick}
}

// GzipRepeat returns head followed by chunk repeated n times, gzip-compressed
// as one member per piece (a valid multi-member gzip file, which gzip and
// Go's reader decompress as the concatenation): chunk is compressed once, so
// gigabytes of output cost a few milliseconds.
func GzipRepeat(head, chunk []byte, n int64) ([]byte, error) {
	member := func(b []byte) ([]byte, error) {
		var buf bytes.Buffer
		w, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(b); err != nil {
			return nil, err
		}
		if err := w.Close(); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	var out bytes.Buffer
	if len(head) > 0 {
		h, err := member(head)
		if err != nil {
			return nil, err
		}
		out.Write(h)
	}
	c, err := member(chunk)
	if err != nil {
		return nil, err
	}
	for range n {
		out.Write(c)
	}
	return out.Bytes(), nil
}

func (g *gen) csvGzBomb() (Case, error) {
	chunk := bytes.Repeat([]byte("0,0,0,0\n"), mib/8)
	// distinct rows are not needed: the limit must stop the parse first
	n := g.size(64, 3100) // MiB of text
	b, err := GzipRepeat([]byte("a,b,c,label\n"), chunk, n)
	if err != nil {
		return Case{}, err
	}
	p, err := g.write("bomb.csv.gz", b)
	want := "--max-input-bytes"
	if g.full {
		want = "--max-memory" // 3.1 GB is under the 4 GiB input limit; the values are not
	}
	return Case{Name: "csv.gz bomb", Issue: "a 3.1 MB csv.gz that inflates to gigabytes (geometry)",
		Args: append([]string{"geometry", "--data", p}, g.limit("--max-input-bytes", "4MiB")...), Want: want, MaxRSS: g.size(256*mib, 6*gib)}, err
}

// npyHeader returns a version 1.0 .npy header for descr and shape.
func npyHeader(descr, shape string) []byte {
	d := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, shape)
	pad := 64 - (10+len(d)+1)%64
	d += strings.Repeat(" ", pad%64) + "\n"
	h := []byte("\x93NUMPY\x01\x00")
	h = binary.LittleEndian.AppendUint16(h, uint16(len(d)))
	return append(h, d...)
}

func (g *gen) npyGzBomb() (Case, error) {
	rows := g.size(100_000, 4_000_000)
	b, err := GzipRepeat(npyHeader("|u1", fmt.Sprintf("(%d, 1000)", rows)), make([]byte, 1000*1000), rows/1000)
	if err != nil {
		return Case{}, err
	}
	p, err := g.write("bomb.npy.gz", b)
	if err != nil {
		return Case{}, err
	}
	lab, err := g.write("labels.npy", append(npyHeader("|u1", fmt.Sprintf("(%d,)", rows)), make([]byte, rows)...))
	return Case{Name: "npy.gz bomb", Issue: "a 3.9 MB npy.gz that inflates to gigabytes (geometry)",
		Args: append([]string{"geometry", "--data", p, "--labels", lab}, g.limit("--max-memory", "64MiB")...), Want: "--max-memory"}, err
}

func (g *gen) mnetPadded() (Case, error) {
	n := g.size(64, 3200) // MiB of white space
	b, err := GzipRepeat([]byte(`{"format":"memnet",`), bytes.Repeat([]byte(" "), mib), n)
	if err != nil {
		return Case{}, err
	}
	p, err := g.write("padded.mnet", b)
	return Case{Name: ".mnet padded with white space", Issue: "a 3.2 MB .mnet padded with whitespace (inspect: no size cap)",
		Args: append([]string{"inspect", p}, g.limit("--max-network-bytes", "8MiB")...), Want: "--max-network-bytes", MaxRSS: g.size(256*mib, gib)}, err
}

func (g *gen) onnxWideRelu() (Case, error) {
	dim := func(v int64) *onnxpb.TensorShapeProto_Dimension {
		return &onnxpb.TensorShapeProto_Dimension{Value: &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: v}}
	}
	tensor := &onnxpb.TypeProto{Value: &onnxpb.TypeProto_TensorType{TensorType: &onnxpb.TypeProto_Tensor{
		ElemType: proto.Int32(1), Shape: &onnxpb.TensorShapeProto{Dim: []*onnxpb.TensorShapeProto_Dimension{dim(1), dim(100_000)}}}}}
	m := &onnxpb.ModelProto{
		IrVersion:   proto.Int64(8),
		OpsetImport: []*onnxpb.OperatorSetIdProto{{Version: proto.Int64(17)}},
		Graph: &onnxpb.GraphProto{
			Node:   []*onnxpb.NodeProto{{OpType: proto.String("Relu"), Input: []string{"x"}, Output: []string{"y"}}},
			Input:  []*onnxpb.ValueInfoProto{{Name: proto.String("x"), Type: tensor}},
			Output: []*onnxpb.ValueInfoProto{{Name: proto.String("y")}},
		},
	}
	b, err := proto.Marshal(m)
	if err != nil {
		return Case{}, err
	}
	p, err := g.write("wide.onnx", b)
	return Case{Name: "onnx wide input before Relu", Issue: "a 101-byte ONNX declaring a 100,000-wide input before one Relu (import)",
		Args: []string{"import", p, "-o", g.path("wide.mnet"), "--classes", "a,b"}, Want: "parameters"}, err
}

func (g *gen) npzZeros() (Case, error) {
	n := g.size(1_000_000, 100_000_000)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("W0.npy")
	if err != nil {
		return Case{}, err
	}
	if _, err := w.Write(npyHeader("<f8", fmt.Sprintf("(1, %d)", n))); err != nil {
		return Case{}, err
	}
	zero := make([]byte, mib)
	for left := 8 * n; left > 0; left -= int64(len(zero)) {
		if _, err := w.Write(zero[:min(left, int64(len(zero)))]); err != nil {
			return Case{}, err
		}
	}
	if err := zw.Close(); err != nil {
		return Case{}, err
	}
	p, err := g.write("zeros.npz", buf.Bytes())
	return Case{Name: "npz of 10^8 zeros", Issue: "a 778 KB NPZ holding one 1×10^8 array of zeros (import)",
		Args: append([]string{"import", p, "-o", g.path("zeros.mnet"), "--classes", "a,b"}, g.limit("--max-memory", "32MiB")...), Want: "--max-memory"}, err
}

// saveModel writes a model built from net.
func (g *gen) saveModel(name string, net *nn.Network, method string, opts map[string]string, classes []string) (string, error) {
	if opts == nil {
		opts = map[string]string{}
	}
	m := &nn.Model{Net: net, Method: method, Options: opts, Classes: classes, Points: 2}
	p := g.path(name)
	return p, m.Save(p)
}

func (g *gen) verifyWide() (Case, error) {
	d := g.size(100_000, 5_000_000)
	var csv bytes.Buffer
	for r := range 2 {
		for range d {
			csv.WriteString("0,")
		}
		// the rows must differ
		fmt.Fprintf(&csv, "%d,%d\n", r, r)
	}
	data, err := g.write("wide.csv", csv.Bytes())
	if err != nil {
		return Case{}, err
	}
	net := &nn.Network{InputDim: int(d) + 1, Readout: nn.NewLayer(int(d)+1, 1, nn.Identity)}
	net.Readout.W[0][d].SetInt64(1)
	p, err := g.saveModel("wide.mnet", net, "hz", nil, []string{"0", "1"})
	c := Case{Name: "verify 2 rows × many features", Issue: "a 20 MB CSV with 2 rows × 5·10^6 features: verify peaks at 5 GB (per-worker scratch per input coordinate)",
		Args: append([]string{"verify", p, "--data", data}, g.limit("--max-memory", "32MiB")...), Want: "--max-memory", MaxRSS: g.size(256*mib, 6*gib)}
	if g.full {
		// within the default limit on a machine with few CPUs: then the
		// verdict (the network is right), within the memory bound
		c.Want, c.Stdout, c.Exit = "EXACT", true, -1
	}
	return c, err
}

func (g *gen) vardiDeep() (Case, error) {
	r := rand.New(rand.NewPCG(1, 2))
	var csv bytes.Buffer
	for range 3000 {
		for range 5 {
			csv.WriteString(strconv.FormatFloat(r.Float64(), 'g', -1, 64) + ",")
		}
		fmt.Fprintf(&csv, "%d\n", r.IntN(10))
	}
	p, err := g.write("n3000.csv", csv.Bytes())
	c := Case{Name: "vardi --max-depth 40 at N=3000", Issue: "build --method vardi --max-depth 40 on a valid N = 3000 set grows past 6 GB",
		Args: []string{"build", "--method", "vardi", "--max-depth", "40", "--data", p, "-o", g.path("deep.mnet"), "--max-memory", "1GiB"}, Want: "--max-memory"}
	if g.full {
		// within the default limit the network is built (about 1 GB)
		c.Args = c.Args[:len(c.Args)-2]
		c.Want, c.Stdout, c.Exit, c.MaxRSS = "vardi network for", true, 0, 6*gib
	}
	return c, err
}

// regressionNet writes a one-input regression network f(x) = x with the
// given eps option, and data with target t at x = 0.5.
func (g *gen) regressionNet(name, eps, target string) (net, data string, err error) {
	n := &nn.Network{InputDim: 1, Readout: nn.NewLayer(1, 1, nn.Identity)}
	n.Readout.W[0][0].SetInt64(1)
	if net, err = g.saveModel(name+".mnet", n, "park", map[string]string{"regression": "true", "eps": eps}, []string{"0"}); err != nil {
		return "", "", err
	}
	data, err = g.write(name+".csv", []byte("0.5,"+target+"\n"))
	return net, data, err
}

func (g *gen) epsHuge() (Case, error) {
	net, data, err := g.regressionNet("eps-huge", "1e300", "0.9")
	return Case{Name: "regression eps 1e300", Issue: `a regression network file with "eps": "1e300" passes any data`,
		// the criterion is the command line's (issue 19): classification here, and
		// the file's eps is only its claim
		Args: []string{"verify", net, "--data", data}, Want: "NOT EXACT: 1 of 1 distinct points wrong", Stdout: true, Exit: 1}, err
}

func (g *gen) epsNaN() (Case, error) {
	net, data, err := g.regressionNet("eps-nan", "NaN", "0.5")
	return Case{Name: "regression eps NaN", Issue: "verify dereferences nil when the file's eps is NaN",
		Args: []string{"verify", net, "--data", data}, Want: "NOT EXACT: 1 of 1 distinct points wrong", Stdout: true, Exit: 1}, err
}

func (g *gen) epsInf() (Case, error) {
	net, data, err := g.regressionNet("eps-inf", "+Inf", "0.5")
	return Case{Name: "regression eps Inf", Issue: "verify dereferences nil when the file's eps is Inf",
		Args: []string{"verify", net, "--data", data}, Want: "NOT EXACT: 1 of 1 distinct points wrong", Stdout: true, Exit: 1}, err
}

func (g *gen) epsOverride() (Case, error) {
	net, data, err := g.regressionNet("eps-override", "1e300", "0.9")
	// |f(0.5) − 0.9| = 0.4: within --eps 0.5, whatever the file says
	return Case{Name: "regression eps from the command line", Issue: "the tolerance must be overridable from the command line",
		Args: []string{"verify", net, "--data", data, "--regression", "--eps", "0.5"}, Want: "WITHIN EPS: regression (--regression), largest |f(x) − target| ≤ 0.4 over 1 distinct points (eps 0.5)", Stdout: true, Exit: 0}, err
}

func (g *gen) targetNaN() (Case, error) {
	net, data, err := g.regressionNet("target-nan", "0.01", "nan")
	return Case{Name: "regression target nan", Issue: "a regression target nan is accepted",
		Args: []string{"verify", net, "--data", data, "--regression", "--eps", "0.01"}, Want: `label "nan" is not a finite number`}, err
}

// tinyCSV writes a valid two-point dataset.
func (g *gen) tinyCSV(name string) (string, error) {
	return g.write(name, []byte("1,2,0\n3,4,1\n"))
}

func (g *gen) tinyNet(name string) (string, error) {
	n := &nn.Network{InputDim: 2, Readout: nn.NewLayer(2, 1, nn.Identity)}
	n.Readout.W[0][0].SetFrac64(1, 2)
	n.Readout.B[0].SetFrac64(-1, 2) // (x1 − 1)/2: 0 and 1 on the two points
	return g.saveModel(name, n, "hz", nil, []string{"0", "1"})
}

func (g *gen) outputIsInput() (Case, error) {
	p, err := g.tinyCSV("keep.csv")
	return Case{Name: "build -o onto its data", Issue: "build --data x.csv -o x.csv replaces the user's data with a network",
		Args: []string{"build", "--data", p, "-o", p}, Want: "refusing to overwrite an input"}, err
}

func (g *gen) outputIsInputLink() (Case, error) {
	p, err := g.tinyCSV("keep2.csv")
	if err != nil {
		return Case{}, err
	}
	link := g.path("link-to-keep2.csv")
	if err := os.Symlink(p, link); err != nil {
		return Case{}, err
	}
	return Case{Name: "build -o onto its data through a link", Issue: "refuse when an output path is an input (also through links)",
		Args: []string{"build", "--data", link, "-o", p}, Want: "refusing to overwrite an input"}, nil
}

func (g *gen) exportOntoInput() (Case, error) {
	p, err := g.tinyNet("exp.mnet")
	return Case{Name: "export -o onto its input", Issue: "export -o onto its input",
		Args: []string{"export", p, "--format", "json", "-o", p}, Want: "refusing to overwrite an input"}, err
}

func (g *gen) importOntoInput() (Case, error) {
	p := g.path("imp.onnx")
	err := os.WriteFile(p, []byte("not onnx"), 0o644)
	return Case{Name: "import -o onto its input", Issue: "import -o onto its input",
		Args: []string{"import", p, "-o", p}, Want: "refusing to overwrite an input"}, err
}

func (g *gen) outputEmpty() (Case, error) {
	p, err := g.tinyCSV("e.csv")
	return Case{Name: "-o empty", Issue: `-o "" gets a clear message`,
		Args: []string{"build", "--data", p, "-o", ""}, Want: "-o is empty"}, err
}

func (g *gen) outputDir() (Case, error) {
	p, err := g.tinyCSV("d.csv")
	return Case{Name: "-o a directory", Issue: "-o DIR gets a clear message",
		Args: []string{"build", "--data", p, "-o", g.dir}, Want: "is a directory: give a file name"}, err
}

func (g *gen) outputMissingDir() (Case, error) {
	p, err := g.tinyCSV("m.csv")
	out := filepath.Join(g.dir, "nonexistent", "dir", "x.mnet")
	return Case{Name: "-o in a missing directory", Issue: "-o /nonexistent/dir/x.mnet must name the path the user gave",
		Args: []string{"build", "--data", p, "-o", out}, Want: "cannot write " + out + ": the directory"}, err
}

func (g *gen) csvAsNetwork() (Case, error) {
	p, err := g.tinyCSV("x.csv")
	return Case{Name: "CSV where a network is expected", Issue: `x.csv is not a memnet network (.mnet)`,
		Args: []string{"verify", p, "--data", p}, Want: p + " is not a memnet network (.mnet)"}, err
}

// rawMnet writes a .mnet file from JSON text (gzip-compressed).
func (g *gen) rawMnet(name, weight string) (string, error) {
	js := `{"format":"memnet","version":1,"method":"hz","options":{},"input_dim":1,"classes":["0","1"],"points":2,` +
		`"layers":[],"readout":{"act":"I","w":[["` + weight + `"]],"b":["0"]}}`
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write([]byte(js)); err != nil {
		return "", err
	}
	if err := w.Close(); err != nil {
		return "", err
	}
	return g.write(name, buf.Bytes())
}

func (g *gen) strictNumber(name, weight string) (Case, error) {
	p, err := g.rawMnet(name+".mnet", weight)
	return Case{Name: "network number " + weight, Issue: "network files accept octal (010/3 read as 8/3), hex, 1p10 and 1_000",
		Args: []string{"inspect", p}, Want: strconv.Quote(weight) + " is not an exact rational p or p/q in decimal"}, err
}

func (g *gen) octal() (Case, error) {
	// 010/3 is read as 10/3 (decimal), never 8/3: a leading zero is allowed
	// in decimal; 0o10 is refused
	return g.strictNumber("octal", "0o10/3")
}
func (g *gen) hex() (Case, error)        { return g.strictNumber("hex", "0x10") }
func (g *gen) binExp() (Case, error)     { return g.strictNumber("binexp", "1p10") }
func (g *gen) underscore() (Case, error) { return g.strictNumber("underscore", "1_000") }

func (g *gen) firstRow(name, content, want string) (Case, error) {
	p, err := g.write(name+".csv", []byte(content))
	return Case{Name: "first row " + name, Issue: "a malformed first row is silently taken as a header and dropped",
		Args: []string{"geometry", "--data", p}, Want: want}, err
}

func (g *gen) firstRowEmpty() (Case, error) {
	return g.firstRow("empty-field", "0,,0\n1,2,0\n3,4,1\n", "row 1: column 2: empty field")
}
func (g *gen) firstRowUnderscore() (Case, error) {
	return g.firstRow("underscore", "1_0,0,0\n1,2,0\n3,4,1\n", `row 1: column 1: "1_0" is not a number`)
}
func (g *gen) firstRowUTF8() (Case, error) {
	return g.firstRow("utf8", "\xff,0,0\n1,2,0\n3,4,1\n", "row 1: column 1:")
}
func (g *gen) firstRowTextLabel() (Case, error) {
	return g.firstRow("text-label", "1,2,cat\n1,2,0\n3,4,1\n", `row 1: label "cat" is text while the labels below it are numbers`)
}

func (g *gen) npzTwoX() (Case, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, v := range []byte{1, 2} {
		for _, name := range []string{"x.npy", "y.npy"} {
			w, err := zw.Create(name)
			if err != nil {
				return Case{}, err
			}
			w.Write(append(npyHeader("|u1", "(2, 1)"), v, v+1))
		}
	}
	if err := zw.Close(); err != nil {
		return Case{}, err
	}
	p, err := g.write("two-x.npz", buf.Bytes())
	return Case{Name: "npz with two arrays named x", Issue: "NPZ with two members of one name uses the first (NumPy uses the last)",
		Args: []string{"geometry", "--data", p}, Want: `two arrays named "x"`}, err
}

func (g *gen) npyLabelNewline() (Case, error) {
	x, err := g.write("nl-x.npy", append(npyHeader("|u1", "(2, 1)"), 1, 2))
	if err != nil {
		return Case{}, err
	}
	y, err := g.write("nl-y.npy", append(npyHeader("|S3", "(2,)"), "a\nbcd\x00"...))
	return Case{Name: "npy label with a newline", Issue: "NPY string labels with newlines break predict's output",
		Args: []string{"geometry", "--data", x, "--labels", y}, Want: `label "a\nb" contains a line break`}, err
}

func (g *gen) jsonDupClasses() (Case, error) {
	js := `{"format":"memnet-exact-json","version":1,"method":"hz","input_dim":1,"classes":["a","b","a"],` +
		`"layers":[{"activation":"identity","W":[["1"],["0"],["0"]],"b":["0","0","0"]}]}`
	p, err := g.write("dup.json", []byte(js))
	return Case{Name: "json duplicate class names", Issue: "JSON import accepts duplicate class names",
		Args: []string{"import", p, "-o", g.path("dup.mnet")}, Want: `class "a" is named twice`}, err
}

func (g *gen) parkSubnormal() (Case, error) {
	p, err := g.write("subnormal.csv", []byte("1e-310,0,0\n2e-310,0,1\n3e-310,1,0\n"))
	return Case{Name: "park on subnormal data", Issue: `park's refusal printed "0.7188·2^1075 is not a float64"`,
		Args: []string{"build", "--method", "park", "--data", p, "-o", g.path("sub.mnet")}, Want: "use --method hz or vardi"}, err
}

func (g *gen) parkMixed() (Case, error) {
	p, err := g.write("mixed.csv", []byte("1e300,0,0\n1e-300,0,1\n0,1e-300,0\n1,1,1\n"))
	return Case{Name: "park on mixed magnitudes", Issue: "park's refusal printed a 300-digit number",
		Args: []string{"build", "--method", "park", "--data", p, "-o", g.path("mixed.mnet")}, Want: "mix very large and very small magnitudes"}, err
}

// DeepNetwork writes a network of depth layers of one ReLU neuron with
// weight 7/3 each (the issue's 2.4 KB file), and a data file of 2000 points,
// for the interrupt tests: the exact engine takes about 1 s for two points and
// about a minute for 2000 on this file, so a signal always arrives mid-run.
func DeepNetwork(dir string, depth int) (net, data string, err error) {
	n := &nn.Network{InputDim: 1}
	w := big.NewRat(7, 3)
	for range depth {
		l := nn.NewLayer(1, 1, nn.ReLU)
		l.W[0][0].Set(w)
		n.Hidden = append(n.Hidden, l)
	}
	n.Readout = nn.NewLayer(1, 1, nn.Identity)
	n.Readout.W[0][0].SetInt64(1)
	m := &nn.Model{Net: n, Method: "hz", Options: map[string]string{}, Classes: []string{"0", "1"}, Points: 1}
	net = filepath.Join(dir, "deep.mnet")
	if err = m.Save(net); err != nil {
		return "", "", err
	}
	data = filepath.Join(dir, "deep.csv")
	var rows bytes.Buffer
	for i := 1; i <= 2000; i++ {
		fmt.Fprintf(&rows, "%d,%d\n", i, i%2)
	}
	return net, data, os.WriteFile(data, rows.Bytes(), 0o644)
}
