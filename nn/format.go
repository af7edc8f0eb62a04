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
	"strings"
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
	// Predicted are the theorem's counts (depth_bound, ...).
	Predicted map[string]int64
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
//	 "input_dim":d,"classes":[...],"points":N,"theorem":...,"predicted":{...},
//	 "layers":[{"act":"RR","w":[["1","-3/4"],...],"b":["0",...]}, ...],
//	 "readout":{...}}
//
// Every number is an exact rational written as "p" or "p/q" in lowest terms
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

func fromFileLayer(f fileLayer, k string) (Layer, error) {
	n := len(f.B)
	if len(f.W) != n || len(f.Act) != n {
		return Layer{}, fmt.Errorf("%s: %d weight rows, %d biases, %d activations", k, len(f.W), n, len(f.Act))
	}
	l := Layer{W: make([][]*big.Rat, n), B: make([]*big.Rat, n), Act: make([]Activation, n)}
	parse := func(s string) (*big.Rat, error) {
		r, ok := new(big.Rat).SetString(s)
		if !ok || strings.ContainsAny(s, ".eE") {
			return nil, fmt.Errorf("%s: %q is not an exact rational p or p/q", k, s)
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
			if l.W[j][i], err = parse(s); err != nil {
				return Layer{}, err
			}
		}
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
		Theorem: m.Theorem, Predicted: m.Predicted, Hints: m.Hints,
		Readout: toFileLayer(&m.Net.Readout),
	}
	if f.Options == nil {
		f.Options = map[string]string{}
	}
	for k := range m.Net.Hidden {
		f.Layers = append(f.Layers, toFileLayer(&m.Net.Hidden[k]))
	}
	zw, err := gzip.NewWriterLevel(w, gzip.BestSpeed)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(zw)
	if err := json.NewEncoder(bw).Encode(&f); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return zw.Close()
}

// Decode reads a model in the .mnet format and checks it.
func Decode(r io.Reader) (*Model, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("not a memnet network file (gzip: %v)", err)
	}
	var f fileModel
	dec := json.NewDecoder(zr)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("not a memnet network file: %v", err)
	}
	if f.Format != "memnet" {
		return nil, fmt.Errorf("not a memnet network file (format %q)", f.Format)
	}
	if f.Version != FormatVersion {
		return nil, fmt.Errorf("network file version %d; this memnet reads version %d", f.Version, FormatVersion)
	}
	net := &Network{InputDim: f.InputDim}
	for k, fl := range f.Layers {
		l, err := fromFileLayer(fl, fmt.Sprintf("layer %d", k+1))
		if err != nil {
			return nil, err
		}
		net.Hidden = append(net.Hidden, l)
	}
	if net.Readout, err = fromFileLayer(f.Readout, "read-out"); err != nil {
		return nil, err
	}
	if err := net.Check(); err != nil {
		return nil, err
	}
	if len(f.Classes) < 1 {
		return nil, errors.New("network file lists no classes")
	}
	return &Model{Net: net, Method: f.Method, Options: f.Options, Classes: f.Classes,
		Points: f.Points, Theorem: f.Theorem, Predicted: f.Predicted, Hints: f.Hints}, nil
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

// WriteFileAtomic writes data to path through a temporary file and a rename.
func WriteFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(name)
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(name)
		return err
	}
	if err := os.Chmod(name, 0o644); err != nil {
		os.Remove(name)
		return err
	}
	if err := os.Rename(name, path); err != nil {
		os.Remove(name)
		return err
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
	m, err := Decode(bufio.NewReader(fh))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}
