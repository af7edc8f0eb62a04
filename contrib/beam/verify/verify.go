// Package verify runs memnet's exact verification as an Apache Beam
// pipeline: one element per shard of the data (the points whose exact
// coordinates hash to i mod k, as memnet verify --shard i/k), each judged
// on a worker that loaded the network and the data once (DoFn setup, cached
// per worker process), the partial verdicts combined by a CombineFn
// (verdict.Combine, associative and commutative), and the whole data's
// verdict (verdict.Merge) read back on this machine. The verdict, its JSON
// and its exit status are those of memnet verify on the same files.
package verify

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"sync"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx"

	"github.com/memnet/memnet/contrib/beam/internal/scratch"
	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
)

// DefaultShards is memnet-beam verify's default number of shards: one. A
// shard's exact evaluation runs on every core of the worker that judges it
// (the engine's own parallel loops), so on one machine more shards only
// add CPU: each repeats the network's shared per-group work (measured in
// docs/scale.md). On a cluster, give one shard per worker machine.
const DefaultShards = 1

// Job is one verification: the network file, the data (as memnet verify's
// --data, --labels, --label-col and --format), the criterion (--regression
// --eps; classification when zero) and the number of shards.
type Job struct {
	Net       string
	Data      data.LoadOptions
	Criterion Criterion
	Shards    int
	// Ranges, when positive, reads the data in that many ranges (fewer
	// when the file has fewer rows; one for a file that cannot be split):
	// no worker holds the whole dataset (ranges.go). Zero: every worker
	// loads the whole file.
	Ranges int
	// Dir is a directory every worker can write and this machine read
	// (local for Prism; gs://… on Dataflow): the combined partial verdict
	// is written there.
	Dir string
}

func init() {
	register.DoFn3x1[context.Context, int, func([]byte), error](&judgeFn{})
	register.Combiner1[[]byte](&combineFn{})
	register.DoFn2x1[context.Context, []byte, error](&writeFn{})
	register.Emitter1[[]byte]()
}

// Pipeline is the Beam pipeline of job; the combined partial verdict is
// written to out.
func Pipeline(job Job, out string) *beam.Pipeline {
	p, s := beam.NewPipelineWithRoot()
	idx := make([]int, job.Shards)
	for i := range idx {
		idx[i] = i
	}
	shards := beam.Reshuffle(s, beam.CreateList(s, idx))
	parts := beam.ParDo(s.Scope("judge shard"), &judgeFn{Net: job.Net, Data: job.Data, Criterion: job.Criterion, K: job.Shards}, shards)
	all := beam.Combine(s.Scope("combine verdicts"), &combineFn{}, parts)
	beam.ParDo0(s.Scope("write verdict"), &writeFn{Out: out}, all)
	return p
}

// Run runs job on the runner the --runner flag names (Prism in-process by
// default) and returns the whole data's verdict.
func Run(ctx context.Context, job Job) (*Result, error) {
	if job.Shards < 1 || job.Shards > 1<<20 {
		return nil, fmt.Errorf("--shards %d: want 1..%d", job.Shards, 1<<20)
	}
	if job.Ranges < 0 || job.Ranges > 1<<20 {
		return nil, fmt.Errorf("--ranges %d: want 0..%d", job.Ranges, 1<<20)
	}
	out := path.Join(job.Dir, "verdict.json")
	var err error
	if job.Ranges > 0 {
		err = runRanges(ctx, job, out)
	} else {
		err = runPipeline(ctx, Pipeline(job, out))
	}
	if err != nil {
		return nil, err
	}
	b, err := scratch.Read(ctx, out)
	if err != nil {
		return nil, err
	}
	return final(b, out)
}

// runPipeline runs p on the runner the --runner flag names.
func runPipeline(ctx context.Context, p *beam.Pipeline) error {
	if err := beamx.Run(ctx, p); err != nil {
		return fmt.Errorf("beam: %w", err)
	}
	return nil
}

// judgeFn judges one shard (its element is the shard index).
type judgeFn struct {
	Net       string
	Data      data.LoadOptions
	Criterion Criterion
	K         int

	w *prepared
}

// Setup loads the network and the data and prepares the shard judge once
// per worker process.
func (f *judgeFn) Setup() error {
	var err error
	f.w, err = load(f.Net, f.Data, f.Criterion)
	return err
}

func (f *judgeFn) ProcessElement(ctx context.Context, i int, emit func([]byte)) error {
	b, err := f.w.judge(ctx, i, f.K)
	if err != nil {
		return fmt.Errorf("shard %d/%d: %w", i, f.K, err)
	}
	emit(b)
	return nil
}

// combineFn combines partial verdicts (their JSON).
type combineFn struct{}

func (combineFn) MergeAccumulators(a, b []byte) ([]byte, error) { return combine(a, b) }

// writeFn writes the combined partial verdict.
type writeFn struct{ Out string }

func (f *writeFn) ProcessElement(ctx context.Context, b []byte) error {
	if len(b) == 0 {
		return errors.New("beam: no shard was judged")
	}
	return scratch.Write(ctx, f.Out, b)
}

var (
	workersMu sync.Mutex
	workers   = map[string]*prepared{}
)

// load returns the worker process's prepared network and data, loading and
// preparing them on first use (every DoFn instance of a process shares
// them).
func load(net string, opt data.LoadOptions, c Criterion) (*prepared, error) {
	key := fmt.Sprintf("%q %q %q %d %q %s %s %s %+v", net, opt.Path, opt.Labels, opt.LabelCol, opt.Format, stamp(net), stamp(opt.Path), stamp(opt.Labels), c)
	workersMu.Lock()
	defer workersMu.Unlock()
	if w, ok := workers[key]; ok {
		return w, nil
	}
	model, err := nn.Load(net)
	if err != nil {
		return nil, err
	}
	ds, err := data.Load(opt)
	if err != nil {
		return nil, err
	}
	w, err := prepare(model, ds, c)
	if err != nil {
		return nil, err
	}
	workers[key] = w
	return w, nil
}

// stamp is a file's size and modification time ("" when it has none), so a
// file rewritten between two jobs of one process is loaded again.
func stamp(name string) string {
	st, err := os.Stat(name)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("%d@%d", st.Size(), st.ModTime().UnixNano())
}
