package verify

// Verification where no worker holds the whole dataset (Job.Ranges > 0):
//
//  1. this machine plans the data's ranges (data.PlanRanges, Split,
//     Number) and streams them once, in order, through verdict's
//     WholeOfRanges: the data's Whole (fingerprint, points hash, counts)
//     and data.RangeSummary (classes, repeated rows' positions), or the
//     error memnet verify gives the data. It holds one range at a time and
//     a SHA-256 per distinct point: O(points) memory, O(rows) time, here;
//  2. a ParDo reads each range on a worker and emits each row keyed by its
//     shard (verdict.ShardOf, as memnet verify --shard), with its range and
//     position in it; each shard index is also emitted once with no row, so
//     that an empty shard is judged too;
//  3. GroupByKey gathers a shard's rows on one worker, which builds the
//     shard's dataset as memnet verify's loader and verdict.Select would
//     (data.RangeSummary.Shard) and judges it (pipeline.ShardJudge);
//  4. the partial verdicts are combined (combineFn) and merged as before.
//
// A worker holds one range (reading) or one shard's rows (judging); the
// summary every judging worker receives is O(classes + repeated rows).

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"math"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
	"github.com/memnet/memnet/pipeline"
	"github.com/memnet/memnet/verdict"
)

func init() {
	register.DoFn3x1[context.Context, int, func(int, []byte), error](&readRangeFn{})
	register.DoFn1x2[int, int, []byte](&shardMarkFn{})
	register.DoFn4x1[context.Context, int, func(*[]byte) bool, func([]byte), error](&judgeRowsFn{})
	register.Emitter2[int, []byte]()
	register.Iter1[[]byte]()
}

// wholeRecord is a verdict.Whole as a DoFn field (its fingerprint as text).
type wholeRecord struct {
	Fingerprint, PointsSHA256 string
	Rows, Points, Dim         int
}

// scanRanges is step 1: the ranges of job's data and what the judging
// workers need of the whole data (the summary gob-encoded: label texts are
// any bytes, which JSON would not keep).
func scanRanges(ctx context.Context, job Job) ([]data.Range, wholeRecord, []byte, error) {
	plan, err := data.PlanRanges(job.Data)
	if err != nil {
		return nil, wholeRecord{}, nil, err
	}
	rs := plan.Split(job.Ranges)
	if err := plan.Number(ctx, rs); err != nil {
		return nil, wholeRecord{}, nil, err
	}
	whole, sum, err := verdict.WholeOfRanges(ctx, plan, rs)
	if err != nil {
		return nil, wholeRecord{}, nil, err
	}
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(sum); err != nil {
		return nil, wholeRecord{}, nil, err
	}
	w := wholeRecord{Fingerprint: whole.Fingerprint.String(), PointsSHA256: whole.PointsSHA256, Rows: whole.Rows, Points: whole.Points, Dim: whole.Dim}
	return rs, w, b.Bytes(), nil
}

// rangesPipeline is steps 2–4; the combined partial verdict is written to out.
func rangesPipeline(job Job, rs []data.Range, whole wholeRecord, summary []byte, out string) *beam.Pipeline {
	p, s := beam.NewPipelineWithRoot()
	ri := make([]int, len(rs))
	for i := range ri {
		ri[i] = i
	}
	si := make([]int, job.Shards)
	for i := range si {
		si[i] = i
	}
	ranges := beam.Reshuffle(s, beam.CreateList(s, ri))
	rows := beam.ParDo(s.Scope("read range"), &readRangeFn{Data: job.Data, Ranges: rs, K: job.Shards}, ranges)
	marks := beam.ParDo(s.Scope("shard marks"), &shardMarkFn{}, beam.CreateList(s, si))
	shards := beam.GroupByKey(s.Scope("gather shards"), beam.Flatten(s, rows, marks))
	parts := beam.ParDo(s.Scope("judge shard"), &judgeRowsFn{Net: job.Net, Criterion: job.Criterion, K: job.Shards, Whole: whole, Summary: summary}, shards)
	all := beam.Combine(s.Scope("combine verdicts"), &combineFn{}, parts)
	beam.ParDo0(s.Scope("write verdict"), &writeFn{Out: out}, all)
	return p
}

// readRangeFn reads one range (its element is the range's index) and
// emits its rows keyed by shard.
type readRangeFn struct {
	Data   data.LoadOptions
	Ranges []data.Range
	K      int

	plan *data.RangePlan
}

// Setup plans the ranges again on the worker (the file's header).
func (f *readRangeFn) Setup() error {
	var err error
	f.plan, err = data.PlanRanges(f.Data)
	return err
}

