package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/memnet/memnet/construct"
	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
	"github.com/memnet/memnet/verdict"
)

// wholeAndMerged verifies model on ds whole (with the certificates verify
// prints) and as k shards written to JSON, read back and merged, and
// returns both verdicts as JSON without timings.
func wholeAndMerged(t *testing.T, model *nn.Model, ds *data.Dataset, k int) (whole, merged string) {
	t.Helper()
	ctx := context.Background()
	v, err := Verify(ctx, model, ds, VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !v.Regression {
		if v.Certificates, err = Certificates(ctx, model.Net, ds.X, nil, false); err != nil {
			t.Fatal(err)
		}
	}
	var parts []*verdict.Partial
	seen := 0
	// one judge, prepared once, judges every shard (as a Beam worker does)
	// and gives each shard's partial verdict VerifyShard gives
	judge, err := NewShardJudge(model, VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wd := verdict.WholeOf(ds)
	for i := range k {
		s := verdict.Shard{Index: i, Count: k}
		p, err := VerifyShard(ctx, model, ds, s, VerifyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		part, index := verdict.Select(ds, s)
		q, err := judge.Judge(ctx, part, index, s, wd)
		if err != nil {
			t.Fatal(err)
		}
		if a, b := untimedPartial(t, p), untimedPartial(t, q); a != b {
			t.Fatalf("shard %v: the prepared judge's partial differs from VerifyShard's:\n%s\n%s", s, b, a)
		}
		seen += p.Result.DistinctPoints
		var b bytes.Buffer
		if err := p.WriteJSON(&b); err != nil {
			t.Fatal(err)
		}
		back, err := verdict.ReadPartial(&b, fmt.Sprintf("part-%d.json", i))
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, back)
	}
	if seen != ds.N() {
		t.Fatalf("k=%d: shards hold %d points, the data %d", k, seen, ds.N())
	}
	// any order of the parts merges to the same verdict
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	m, err := verdict.Merge(parts)
	if err != nil {
		t.Fatal(err)
	}
	return untimed(t, v), untimed(t, m)
}

// untimedPartial is p as JSON without its timings.
func untimedPartial(t *testing.T, p *verdict.Partial) string {
	c := *p
	r := *p.Result
	r.Seconds, r.ExactSeconds, r.FloatSeconds = 0, 0, 0
	c.Result = &r
	var b bytes.Buffer
	if err := c.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// untimed is r as JSON without its timings.
func untimed(t *testing.T, r *verdict.Result) string {
	c := *r
	c.Seconds, c.ExactSeconds, c.FloatSeconds = 0, 0, 0
	b, err := json.MarshalIndent(&c, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestShardsMergeToWhole: verify --shard i/k for every i, merged, is the
// whole-data verify (JSON equal but timings) for k = 1, 2, 3, 7 on the
// datasets in testdata/ (hz networks), on 10^5 random points (a small
// network that gets many of them wrong: NOT EXACT, wrong rows listed) and
// on a zhang network with labels flipped (NOT EXACT).
func TestShardsMergeToWhole(t *testing.T) {
	type tcase struct {
		name  string
		model *nn.Model
		ds    *data.Dataset
	}
	var cases []tcase
	for _, f := range []string{"iris.csv", "digits.csv.gz"} {
		ds, err := data.Load(data.LoadOptions{Path: "../testdata/" + f})
		if err != nil {
			t.Fatal(err)
		}
		b, err := Build(context.Background(), ds, "hz", construct.Options{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, tcase{f, b.Model, ds})
	}
	big := data.Gaussian(100000, 2, 3, 7)
	net, _ := randomCase(3)
	cases = append(cases, tcase{"1e5 random points", &nn.Model{Net: net, Classes: big.Classes}, big})
	flip := data.Gaussian(300, 3, 3, 2)
	b, err := Build(context.Background(), flip, "zhang", construct.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	wrong := *b.Model
	wrong.Net = b.Model.Net.Clone()
	wrong.Net.Readout.B[0].Add(wrong.Net.Readout.B[0], big1)
	cases = append(cases, tcase{"zhang shifted by one", &wrong, flip})
	for _, c := range cases {
		for _, k := range []int{1, 2, 3, 7} {
			w, m := wholeAndMerged(t, c.model, c.ds, k)
			if w != m {
				t.Errorf("%s, k=%d: merged verdict differs from the whole:\n%s\nmerged:\n%s", c.name, k, w, m)
			}
		}
	}
	if w, _ := wholeAndMerged(t, cases[2].model, cases[2].ds, 1); !strings.Contains(w, `"exact": false`) || !strings.Contains(w, `"wrong"`) {
		t.Errorf("the random network should be NOT EXACT with wrong rows listed: %s", w[:min(len(w), 400)])
	}
	if w, _ := wholeAndMerged(t, &wrong, flip, 1); !strings.Contains(w, `"exact": false`) {
		t.Errorf("the shifted zhang network should be NOT EXACT")
	}
}

var big1 = big.NewRat(1, 1)

// TestMergeRefuses: merge refuses missing, repeated and foreign shards.
func TestMergeRefuses(t *testing.T) {
	ds := data.Gaussian(50, 2, 3, 1)
	b, err := Build(context.Background(), ds, "zhang", construct.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	part := func(model *nn.Model, ds *data.Dataset, i, k int) *verdict.Partial {
		p, err := VerifyShard(context.Background(), model, ds, verdict.Shard{Index: i, Count: k}, VerifyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	p0, p1, p2 := part(b.Model, ds, 0, 3), part(b.Model, ds, 1, 3), part(b.Model, ds, 2, 3)
	other := data.Gaussian(50, 2, 3, 2)
	b2, err := Build(context.Background(), other, "zhang", construct.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		parts []*verdict.Partial
		want  string
	}{
		{"missing", []*verdict.Partial{p0, p2}, "missing"},
		{"twice", []*verdict.Partial{p0, p1, p1, p2}, "twice"},
		{"other data", []*verdict.Partial{p0, p1, part(b.Model, other, 2, 3)}, "different data"},
		{"other network", []*verdict.Partial{p0, p1, part(b2.Model, ds, 2, 3)}, "different networks"},
		{"other count", []*verdict.Partial{p0, p1, part(b.Model, ds, 2, 4)}, "shard counts"},
	} {
		if _, err := verdict.Merge(c.parts); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
	// a shard whose rows are not those its fingerprint names (here: the
	// fingerprint of another shard) is refused at the merge
	forged := *p2
	forged.ShardFingerprint = p1.ShardFingerprint
	if _, err := verdict.Merge([]*verdict.Partial{p0, p1, &forged}); err == nil || !strings.Contains(err.Error(), "fingerprints differ") {
		t.Errorf("a shard with another's fingerprint: %v", err)
	}
	if _, err := verdict.Merge([]*verdict.Partial{p2, p0, p1}); err != nil {
		t.Errorf("complete shards: %v", err)
	}
}
