package export

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"

	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
	"github.com/memnet/memnet/vnnlib"
)

// VNNCOMPOptions are the options of WriteVNNCOMP.
type VNNCOMPOptions struct {
	Dtype Dtype
	// Radius is μ of the ℓ∞ boxes; nil: each property's box is its point.
	Radius *big.Rat
	// Timeout is the instances.csv timeout in seconds.
	Timeout int
	// Progress, when not nil, is called with the properties written so far.
	Progress func(done int64)
}

// VNNCOMPResult says what WriteVNNCOMP wrote and decided.
type VNNCOMPResult struct {
	ONNX       string `json:"onnx"`
	Properties int    `json:"properties"`
	// Sat, Unsat, Unknown count the expected answers (see WriteVNNCOMP).
	Sat     int `json:"sat"`
	Unsat   int `json:"unsat"`
	Unknown int `json:"unknown"`
}

// WriteVNNCOMP writes m as a VNN-COMP benchmark in dir: onnx/NET.onnx (the
// network rounded to opt.Dtype, as ONNXBytes writes it), one property
// vnnlib/prop_I.vnnlib per point of ds — "some input in the ℓ∞ box of
// radius μ around the point is not given the point's label" (see
// vnnlib.ArgmaxProperty) — instances.csv (onnx,vnnlib,timeout) and
// expected.csv (vnnlib,expected,reason).
//
// The expected answers are about the network in the ONNX file (its floats
// read back exactly, not m's exact weights) and are decided exactly at the
// box centre: the file's network misclassifies the point → sat (the point
// is a counterexample); it classifies it right and the box is the point
// (no radius) → unsat; otherwise unknown (memnet is no complete verifier).
// dir must not hold any of the files it writes.
func WriteVNNCOMP(ctx context.Context, m *nn.Model, ds *data.Dataset, dir string, opt VNNCOMPOptions) (*VNNCOMPResult, error) {
	if ds.D() != m.Net.InputDim {
		return nil, fmt.Errorf("%s has %d features per point; the network reads %d", ds.Name, ds.D(), m.Net.InputDim)
	}
	if opt.Radius != nil && opt.Radius.Sign() < 0 {
		return nil, errors.New("the radius must be ≥ 0")
	}
	if opt.Radius != nil {
		if _, ok := vnnlib.Decimal(opt.Radius); !ok {
			return nil, fmt.Errorf("the radius %s is not a finite decimal", opt.Radius.RatString())
		}
	}
	b, err := ONNXBytes(m, opt.Dtype)
	if err != nil {
		return nil, err
	}
	fileModel, err := ReadONNX(b, m.Classes)
	if err != nil {
		return nil, fmt.Errorf("reading back the ONNX file: %v", err)
	}
	index := map[string]int{}
	for i, c := range m.Classes {
		index[c] = i
	}
	for _, c := range ds.Classes {
		if _, ok := index[c]; !ok {
			return nil, fmt.Errorf("the data's label %q is not a class of the network (%s)", c, strings.Join(m.Classes, ", "))
		}
	}
	name := m.Method
	if name == "" {
		name = "net"
	}
	onnxRel := filepath.Join("onnx", name+".onnx")
	var files []string
	files = append(files, onnxRel, "instances.csv", "expected.csv")
	for p := range ds.X {
		files = append(files, propName(p))
	}
	for _, f := range files {
		if _, err := os.Lstat(filepath.Join(dir, f)); err == nil {
			return nil, fmt.Errorf("%s exists; memnet writes a benchmark only where none of its files are", filepath.Join(dir, f))
		}
	}
	outs, err := nn.EvalExact(context.Background(), fileModel.Net, ds.X, nil)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, sub := range []string{"onnx", "vnnlib"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return nil, err
		}
	}
	if err := nn.WriteFileAtomic(filepath.Join(dir, onnxRel), b); err != nil {
		return nil, err
	}
	res := &VNNCOMPResult{ONNX: filepath.Join(dir, onnxRel), Properties: len(ds.X)}
	var inst, exp bytes.Buffer
	ew := csv.NewWriter(&exp)
	_ = ew.Write([]string{"vnnlib", "expected", "reason"})
	timeout := opt.Timeout
	if timeout <= 0 {
		timeout = 60
	}
	for p, x := range ds.X {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		label := ds.Classes[ds.Y[p]]
		k := index[label]
		xr := make([]*big.Rat, len(x))
		for i, v := range x {
			xr[i] = new(big.Rat).SetFloat64(v)
		}
		row := p + 1
		if p < len(ds.Rows) {
			row = ds.Rows[p]
		}
		prop := &vnnlib.ArgmaxProperty{X: xr, Radius: opt.Radius, Label: k, Outputs: fileModel.Net.OutputDim(), Comment: []string{
			fmt.Sprintf("memnet memorization benchmark: point %d (row %d of %s), label %q = class index %d", p+1, row, filepath.Base(ds.Name), label, k),
			"SAT when some input in the box is not given this label (the network's outputs: " + classRule(fileModel.Net.OutputDim()) + ")",
		}}
		var buf bytes.Buffer
		if err := prop.Write(&buf); err != nil {
			return nil, fmt.Errorf("point %d: %v", p+1, err)
		}
		if err := nn.WriteFileAtomic(filepath.Join(dir, propName(p)), buf.Bytes()); err != nil {
			return nil, err
		}
		fmt.Fprintf(&inst, "%s,%s,%d\n", onnxRel, propName(p), timeout)
		got := nn.ClassOfRat(outs[p], len(m.Classes))
		switch {
		case got != k:
			res.Sat++
			_ = ew.Write([]string{propName(p), "sat", "the box centre is a counterexample: the exact class there is " + classText(m.Classes, got)})
		case opt.Radius == nil || opt.Radius.Sign() == 0:
			res.Unsat++
			_ = ew.Write([]string{propName(p), "unsat", "the box is the point and its exact class is the label"})
		default:
			res.Unknown++
			_ = ew.Write([]string{propName(p), "unknown", "the box centre's exact class is the label; memnet does not decide the rest of the box"})
		}
		if opt.Progress != nil {
			opt.Progress(int64(p + 1))
		}
	}
	ew.Flush()
	if err := nn.WriteFileAtomic(filepath.Join(dir, "instances.csv"), inst.Bytes()); err != nil {
		return nil, err
	}
	if err := nn.WriteFileAtomic(filepath.Join(dir, "expected.csv"), exp.Bytes()); err != nil {
		return nil, err
	}
	return res, nil
}

func propName(p int) string { return filepath.Join("vnnlib", fmt.Sprintf("prop_%d.vnnlib", p+1)) }

func classRule(outputs int) string {
	if outputs == 1 {
		return "one output, the class index it rounds to"
	}
	return "the class is the index of the strictly largest output"
}

func classText(classes []string, k int) string {
	if k < 0 {
		return "none (a tie or an exact half)"
	}
	return fmt.Sprintf("%q", classes[k])
}
