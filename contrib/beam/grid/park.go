// Package grid runs memnet's experiment grids on Apache Beam, one cell per
// element: Park et al.'s depth × width grid (train/experiment) and the
// build-and-verify sweep (pipeline.Compare per size and method). Each cell
// is computed by the same function the local command calls, with the same
// seeds (fixed per cell, never per worker), so the CSV is the local one.
package grid

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"reflect"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx"

	"github.com/memnet/memnet/contrib/beam/internal/scratch"
	"github.com/memnet/memnet/train/experiment"
)

// ParkCell names one cell of the depth × width grid: its position in the
// local order (datasets, then blocks, then widths) and its coordinates.
type ParkCell struct {
	Index, Set, Width, Blocks int
}

func init() {
	beam.RegisterType(reflect.TypeOf((*ParkCell)(nil)).Elem())
	register.DoFn2x1[context.Context, ParkCell, error](&parkCellFn{})
}

// parkCellFn trains one cell (experiment.ParkDepthWidth on a one-cell grid:
// the seeds depend on the options' seed, the trial, the width and the
// blocks only) and writes it as JSON to Dir/cell-IIIIII.json.
type parkCellFn struct {
	Sets          []experiment.ParkSet
	Epochs, Batch int
	LR, Lambda    float64
	Trials        int
	Seed          uint64
	Dir           string
}

func (f *parkCellFn) ProcessElement(ctx context.Context, c ParkCell) error {
	o := experiment.ParkOptions{Sets: f.Sets[c.Set : c.Set+1], Widths: []int{c.Width}, Blocks: []int{c.Blocks},
		Epochs: f.Epochs, Batch: f.Batch, LR: f.LR, Lambda: f.Lambda, Trials: f.Trials, Seed: f.Seed}
	r, err := experiment.ParkDepthWidth(ctx, o)
	if err != nil {
		return fmt.Errorf("cell %s c=%d b=%d: %w", f.Sets[c.Set].Name, c.Width, c.Blocks, err)
	}
	b, err := json.Marshal(r.Cells[0])
	if err != nil {
		return err
	}
	return writeCell(ctx, f.Dir, c.Index, b)
}

// Park runs o's grid on the runner the --runner flag names (Prism by
// default), one cell per element, and returns the result in the local
// order. dir is a scratch directory every worker can write.
func Park(ctx context.Context, o experiment.ParkOptions, dir string) (*experiment.ParkResult, error) {
	var cells []ParkCell
	for s := range o.Sets {
		for _, b := range o.Blocks {
			for _, c := range o.Widths {
				cells = append(cells, ParkCell{Index: len(cells), Set: s, Width: c, Blocks: b})
			}
		}
	}
	if len(cells) == 0 {
		return nil, fmt.Errorf("park-depth-width: an empty grid")
	}
	p, s := beam.NewPipelineWithRoot()
	fn := &parkCellFn{Sets: o.Sets, Epochs: o.Epochs, Batch: o.Batch, LR: o.LR, Lambda: o.Lambda, Trials: o.Trials, Seed: o.Seed, Dir: dir}
	beam.ParDo0(s.Scope("park cell"), fn, beam.Reshuffle(s, beam.CreateList(s, cells)))
	if err := beamx.Run(ctx, p); err != nil {
		return nil, fmt.Errorf("beam: %w", err)
	}
	res := &experiment.ParkResult{Options: o}
	err := readCells(ctx, dir, len(cells), func(b []byte) error {
		var c experiment.ParkCell
		if err := json.Unmarshal(b, &c); err != nil {
			return err
		}
		res.Cells = append(res.Cells, c)
		return nil
	})
	return res, err
}

// writeCell writes one cell's JSON.
func writeCell(ctx context.Context, dir string, i int, b []byte) error {
	return scratch.Write(ctx, path.Join(dir, fmt.Sprintf("cell-%06d.json", i)), b)
}

// readCells reads the n cells' JSON in order (every one must be there).
func readCells(ctx context.Context, dir string, n int, f func([]byte) error) error {
	files, err := scratch.List(ctx, path.Join(dir, "cell-*.json"))
	if err != nil {
		return err
	}
	if len(files) != n {
		return fmt.Errorf("beam: %d of %d cells written", len(files), n)
	}
	for _, name := range files {
		b, err := scratch.Read(ctx, name)
		if err != nil {
			return err
		}
		if err := f(b); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}
