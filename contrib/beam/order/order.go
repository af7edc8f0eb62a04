// Package order runs the global order of a project-then-sort construction
// (construct/project's stages) as an Apache Beam pipeline: the points are
// staged to a file that workers read in ranges, each worker computes column
// scales (combined by max), exact projections and order-preserving keys,
// the keys are cut into ranges at splitters drawn from a sample, each range
// is sorted on one worker and written as a run, and the runs are streamed
// back, in range order, into the construction on this machine.
//
// Orderer implements project.Orderer, so any construction that sorts its
// points along a direction builds with it unchanged (project.WithOrderer),
// and the network it writes is byte-identical to an in-process build.
package order

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"reflect"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx"

	"github.com/memnet/memnet/construct/project"
	"github.com/memnet/memnet/contrib/beam/internal/scratch"
)

// Range is a range [Lo, Hi) of staged points, the unit of work of the
// projection stages.
type Range struct{ Lo, Hi int }

// Scales are the column scales of some points (stage 1's partial result).
type Scales struct{ S []int }

// Split are the splitters between key ranges (stage 4's result).
type Split struct{ Keys [][]byte }

// Sample is the splitters' accumulator: sampled keys.
type Sample struct{ Keys [][]byte }

func init() {
	beam.RegisterType(reflect.TypeOf((*Range)(nil)).Elem())
	beam.RegisterType(reflect.TypeOf((*Scales)(nil)).Elem())
	beam.RegisterType(reflect.TypeOf((*Split)(nil)).Elem())
	beam.RegisterType(reflect.TypeOf((*Sample)(nil)).Elem())
	register.DoFn3x1[context.Context, Range, func(Scales), error](&scaleFn{})
	register.Combiner1[Scales](&maxScalesFn{})
	register.DoFn5x1[context.Context, Range, Scales, func([]byte), func([]byte), error](&keyFn{})
	register.Combiner3[Sample, []byte, Split](&splitFn{})
	register.DoFn3x0[[]byte, Split, func(int, []byte)](&partFn{})
	register.DoFn3x1[context.Context, int, func(*[]byte) bool, error](&sortRunFn{})
	register.Emitter1[Scales]()
	register.Emitter1[[]byte]()
	register.Emitter2[int, []byte]()
	register.Iter1[[]byte]()
}

// Orderer runs the global order on the Beam runner named by the --runner
// flag (beamx: Prism in-process by default).
type Orderer struct {
	// Dir is a scratch directory every worker can read and write (a local
	// path for Prism; gs://… on Dataflow); its files are removed after use
	// when the filesystem supports it.
	Dir string
	// Parts is the number of key ranges sorted in parallel; RangeRows the
	// points per projection range.
	Parts, RangeRows int
	// Runs counts the pipelines run (for tests).
	Runs int
}

// Order implements project.Orderer.
func (o *Orderer) Order(ctx context.Context, xs [][]float64, w []float64) (*project.Projection, error) {
	n, d := len(xs), len(w)
	if n == 0 {
		return nil, errors.New("projection: no points")
	}
	o.Runs++
	dir := path.Join(o.Dir, fmt.Sprintf("order-%d", o.Runs))
	stage := path.Join(dir, "points.f64")
	if err := writeStage(ctx, stage, xs, d); err != nil {
		return nil, err
	}
	parts := max(1, o.Parts)
	rows := o.RangeRows
	if rows <= 0 {
		rows = max(1024, n/(4*parts))
	}
	p := Pipeline(stage, n, d, w, parts, rows, dir)
	if err := beamx.Run(ctx, p); err != nil {
		return nil, fmt.Errorf("beam: the global order: %w", err)
	}
	// the scale again on this machine: the assembled projection states it,
	// and the runs were keyed at the scale the pipeline combined (the
	// assembly checks every key against it through DecodeKey and the count).
	scale := project.Scale(project.ColumnScales(xs, d), w)
	proj, err := readRuns(ctx, dir, w, scale, n)
	scratch.Remove(ctx, path.Join(dir, "*"))
	return proj, err
}

