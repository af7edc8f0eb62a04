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

// VerifyShard verifies model on shard s of ds (the points verdict.Select
// picks) and returns the partial verdict, float certificates included for
// classification; verdict.Merge of the partials of every shard of k is the
// whole dataset's verdict.
func VerifyShard(ctx context.Context, model *nn.Model, ds *data.Dataset, s verdict.Shard, opt VerifyOptions) (*verdict.Partial, error) {
	if ds.D() != model.Net.InputDim {
		return nil, dimError(model, ds)
	}
	if c := opt.Criterion; c.Regression && !(c.Eps > 0 && c.Eps <= 1) {
		return nil, fmt.Errorf("--eps %g: want a number in (0, 1]", c.Eps)
	}
	part, index := verdict.Select(ds, s)
	var r *verdict.Result
	if part.N() == 0 {
		r = &verdict.Result{Exact: true, Float64: true, Float32: true, Proof: "exact arithmetic"}
		if model.Net.HasActivation(nn.Sigmoid) {
			r.Proof = "interval arithmetic"
		}
		r.Regression, r.Eps, r.FileClaim = opt.Criterion.Regression, opt.Criterion.Eps, FileClaim(model)
	} else {
		var err error
		if r, err = Verify(ctx, model, part, opt); err != nil {
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
	return verdict.NewPartial(model.Net, model.Classes, ds, s, opt.Criterion, r), nil
}
