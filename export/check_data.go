package export

import (
	"context"

	"github.com/memnet/memnet/nn"
)

// CheckData judges, for memnet export --data, whether the network's
// predictions on the points xs survive the dtype, and records it in v: a
// float-exactness certificate in the dtype's format (nn.CertifyPoints)
// proves that no point changes its prediction, in any summation order (v
// is then checked on every point; the caller stores the certificate);
// otherwise the exact classes among m are compared with the dtype's float
// outputs point by point (CheckPoints). It returns the certificate.
// report, when not nil, is told the phases.
func CheckData(ctx context.Context, net *nn.Network, m int, xs [][]float64, dtype Dtype, v *Verdict, report func(phase string, done, total int64)) (*nn.Certificate, error) {
	cf := nn.CertFloat64
	if dtype == Float32 {
		cf = nn.CertFloat32
	}
	if report != nil {
		report("float-exactness certificate", 0, 1)
	}
	cert, err := nn.CertifyPoints(ctx, net, xs, nil, cf)
	if err != nil {
		return nil, err
	}
	if cert.Proven {
		v.Checked, v.Points = true, len(xs)
		return cert, nil
	}
	var bar func(int64)
	if report != nil {
		bar = func(d int64) { report("exact outputs", d, int64(len(xs))) }
	}
	exact, err := ExactClasses(ctx, net, m, xs, bar)
	if err != nil {
		return nil, err
	}
	if report != nil {
		report("float outputs", 0, 1)
	}
	return cert, v.CheckPoints(ctx, net, m, xs, exact)
}
