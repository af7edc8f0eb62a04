package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/memnet/memnet/construct"
	"github.com/memnet/memnet/construct/project"
	"github.com/memnet/memnet/contrib/beam/order"
	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/pipeline"
)

// optList collects repeated --opt NAME=VALUE.
type optList []string

func (o *optList) String() string     { return strings.Join(*o, ",") }
func (o *optList) Set(s string) error { *o = append(*o, s); return nil }

// buildCmd is memnet build with the construction's global order (project
// and sort) on Beam; the network is assembled here and written as memnet
// build writes it, byte for byte.
func buildCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("build", stderr)
	var df data.LoadOptions
	var method, out, dir string
	var seed int64
	var parts int
	var opts optList
	fs.StringVar(&method, "method", "hz", "construction (every method that projects and sorts: hz, hz-phases, park, vardi, zhang, ysj)")
	fs.StringVar(&df.Path, "data", "", "data file, as memnet build's --data (required)")
	fs.StringVar(&df.Labels, "labels", "", "label file for .npy features or IDX images")
	fs.IntVar(&df.LabelCol, "label-col", 0, "CSV label column, 1-based (0 = last; negative counts from the end)")
	fs.StringVar(&df.Format, "format", "", "force the data format: csv, npy, npz or idx")
	fs.StringVar(&out, "o", "", "network file to write (.mnet) (required)")
	fs.StringVar(&out, "out", "", "same as -o")
	fs.Int64Var(&seed, "seed", 1, "seed for the construction's random choices")
	fs.IntVar(&parts, "parts", 8, "key ranges sorted in parallel")
	fs.StringVar(&dir, "scratch", "", "directory every worker can read and write (default: a local temporary one)")
	fs.Var(&opts, "opt", "method option NAME=VALUE (repeatable)")
	set := map[string]*string{} // memnet build's method flags (construct.Flags), by flag name
	param := map[string]string{}
	for _, f := range construct.Flags {
		set[f.Name] = fs.String(f.Name, "", f.Usage)
		param[f.Name] = f.Param
	}
	regression := fs.Bool("regression", false, "as memnet build --regression")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return fmt.Errorf("build takes no arguments, got %q", pos[0])
	}
	if df.Path == "" || out == "" {
		return fmt.Errorf("build: --data and -o are required")
	}
	params := map[string]string{}
	fs.Visit(func(f *flag.Flag) {
		if p, ok := set[f.Name]; ok {
			params[param[f.Name]] = *p
		}
		if f.Name == "regression" {
			params["regression"] = fmt.Sprint(*regression)
		}
	})
	for _, o := range opts {
		k, v, ok := strings.Cut(o, "=")
		if !ok || k == "" {
			return fmt.Errorf("--opt %q: want NAME=VALUE", o)
		}
		params[k] = v
	}
	if err := distinctOutput(out, df.Path, df.Labels); err != nil {
		return err
	}
	m, err := construct.Lookup(strings.ToLower(method))
	if err != nil {
		return err
	}
	ds, err := data.Load(df)
	if err != nil {
		return err
	}
	d, cleanup, err := scratch(dir)
	if err != nil {
		return err
	}
	defer cleanup()
	o := &order.Orderer{Dir: d, Parts: parts}
	b, err := pipeline.Build(project.WithOrderer(ctx, o), ds, m.Name(), construct.Options{Seed: seed, Params: params})
	if err != nil {
		return err
	}
	if o.Runs == 0 {
		return fmt.Errorf("method %s does not project and sort its points: build it with memnet build", m.Name())
	}
	if err := b.Model.Save(out); err != nil {
		return err
	}
	st := b.Stats
	fmt.Fprintf(stdout, "%s network for %s: N=%d distinct points, d=%d, M=%d; width %d, depth %d, params %d; global order on Beam (%d pipeline(s)); built in %.3f s\nwrote %s\n",
		b.Model.Method, ds.Name, ds.N(), ds.D(), ds.M(), st.Width, st.Depth, st.Params, o.Runs, b.Seconds, out)
	return nil
}

// distinctOutput refuses an output path that names an input file.
func distinctOutput(out string, inputs ...string) error {
	ao, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	for _, in := range inputs {
		if in == "" {
			continue
		}
		if ai, err := filepath.Abs(in); err == nil && ai == ao {
			return fmt.Errorf("-o %s is an input file", out)
		}
	}
	return nil
}
