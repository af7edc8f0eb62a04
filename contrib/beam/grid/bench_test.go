package grid

import (
	"context"
	"fmt"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/transforms/stats"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx"
)

func init() {
	register.Function2x0(inc)
	register.Emitter1[int]()
}

// inc is the cheapest element work: emit the element plus one.
func inc(x int, emit func(int)) { emit(x + 1) }

// BenchmarkPrismElements measures a Prism job that sends E integers
// through a reshuffle, one ParDo and a global sum: the job's fixed cost
// (small E) and the cost per element (the slope between sizes). The
// figures are in docs/scale.md; nothing here is asserted.
func BenchmarkPrismElements(b *testing.B) {
	for _, e := range []int{1, 1000, 100000} {
		b.Run(fmt.Sprintf("E=%d", e), func(b *testing.B) {
			xs := make([]int, e)
			for i := range xs {
				xs[i] = i
			}
			for range b.N {
				p, s := beam.NewPipelineWithRoot()
				c := beam.ParDo(s, inc, beam.Reshuffle(s, beam.CreateList(s, xs)))
				stats.Sum(s, c)
				if err := beamx.Run(context.Background(), p); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(e), "ns/element")
		})
	}
}
