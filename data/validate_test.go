package data

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestErrorFormat(t *testing.T) {
	tests := []struct {
		err  *Error
		want string
	}{
		{&Error{File: "a.csv", Row: 3, Reason: "bad"}, "a.csv: row 3: bad"},
		{&Error{File: "a.csv", Reason: "bad"}, "a.csv: bad"},
		{&Error{Row: 2, Reason: "bad"}, "row 2: bad"},
		{&Error{File: "f", Row: 1, Reason: "two\nlines"}, `f: row 1: two\nlines`},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestFromRawErrors(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	tests := []struct {
		name   string
		x      [][]float64
		labels []string
		rows   []int
		row    int
		want   string // substring of the reason
	}{
		{"empty", nil, nil, nil, 0, "no data rows"},
		{"zero features", [][]float64{{}, {}}, []string{"a", "b"}, nil, 1, "no features"},
		{"ragged", [][]float64{{1, 2}, {3}}, []string{"a", "b"}, []int{5, 6}, 6, "1 feature, but row 5 has 2"},
		{"nan", [][]float64{{1, 2}, {3, nan}}, []string{"a", "b"}, nil, 2, "column 2 is NaN"},
		{"inf", [][]float64{{inf, 2}}, []string{"a"}, nil, 1, "column 1 is +Inf"},
		{"-inf", [][]float64{{1, -inf}}, []string{"a"}, nil, 1, "column 2 is -Inf"},
		{"label count", [][]float64{{1}}, []string{"a", "b"}, nil, 0, "1 data rows but 2 labels"},
		{"row count", [][]float64{{1}}, []string{"a"}, []int{1, 2}, 0, "1 data rows but 2 row numbers"},
		{
			"conflict", [][]float64{{1, 2}, {3, 4}, {1, 2}}, []string{"1", "2", "2"}, []int{10, 20, 57}, 0,
			`rows 10 and 57 are the same point with different labels ("1" and "2"): no function can memorize this`,
		},
		{
			"conflict -0", [][]float64{{0, 2}, {math.Copysign(0, -1), 2}}, []string{"a", "b"}, nil, 0,
			`rows 1 and 2 are the same point`,
		},
		{
			"many conflicts", [][]float64{{1}, {2}, {3}, {4}, {5}, {6}, {1}, {2}, {3}, {4}, {5}, {6}},
			[]string{"a", "a", "a", "a", "a", "a", "b", "b", "b", "b", "b", "b"}, nil, 0,
			`6 rows repeat an earlier point with a different label: rows 1 and 7 ("a" and "b"), rows 2 and 8 ("a" and "b"), rows 3 and 9 ("a" and "b"), rows 4 and 10 ("a" and "b"), rows 5 and 11 ("a" and "b"), ...: no function can memorize this`,
		},
		{
			"conflict after canonical labels", [][]float64{{1}, {1}}, []string{"2", "3.0"}, nil, 0,
			`("2" and "3.0")`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FromRaw("in.csv", tt.x, tt.labels, tt.rows)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want *Error", err)
			}
			if e.File != "in.csv" || e.Row != tt.row || !strings.Contains(e.Reason, tt.want) {
				t.Errorf("err = %q (row %d), want row %d and reason containing %q", err, e.Row, tt.row, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

func TestFromRawDuplicates(t *testing.T) {
	negZero := math.Copysign(0, -1)
	x := [][]float64{{1, 0}, {2, 2}, {1, negZero}, {2, 2}, {3, 3}}
	ds, err := FromRaw("d", x, []string{"a", "b", "a", "b", "a"}, []int{2, 3, 4, 5, 6})
	if err != nil {
		t.Fatal(err)
	}
	if ds.N() != 3 || ds.Duplicates != 2 {
		t.Fatalf("N = %d, Duplicates = %d, want 3, 2", ds.N(), ds.Duplicates)
	}
	if !slices.Equal(ds.Rows, []int{2, 3, 6}) {
		t.Errorf("Rows = %v", ds.Rows)
	}
	want := "dropped 2 duplicate rows (row 4 repeats row 2, row 5 repeats row 3)"
	if !slices.Contains(ds.Notes, want) {
		t.Errorf("Notes = %q, want %q", ds.Notes, want)
	}
	for _, row := range ds.X {
		for _, v := range row {
			if math.Signbit(v) {
				t.Errorf("negative zero kept in %v", row)
			}
		}
	}

	// More than five duplicates are listed with "...".
	var xs [][]float64
	var ls []string
	for i := range 14 {
		xs = append(xs, []float64{float64(i % 7)})
		ls = append(ls, "c")
	}
	ds, err = FromRaw("d", xs, ls, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ds.Duplicates != 7 || !strings.HasSuffix(ds.Notes[0], "row 12 repeats row 5, ...)") {
		t.Errorf("Duplicates = %d, Notes = %q", ds.Duplicates, ds.Notes)
	}
}

func TestFromRawClasses(t *testing.T) {
	tests := []struct {
		name    string
		labels  []string
		classes []string
		y       []int
	}{
		{"integers sort numerically", []string{"10", "9", "-1", "2"}, []string{"-1", "2", "9", "10"}, []int{3, 2, 0, 1}},
		{"canonical integers", []string{"02", "2", "+3", "3.0", "1e0"}, []string{"1", "2", "3"}, []int{1, 1, 2, 2, 0}},
		{"strings sort as strings", []string{"b", "10", "a", "9"}, []string{"10", "9", "a", "b"}, []int{3, 0, 2, 1}},
		{"fraction is a string", []string{"1", "1.5"}, []string{"1", "1.5"}, []int{0, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := make([][]float64, len(tt.labels))
			for i := range x {
				x[i] = []float64{float64(i)}
			}
			ds, err := FromRaw("c", x, tt.labels, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ds.Classes, tt.classes) || !slices.Equal(ds.Y, tt.y) {
				t.Errorf("Classes = %q, Y = %v; want %q, %v", ds.Classes, ds.Y, tt.classes, tt.y)
			}
		})
	}
}

func TestFromRawSingleClass(t *testing.T) {
	ds, err := FromRaw("one", [][]float64{{1}, {2}}, []string{"x", "x"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ds.M() != 1 || len(ds.Notes) != 1 || !strings.Contains(ds.Notes[0], "single class") {
		t.Errorf("M = %d, Notes = %q", ds.M(), ds.Notes)
	}
}

func TestFromRawHugeCoordinates(t *testing.T) {
	ds, err := FromRaw("big", [][]float64{{1e308, -1e308}, {-1e308, 1e308}}, []string{"0", "1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ds.N() != 2 {
		t.Fatalf("N = %d", ds.N())
	}
}

func TestSourceMapsEveryRow(t *testing.T) {
	x := [][]float64{{1, 2}, {3, 4}, {1, 2}, {5, 6}, {3, 4}}
	ds, err := FromRaw("s", x, []string{"a", "b", "a", "a", "b"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []int{0, 1, 0, 2, 1}
	if len(ds.Source) != len(want) {
		t.Fatalf("Source %v, want %v", ds.Source, want)
	}
	for r, i := range want {
		if ds.Source[r] != i {
			t.Fatalf("Source %v, want %v", ds.Source, want)
		}
	}
	if ds.Duplicates != 2 || ds.N() != 3 {
		t.Fatalf("N %d, duplicates %d", ds.N(), ds.Duplicates)
	}
}
