package verdict

import (
	"bytes"
	"strings"
	"testing"
)

// readSample reads samplePartial.
func readSample(t *testing.T) *Partial {
	p, err := ReadPartial(bytes.NewReader(samplePartial(t)), "p.json")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestReadPartialRejectsInconsistent: a partial whose verdict disagrees
// with its own counts, or lists wrong points it cannot have, is refused
// when read (merge trusts counts that pass; it does not evaluate again).
func TestReadPartialRejectsInconsistent(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(p *Partial)
		want   string
	}{
		{"exact with a wrong point", func(p *Partial) { p.Result.Exact = true }, "exact true with 0 of 1 points right"},
		{"right but listed wrong", func(p *Partial) { p.Result.ExactCorrect = 1; p.Result.Exact = true }, "1 wrong points listed, but 0 of 1"},
		{"wrong but none listed", func(p *Partial) { p.Result.Wrong = nil }, "0 wrong points listed, but 1 of 1"},
		{"more listed than wrong", func(p *Partial) { p.Result.Wrong = append(p.Result.Wrong, WrongPoint{Row: 2}) }, "2 wrong points listed"},
		{"row 0", func(p *Partial) { p.Result.Wrong[0].Row = 0 }, "not positive and ascending"},
		{"criterion differs", func(p *Partial) { p.Criterion = Criterion{Regression: true, Eps: 0.5} }, "criterion is not the partial's"},
		{"regression exact with none within", func(p *Partial) {
			p.Criterion = Criterion{Regression: true, Eps: 0.5}
			p.Result.Regression, p.Result.Eps, p.Result.Exact = true, 0.5, true
		}, "exact true with 0 of 1 points within eps"},
		{"count above the points", func(p *Partial) { p.Result.Float64Correct = 2 }, "inconsistent counts"},
	} {
		p := readSample(t)
		c.change(p)
		var b bytes.Buffer
		if err := p.WriteJSON(&b); err != nil {
			t.Fatal(err)
		}
		_, err := ReadPartial(&b, "p.json")
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "p.json: ") {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
}

// TestCombineRejectsForeign: parts of different verifications, or the same
// shard twice, do not combine: each check names what differs.
func TestCombineRejectsForeign(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(q *Partial)
		want   string
	}{
		{"same shard twice", func(q *Partial) {}, "given twice"},
		{"other shard count", func(q *Partial) { q.Count, q.Shards = 3, []int{0} }, "different shard counts"},
		{"other network", func(q *Partial) { q.NetworkSHA256, q.Shards = "00", []int{0} }, "different networks"},
		{"other data", func(q *Partial) { q.DataFingerprint, q.Shards = strings.Repeat("0", 64), []int{0} }, "different data"},
		{"other points", func(q *Partial) { q.PointsSHA256, q.Shards = "00", []int{0} }, "different data"},
		{"other criterion", func(q *Partial) { q.Criterion, q.Shards = Criterion{Regression: true, Eps: 1}, []int{0} }, "different criteria"},
		{"other classes", func(q *Partial) { q.Classes, q.Shards = []string{"b", "a"}, []int{0} }, "different class labels"},
	} {
		p, q := readSample(t), readSample(t)
		c.change(q)
		if _, err := Combine(p, q); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
		if _, err := Merge([]*Partial{p, q}); err == nil {
			t.Errorf("%s: merged", c.name)
		}
	}
}
