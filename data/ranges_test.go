package data

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// rangeFiles writes, beside the testdata files, every file type the range
// readers split: digits as a float64 .npy with an int64 .npy label vector,
// as a .npy with the label in its last column, with a unicode .npy label
// vector, as uint8 IDX images and labels (and gzip-compressed IDX, read
// whole), and a CSV with comments, blank lines, CRLF line ends, a named
// header and repeated rows.
func rangeFiles(t *testing.T) map[string]LoadOptions {
	t.Helper()
	dir := t.TempDir()
	digits, err := Load(LoadOptions{Path: "../testdata/digits.csv.gz"})
	if err != nil {
		t.Fatal(err)
	}
	n, d := digits.N(), digits.D()
	flat := make([]float64, 0, n*d)
	withLabel := make([]float64, 0, n*(d+1))
	u8 := make([]uint8, 0, n*d)
	lab := make([]int64, n)
	lab8 := make([]uint8, n)
	names := make([]string, n)
	for i, x := range digits.X {
		flat = append(flat, x...)
		withLabel = append(append(withLabel, x...), float64(digits.Y[i]))
		for _, v := range x {
			u8 = append(u8, uint8(v))
		}
		lab[i], lab8[i] = int64(digits.Y[i]), uint8(digits.Y[i])
		names[i] = "digit-" + digits.Classes[digits.Y[i]]
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		writeTo(t, p, b)
		return p
	}
	files := map[string]LoadOptions{
		"iris.csv (scikit-learn header)": {Path: "../testdata/iris.csv"},
		"digits.csv.gz (read whole)":     {Path: "../testdata/digits.csv.gz"},
	}
	x := write("x.npy", npyHeaderBytes(t, "<f8", []int{n, d}, le(flat)))
	files["npy features, npy labels"] = LoadOptions{Path: x, Labels: write("y.npy", npyHeaderBytes(t, "<i8", []int{n}, le(lab)))}
	files["npy, label column"] = LoadOptions{Path: write("xy.npy", npyHeaderBytes(t, "<f8", []int{n, d + 1}, le(withLabel))), LabelCol: -1}
	var u bytes.Buffer
	for _, s := range names {
		for _, r := range s {
			u.Write(le(uint32(r)))
		}
		for range 8 - len([]rune(s)) {
			u.Write(le(uint32(0)))
		}
	}
	files["npy features, unicode labels"] = LoadOptions{Path: x, Labels: write("names.npy", npyHeaderBytes(t, "<U8", []int{n}, u.Bytes()))}
	im := idxBytes(0x08, []int{n, 8, 8}, u8)
	lb := idxBytes(0x08, []int{n}, lab8)
	files["idx images, idx labels"] = LoadOptions{Path: write("digits-images-idx3-ubyte", im), Labels: write("digits-labels-idx1-ubyte", lb)}
	files["idx gzip (read whole)"] = LoadOptions{Path: write("z-images-idx3-ubyte.gz", gz(t, im)), Labels: write("z-labels-idx1-ubyte.gz", gz(t, lb))}
	var c strings.Builder
	c.WriteString("# a comment\r\n\r\nx1,x2,label\r\n")
	rng := rand.New(rand.NewPCG(5, 6))
	var rows []string
	for i := range 400 {
		if i%7 == 3 {
			rows = append(rows, "# comment inside", "")
		}
		if i > 10 && i%13 == 0 {
			rows = append(rows, rows[rng.IntN(len(rows))]) // a repeated row (or comment)
			continue
		}
		// fields of varying widths, so that cut points fall anywhere in a line
		rows = append(rows, fmt.Sprintf("%s,%d.%d,%s", strings.Repeat("1", 1+rng.IntN(3)), i, rng.IntN(1000), []string{"a", "b", "c"}[rng.IntN(3)]))
	}
	c.WriteString(strings.Join(rows, "\r\n") + "\r\n")
	files["csv with comments, CRLF, header, repeats"] = LoadOptions{Path: write("mixed.csv", []byte(c.String()))}
	return files
}

