package pipeline

import (
	"context"

	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
	"github.com/memnet/memnet/verdict"
)

// Certificates returns the float32 certificate of net on the points xs and,
// when it does not hold, the float64 one (a float32 certificate implies
// float64); with both set, always both (partial verdicts need both to
// merge). index numbers the points in a larger set (nil: 0, 1, ...).
func Certificates(net *nn.Network, xs [][]float64, index []int, both bool) ([]*nn.Certificate, error) {
	c32, err := nn.CertifyPoints(net, xs, index, nn.CertFloat32)
	if err != nil || (c32.Proven && !both) {
		return []*nn.Certificate{c32}, err
	}
	c64, err := nn.CertifyPoints(net, xs, index, nn.CertFloat64)
	return []*nn.Certificate{c32, c64}, err
}

// VerifyShard verifies model on shard s of ds (the points verdict.Select
// picks) and returns the partial verdict, float certificates included for
// classification; verdict.Merge of the partials of every shard of k is the
// whole dataset's verdict. report is as in VerifyContext.
func VerifyShard(ctx context.Context, model *nn.Model, ds *data.Dataset, s verdict.Shard, report func(phase string, done, total int64), opt VerifyOptions) (*verdict.Partial, error) {
	if ds.D() != model.Net.InputDim {
		return nil, dimError(model, ds)
	}
	part, index := verdict.Select(ds, s)
	var r *verdict.Result
	if part.N() == 0 {
		r = &verdict.Result{Exact: true, Float64: true, Float32: true, Proof: "exact arithmetic"}
		if model.Net.HasActivation(nn.Sigmoid) {
			r.Proof = "interval arithmetic"
		}
		if r.Regression = model.Options["regression"] == "true"; r.Regression {
			eps, err := RegressionEps(model, opt.Eps)
			if err != nil {
				return nil, err
			}
			r.Eps = eps
		}
	} else {
		var err error
		if r, err = VerifyContext(ctx, model, part, report, opt); err != nil {
			return nil, err
		}
	}
	if !r.Regression {
		certs, err := Certificates(model.Net, part.X, index, true)
		if err != nil {
			return nil, err
		}
		r.Certificates = certs
	}
	c := verdict.Criterion{Regression: r.Regression, Eps: r.Eps}
	return verdict.NewPartial(model.Net, model.Classes, ds, s, c, r), nil
}
