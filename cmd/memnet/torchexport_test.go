package main

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// A network written by PyTorch's own exporter (testdata/digits_torch.onnx,
// made by scripts/torch_digits.py with torch.onnx.export at opset 13) imports,
// and memnet's labels agree with what PyTorch computed: the exact label equals
// PyTorch's float32 argmax on every row whose top-two logit gap is not tiny,
// and verify's float32 count equals PyTorch's.
func TestTorchExport(t *testing.T) {
	dir := t.TempDir()
	onnx, digits := shared(t, "digits_torch.onnx"), shared(t, "digits.csv.gz")
	net := filepath.Join(dir, "torch.mnet")
	if out, errOut, code := run(t, "import", onnx, "--input-scale", "1/16", "-o", net); code != 0 || !strings.Contains(out, `["batch", 1, 8, 8]`) {
		t.Fatalf("import: %d %s %s", code, out, errOut)
	}
	preds, gaps := readTorchPreds(t, shared(t, "digits_torch_pred.txt"))
	labels := readDigitLabels(t, digits)
	if len(preds) != len(labels) {
		t.Fatalf("%d PyTorch predictions for %d rows", len(preds), len(labels))
	}
	out, errOut, code := run(t, "predict", net, "--data", digits)
	if code != 0 {
		t.Fatalf("predict: %d %s", code, errOut)
	}
	got := strings.Fields(out)
	if len(got) != len(preds) {
		t.Fatalf("predict printed %d labels for %d rows", len(got), len(preds))
	}
	correct, compared := 0, 0
	for i, p := range preds {
		if p == labels[i] {
			correct++
		}
		if gaps[i] < 1e-4 {
			continue // a float32 near-tie: the exact label may differ, and that is what verify reports
		}
		compared++
		if got[i] != p {
			t.Errorf("row %d: memnet says %s, PyTorch %s (gap %g)", i, got[i], p, gaps[i])
		}
	}
	if compared < len(preds)-5 {
		t.Errorf("only %d of %d rows compared", compared, len(preds))
	}
	v, _, _ := run(t, "verify", net, "--data", digits)
	want := fmt.Sprintf("float32 %d/%d correct", correct, len(labels))
	if !strings.Contains(v, want) {
		t.Errorf("verify does not report PyTorch's %q:\n%s", want, v)
	}
}

func readTorchPreds(t *testing.T, path string) (preds []string, gaps []float64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		fs := strings.Fields(line)
		if len(fs) != 2 {
			t.Fatalf("%s: bad line %q", path, line)
		}
		g, err := strconv.ParseFloat(fs[1], 64)
		if err != nil {
			t.Fatalf("%s: bad line %q: %v", path, line, err)
		}
		preds, gaps = append(preds, fs[0]), append(gaps, g)
	}
	return preds, gaps
}

func readDigitLabels(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		fs := strings.Split(sc.Text(), ",")
		labels = append(labels, fs[len(fs)-1])
	}
	return labels
}
