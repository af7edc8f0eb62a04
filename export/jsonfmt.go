package export

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"reflect"

	"github.com/memnet/memnet/internal/strictjson"
	"github.com/memnet/memnet/limits"
	"github.com/memnet/memnet/nn"
)

// JSONFormat is the "format" value of the exact JSON export.
const JSONFormat = "memnet-exact-json"

// The exact JSON export keeps everything a .mnet file holds, uncompressed
// and in the same layer layout as the float formats:
//
//	{"format":"memnet-exact-json","version":1,"method":"vardi",...,
//	 "input_dim":4,"classes":[...],"output":"round",
//	 "layers":[{"activation":"relu","W":[["3/4","-5"],...],"b":["0",...]}, ...]}
//
// Every weight and bias is an exact rational string "p" or "p/q" (lowest
// terms). "activation" names the layer's activation when all its neurons
// share it; a layer that mixes them has "activations", one name per neuron.
// The last layer is the read-out.
type jsonModel struct {
	Format    string            `json:"format"`
	Version   int               `json:"version"`
	Method    string            `json:"method"`
	Theorem   string            `json:"theorem,omitempty"`
	Options   map[string]string `json:"options,omitempty"`
	Hints     map[string]string `json:"hints,omitempty"`
	Predicted map[string]int64  `json:"predicted,omitempty"`
	Theory    *nn.Theory        `json:"theory,omitempty"`
	Points    int               `json:"points"`
	InputDim  int               `json:"input_dim"`
	Classes   []string          `json:"classes"`
	Output    string            `json:"output"`
	Layers    []jsonLayer       `json:"layers"`
}

type jsonLayer struct {
	Activation  string     `json:"activation,omitempty"`
	Activations []string   `json:"activations,omitempty"`
	W           [][]string `json:"W"`
	B           []string   `json:"b"`
}

// JSONBytes writes m in the exact JSON form (nothing is rounded).
func JSONBytes(m *nn.Model) ([]byte, error) {
	if err := m.Net.Check(); err != nil {
		return nil, err
	}
	meta := newMeta(m, "exact", 0)
	f := jsonModel{Format: JSONFormat, Version: 1, Method: m.Method, Theorem: m.Theorem, Options: m.Options,
		Hints: m.Hints, Predicted: m.Predicted, Theory: m.Theory, Points: m.Points, InputDim: m.Net.InputDim,
		Classes: m.Classes, Output: meta.Output}
	for _, l := range m.Net.Layers() {
		jl := jsonLayer{W: make([][]string, l.Out()), B: make([]string, l.Out())}
		same := true
		for j := range l.W {
			jl.W[j] = make([]string, len(l.W[j]))
			for i, w := range l.W[j] {
				jl.W[j][i] = w.RatString()
			}
			jl.B[j] = l.B[j].RatString()
			same = same && l.Act[j] == l.Act[0]
		}
		if same {
			jl.Activation = l.Act[0].String()
		} else {
			for _, a := range l.Act {
				jl.Activations = append(jl.Activations, a.String())
			}
		}
		f.Layers = append(f.Layers, jl)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	if err := enc.Encode(&f); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ReadJSON reads the exact JSON form back, losslessly (method, options,
// hints and predictions included). classes, when not nil, replaces the
// file's classes.
func ReadJSON(b []byte, classes []string) (*nn.Model, error) {
	if lim := limits.NetworkBytes(); int64(len(b)) > lim {
		return nil, &limits.Error{What: "the exact JSON network", Need: int64(len(b)), Limit: lim, Flag: limits.NetworkBytesFlag, Kind: "size"}
	}
	// every quoted string may become a weight: check their memory first
	if err := checkWeights("the exact JSON network's strings", int64(bytes.Count(b, []byte{'"'})/2)); err != nil {
		return nil, err
	}
	var f jsonModel
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("not a memnet exact JSON export: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("not a memnet exact JSON export: data after the network")
	}
	// one meaning for every reader: no key twice, no key in another case
	if err := strictjson.Check(b, reflect.TypeFor[jsonModel]()); err != nil {
		if limits.IsLimit(err) {
			return nil, err
		}
		return nil, fmt.Errorf("not a memnet exact JSON export: %v", err)
	}
	if f.Format != JSONFormat {
		return nil, fmt.Errorf("not a memnet exact JSON export (format %q, want %q)", f.Format, JSONFormat)
	}
	if f.Version != 1 {
		return nil, fmt.Errorf("exact JSON export version %d; this memnet reads version 1", f.Version)
	}
	if len(f.Layers) == 0 {
		return nil, errors.New("json: no layers")
	}
	var params int64
	parse := func(s, where string) (*big.Rat, error) {
		r, err := nn.ParseRat(s)
		if err != nil {
			return nil, fmt.Errorf("json: %s: %v", where, err)
		}
		return r, nil
	}
	var layers []nn.Layer
	for k, jl := range f.Layers {
		out := len(jl.B)
		if len(jl.W) != out || out == 0 {
			return nil, fmt.Errorf("json: layer %d has %d weight rows and %d biases", k, len(jl.W), out)
		}
		l := nn.Layer{W: make([][]*big.Rat, out), B: make([]*big.Rat, out), Act: make([]nn.Activation, out)}
		switch {
		case jl.Activations != nil:
			if len(jl.Activations) != out {
				return nil, fmt.Errorf("json: layer %d has %d activations for %d neurons", k, len(jl.Activations), out)
			}
			for j, s := range jl.Activations {
				a, ok := actByName(s)
				if !ok {
					return nil, fmt.Errorf("json: layer %d neuron %d: unknown activation %q", k, j, s)
				}
				l.Act[j] = a
			}
		default:
			a, ok := actByName(jl.Activation)
			if !ok {
				return nil, fmt.Errorf("json: layer %d: unknown activation %q", k, jl.Activation)
			}
			for j := range l.Act {
				l.Act[j] = a
			}
		}
		for j := range out {
			if params += int64(len(jl.W[j]) + 1); params > maxImportParams {
				return nil, fmt.Errorf("json: more than %d parameters, which memnet does not import", maxImportParams)
			}
			l.W[j] = make([]*big.Rat, len(jl.W[j]))
			var err error
			for i, s := range jl.W[j] {
				if l.W[j][i], err = parse(s, fmt.Sprintf("W%d[%d,%d]", k, j, i)); err != nil {
					return nil, err
				}
			}
			if l.B[j], err = parse(jl.B[j], fmt.Sprintf("b%d[%d]", k, j)); err != nil {
				return nil, err
			}
		}
		layers = append(layers, l)
	}
	net := &nn.Network{InputDim: f.InputDim, Hidden: layers[:len(layers)-1], Readout: layers[len(layers)-1]}
	if err := net.Check(); err != nil {
		return nil, fmt.Errorf("json: %v", err)
	}
	if classes == nil {
		classes = f.Classes
	}
	if len(classes) < 1 {
		return nil, errors.New("json: no classes")
	}
	if net.OutputDim() > 1 && len(classes) != net.OutputDim() {
		return nil, fmt.Errorf("json: the network has %d outputs (argmax) but %d classes are named", net.OutputDim(), len(classes))
	}
	if err := nn.CheckClasses(classes); err != nil {
		return nil, fmt.Errorf("json: %v", err)
	}
	return &nn.Model{Net: net, Method: f.Method, Options: f.Options, Classes: classes, Points: f.Points,
		Theorem: f.Theorem, Predicted: f.Predicted, Theory: f.Theory, Hints: f.Hints}, nil
}