// npyHeaderBytes builds a version 1 .npy file.
func npyHeaderBytes(t *testing.T, descr string, shape []int, data []byte) []byte {
	t.Helper()
	sh := strings.Join(strings.Fields(strings.Trim(fmt.Sprint(shape), "[]")), ", ")
	if len(shape) == 1 {
		sh += ","
	}
	return npyBytes(descr, false, "("+sh+")", data)
}

// randomRanges cuts [lo, hi) at k−1 random points (ranges may be empty).
func randomRanges(rng *rand.Rand, lo, hi int64, k int) []Range {
	cuts := []int64{lo, hi}
	for range k - 1 {
		cuts = append(cuts, lo+rng.Int64N(hi-lo+1))
	}
	slices.Sort(cuts)
	out := make([]Range, k)
	for i := range out {
		out[i] = Range{Lo: cuts[i], Hi: cuts[i+1]}
	}
	return out
}

// TestRangesUnionIsWhole: on every file type, for random splits into
// ranges (Split's and random cut points, empty ranges included), the rows
// of the ranges, concatenated in order, are the rows of one range over
// the whole file, and the plan's Dataset of them is Load's dataset
// (points, labels, classes, rows, duplicates, notes).
func TestRangesUnionIsWhole(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	for name, opt := range rangeFiles(t) {
		t.Run(name, func(t *testing.T) {
			want, err := Load(opt)
			if err != nil {
				t.Fatal(err)
			}
			plan, err := PlanRanges(opt)
			if err != nil {
				t.Fatal(err)
			}
			if split := strings.Contains(name, "whole"); plan.Splittable == split {
				t.Fatalf("splittable = %v", plan.Splittable)
			}
			one := plan.Split(1)
			if err := plan.Number(ctx, one); err != nil {
				t.Fatal(err)
			}
			all, err := plan.Read(ctx, one[0])
			if err != nil {
				t.Fatal(err)
			}
			for trial := range 12 {
				var rs []Range
				if trial%3 == 0 {
					rs = plan.Split(1 + rng.IntN(9))
				} else {
					rs = randomRanges(rng, one[0].Lo, one[0].Hi, 1+rng.IntN(9))
				}
				if !plan.Splittable {
					rs = plan.Split(5)
					if len(rs) != 1 {
						t.Fatalf("a plan read whole split into %d ranges", len(rs))
					}
				}
				if err := plan.Number(ctx, rs); err != nil {
					t.Fatal(err)
				}
				var parts []*RawRows
				var cat RawRows
				for _, r := range rs {
					p, err := plan.Read(ctx, r)
					if err != nil {
						t.Fatalf("range %+v: %v", r, err)
					}
					parts = append(parts, p)
					cat.X = append(cat.X, p.X...)
					cat.Labels = append(cat.Labels, p.Labels...)
					cat.Rows = append(cat.Rows, p.Rows...)
				}
				if plan.Splittable && (!reflect.DeepEqual(cat.X, all.X) || !slices.Equal(cat.Labels, all.Labels) || !slices.Equal(cat.Rows, all.Rows)) {
					t.Fatalf("ranges %v: %d rows, the whole range %d (or they differ)", rs, len(cat.X), len(all.X))
				}
				got, err := plan.Dataset(parts)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("ranges %v: the dataset differs from Load's:\n%d points %v %v %v\n%d points %v %v %v", rs,
						got.N(), got.Classes, got.Duplicates, got.Notes, want.N(), want.Classes, want.Duplicates, want.Notes)
				}
			}
		})
	}
}

