package nn

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"

	"github.com/memnet/memnet/internal/strictjson"
	"github.com/memnet/memnet/limits"
)

// FormatVersion is the version of the .mnet file format written by Save.
const FormatVersion = 1

// Model is a network together with what is needed to use and judge it: the
// method that built it and its options, the class labels, and the theorem's
// predicted counts.
type Model struct {
	Net *Network
	// Method is the construction's name ("hz", ...) or "import".
	Method string
	// Options are the build options, defaults filled in (seed included).
	Options map[string]string
	// Classes maps class index to the original label text.
	Classes []string
	// Points is the number of distinct points the network was built for.
	Points int
	// Theorem names the result the prediction comes from.
	Theorem string
	// Predicted are the counts recorded by files written before the theory
	// record existed (depth_bound, ...); read, never written.
	Predicted map[string]int64
	// Theory is the theorem's form and our realisation's worst case for the
	// dataset the network was built for.
	Theory *Theory
	// Hints describe the network's structure for a construction's own
	// exact verifier; they never decide correctness (see construct.Result).
	Hints map[string]string
	// Certificates are float-exactness certificates by format name
	// ("float32"), computed by Certify on the data at hand; exports store
	// the one of their dtype in their metadata. Not saved in .mnet files.
	Certificates map[string]*Certificate
}

// The .mnet format is gzip-compressed JSON (no file name, no time stamp in
// the gzip header, so equal networks give equal bytes):
//
//	{"format":"memnet","version":1,"method":...,"options":{...},
//	 "input_dim":d,"classes":[...],"points":N,"theorem":...,"theory":{...},
//	 "layers":[{"act":"RR","w":[["1","-3/4"],...],"b":["0",...]}, ...],
//	 "readout":{...}}
//
// ("predicted":{...} in files written before the theory record.) Every
// weight is an exact rational written as "p" or "p/q" in lowest terms
// (big.Rat's RatString). "act" has one letter per neuron: R ReLU, S STEP,
// I identity, G sigmoid. JSON object keys are written in a fixed order.
type fileModel struct {
	Format    string            `json:"format"`
	Version   int               `json:"version"`
	Method    string            `json:"method"`
	Options   map[string]string `json:"options"`
	InputDim  int               `json:"input_dim"`
	Classes   []string          `json:"classes"`
	Points    int               `json:"points"`
	Theorem   string            `json:"theorem,omitempty"`
	Predicted map[string]int64  `json:"predicted,omitempty"`
	Theory    *Theory           `json:"theory,omitempty"`
	Hints     map[string]string `json:"hints,omitempty"`
	Layers    []fileLayer       `json:"layers"`
	Readout   fileLayer         `json:"readout"`
}

type fileLayer struct {
	Act string     `json:"act"`
	W   [][]string `json:"w"`
	B   []string   `json:"b"`
}

func toFileLayer(l *Layer) fileLayer {
	f := fileLayer{W: make([][]string, l.Out()), B: make([]string, l.Out())}
	act := make([]byte, l.Out())
	for j := range l.W {
		act[j] = l.Act[j].Code()
		f.W[j] = make([]string, len(l.W[j]))
		for i, w := range l.W[j] {
			f.W[j][i] = w.RatString()
		}
		f.B[j] = l.B[j].RatString()
	}
	f.Act = string(act)
	return f
}

// fromFileLayer converts a decoded layer. Zero weights all point to zero
// (a network's weights are read-only once built, as construct.Result
// documents), so the zeros of wide, sparse layers cost a pointer each.
func fromFileLayer(f fileLayer, k string, zero *big.Rat) (Layer, error) {
	n := len(f.B)
	if len(f.W) != n || len(f.Act) != n {
		return Layer{}, fmt.Errorf("%s: %d weight rows, %d biases, %d activations", k, len(f.W), n, len(f.Act))
	}
	l := Layer{W: make([][]*big.Rat, n), B: make([]*big.Rat, n), Act: make([]Activation, n)}
	parse := func(s string) (*big.Rat, error) {
		r, err := ParseRat(s)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", k, err)
		}
		return r, nil
	}
	for j := range n {
		a, err := ActivationFromCode(f.Act[j])
		if err != nil {
			return Layer{}, fmt.Errorf("%s: %v", k, err)
		}
		l.Act[j] = a
		l.W[j] = make([]*big.Rat, len(f.W[j]))
		for i, s := range f.W[j] {
			if s == "0" {
				l.W[j][i] = zero
				continue
			}
			if l.W[j][i], err = parse(s); err != nil {
				return Layer{}, err
			}
		}
		f.W[j] = nil // let the strings go as the weights are made
		if l.B[j], err = parse(f.B[j]); err != nil {
			return Layer{}, err
		}
	}
	return l, nil
}