// Pipeline is the global order of the n staged points of dimension d on
// direction w: scales, keys, splitters, parts ranges sorted and written as
// runs into dir (run-PPPPPP.keys).
func Pipeline(stage string, n, d int, w []float64, parts, rows int, dir string) *beam.Pipeline {
	p, s := beam.NewPipelineWithRoot()
	var ranges []Range
	for lo := 0; lo < n; lo += rows {
		ranges = append(ranges, Range{lo, min(n, lo+rows)})
	}
	rs := beam.Reshuffle(s, beam.CreateList(s, ranges))
	scales := beam.Combine(s.Scope("scale"), &maxScalesFn{}, beam.ParDo(s.Scope("column scales"), &scaleFn{Stage: stage, D: d}, rs))
	step := max(1, n/(64*parts))
	keys, sample := beam.ParDo2(s.Scope("project"), &keyFn{Stage: stage, D: d, W: w, SampleStep: step}, rs, beam.SideInput{Input: scales})
	split := beam.Combine(s.Scope("splitters"), &splitFn{Parts: parts}, sample)
	keyed := beam.ParDo(s.Scope("partition"), &partFn{}, keys, beam.SideInput{Input: split})
	beam.ParDo0(s.Scope("sort runs"), &sortRunFn{Dir: dir}, beam.GroupByKey(s, keyed))
	return p
}

// scaleFn is stage 1 on a range: its column scales.
type scaleFn struct {
	Stage string
	D     int
}

func (f *scaleFn) ProcessElement(ctx context.Context, r Range, emit func(Scales)) error {
	xs, err := readRange(ctx, f.Stage, f.D, r)
	if err != nil {
		return err
	}
	emit(Scales{project.ColumnScales(xs, f.D)})
	return nil
}

// maxScalesFn combines column scales by max.
type maxScalesFn struct{}

func (maxScalesFn) MergeAccumulators(a, b Scales) Scales {
	if a.S == nil {
		return b
	}
	if b.S == nil {
		return a
	}
	return Scales{project.MaxScales(append([]int(nil), a.S...), b.S)}
}

// keyFn is stages 2 and 3 on a range: exact τ, keys, and every
// SampleStep-th point's key to the sample.
type keyFn struct {
	Stage      string
	D          int
	W          []float64
	SampleStep int
}

func (f *keyFn) ProcessElement(ctx context.Context, r Range, sc Scales, emit, sample func([]byte)) error {
	xs, err := readRange(ctx, f.Stage, f.D, r)
	if err != nil {
		return err
	}
	tau := project.TauRange(xs, f.W, project.Scale(sc.S, f.W))
	for j, t := range tau {
		k := project.Key(t, r.Lo+j)
		emit(k)
		if (r.Lo+j)%f.SampleStep == 0 {
			sample(k)
		}
	}
	return nil
}

// splitFn is stage 4: the sample's splitters.
type splitFn struct{ Parts int }

func (f *splitFn) CreateAccumulator() Sample { return Sample{} }
func (f *splitFn) AddInput(a Sample, k []byte) Sample {
	a.Keys = append(a.Keys, k)
	return a
}
func (f *splitFn) MergeAccumulators(a, b Sample) Sample {
	return Sample{append(a.Keys, b.Keys...)}
}
func (f *splitFn) ExtractOutput(a Sample) Split {
	return Split{project.Splitters(a.Keys, f.Parts)}
}

// partFn keys each projection key by its range.
type partFn struct{}

func (partFn) ProcessElement(k []byte, sp Split, emit func(int, []byte)) {
	emit(project.Part(k, sp.Keys), k)
}

// sortRunFn is stage 5: one range's keys sorted and written as a run file
// (each key as a 4-byte big-endian length and its bytes).
type sortRunFn struct{ Dir string }