// TestRangesRefuse: the plans refuse what Load refuses, in one line
// naming the file.
func TestRangesRefuse(t *testing.T) {
	dir := t.TempDir()
	short := filepath.Join(dir, "short.npy")
	writeTo(t, short, npyHeaderBytes(t, "<f8", []int{4, 2}, le([]float64{1, 2, 3})))
	labels := filepath.Join(dir, "l.npy")
	writeTo(t, labels, npyHeaderBytes(t, "<i8", []int{3}, le([]int64{1, 2, 3})))
	x := filepath.Join(dir, "x.npy")
	writeTo(t, x, npyHeaderBytes(t, "<f8", []int{4, 1}, le([]float64{1, 2, 3, 4})))
	for _, c := range []struct {
		opt  LoadOptions
		want string
	}{
		{LoadOptions{Path: short, Labels: labels}, "short.npy"},
		{LoadOptions{Path: x, Labels: labels}, "3 labels"},
		{LoadOptions{Path: x}, "label file"},
		{LoadOptions{Path: filepath.Join(dir, "none.csv")}, "none.csv"},
	} {
		_, err := PlanRanges(c.opt)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%+v: %v, want %q", c.opt, err, c.want)
		}
	}
}

// FuzzCSVRanges: any bytes as a CSV file, cut into ranges at any points,
// give Load's dataset when Load reads the file, and an error (never a
// panic) when it does not.
func FuzzCSVRanges(f *testing.F) {
	f.Add([]byte("1,2,a\n3,4,b\n"), int8(0), uint64(1))
	f.Add([]byte("150,2,x,y\n1,2,0\n3,4,1\n1,2,0\n"), int8(0), uint64(2))
	f.Add([]byte("\xef\xbb\xbfa,b,label\n1,2,\"q\"\"x\"\n# c\n\n3,4,y\r\n1,2,z"), int8(-1), uint64(3))
	f.Add([]byte("1 2 0\n3 4 1\n\n1 2 0"), int8(1), uint64(4))
	f.Add([]byte("x,y\n1,nan\n"), int8(0), uint64(5))
	f.Fuzz(func(t *testing.T, b []byte, labelCol int8, seed uint64) {
		ctx := context.Background()
		p := filepath.Join(t.TempDir(), "f.csv")
		writeTo(t, p, b)
		opt := LoadOptions{Path: p, LabelCol: int(labelCol)}
		want, werr := Load(opt)
		plan, err := PlanRanges(opt)
		if err != nil {
			if werr == nil {
				t.Fatalf("Load reads the file, PlanRanges refuses it: %v", err)
			}
			return
		}
		whole := plan.Split(1)
		rng := rand.New(rand.NewPCG(seed, 7))
		rs := randomRanges(rng, whole[0].Lo, whole[0].Hi, 1+rng.IntN(6))
		if !plan.Splittable {
			rs = whole
		}
		if err := plan.Number(ctx, rs); err != nil {
			t.Fatal(err)
		}
		var parts []*RawRows
		for _, r := range rs {
			raw, err := plan.Read(ctx, r)
			if err != nil {
				if werr == nil {
					t.Fatalf("Load reads the file, range %+v does not: %v", r, err)
				}
				return
			}
			parts = append(parts, raw)
		}
		got, err := plan.Dataset(parts)
		if (err != nil) != (werr != nil) {
			t.Fatalf("Load: %v; ranges: %v", werr, err)
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("ranges %v: the dataset differs from Load's", rs)
		}
	})
}

// TestRangesCancel: a done context stops Number and Read with its error.
func TestRangesCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for name, opt := range rangeFiles(t) {
		plan, err := PlanRanges(opt)
		if err != nil {
			t.Fatal(err)
		}
		rs := plan.Split(3)
		if err := plan.Number(ctx, rs); plan.Format == "csv" && plan.Splittable && !errors.Is(err, context.Canceled) {
			t.Errorf("%s: Number after a cancel: %v", name, err)
		}
		if _, err := plan.Read(ctx, rs[0]); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: Read after a cancel: %v", name, err)
		}
	}
}
