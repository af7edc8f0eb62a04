// Package rangefiles writes small data files of every type the range
// readers split (and one read whole), with repeated rows in different
// parts of the file, for tests of reading data in ranges: in memnet's core
// and in contrib/beam.
package rangefiles

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/memnet/memnet/data"
)

// Files writes the test files into dir and returns their load options by
// name. Names with "conflict" are files Load refuses (a repeated point
// with a different label); the others load. Every file has n rows of
// dimension 4 (n ≥ 40), about one in eight repeating a row far before it.
func Files(dir string, n int, seed uint64) (map[string]data.LoadOptions, error) {
	rng := rand.New(rand.NewPCG(seed, 7))
	const d = 4
	xs := make([][]uint8, n)
	ys := make([]int, n)
	for i := range xs {
		if i >= 8 && rng.IntN(8) == 0 {
			j := rng.IntN(i / 2) // a row far before
			xs[i], ys[i] = xs[j], ys[j]
			continue
		}
		xs[i] = make([]uint8, d)
		for k := range xs[i] {
			xs[i][k] = uint8(rng.IntN(256))
		}
		ys[i] = rng.IntN(3)
	}
	conflict := n - 1 // the last row repeats row 0 with another label
	cys := append([]int(nil), ys...)
	xsc := append([][]uint8(nil), xs...)
	xsc[conflict], cys[conflict] = xs[0], (ys[0]+1)%3

	var err error
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err == nil {
			err = os.WriteFile(p, b, 0o644)
		}
		return p
	}
	files := map[string]data.LoadOptions{}
	// CSV: a comment, a header, blank lines, integer labels written three
	// ways ("2", "2.0", "02": one class)
	csv := func(xs [][]uint8, ys []int) []byte {
		var b strings.Builder
		b.WriteString("# test data\nx1,x2,x3,x4,label\n")
		for i, x := range xs {
			if i%11 == 5 {
				b.WriteString("\n")
			}
			form := []string{"%d", "%d.0", "0%d"}[rng.IntN(3)]
			fmt.Fprintf(&b, "%d,%d,%d,%d,"+form+"\n", x[0], x[1], x[2], x[3], ys[i])
		}
		return []byte(b.String())
	}
	files["csv"] = data.LoadOptions{Path: write("data.csv", csv(xs, ys))}
	files["csv conflict"] = data.LoadOptions{Path: write("conflict.csv", csv(xsc, cys))}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(csv(xs, ys))
	zw.Close()
	files["csv.gz (read whole)"] = data.LoadOptions{Path: write("data.csv.gz", gz.Bytes())}

	npy := func(descr string, shape string, b []byte) []byte {
		h := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, shape)
		pad := 64 - (10+len(h)+1)%64
		h += strings.Repeat(" ", pad%64) + "\n"
		out := append([]byte("\x93NUMPY\x01\x00"), byte(len(h)), byte(len(h)>>8))
		return append(append(out, h...), b...)
	}
	feats := func(xs [][]uint8) []byte {
		var b []byte
		for _, x := range xs {
			for _, v := range x {
				b = binary.LittleEndian.AppendUint64(b, math.Float64bits(float64(v)-128.5))
			}
		}
		return b
	}
	labels := func(ys []int) []byte {
		var b []byte
		for _, y := range ys {
			b = binary.LittleEndian.AppendUint64(b, uint64(int64(y)))
		}
		return b
	}
	shape := fmt.Sprintf("(%d, %d)", n, d)
	files["npy, npy labels"] = data.LoadOptions{Path: write("x.npy", npy("<f8", shape, feats(xs))), Labels: write("y.npy", npy("<i8", fmt.Sprintf("(%d,)", n), labels(ys)))}
	files["npy conflict"] = data.LoadOptions{Path: write("xc.npy", npy("<f8", shape, feats(xsc))), Labels: write("yc.npy", npy("<i8", fmt.Sprintf("(%d,)", n), labels(cys)))}

	var withLabel, names []byte
	for i, x := range xs {
		for _, v := range x {
			withLabel = binary.LittleEndian.AppendUint64(withLabel, math.Float64bits(float64(v)-128.5))
		}
		withLabel = binary.LittleEndian.AppendUint64(withLabel, math.Float64bits(float64(ys[i])))
		for k, r := range fmt.Sprintf("class-%c", 'a'+ys[i]) + "\x00" {
			if k < 8 {
				names = binary.LittleEndian.AppendUint32(names, uint32(r))
			}
		}
	}
	files["npy, label column"] = data.LoadOptions{Path: write("xy.npy", npy("<f8", fmt.Sprintf("(%d, %d)", n, d+1), withLabel)), LabelCol: -1}
	files["npy, unicode labels"] = data.LoadOptions{Path: files["npy, npy labels"].Path, Labels: write("names.npy", npy("<U8", fmt.Sprintf("(%d,)", n), names))}

	idx := func(typ byte, dims []int, b []byte) []byte {
		out := []byte{0, 0, typ, byte(len(dims))}
		for _, v := range dims {
			out = binary.BigEndian.AppendUint32(out, uint32(v))
		}
		return append(out, b...)
	}
	var im, lb []byte
	for i, x := range xs {
		im = append(im, x...)
		lb = append(lb, byte(ys[i]))
	}
	files["idx"] = data.LoadOptions{Path: write("images-idx3-ubyte", idx(0x08, []int{n, 2, 2}, im)), Labels: write("labels-idx1-ubyte", idx(0x08, []int{n}, lb))}
	return files, err
}
