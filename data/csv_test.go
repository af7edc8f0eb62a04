package data

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeFile writes content to a file named name in a temporary directory.
func writeFile(t testing.TB, name string, content []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// gz compresses b.
func gz(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestCSVErrors(t *testing.T) {
	tests := []struct {
		name     string
		content  string
		labelCol int
		row      int
		want     string
	}{
		{"empty file", "", 0, 0, "no data rows"},
		{"blank lines only", "\n\n  \n", 0, 0, "no data rows"},
		{"header only", "a,b,label\n", 0, 0, "no data rows"},
		{"ragged", "1,2,a\n3,4,b\n5,c\n", 0, 3, "2 fields, but row 1 has 3"},
		{"ragged second row", "1,2,a\n3,b\n", 0, 2, "2 fields, but row 1 has 3"},
		{"ragged numeric first row", "10,20\n1,2,0\n3,4,1\n", 0, 2, "3 fields, but row 1 has 2"},
		{"ragged long", "1,2,a\n3,4,b\n5,6,7,c\n", 0, 3, "4 fields, but row 1 has 3"},
		{"nan", "1,2,a\n3,nan,b\n", 0, 2, "column 2 is NaN"},
		{"NaN text", "1,2,a\n3,NaN,b\n", 0, 2, "column 2 is NaN"},
		{"inf", "1,2,a\n3,4,b\n-inf,1,c\n", 0, 3, "column 1 is -Inf"},
		{"non-numeric", "1,2,a\n3,x4,b\n", 0, 2, `column 2: "x4" is not a number`},
		{"non-numeric with header", "f,g,l\n1,2,a\n3,,b\n", 0, 3, "column 2: empty field"},
		{"underscore", "1,2,a\n3,1_0,b\n", 0, 2, `"1_0" is not a number`},
		{"out of range", "1,2,a\n3,1e400,b\n", 0, 2, `column 2: "1e400" is out of float64 range`},
		{"underflow", "1,2,a\n3,1e-400,b\n", 0, 2, `"1e-400" is out of float64 range (it underflows to 0)`},
		{
			"conflict", "x,y,label\n1,2,a\n3,4,b\n1,2.0,c\n", 0, 0,
			`rows 2 and 4 are the same point with different labels ("a" and "c"): no function can memorize this`,
		},
		{"empty label", "1,2,a\n3,4,\n", 0, 2, "column 3: empty label"},
		// a malformed first row is not taken for a header
		{"first row empty field", "0,,0\n1,2,0\n3,4,1\n", 0, 1, "column 2: empty field"},
		{"first row underscore", "1_0,0,0\n1,2,0\n3,4,1\n", 0, 1, `"1_0" is not a number`},
		{"first row invalid UTF-8", "\xff\xfe,0,0\n1,2,0\n3,4,1\n", 0, 1, "is not a number"},
		{"first row text label among numbers", "0.5,0.25,class\n1,2,7\n3,4,5\n", 0, 1, `label "class" is text while the labels below it are numbers`},
		{"single field", "1\n2\n", 0, 1, "single field"},
		{"label column out of range", "1,2,a\n", 5, 1, "label column 5 is out of range"},
		{"negative label column out of range", "1,2,a\n", -4, 1, "label column -4 is out of range"},
		{"unterminated quote", "1,2,\"a\n3,4,b\n", 0, 1, "unterminated quoted field"},
		{"text after quote", "1,2,\"a\"b\n", 0, 1, "unexpected text after a quoted field"},
		{"whitespace ragged", "1 2 a\n3 4 b\n5 6 7 c\n", 0, 3, "4 fields, but row 1 has 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "in.csv", []byte(tt.content))
			_, err := Load(LoadOptions{Path: path, LabelCol: tt.labelCol})
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want *Error", err)
			}
			if e.File != path || e.Row != tt.row || !strings.Contains(e.Reason, tt.want) {
				t.Errorf("err = %q (row %d), want row %d and reason containing %q", err, e.Row, tt.row, tt.want)
			}
		})
	}
}