func (f *readRangeFn) ProcessElement(ctx context.Context, i int, emit func(int, []byte)) error {
	if i < 0 || i >= len(f.Ranges) {
		return fmt.Errorf("range %d of %d", i, len(f.Ranges))
	}
	raw, err := f.plan.Read(ctx, f.Ranges[i])
	if err != nil {
		return err
	}
	for _, r := range raw.ShardRows(i) {
		emit(verdict.ShardOf(r.X, f.K), encodeRow(r))
	}
	return nil
}

// shardMarkFn emits shard i with no row, so that every shard is grouped.
type shardMarkFn struct{}

func (shardMarkFn) ProcessElement(i int) (int, []byte) { return i, []byte{} }

// judgeRowsFn builds one shard's dataset from its rows and judges it.
type judgeRowsFn struct {
	Net       string
	Criterion Criterion
	K         int
	Whole     wholeRecord
	Summary   []byte

	sj    *pipeline.ShardJudge
	sum   *data.RangeSummary
	whole verdict.Whole
}

// Setup loads the network and prepares its judge once per DoFn instance.
func (f *judgeRowsFn) Setup() error {
	model, err := nn.Load(f.Net)
	if err != nil {
		return err
	}
	if f.sj, err = pipeline.NewShardJudge(model, pipeline.VerifyOptions{Criterion: f.Criterion}); err != nil {
		return err
	}
	if err := gob.NewDecoder(bytes.NewReader(f.Summary)).Decode(&f.sum); err != nil {
		return fmt.Errorf("the data summary: %w", err)
	}
	fp, err := verdict.ParseFingerprint(f.Whole.Fingerprint)
	if err != nil {
		return err
	}
	f.whole = verdict.Whole{Fingerprint: fp, PointsSHA256: f.Whole.PointsSHA256, Rows: f.Whole.Rows, Points: f.Whole.Points, Dim: f.Whole.Dim}
	return nil
}

func (f *judgeRowsFn) ProcessElement(ctx context.Context, shard int, values func(*[]byte) bool, emit func([]byte)) error {
	var rows []data.ShardRow
	var b []byte
	for values(&b) {
		if len(b) == 0 {
			continue // the shard's mark
		}
		r, err := decodeRow(b)
		if err != nil {
			return fmt.Errorf("shard %d/%d: %w", shard, f.K, err)
		}
		rows = append(rows, r)
	}
	part, index, err := f.sum.Shard(rows)
	if err != nil {
		return fmt.Errorf("shard %d/%d: %w", shard, f.K, err)
	}
	p, err := f.sj.Judge(ctx, part, index, verdict.Shard{Index: shard, Count: f.K}, f.whole)
	if err != nil {
		return fmt.Errorf("shard %d/%d: %w", shard, f.K, err)
	}
	var out bytes.Buffer
	if err := p.WriteJSON(&out); err != nil {
		return err
	}
	emit(out.Bytes())
	return nil
}

// encodeRow is a row as bytes: range, position and row number (uvarints),
// the dimension, each feature's float64 bits (little-endian), the label.
func encodeRow(r data.ShardRow) []byte {
	b := make([]byte, 0, 16+8*len(r.X)+len(r.Label))
	b = binary.AppendUvarint(b, uint64(r.Range))
	b = binary.AppendUvarint(b, uint64(r.Pos))
	b = binary.AppendUvarint(b, uint64(r.Row))
	b = binary.AppendUvarint(b, uint64(len(r.X)))
	for _, v := range r.X {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	return append(b, r.Label...)
}

var errRow = errors.New("a malformed row between the pipeline's stages")

// decodeRow reads encodeRow's bytes.
func decodeRow(b []byte) (data.ShardRow, error) {
	var v [4]uint64
	for i := range v {
		x, n := binary.Uvarint(b)
		if n <= 0 || x > 1<<47 {
			return data.ShardRow{}, errRow
		}
		v[i], b = x, b[n:]
	}
	if v[3] > uint64(len(b))/8 {
		return data.ShardRow{}, errRow
	}
	r := data.ShardRow{Range: int(v[0]), Pos: int(v[1]), Row: int(v[2]), X: make([]float64, v[3])}
	for k := range r.X {
		r.X[k] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*k:]))
	}
	r.Label = string(b[8*len(r.X):])
	return r, nil
}

// runRanges is Run for Job.Ranges > 0.
func runRanges(ctx context.Context, job Job, out string) error {
	model, err := nn.Load(job.Net)
	if err != nil {
		return err
	}
	rs, whole, summary, err := scanRanges(ctx, job)
	if err != nil {
		return err
	}
	if whole.Dim != model.Net.InputDim {
		return fmt.Errorf("%s has %d features per point; the network reads %d", job.Data.Path, whole.Dim, model.Net.InputDim)
	}
	return runPipeline(ctx, rangesPipeline(job, rs, whole, summary, out))
}