func (f *sortRunFn) ProcessElement(ctx context.Context, part int, it func(*[]byte) bool) error {
	var keys [][]byte
	var k []byte
	for it(&k) {
		keys = append(keys, k)
	}
	project.SortRun(keys)
	wc, err := scratch.Create(ctx, path.Join(f.Dir, fmt.Sprintf("run-%06d.keys", part)))
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(wc)
	for _, k := range keys {
		_ = binary.Write(bw, binary.BigEndian, uint32(len(k)))
		_, _ = bw.Write(k)
	}
	if err := bw.Flush(); err != nil {
		wc.Close()
		return err
	}
	return wc.Close()
}

// readRuns is stage 6: the runs in dir streamed, in range order, into the
// projection (project.Assemble checks order and completeness).
func readRuns(ctx context.Context, dir string, w []float64, scale, n int) (*project.Projection, error) {
	files, err := scratch.List(ctx, path.Join(dir, "run-*.keys"))
	if err != nil {
		return nil, err
	}
	var cur io.ReadCloser
	var br *bufio.Reader
	defer func() {
		if cur != nil {
			cur.Close()
		}
	}()
	next := func() ([]byte, error) {
		for {
			if br != nil {
				var l [4]byte
				_, err := io.ReadFull(br, l[:])
				if err == nil {
					m := binary.BigEndian.Uint32(l[:])
					if m > 1<<26 {
						return nil, errors.New("beam: a run file holds an oversized key")
					}
					k := make([]byte, m)
					if _, err := io.ReadFull(br, k); err != nil {
						return nil, fmt.Errorf("beam: a run file is truncated: %w", err)
					}
					return k, nil
				}
				if err != io.EOF {
					return nil, fmt.Errorf("beam: a run file is truncated: %w", err)
				}
				cur.Close()
				cur, br = nil, nil
			}
			if len(files) == 0 {
				return nil, nil
			}
			rc, err := scratch.Open(ctx, files[0])
			if err != nil {
				return nil, err
			}
			files = files[1:]
			cur, br = rc, bufio.NewReader(rc)
		}
	}
	return project.Assemble(ctx, w, scale, n, next)
}

// writeStage writes the points as n·d little-endian float64 values.
func writeStage(ctx context.Context, name string, xs [][]float64, d int) error {
	wc, err := scratch.Create(ctx, name)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(wc, 1<<20)
	var b [8]byte
	for _, x := range xs {
		if len(x) != d {
			wc.Close()
			return fmt.Errorf("projection: a point has %d coordinates, the direction %d", len(x), d)
		}
		for _, v := range x {
			binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
			_, _ = bw.Write(b[:])
		}
	}
	if err := bw.Flush(); err != nil {
		wc.Close()
		return err
	}
	return wc.Close()
}

// readRange reads the staged points [r.Lo, r.Hi).
func readRange(ctx context.Context, name string, d int, r Range) ([][]float64, error) {
	rc, err := scratch.Open(ctx, name)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	off := int64(r.Lo) * int64(d) * 8
	if _, err := rc.(io.Seeker).Seek(off, io.SeekStart); err != nil {
		if _, err := io.CopyN(io.Discard, rc, off); err != nil { // a filesystem without seeking
			return nil, err
		}
	}
	br := bufio.NewReaderSize(rc, 1<<20)
	buf := make([]byte, 8*d)
	xs := make([][]float64, r.Hi-r.Lo)
	flat := make([]float64, (r.Hi-r.Lo)*d)
	for i := range xs {
		if _, err := io.ReadFull(br, buf); err != nil {
			return nil, fmt.Errorf("beam: staged points: %w", err)
		}
		x := flat[i*d : (i+1)*d : (i+1)*d]
		for k := range x {
			x[k] = math.Float64frombits(binary.LittleEndian.Uint64(buf[8*k:]))
		}
		xs[i] = x
	}
	return xs, nil
}
