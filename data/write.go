package data

import (
	"bufio"
	"fmt"
	"io"
	"strconv"

	"github.com/sbinet/npyio/npz"
	"gonum.org/v1/gonum/mat"
)

// WriteCSV writes ds as CSV, one point a line, its coordinates then its
// label, every number in the shortest form that reads back to the same
// float64 (so Load returns exactly these points).
func WriteCSV(w io.Writer, ds *Dataset) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	var buf []byte
	for i, x := range ds.X {
		buf = buf[:0]
		for _, v := range x {
			buf = strconv.AppendFloat(buf, v, 'g', -1, 64)
			buf = append(buf, ',')
		}
		buf = append(buf, ds.Classes[ds.Y[i]]...)
		buf = append(buf, '\n')
		if _, err := bw.Write(buf); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// WriteNPZ writes ds as a NumPy .npz archive with x (float64, shape (N, d))
// and y (int64, shape (N,)), the form Load reads. Labels must be integers
// (as the built-in generators' are).
func WriteNPZ(w io.Writer, ds *Dataset) error {
	y := make([]int64, ds.N())
	for i, c := range ds.Y {
		v, err := strconv.ParseInt(ds.Classes[c], 10, 64)
		if err != nil {
			return fmt.Errorf("label %q is not an integer: write CSV instead", ds.Classes[c])
		}
		y[i] = v
	}
	d := ds.D()
	x := make([]float64, 0, ds.N()*d)
	for _, p := range ds.X {
		x = append(x, p...)
	}
	zw := npz.NewWriter(w)
	if err := zw.Write("x.npy", mat.NewDense(ds.N(), max(d, 1), x)); err != nil {
		return err
	}
	if err := zw.Write("y.npy", y); err != nil {
		return err
	}
	return zw.Close()
}
