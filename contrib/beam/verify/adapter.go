package verify

// The one file that knows memnet's shard/merge verdict API (package
// verdict, pipeline.VerifyShard): a shard's partial verdict, the
// combination of two, and the whole data's verdict from the combination of
// all. Partial verdicts travel between workers as the JSON memnet verify
// --shard writes (verdict.Partial.WriteJSON), so a Beam job's parts are the
// same files `memnet verify merge` reads.

import (
	"bytes"
	"context"
	"fmt"

	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
	"github.com/memnet/memnet/pipeline"
	"github.com/memnet/memnet/verdict"
)

// Result is the verdict memnet verify prints (--json prints it as JSON).
type Result = verdict.Result

// Criterion is what the network is judged by (the command line's
// --regression --eps; classification when zero).
type Criterion = verdict.Criterion

// prepared is what a worker prepares once per process for a network, a
// dataset and a criterion: the shard judge (the network's hash and float
// views) and the whole dataset's hashes.
type prepared struct {
	sj    *pipeline.ShardJudge
	model *nn.Model
	ds    *data.Dataset
	whole verdict.Whole
}

// prepare prepares model to judge shards of ds by c.
func prepare(model *nn.Model, ds *data.Dataset, c Criterion) (*prepared, error) {
	if ds.D() != model.Net.InputDim {
		return nil, fmt.Errorf("%s has %d features per point; the network reads %d", ds.Name, ds.D(), model.Net.InputDim)
	}
	j, err := pipeline.NewShardJudge(model, pipeline.VerifyOptions{Criterion: c})
	if err != nil {
		return nil, err
	}
	return &prepared{sj: j, model: model, ds: ds, whole: verdict.WholeOf(ds)}, nil
}

// judge verifies shard i of k and returns the partial verdict's JSON.
func (w *prepared) judge(ctx context.Context, i, k int) ([]byte, error) {
	s := verdict.Shard{Index: i, Count: k}
	part, index := verdict.Select(w.ds, s)
	p, err := w.sj.Judge(ctx, part, index, s, w.whole)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	err = p.WriteJSON(&b)
	return b.Bytes(), err
}

// combine is the partial verdict on the shards of a and b (either may be
// empty: no shards yet).
func combine(a, b []byte) ([]byte, error) {
	if len(a) == 0 {
		return b, nil
	}
	if len(b) == 0 {
		return a, nil
	}
	pa, err := verdict.ReadPartial(bytes.NewReader(a), "partial verdict")
	if err != nil {
		return nil, err
	}
	pb, err := verdict.ReadPartial(bytes.NewReader(b), "partial verdict")
	if err != nil {
		return nil, err
	}
	p, err := verdict.Combine(pa, pb)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	err = p.WriteJSON(&out)
	return out.Bytes(), err
}

// final is the whole data's verdict from the partial verdict of all shards
// (verdict.Merge checks that they are complete and agree).
func final(all []byte, name string) (*Result, error) {
	p, err := verdict.ReadPartial(bytes.NewReader(all), name)
	if err != nil {
		return nil, err
	}
	return verdict.Merge([]*verdict.Partial{p})
}

// local is memnet verify's verdict on the whole data in one process (what
// the Beam job must equal), with the certificates verify prints.
func local(ctx context.Context, model *nn.Model, ds *data.Dataset, c Criterion) (*Result, error) {
	v, err := pipeline.Verify(ctx, model, ds, pipeline.VerifyOptions{Criterion: c})
	if err != nil {
		return nil, err
	}
	if !v.Regression {
		if v.Certificates, err = pipeline.Certificates(ctx, model.Net, ds.X, nil, false); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// Headline is the first line memnet verify prints for v.
func Headline(v *Result) string {
	wrong := v.DistinctPoints - v.ExactCorrect
	switch {
	case v.Regression && v.Exact:
		return fmt.Sprintf("WITHIN EPS: regression network, largest |f(x) − target| = %.6g over %d distinct points (eps %g)", v.MaxError, v.DistinctPoints, v.Eps)
	case v.Regression:
		return fmt.Sprintf("NOT WITHIN EPS: regression network, largest |f(x) − target| = %.6g over %d distinct points (eps %g)", v.MaxError, v.DistinctPoints, v.Eps)
	case v.Proof == "interval arithmetic" && v.Exact:
		return "PROVEN (interval arithmetic): every distinct point is classified correctly"
	case v.Proof == "interval arithmetic":
		return fmt.Sprintf("NOT PROVEN (interval arithmetic): %d of %d distinct points not proven right", wrong, v.DistinctPoints)
	case v.Exact:
		return "EXACT: every distinct point is classified correctly in exact arithmetic"
	}
	return fmt.Sprintf("NOT EXACT: %d of %d distinct points wrong", wrong, v.DistinctPoints)
}
