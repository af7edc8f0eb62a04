package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/memnet/memnet/contrib/beam/verify"
	"github.com/memnet/memnet/nn"
)

// verifyCmd is memnet verify on Beam: the same arguments (NET --data
// [--labels --label-col --format --eps --json]) plus --shards, --ranges, --scratch
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
	fs.BoolVar(&job.Criterion.Regression, "regression", false, "judge as regression: labels are real targets, |f(x) − target| ≤ --eps at every point (default: classification)")
	fs.Float64Var(&job.Criterion.Eps, "eps", 0, "with --regression: the tolerance, in (0, 1]")
	fs.BoolVar(&asJSON, "json", false, "print the verdict as JSON")
	fs.IntVar(&job.Shards, "shards", verify.DefaultShards, "number of shards (elements) the points are hashed into. "+
		"The default, 1, is the cheapest on one machine (Prism): a shard's exact evaluation already uses every core of its worker, and every extra shard repeats the network's shared per-group work. "+
		"On a cluster give the number of workers (machines, not cores), not more (docs/scale.md)")
	fs.IntVar(&job.Ranges, "ranges", 0, "read the data in this many ranges, each on a worker, so that no worker holds the whole dataset "+
		"(this machine streams the ranges once, in order, for the whole data's hashes and repeated rows; gzip and .npz files are one range). "+
		"The default, 0, loads the whole file on every worker")
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
	if err := checkCriterion(fs, job.Criterion); err != nil {
		return err
	}
	if job.Net, err = filepath.Abs(pos[0]); err != nil {
		return err
	}
	if _, err := nn.Load(job.Net); err != nil { // checked here before a job is submitted
		return err
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

// checkCriterion applies memnet verify's rules: --regression needs --eps in
// (0, 1], and --eps needs --regression.
func checkCriterion(fs *flag.FlagSet, c verify.Criterion) error {
	epsSet := false
	fs.Visit(func(f *flag.Flag) { epsSet = epsSet || f.Name == "eps" })
	switch {
	case c.Regression && !epsSet:
		return errors.New("--regression needs the tolerance: give --eps E")
	case !c.Regression && epsSet:
		return errors.New("--eps is the regression tolerance: give --regression too")
	case c.Regression && !(c.Eps > 0 && c.Eps <= 1):
		return fmt.Errorf("--eps %g: want a number in (0, 1]", c.Eps)
	}
	return nil
}