func TestCSVLoads(t *testing.T) {
	tests := []struct {
		name     string
		content  string
		labelCol int
		x        [][]float64
		classes  []string
		y        []int
		rows     []int
		dups     int
		notes    []string // substrings, one per note
	}{
		{
			name:    "plain",
			content: "1,2,0\n3,4,1\n",
			x:       [][]float64{{1, 2}, {3, 4}}, classes: []string{"0", "1"}, y: []int{0, 1}, rows: []int{1, 2},
		},
		{
			name:    "header, comments, CRLF, spaces, BOM",
			content: "\xef\xbb\xbfa, b ,label\r\n# comment\r\n\r\n 1 , 2 , cat \r\n3,4,dog\r\n",
			x:       [][]float64{{1, 2}, {3, 4}}, classes: []string{"cat", "dog"}, y: []int{0, 1}, rows: []int{4, 5},
			notes: []string{"line 1 is a header: a,b,label"},
		},
		{
			name:    "string labels without header",
			content: "5.1,3.5,Iris-setosa\n7.0,3.2,Iris-versicolor\n",
			x:       [][]float64{{5.1, 3.5}, {7.0, 3.2}}, classes: []string{"Iris-setosa", "Iris-versicolor"}, y: []int{0, 1}, rows: []int{1, 2},
		},
		{
			name:    "named header over numeric labels",
			content: "x,y,class\n1,2,7\n3,4,5\n",
			x:       [][]float64{{1, 2}, {3, 4}}, classes: []string{"5", "7"}, y: []int{1, 0}, rows: []int{2, 3},
			notes: []string{"line 1 is a header"},
		},
		{
			name:    "pandas column numbers header",
			content: "0,1,2,label\n1,2,3,7\n3,4,5,5\n",
			x:       [][]float64{{1, 2, 3}, {3, 4, 5}}, classes: []string{"5", "7"}, y: []int{1, 0}, rows: []int{2, 3},
			notes: []string{"line 1 is a header"},
		},
		{
			name:    "label first",
			content: "a,1,2\nb,3,4\n", labelCol: 1,
			x: [][]float64{{1, 2}, {3, 4}}, classes: []string{"a", "b"}, y: []int{0, 1}, rows: []int{1, 2},
		},
		{
			name:    "label from the end",
			content: "1,a,2\n3,b,4\n", labelCol: -2,
			x: [][]float64{{1, 2}, {3, 4}}, classes: []string{"a", "b"}, y: []int{0, 1}, rows: []int{1, 2},
		},
		{
			name:    "whitespace separated, np.savetxt style",
			content: "# x y label\n1.000000000000000000e+00 2.000000000000000000e+00 1.000000000000000000e+00\n3.0\t4.0\t0.0\n",
			x:       [][]float64{{1, 2}, {3, 4}}, classes: []string{"0", "1"}, y: []int{1, 0}, rows: []int{2, 3},
		},
		{
			name:    "quoted labels",
			content: "1,2,\"a, b\"\n3,4,\"say \"\"hi\"\"\"\n",
			x:       [][]float64{{1, 2}, {3, 4}}, classes: []string{"a, b", `say "hi"`}, y: []int{0, 1}, rows: []int{1, 2},
		},
		{
			name:    "duplicate",
			content: "1,2,a\n3,4,b\n1,2,a\n",
			x:       [][]float64{{1, 2}, {3, 4}}, classes: []string{"a", "b"}, y: []int{0, 1}, rows: []int{1, 2}, dups: 1,
			notes: []string{"dropped 1 duplicate row (row 3 repeats row 1)"},
		},
		{
			name:    "one class",
			content: "1,2,a\n3,4,a\n",
			x:       [][]float64{{1, 2}, {3, 4}}, classes: []string{"a"}, y: []int{0, 0}, rows: []int{1, 2},
			notes: []string{`the data has a single class ("a"): a constant network memorizes it`},
		},
		{
			name:    "huge coordinates",
			content: "1e308,-1e308,0\n-1.7976931348623157e308,4.9e-324,1\n",
			x:       [][]float64{{1e308, -1e308}, {-1.7976931348623157e308, 4.9e-324}}, classes: []string{"0", "1"}, y: []int{0, 1}, rows: []int{1, 2},
		},
		{
			name:    "sklearn header",
			content: "3,2,zero,one,two\n1,2,2\n3,4,0\n5,6,1\n",
			x:       [][]float64{{1, 2}, {3, 4}, {5, 6}}, classes: []string{"zero", "one", "two"}, y: []int{2, 0, 1}, rows: []int{2, 3, 4},
			notes: []string{`line 1 is a header (scikit-learn style: 3 rows, 2 features, classes "zero", "one", "two")`},
		},
		{
			name:    "sklearn header keeps name order, drops unused",
			content: "2,1,b,a,c\n1,2\n3,0\n",
			x:       [][]float64{{1}, {3}}, classes: []string{"b", "c"}, y: []int{1, 0}, rows: []int{2, 3},
			notes: []string{"scikit-learn style"},
		},
		{
			name:    "sklearn header with counts that do not match",
			content: "5,2,a,b\n1,2,0\n3,4,1\n",
			x:       [][]float64{{1, 2}, {3, 4}}, classes: []string{"a", "b"}, y: []int{0, 1}, rows: []int{2, 3},
			notes: []string{"scikit-learn style", "says 5 rows and 2 features, but the file has 2 rows and 2 features"},
		},
		{
			name:    "sklearn-like header whose names do not fit",
			content: "2,2,a,b\n1,2,5\n3,4,0\n",
			x:       [][]float64{{1, 2}, {3, 4}}, classes: []string{"0", "5"}, y: []int{1, 0}, rows: []int{2, 3},
			notes: []string{"do not fit the labels"},
		},
		{
			name:    "sklearn header by field count",
			content: "2,2,a,b,c\n1,2,0\n3,4,1\n",
			x:       [][]float64{{1, 2}, {3, 4}}, classes: []string{"a", "b"}, y: []int{0, 1}, rows: []int{2, 3},
			notes: []string{"line 1 is a header (scikit-learn style: 2 rows, 2 features"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, compressed := range []bool{false, true} {
				content := []byte(tt.content)
				if compressed {
					content = gz(t, content)
				}
				path := writeFile(t, "in.csv", content) // gzip by magic, not by name
				ds, err := Load(LoadOptions{Path: path, LabelCol: tt.labelCol})
				if err != nil {
					t.Fatal(err)
				}
				if !slices.EqualFunc(ds.X, tt.x, slices.Equal) || !slices.Equal(ds.Classes, tt.classes) ||
					!slices.Equal(ds.Y, tt.y) || !slices.Equal(ds.Rows, tt.rows) || ds.Duplicates != tt.dups {
					t.Errorf("got X=%v Classes=%q Y=%v Rows=%v Dups=%d\nwant X=%v Classes=%q Y=%v Rows=%v Dups=%d",
						ds.X, ds.Classes, ds.Y, ds.Rows, ds.Duplicates, tt.x, tt.classes, tt.y, tt.rows, tt.dups)
				}
				if len(ds.Notes) != len(tt.notes) {
					t.Errorf("Notes = %q, want %d notes", ds.Notes, len(tt.notes))
					continue
				}
				for i, want := range tt.notes {
					if !strings.Contains(ds.Notes[i], want) {
						t.Errorf("Notes[%d] = %q, want it to contain %q", i, ds.Notes[i], want)
					}
				}
				if ds.Name != path {
					t.Errorf("Name = %q, want %q", ds.Name, path)
				}
			}
		})
	}
}

