package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/memnet/memnet/contrib/beam/verify"
	"github.com/memnet/memnet/nn"
)

// verifyCmd is memnet verify on Beam: the same arguments (NET --data
// [--labels --label-col --format --eps --json]) plus --shards, --scratch
// and the runner's flags; the same verdict, JSON and exit status.
func verifyCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("verify", stderr)
	var job verify.Job
	var asJSON bool
	var dir string
	fs.StringVar(&job.Data.Path, "data", "", "data file, as memnet verify's --data (required)")
	fs.StringVar(&job.Data.Labels, "labels", "", "label file for .npy features or IDX images")
	fs.IntVar(&job.Data.LabelCol, "label-col", 0, "CSV label column, 1-based (0 = last; negative counts from the end)")
	fs.StringVar(&job.Data.Format, "format", "", "force the data format: csv, npy, npz or idx")
	fs.Float64Var(&job.Eps, "eps", 0, "regression networks: judge with this tolerance in (0, 1] instead of the file's eps")
	fs.BoolVar(&asJSON, "json", false, "print the verdict as JSON")
	fs.IntVar(&job.Shards, "shards", 16, "number of shards (elements) the points are hashed into")
	fs.StringVar(&dir, "scratch", "", "directory every worker can write (default: a local temporary one)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("verify takes one network file, got %d arguments", len(pos))
	}
	if job.Data.Path == "" {
		return fmt.Errorf("verify: --data is required")
	}
	if job.Eps != 0 && !(job.Eps > 0 && job.Eps <= 1) {
		return fmt.Errorf("--eps %g: want a number in (0, 1]", job.Eps)
	}
	if job.Net, err = filepath.Abs(pos[0]); err != nil {
		return err
	}
	model, err := nn.Load(job.Net) // checked here before a job is submitted
	if err != nil {
		return err
	}
	if job.Eps != 0 && model.Options["regression"] != "true" {
		return fmt.Errorf("--eps applies to regression networks; %s is a classification network", pos[0])
	}
	if job.Data.Path, err = filepath.Abs(job.Data.Path); err != nil {
		return err
	}
	if job.Data.Labels != "" {
		if job.Data.Labels, err = filepath.Abs(job.Data.Labels); err != nil {
			return err
		}
	}
	d, cleanup, err := scratch(dir)
	if err != nil {
		return err
	}
	defer cleanup()
	job.Dir = d
	v, err := verify.Run(ctx, job)
	if err != nil {
		return err
	}
	if asJSON {
		if err := printJSON(stdout, v); err != nil {
			return err
		}
	} else {
		fmt.Fprintln(stdout, verify.Headline(v))
	}
	if !v.Exact {
		return exitError{1}
	}
	return nil
}