// Encode writes m in the .mnet format.
func (m *Model) Encode(w io.Writer) error {
	if err := m.Net.Check(); err != nil {
		return err
	}
	f := fileModel{
		Format: "memnet", Version: FormatVersion, Method: m.Method, Options: m.Options,
		InputDim: m.Net.InputDim, Classes: m.Classes, Points: m.Points,
		Theorem: m.Theorem, Predicted: m.Predicted, Theory: m.Theory, Hints: m.Hints,
	}
	if f.Options == nil {
		f.Options = map[string]string{}
	}
	// The header is encoding/json's; the layers are streamed in the same
	// form (a network's weights are never copied into strings at once, so
	// saving a wide network costs little more than holding it).
	head, err := json.Marshal(&f)
	if err != nil {
		return err
	}
	head, ok := bytes.CutSuffix(head, []byte(emptyTail))
	if !ok {
		return errors.New("nn: internal error: unexpected JSON encoding of the header")
	}
	zw, err := gzip.NewWriterLevel(w, gzip.BestSpeed)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(zw, 1<<16)
	bw.Write(head)
	bw.WriteString(`"layers":`)
	if len(m.Net.Hidden) == 0 {
		bw.WriteString("null")
	} else {
		bw.WriteByte('[')
		for k := range m.Net.Hidden {
			if k > 0 {
				bw.WriteByte(',')
			}
			writeLayer(bw, &m.Net.Hidden[k])
		}
		bw.WriteByte(']')
	}
	bw.WriteString(`,"readout":`)
	writeLayer(bw, &m.Net.Readout)
	bw.WriteString("}\n")
	if err := bw.Flush(); err != nil {
		return err
	}
	return zw.Close()
}

// emptyTail ends the JSON encoding of a fileModel without layers.
const emptyTail = `"layers":null,"readout":{"act":"","w":null,"b":null}}`

// writeLayer writes l as encoding/json writes its fileLayer: every number
// is RatString's p or p/q (digits, '-' and '/', which JSON needs no escape
// for), act one letter per neuron.
func writeLayer(bw *bufio.Writer, l *Layer) {
	var num []byte
	rat := func(r *big.Rat) {
		num = r.Num().Append(num[:0], 10)
		if !r.IsInt() {
			num = append(num, '/')
			num = r.Denom().Append(num, 10)
		}
		bw.WriteByte('"')
		bw.Write(num)
		bw.WriteByte('"')
	}
	bw.WriteString(`{"act":"`)
	for _, a := range l.Act {
		bw.WriteByte(a.Code())
	}
	bw.WriteString(`","w":[`)
	for j, row := range l.W {
		if j > 0 {
			bw.WriteByte(',')
		}
		bw.WriteByte('[')
		for i, w := range row {
			if i > 0 {
				bw.WriteByte(',')
			}
			rat(w)
		}
		bw.WriteByte(']')
	}
	bw.WriteString(`],"b":[`)
	for j, b := range l.B {
		if j > 0 {
			bw.WriteByte(',')
		}
		rat(b)
	}
	bw.WriteString("]}")
}

// ErrNotNetwork marks input that is not a .mnet file at all (not gzip).
var ErrNotNetwork = errors.New("not a memnet network (.mnet)")

// bytesPerNumber bounds the memory one decoded number string costs: the
// string (header and bytes), the *big.Rat it becomes, and the slice slot.
const bytesPerNumber = 112

// bytesPerZero is the same for a zero weight: its string header and slot
// (the zeros share one big.Rat).
const bytesPerZero = 32