func TestReadCSVReader(t *testing.T) {
	ds, err := ReadCSV(strings.NewReader("1,2,a\n3,4,b\n"), "stdin", 0)
	if err != nil || ds.N() != 2 || ds.Name != "stdin" {
		t.Fatalf("ds = %+v, err = %v", ds, err)
	}
	ds, err = ReadCSV(bytes.NewReader(gz(t, []byte("1,2,a\n3,4,b\n"))), "stdin", 0)
	if err != nil || ds.N() != 2 {
		t.Fatalf("gzip: ds = %+v, err = %v", ds, err)
	}
	_, err = ReadCSV(bytes.NewReader([]byte{0x1f, 0x8b, 1, 2}), "bad.gz", 0)
	if err == nil || !strings.Contains(err.Error(), "bad.gz: not a valid gzip file") {
		t.Errorf("err = %v", err)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(LoadOptions{Path: filepath.Join(t.TempDir(), "nope.csv")})
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "nope.csv: cannot open") {
		t.Errorf("err = %v", err)
	}
	if _, err := Load(LoadOptions{}); err == nil {
		t.Error("no error without a path")
	}
	if _, err := Load(LoadOptions{Path: "x.csv", Format: "parquet"}); err == nil || !strings.Contains(err.Error(), "unknown format") {
		t.Errorf("err = %v", err)
	}
}

// sharedFile returns the path of a reference data file kept in the
// repository's testdata (copies of ../shared/data).
func sharedFile(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join("..", "testdata", name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	return p
}

func TestIris(t *testing.T) {
	ds, err := Load(LoadOptions{Path: sharedFile(t, "iris.csv")})
	if err != nil {
		t.Fatal(err)
	}
	if ds.N() != 149 || ds.D() != 4 || ds.Duplicates != 1 {
		t.Errorf("N=%d D=%d Duplicates=%d, want 149 4 1", ds.N(), ds.D(), ds.Duplicates)
	}
	if !slices.Equal(ds.Classes, []string{"setosa", "versicolor", "virginica"}) {
		t.Errorf("Classes = %q", ds.Classes)
	}
	counts := make([]int, ds.M())
	for _, y := range ds.Y {
		counts[y]++
	}
	if !slices.Equal(counts, []int{50, 50, 49}) {
		t.Errorf("class counts = %v", counts)
	}
	wantNotes := []string{
		`line 1 is a header (scikit-learn style: 150 rows, 4 features, classes "setosa", "versicolor", "virginica")`,
		"dropped 1 duplicate row (row 144 repeats row 103)",
	}
	if !slices.Equal(ds.Notes, wantNotes) {
		t.Errorf("Notes = %q, want %q", ds.Notes, wantNotes)
	}
	if ds.Rows[0] != 2 || !slices.Equal(ds.X[0], []float64{5.1, 3.5, 1.4, 0.2}) {
		t.Errorf("first row %v at line %d", ds.X[0], ds.Rows[0])
	}
}

func TestDigits(t *testing.T) {
	ds, err := Load(LoadOptions{Path: sharedFile(t, "digits.csv.gz")})
	if err != nil {
		t.Fatal(err)
	}
	if ds.N() != 1797 || ds.D() != 64 || ds.M() != 10 || ds.Duplicates != 0 {
		t.Errorf("N=%d D=%d M=%d Duplicates=%d", ds.N(), ds.D(), ds.M(), ds.Duplicates)
	}
	if !slices.Equal(ds.Classes, strings.Split("0 1 2 3 4 5 6 7 8 9", " ")) {
		t.Errorf("Classes = %q", ds.Classes)
	}
}
