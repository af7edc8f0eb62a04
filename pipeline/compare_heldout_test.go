package pipeline

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/verdict"
)

// TestCompareHeldOut: --test and --radius fill their columns for every
// method built; zhang (one projection) gets an exact radius no larger than
// the data bound, dfg (random first layer) bounds; both legends are printed.
func TestCompareHeldOut(t *testing.T) {
	ds, test := data.Moons(300, 0.05, 1), data.Moons(500, 0.05, 2)
	rows := Compare(context.Background(), ds, CompareOptions{Methods: []string{"zhang", "dfg"}, Test: test, Radius: true,
		Params: map[string]map[string]string{"dfg": {"n": "100"}}})
	for _, r := range rows {
		if r.Error != "" || !r.Exact {
			t.Fatalf("%s: %+v", r.Method, r)
		}
		if r.TestN != 500 || r.TestCorrect < 250 || r.Radius == nil {
			t.Fatalf("%s: test %d/%d, radius %+v %s", r.Method, r.TestCorrect, r.TestN, r.Radius, r.RadiusError)
		}
		want := verdict.RadiusExact
		if r.Method == "dfg" {
			want = verdict.RadiusBounds
		}
		if r.Radius.Kind != want || r.Radius.Lower > r.Radius.Upper || r.Radius.Upper <= 0 {
			t.Fatalf("%s: radius %+v", r.Method, r.Radius)
		}
	}
	var b bytes.Buffer
	if err := PrintCompare(&b, rows, Text); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"test acc", "robust μ", "exact", "m/MT"} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("table lacks %q", s)
		}
	}
	var csvBuf bytes.Buffer
	if err := WriteSweepCSV(&csvBuf, rows); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(csvBuf.String()), "\n")
	if !strings.HasSuffix(lines[0], "robust_radius_kind,robust_radius_lower,robust_radius_upper") ||
		!strings.Contains(lines[1], ",exact,") || !strings.Contains(lines[2], ",bounds,") {
		t.Fatalf("sweep CSV radius columns:\n%s", csvBuf.String())
	}
	bad := data.Gaussian(10, 3, 2, 1)
	rows = Compare(context.Background(), ds, CompareOptions{Methods: []string{"zhang"}, Test: bad})
	if !strings.Contains(rows[0].TestError, "d = 3") {
		t.Fatalf("test data of another dimension: %q", rows[0].TestError)
	}
}
