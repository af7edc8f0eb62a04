package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"

	"github.com/memnet/memnet/construct"
	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/pipeline"
)

func TestMain(m *testing.M) { ptest.MainWithDefault(m, "prism") }

// untimed is r as JSON without its timings (the one field set allowed to differ).
func untimed(t *testing.T, r *Result) string {
	c := *r
	c.Seconds, c.ExactSeconds, c.FloatSeconds = 0, 0, 0
	b, err := json.MarshalIndent(&c, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// buildSave builds method on the data file and saves it (and, with
// shift, a copy whose read-out bias is one more: NOT EXACT).
func buildSave(t *testing.T, dir, method string, opt data.LoadOptions, shift bool) string {
	t.Helper()
	ds, err := data.Load(opt)
	if err != nil {
		t.Fatal(err)
	}
	b, err := pipeline.Build(context.Background(), ds, method, construct.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	model := b.Model
	if shift {
		m := *model
		m.Net = model.Net.Clone()
		m.Net.Readout.B[0].Add(m.Net.Readout.B[0], big.NewRat(1, 1))
		model = &m
	}
	out := filepath.Join(dir, fmt.Sprintf("%s-%s-%v.mnet", filepath.Base(opt.Path), method, shift))
	if err := model.Save(out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestBeamEqualsVerify: the Beam job's verdict (Prism) is memnet verify's,
// JSON equal but timings, on the testdata files, on a file with repeated
// points far apart (different ranges of the file, one shard), on a NOT
// EXACT network, and on a 10⁵-point vardi network.
func TestBeamEqualsVerify(t *testing.T) {
	dir := t.TempDir()
	iris := data.LoadOptions{Path: "../../../testdata/iris.csv"}
	digits := data.LoadOptions{Path: "../../../testdata/digits.csv.gz"}
	dups := data.LoadOptions{Path: writeCSV(t, dir, "dups.csv", 2000, 5, true)}
	big := data.LoadOptions{Path: writeCSV(t, dir, "big.csv", 100000, 12, false)}
	cases := []struct {
		name   string
		net    string
		data   data.LoadOptions
		shards int
		exact  bool
	}{
		{"iris hz", buildSave(t, dir, "hz", iris, false), iris, 3, true},
		{"digits zhang", buildSave(t, dir, "zhang", digits, false), digits, 7, true},
		{"digits zhang shifted (NOT EXACT)", buildSave(t, dir, "zhang", digits, true), digits, 4, false},
		{"repeated rows, hz", buildSave(t, dir, "hz", dups, false), dups, 5, true},
		{"1e5 vardi", buildSave(t, dir, "vardi", big, false), big, 8, true},
		{"1e5 vardi shifted (NOT EXACT)", buildSave(t, dir, "vardi", big, true), big, 8, false},
	}
	if testing.Short() {
		cases = cases[:4]
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w, err := load(c.net, c.data, Criterion{})
			if err != nil {
				t.Fatal(err)
			}
			want, err := local(context.Background(), w.model, w.ds, Criterion{})
			if err != nil {
				t.Fatal(err)
			}
			got, err := Run(context.Background(), Job{Net: c.net, Data: c.data, Shards: c.shards, Dir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			if want.Exact != c.exact {
				t.Fatalf("memnet verify says exact=%v, the case expects %v", want.Exact, c.exact)
			}
			if a, b := untimed(t, want), untimed(t, got); a != b {
				t.Fatalf("Beam verdict differs from memnet verify:\n%s\nBeam:\n%s", a, b)
			}
			if c.name == "repeated rows, hz" && w.ds.Duplicates == 0 {
				t.Fatal("the data has no repeated rows")
			}
		})
	}
}

// TestMergeRefusesMissingShard: a job whose combination lacks a shard is an
// error, never a verdict (the CombineFn's result is checked by Merge).
func TestMergeRefusesMissingShard(t *testing.T) {
	dir := t.TempDir()
	iris := data.LoadOptions{Path: "../../../testdata/iris.csv"}
	net := buildSave(t, dir, "hz", iris, false)
	w, err := load(net, iris, Criterion{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := w.judge(context.Background(), 0, 3)
	if err != nil {
		t.Fatal(err)
	}
	b, err := w.judge(context.Background(), 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	ab, err := combine(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := final(ab, "x"); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("a verdict without shard 1/3: %v", err)
	}
	if _, err := combine(a, a); err == nil {
		t.Fatal("a shard combined with itself")
	}
}

// writeCSV writes n points of dimension d (integers in [0, 256)) with
// labels 0..9; with dups every tenth row of the first half is repeated in
// the second half (same label), far from its first occurrence.
func writeCSV(t *testing.T, dir, name string, n, d int, dups bool) string {
	rng := rand.New(rand.NewPCG(uint64(n), uint64(d)))
	rows := make([]string, n)
	for i := range rows {
		var sb strings.Builder
		for range d {
			fmt.Fprintf(&sb, "%d,", rng.IntN(256))
		}
		fmt.Fprintf(&sb, "%d", rng.IntN(10))
		rows[i] = sb.String()
	}
	if dups {
		for i := 0; i < n/2; i += 10 {
			rows[n/2+i] = rows[i]
		}
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(strings.Join(rows, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
