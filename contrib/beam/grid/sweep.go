package grid

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx"

	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/pipeline"
)

// SweepCell names one cell of the sweep: its position in the local order
// (sizes, then methods) and its size and method.
type SweepCell struct {
	Index, N int
	Method   string
}

func init() {
	beam.RegisterType(reflect.TypeOf((*SweepCell)(nil)).Elem())
	register.DoFn2x1[context.Context, SweepCell, error](&sweepCellFn{})
}

// sweepCellFn builds and verifies one method on one size (pipeline.Compare
// on the dataset pipeline.Sweep draws for that size, with the sweep's
// seed) and writes its CSV rows to Dir/cell-IIIIII.json.
type sweepCellFn struct {
	D, Classes  int
	Seed        int64
	Lattice     bool
	Timeout     time.Duration
	FloatSample int
	Dir         string
}

func (f *sweepCellFn) ProcessElement(ctx context.Context, c SweepCell) error {
	ds := data.Gaussian(c.N, f.D, f.Classes, uint64(f.Seed))
	if f.Lattice {
		ds = data.Lattice(c.N, f.D, f.Classes, uint64(f.Seed))
	}
	rows := pipeline.Compare(ctx, ds, pipeline.CompareOptions{Methods: []string{c.Method}, Seed: f.Seed, Timeout: f.Timeout, FloatSample: f.FloatSample})
	var b bytes.Buffer
	if err := pipeline.WriteSweepCSV(&b, rows); err != nil {
		return err
	}
	_, body, _ := strings.Cut(b.String(), "\n") // the header is written once, by Sweep
	j, err := json.Marshal(sweepResult{CSV: body, Exact: pipeline.AllExact(rows), Rows: rows})
	if err != nil {
		return err
	}
	return writeCell(ctx, f.Dir, c.Index, j)
}

// sweepResult is one cell's CSV rows, whether all are exact (or not
// applicable), as pipeline.AllExact says, and the rows themselves (for the
// plots).
type sweepResult struct {
	CSV   string
	Exact bool
	Rows  []pipeline.CompareRow
}

// Sweep runs the sweep o (sizes o.Ns, methods o.Compare.Methods) on the
// runner the --runner flag names, one (N, method) cell per element, and
// returns the CSV pipeline.WriteSweepCSV writes for the local sweep
// (the same rows in the same order; only the timing columns differ), the
// rows (for pipeline.WriteSweepPlots), and whether every row is exact
// (pipeline.AllExact: memnet sweep's exit status).
func Sweep(ctx context.Context, o pipeline.SweepOptions, dir string) ([]byte, []pipeline.CompareRow, bool, error) {
	var cells []SweepCell
	for _, n := range o.Ns {
		for _, m := range o.Compare.Methods {
			cells = append(cells, SweepCell{Index: len(cells), N: n, Method: m})
		}
	}
	if len(cells) == 0 {
		return nil, nil, false, fmt.Errorf("sweep: no sizes or no methods")
	}
	p, s := beam.NewPipelineWithRoot()
	fn := &sweepCellFn{D: o.D, Classes: o.Classes, Seed: o.Seed, Lattice: o.Lattice, Timeout: o.Compare.Timeout, FloatSample: o.Compare.FloatSample, Dir: dir}
	beam.ParDo0(s.Scope("sweep cell"), fn, beam.Reshuffle(s, beam.CreateList(s, cells)))
	if err := beamx.Run(ctx, p); err != nil {
		return nil, nil, false, fmt.Errorf("beam: %w", err)
	}
	var out bytes.Buffer
	if err := pipeline.WriteSweepCSV(&out, nil); err != nil {
		return nil, nil, false, err
	}
	var rows []pipeline.CompareRow
	exact := true
	err := readCells(ctx, dir, len(cells), func(b []byte) error {
		var r sweepResult
		if err := json.Unmarshal(b, &r); err != nil {
			return err
		}
		out.WriteString(r.CSV)
		rows = append(rows, r.Rows...)
		exact = exact && r.Exact
		return nil
	})
	return out.Bytes(), rows, exact, err
}