// Decode reads a model in the .mnet format and checks it.
//
// The file is untrusted: the decompressed text is cut off at
// limits.NetworkBytes, the memory its numbers will take is estimated from
// the text (one big.Rat per quoted string but "0") and checked against
// limits.Memory before any is parsed, every number must be a decimal
// integer p or fraction p/q of at most limits.NumberDigits characters (see
// ParseRat), and the JSON must mean one thing to every reader: no key twice
// in an object, every key spelled as the format's (strictjson.Check; Go's
// decoder alone ignores case and keeps the last). The zero weights of the
// decoded network share one big.Rat: weights are read-only.
func Decode(r io.Reader) (*Model, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, ErrNotNetwork
	}
	raw, err := readCompactJSON(limits.Reader(zr, limits.NetworkBytes(), "the network file (decompressed)", limits.NetworkBytesFlag))
	if err != nil {
		if limits.IsLimit(err) {
			return nil, err
		}
		return nil, fmt.Errorf("not a memnet network file: %v", err)
	}
	if t := bytes.TrimLeft(raw, " "); len(t) == 0 || t[0] != '{' {
		return nil, ErrNotNetwork // a gzip-compressed data file, say
	}
	strs := int64(bytes.Count(raw, []byte{'"'}) / 2)
	zeros := min(int64(bytes.Count(raw, []byte(`"0"`))), strs)
	need := limits.Add(2*int64(len(raw)), limits.Add(limits.Mul(strs-zeros, bytesPerNumber), limits.Mul(zeros, bytesPerZero)))
	if err := limits.CheckMemory("decoding the network file", need); err != nil {
		return nil, err
	}
	var f fileModel
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("not a memnet network file: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("not a memnet network file: data after the network")
	}
	if err := strictjson.Check(raw, reflect.TypeFor[fileModel]()); err != nil {
		if limits.IsLimit(err) {
			return nil, err
		}
		return nil, fmt.Errorf("not a memnet network file: %v", err)
	}
	raw = nil
	if f.Format != "memnet" {
		return nil, fmt.Errorf("not a memnet network file (format %q)", f.Format)
	}
	if f.Version != FormatVersion {
		return nil, fmt.Errorf("network file version %d; this memnet reads version %d", f.Version, FormatVersion)
	}
	net := &Network{InputDim: f.InputDim}
	zero := new(big.Rat)
	for k, fl := range f.Layers {
		l, err := fromFileLayer(fl, fmt.Sprintf("layer %d", k+1), zero)
		if err != nil {
			return nil, err
		}
		net.Hidden = append(net.Hidden, l)
	}
	if net.Readout, err = fromFileLayer(f.Readout, "read-out", zero); err != nil {
		return nil, err
	}
	if err := net.Check(); err != nil {
		return nil, err
	}
	if len(f.Classes) < 1 {
		return nil, errors.New("network file lists no classes")
	}
	if err := CheckClasses(f.Classes); err != nil {
		return nil, fmt.Errorf("network file: %v", err)
	}
	return &Model{Net: net, Method: f.Method, Options: f.Options, Classes: f.Classes,
		Points: f.Points, Theorem: f.Theorem, Predicted: f.Predicted, Theory: f.Theory, Hints: f.Hints}, nil
}

// readCompactJSON reads JSON text, shrinking every run of white space
// between tokens to one space as it goes (white space inside strings is
// kept), so padding costs reading time, bounded by the caller's limit, but
// no memory.
func readCompactJSON(r io.Reader) ([]byte, error) {
	var out []byte
	buf := make([]byte, 64<<10)
	inString, escaped := false, false
	for {
		n, err := r.Read(buf)
		for _, c := range buf[:n] {
			switch {
			case inString:
				switch {
				case escaped:
					escaped = false
				case c == '\\':
					escaped = true
				case c == '"':
					inString = false
				}
			case c == '"':
				inString = true
			case c == ' ' || c == '\t' || c == '\n' || c == '\r':
				// a run of white space becomes one space (it may separate
				// two tokens, as in an invalid "1 2")
				if len(out) > 0 && out[len(out)-1] == ' ' {
					continue
				}
				c = ' '
			}
			out = append(out, c)
		}
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}

// Save writes m to path atomically: to a temporary file in the same
// directory, then renamed, so an interrupted save leaves no partial file.
func (m *Model) Save(path string) error {
	var buf bytes.Buffer
	if err := m.Encode(&buf); err != nil {
		return err
	}
	return WriteFileAtomic(path, buf.Bytes())
}

// WriteFileAtomic writes data to path through a temporary file in the same
// directory and a rename, so the file is either the old one or the whole new
// one. An existing file keeps its permissions (a new one gets 0644); a
// symbolic link at path is written through (its target is replaced, the link
// stays); a directory, a non-regular file or a dangling link is refused.
// Errors name path as the caller gave it, never the temporary file.
func WriteFileAtomic(path string, data []byte) error {
	writing.Lock()
	defer writing.Unlock()
	if path == "" {
		return errors.New("no output file given (the path is empty)")
	}
	target, mode := path, os.FileMode(0o644)
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode()&os.ModeSymlink != 0 {
			t, err := filepath.EvalSymlinks(path)
			if err != nil {
				return fmt.Errorf("cannot write %s: it is a symbolic link to a missing file", path)
			}
			target = t
			if fi, err = os.Stat(t); err != nil {
				return fmt.Errorf("cannot write %s: %v", path, pathErr(err))
			}
		}
		if fi.IsDir() {
			return fmt.Errorf("cannot write %s: it is a directory", path)
		}
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("cannot write %s: it is not a regular file", path)
		}
		mode = fi.Mode().Perm()
	}
	dir := filepath.Dir(target)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("cannot write %s: the directory %s does not exist", path, dir)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(target)+".tmp*")
	if err != nil {
		return fmt.Errorf("cannot write %s: %v", path, pathErr(err))
	}
	name := tmp.Name()
	fail := func(err error) error {
		tmp.Close()
		os.Remove(name)
		return fmt.Errorf("cannot write %s: %v", path, pathErr(err))
	}
	if _, err := tmp.Write(data); err != nil {
		return fail(err)
	}
	if err := tmp.Chmod(mode); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(name)
		return fmt.Errorf("cannot write %s: %v", path, pathErr(err))
	}
	if err := os.Rename(name, target); err != nil {
		os.Remove(name)
		return fmt.Errorf("cannot write %s: %v", path, pathErr(err))
	}
	return nil
}

