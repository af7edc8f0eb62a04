// Command importcheck compares memnet's import of ONNX networks with
// onnxruntime: for each file it draws random float32 inputs of the input's
// declared shape (uniform in [lo, hi]), runs the file in onnxruntime-node
// (scripts/import_ort.js) and the imported network exactly, and reports the
// largest difference between onnxruntime's float32 outputs and the exact
// outputs (relative to the largest |output| of the row) and the rows whose
// argmax differ. A wrong import (a transposed weight, a lost bias or
// normalization) shows as differences far above float32 rounding (~1e-6).
//
//	NODE_PATH=~/.cache/memnet-ort/node_modules go run ./scripts/importcheck -n 20 FILE.onnx[.gz] ...
package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"math/big"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/memnet/memnet/export"
	"github.com/memnet/memnet/export/onnxpb"
	"github.com/memnet/memnet/nn"
)

func main() {
	n := flag.Int("n", 20, "random inputs per file")
	lo := flag.Float64("lo", -1, "smallest input value")
	hi := flag.Float64("hi", 1, "largest input value")
	flag.Parse()
	bad := 0
	for _, f := range flag.Args() {
		if err := check(f, *n, *lo, *hi); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", f, err)
			bad++
		}
	}
	if bad > 0 {
		os.Exit(1)
	}
}

func inputShape(path string) ([]int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		if b, err = io.ReadAll(zr); err != nil {
			return nil, err
		}
	}
	var mp onnxpb.ModelProto
	if err := proto.Unmarshal(b, &mp); err != nil {
		return nil, err
	}
	init := map[string]bool{}
	for _, t := range mp.GetGraph().GetInitializer() {
		init[t.GetName()] = true
	}
	for _, in := range mp.GetGraph().GetInput() {
		if init[in.GetName()] {
			continue
		}
		var shape []int64
		for _, d := range in.GetType().GetTensorType().GetShape().GetDim() {
			shape = append(shape, max(d.GetDimValue(), 1))
		}
		return shape, nil
	}
	return nil, fmt.Errorf("no input")
}

func check(path string, n int, lo, hi float64) error {
	m, _, err := export.ImportNet(context.Background(), path)
	if err != nil {
		return err
	}
	shape, err := inputShape(path)
	if err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(1, uint64(len(path))))
	xs := make([][]float64, n)
	for p := range xs {
		xs[p] = make([]float64, m.Net.InputDim)
		for i := range xs[p] {
			xs[p][i] = float64(float32(lo + (hi-lo)*r.Float64()))
		}
	}
	exact, err := nn.EvalExact(context.Background(), m.Net, xs, nil)
	if err != nil {
		return err
	}
	spec, _ := json.Marshal(map[string]any{"shape": shape, "rows": xs})
	tmp, err := os.CreateTemp("", "importcheck-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(spec); err != nil {
		return err
	}
	tmp.Close()
	js := filepath.Join(filepath.Dir(os.Args[0]), "import_ort.js")
	if _, err := os.Stat(js); err != nil {
		js = "scripts/import_ort.js"
	}
	out, err := exec.Command("node", js, path, tmp.Name()).Output()
	if err != nil {
		return fmt.Errorf("onnxruntime: %v", err)
	}
	var res struct {
		Runtime string      `json:"runtime"`
		Outputs [][]float64 `json:"outputs"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		return err
	}
	worst := 0.0
	var argmaxDiff []string
	for p := range xs {
		o, e := res.Outputs[p], exact[p]
		if len(o) != len(e) {
			return fmt.Errorf("onnxruntime gives %d outputs, memnet %d", len(o), len(e))
		}
		scale := 0.0
		for _, v := range e {
			f, _ := v.Float64()
			scale = math.Max(scale, math.Abs(f))
		}
		for j := range e {
			d, _ := new(big.Rat).Sub(new(big.Rat).SetFloat64(o[j]), e[j]).Float64()
			if scale > 0 {
				worst = math.Max(worst, math.Abs(d)/scale)
			}
		}
		if len(e) > 1 && nn.ClassOfFloat(o, len(o)) != nn.ClassOfRat(e, len(e)) {
			argmaxDiff = append(argmaxDiff, fmt.Sprint(p))
		}
	}
	fmt.Printf("%s: %d inputs of shape %v, onnxruntime %s: largest |ort − exact| / max|exact| = %.2g; argmax differs on %d row(s) %s\n",
		filepath.Base(path), n, shape, res.Runtime, worst, len(argmaxDiff), strings.Join(argmaxDiff, " "))
	return nil
}
