package pipeline

import (
	"context"
	"fmt"

	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
	"github.com/memnet/memnet/verdict"
)

// Certificates returns the float32 certificate of net on the points xs and,
// when it does not hold, the float64 one (a float32 certificate implies
// float64); with both set, always both (partial verdicts need both to
// merge). index numbers the points in a larger set (nil: 0, 1, ...).
func Certificates(ctx context.Context, net *nn.Network, xs [][]float64, index []int, both bool) ([]*nn.Certificate, error) {
	c32, err := nn.CertifyPoints(ctx, net, xs, index, nn.CertFloat32)
	if err != nil || (c32.Proven && !both) {
		return []*nn.Certificate{c32}, err
	}
	c64, err := nn.CertifyPoints(ctx, net, xs, index, nn.CertFloat64)
	return []*nn.Certificate{c32, c64}, err
}

// ShardJudge judges shards of datasets with one network and criterion: what
// does not depend on the points (the criterion's check, the network's hash,
// its float64 and float32 views) is prepared once, by NewShardJudge, so a
// worker judging many shards pays it once. The exact engine is compiled per
// shard: its range analysis (input scales and bounds) is that of the
// shard's points, so one compiled for other points would not be valid.
// A ShardJudge may judge shards concurrently.
type ShardJudge struct {
	model   *nn.Model
	opt     VerifyOptions
	netHash string
}

// NewShardJudge prepares model to judge shards by opt's criterion.
func NewShardJudge(model *nn.Model, opt VerifyOptions) (*ShardJudge, error) {
	if c := opt.Criterion; c.Regression && !(c.Eps > 0 && c.Eps <= 1) {
		return nil, fmt.Errorf("--eps %g: want a number in (0, 1]", c.Eps)
	}
	if err := model.Net.Check(); err != nil {
		return nil, err
	}
	if !opt.Criterion.Regression && opt.Views == nil {
		opt.Views = model.Net.FloatViews()
	}
	return &ShardJudge{model: model, opt: opt, netHash: verdict.NetworkHash(model.Net, model.Classes)}, nil
}

// Judge returns the partial verdict on part, the points of shard s of the
// dataset whole names (as verdict.Select returns them: index[j] is the
// number of part's point j in the whole dataset), float certificates
// included for classification.
func (j *ShardJudge) Judge(ctx context.Context, part *data.Dataset, index []int, s verdict.Shard, whole verdict.Whole) (*verdict.Partial, error) {
	model := j.model
	if part.N() > 0 && part.D() != model.Net.InputDim {
		return nil, dimError(model, part)
	}
	var r *verdict.Result
	if part.N() == 0 {
		r = &verdict.Result{Exact: true, Float64: true, Float32: true, Proof: "exact arithmetic"}
		if model.Net.HasActivation(nn.Sigmoid) {
			r.Proof = "interval arithmetic"
		}
		r.Regression, r.Eps, r.FileClaim = j.opt.Criterion.Regression, j.opt.Criterion.Eps, FileClaim(model)
	} else {
		var err error
		if r, err = Verify(ctx, model, part, j.opt); err != nil {
			return nil, err
		}
	}
	if !r.Regression {
		certs, err := Certificates(ctx, model.Net, part.X, index, true)
		if err != nil {
			return nil, err
		}
		r.Certificates = certs
	}
	return verdict.NewPartial(j.netHash, model.Classes, whole, s, part, j.opt.Criterion, r), nil
}

// VerifyShard verifies model on shard s of ds (the points verdict.Select
// picks) and returns the partial verdict, float certificates included for
// classification; verdict.Merge of the partials of every shard of k is the
// whole dataset's verdict. To judge many shards of one dataset, prepare a
// ShardJudge and the dataset's verdict.Whole once instead.
func VerifyShard(ctx context.Context, model *nn.Model, ds *data.Dataset, s verdict.Shard, opt VerifyOptions) (*verdict.Partial, error) {
	if ds.D() != model.Net.InputDim {
		return nil, dimError(model, ds)
	}
	j, err := NewShardJudge(model, opt)
	if err != nil {
		return nil, err
	}
	part, index := verdict.Select(ds, s)
	return j.Judge(ctx, part, index, s, verdict.WholeOf(ds))
}