// writing is held while WriteFileAtomic runs.
var writing sync.Mutex

// HoldWrites waits for a WriteFileAtomic in progress to finish and keeps
// others from starting until release is called: a program exiting on a
// signal calls it first, so it never leaves a temporary file behind.
func HoldWrites() (release func()) {
	writing.Lock()
	return writing.Unlock
}

// pathErr drops the path (possibly a temporary file's) from a file-system error.
func pathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}

// ParseRat reads an exact rational as the .mnet format writes it: a decimal
// integer p or a fraction p/q of decimal integers, an optional minus sign
// before p, q > 0. Nothing else is accepted (no '+', spaces, decimal points,
// exponents, underscores, or the octal, hexadecimal and binary-exponent forms
// big.Rat.SetString would read), and s is refused before it is parsed when it
// is longer than limits.NumberDigits (decimal parsing is superlinear).
func ParseRat(s string) (*big.Rat, error) {
	if err := limits.CheckDigits(fmt.Sprintf("the number %q", abbrev(s, 20)), len(s)); err != nil {
		return nil, err
	}
	bad := func() (*big.Rat, error) {
		return nil, fmt.Errorf("%q is not an exact rational p or p/q in decimal", abbrev(s, 40))
	}
	num, den, frac := strings.Cut(s, "/")
	if !decimalDigits(strings.TrimPrefix(num, "-")) || (frac && !decimalDigits(den)) {
		return bad()
	}
	p, ok := new(big.Int).SetString(num, 10)
	if !ok {
		return bad()
	}
	r := new(big.Rat).SetInt(p)
	if frac {
		q, ok := new(big.Int).SetString(den, 10)
		if !ok {
			return bad()
		}
		if q.Sign() == 0 {
			return nil, fmt.Errorf("%q has a zero denominator", abbrev(s, 40))
		}
		r.SetFrac(p, q)
	}
	return r, nil
}

func decimalDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func abbrev(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// CheckClasses refuses class labels that cannot be told apart or printed one
// per line: an empty list, a label given twice, or a label with a line break.
func CheckClasses(classes []string) error {
	seen := make(map[string]bool, len(classes))
	for i, c := range classes {
		if strings.ContainsAny(c, "\n\r") {
			return fmt.Errorf("class %d (%q) contains a line break", i, abbrev(c, 40))
		}
		if seen[c] {
			return fmt.Errorf("class %q is named twice", abbrev(c, 40))
		}
		seen[c] = true
	}
	return nil
}

// Load reads a model from path.
func Load(path string) (*Model, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	if st, err := fh.Stat(); err == nil && st.IsDir() {
		return nil, fmt.Errorf("%s is a directory, not a memnet network (.mnet)", path)
	}
	m, err := Decode(bufio.NewReader(fh))
	if errors.Is(err, ErrNotNetwork) {
		return nil, fmt.Errorf("%s is not a memnet network (.mnet)", path)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}
