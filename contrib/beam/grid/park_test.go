package grid

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"

	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/pipeline"
	"github.com/memnet/memnet/train/experiment"
)

func TestMain(m *testing.M) { ptest.MainWithDefault(m, "prism") }

// untimedCSV drops the last column (seconds) of a CSV.
func untimedCSV(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = l[:strings.LastIndexByte(l, ',')]
	}
	return strings.Join(lines, "\n")
}

// TestParkGridEqualsLocal: a small depth × width grid (digits with real
// and random labels, 2 widths × 2 block counts) run one cell per element
// on Prism writes the local command's CSV, but the seconds column.
func TestParkGridEqualsLocal(t *testing.T) {
	ds, err := data.Load(data.LoadOptions{Path: "../../../testdata/digits.csv.gz"})
	if err != nil {
		t.Fatal(err)
	}
	test := &data.Dataset{Name: ds.Name, X: ds.X[1500:], Y: ds.Y[1500:], Classes: ds.Classes}
	var sets []experiment.ParkSet
	for _, random := range []bool{false, true} {
		name := "digits"
		if random {
			name += "-random"
		}
		s, err := experiment.Subset(name, ds, test, 200, 100, random, 1, 1)
		if err != nil {
			t.Fatal(err)
		}
		sets = append(sets, s)
	}
	o := experiment.ParkOptions{Sets: sets, Widths: []int{2, 12}, Blocks: []int{1, 2}, Epochs: 15, Batch: 32, LR: 0.05, Lambda: 5e-5, Trials: 1, Seed: 1}
	local, err := experiment.ParkDepthWidth(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Park(context.Background(), o, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var a, b bytes.Buffer
	if err := local.WriteCSV(&a); err != nil {
		t.Fatal(err)
	}
	if err := got.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	if strings.Count(a.String(), "\n") != 9 {
		t.Fatalf("local grid: %d lines, want 9", strings.Count(a.String(), "\n"))
	}
	if untimedCSV(a.String()) != untimedCSV(b.String()) {
		t.Fatalf("the Beam grid's CSV differs from the local one:\n%s\nBeam:\n%s", a.String(), b.String())
	}
}

// TestSweepEqualsLocal: a small sweep (N = 60, 150; hz, zhang, vardi) run
// one (N, method) cell per element on Prism writes the local sweep's CSV,
// but the build and verify seconds.
func TestSweepEqualsLocal(t *testing.T) {
	o := pipeline.SweepOptions{Ns: []int{60, 150}, D: 4, Classes: 3, Seed: 2,
		Compare: pipeline.CompareOptions{Methods: []string{"hz", "zhang", "vardi"}, FloatSample: 100}}
	var local bytes.Buffer
	if err := pipeline.WriteSweepCSV(&local, pipeline.Sweep(context.Background(), o)); err != nil {
		t.Fatal(err)
	}
	got, _, exact, err := Sweep(context.Background(), o, t.TempDir())
	if err != nil || !exact {
		t.Fatalf("Beam sweep: exact %v, %v", exact, err)
	}
	a, b := dropColumns(t, local.String()), dropColumns(t, string(got))
	if strings.Count(a, "\n") != 7 { // header and 6 rows
		t.Fatalf("local sweep: %d lines, want 7:\n%s", strings.Count(a, "\n"), a)
	}
	if a != b {
		t.Fatalf("the Beam sweep's CSV differs from the local one:\n%s\nBeam:\n%s", a, b)
	}
}

// dropColumns removes the timing columns of a sweep CSV.
func dropColumns(t *testing.T, s string) string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(s)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var keep []int
	for k, h := range recs[0] {
		if h != "build_seconds" && h != "verify_seconds" {
			keep = append(keep, k)
		}
	}
	var out strings.Builder
	for _, r := range recs {
		for j, k := range keep {
			if j > 0 {
				out.WriteByte(',')
			}
			out.WriteString(r[k])
		}
		out.WriteByte('\n')
	}
	return out.String()
}
