package verdict

import (
	"bytes"
	"strings"
	"testing"

	"github.com/memnet/memnet/nn"
)

// samplePartial is a small valid partial verdict in JSON.
func samplePartial(t testing.TB) []byte {
	p := &Partial{Format: PartialFormat, NetworkSHA256: "ab", DataFingerprint: strings.Repeat("c", 64), DataDim: 2, PointsSHA256: "ef", DataRows: 3, DataPoints: 2,
		Count: 2, Shards: []int{1}, ShardFingerprint: strings.Repeat("0", 63) + "d", Classes: []string{"a", "b"},
		Result: &Result{Points: 2, DistinctPoints: 1, ExactCorrect: 0, Exact: false, Proof: "exact arithmetic",
			Wrong:        []WrongPoint{{Row: 2, Label: "b", Predicted: "?"}},
			Certificates: []*nn.Certificate{{Format: "float32", Proven: true, Points: 1, FailPoint: -1, WherePoint: 0}}},
		CertPoints: [][2]int{{-1, 0}}}
	var b bytes.Buffer
	if err := p.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// FuzzReadPartial: any bytes give a partial verdict or a one-line error
// naming the file, never a panic; what is read combines and merges without
// a panic, and a partial written back reads back equal.
func FuzzReadPartial(f *testing.F) {
	f.Add(samplePartial(f))
	f.Add([]byte(`{"format": "memnet-partial-verdict-1", "data_sha256": "ab", "shard_count": 0}`))
	f.Add([]byte(`{"format": "memnet-partial-verdict-2", "shard_count": 0}`))
	f.Add([]byte(`{"format": "memnet-partial-verdict-2", "data_fingerprint": "` + strings.Repeat("0", 64) + `", "shard_fingerprint": "` + strings.Repeat("f", 64) + `", "shard_count": 1, "shards": [0], "result": {}}`))
	f.Add([]byte(`{"format": "memnet-partial-verdict-2", "shard_count": 3, "shards": [2, 1], "result": {}}`))
	f.Add([]byte(`{"format": "memnet-partial-verdict-2", "shard_count": 1, "shards": [0], "result": {"float_certificates": [null]}, "certificate_points": [[0, 0]]}`))
	f.Add([]byte("\x00\xff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ReadPartial(bytes.NewReader(b), "part.json")
		if err != nil {
			if msg := err.Error(); !strings.HasPrefix(msg, "part.json: ") || strings.Contains(msg, "\n") {
				t.Fatalf("error %q does not name the file on one line", msg)
			}
			return
		}
		_, _ = Combine(p, p)
		_, _ = Merge([]*Partial{p})
		var out bytes.Buffer
		if err := p.WriteJSON(&out); err != nil {
			t.Fatal(err)
		}
		back, err := ReadPartial(bytes.NewReader(out.Bytes()), "again.json")
		if err != nil {
			t.Fatalf("a partial written back does not read: %v", err)
		}
		var again bytes.Buffer
		_ = back.WriteJSON(&again)
		if !bytes.Equal(out.Bytes(), again.Bytes()) {
			t.Fatalf("round trip changed the partial:\n%s\n%s", out.Bytes(), again.Bytes())
		}
	})
}

// TestMergeSample: the sample partial is shard 1 of 2: alone it is
// incomplete; with a copy claiming shard 0 it merges to 2 rows... of which
// the counts must match the data's.
func TestMergeSample(t *testing.T) {
	p, err := ReadPartial(bytes.NewReader(samplePartial(t)), "p.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Merge([]*Partial{p}); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("one of two shards merged: %v", err)
	}
	q := *p
	q.Shards = []int{0}
	r, err := Merge([]*Partial{p, &q})
	if err == nil || !strings.Contains(err.Error(), "hold 2 points") {
		t.Errorf("shards holding more points than the data merged: %v %+v", err, r)
	}
}

// TestReadPartialOldFormat: a version 1 partial (which named the data by
// the SHA-256 of the whole) is refused in one line naming the file and
// both versions.
func TestReadPartialOldFormat(t *testing.T) {
	old := `{"format": "memnet-partial-verdict-1", "network_sha256": "ab", "data_sha256": "cd", "points_sha256": "ef", "shard_count": 1, "shards": [0], "result": {}}`
	_, err := ReadPartial(strings.NewReader(old), "old.json")
	if err == nil || strings.Contains(err.Error(), "\n") || !strings.HasPrefix(err.Error(), "old.json: ") ||
		!strings.Contains(err.Error(), "memnet-partial-verdict-1") || !strings.Contains(err.Error(), PartialFormat) {
		t.Fatalf("old partial: %v", err)
	}
}
