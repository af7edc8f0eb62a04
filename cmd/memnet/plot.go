package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/memnet/memnet/construct"
	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/pipeline"
	"github.com/memnet/memnet/plot"
)

func init() { extraCommands = append(extraCommands, plotCmd) }

func plotCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "plot",
		Short: "Draw pictures of networks (trajectories of the points through a width-2 network)",
	}
	var df dataFlags
	var out, title string
	var maxPoints, panels int
	traj := &cobra.Command{
		Use:   "trajectories NET.mnet --data FILE -o traj.png",
		Short: "Draw every point's state in the plane after each layer of a width-2 network, coloured by class",
		Long: `trajectories draws, for a network whose hidden layers all have two neurons (hz),
each point's state (h1, h2) after a selection of layers — the first ones, the last
ones and evenly spaced ones between — one panel per layer, coloured by class, with
a faint segment from where each point was in the previous panel. States are
computed in float64 (for drawing only). Large datasets are sampled (--max-points).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := plot.CheckPath(out); err != nil {
				return err
			}
			model, err := loadModel(args[0])
			if err != nil {
				return err
			}
			ds, err := df.load()
			if err != nil {
				return err
			}
			if ds.D() != model.Net.InputDim {
				return fmt.Errorf("%s has %d features per point; the network reads %d", ds.Name, ds.D(), model.Net.InputDim)
			}
			y, classes := pipeline.ModelClasses(model, ds)
			ends, endNotes := phaseEnds(model)
			if title == "" {
				title = fmt.Sprintf("%s network (depth %d) on %s: states after each layer", model.Method, len(model.Net.Hidden), filepath.Base(ds.Name))
			}
			notes, err := plot.Trajectories(model.Net, ds.X, y, classes, plot.TrajOptions{MaxPoints: maxPoints, Panels: panels, Title: title, Layers: ends, LayerNotes: endNotes}, out)
			for _, n := range notes {
				fmt.Fprintf(os.Stderr, "note: %s\n", n)
			}
			if err != nil {
				return err
			}
			fmt.Printf("wrote %s\n", out)
			return nil
		},
	}
	df.add(traj, true)
	traj.Flags().StringVarP(&out, "out", "o", "traj.png", "image to write (.png or .svg)")
	traj.Flags().IntVar(&maxPoints, "max-points", 300, "draw at most this many points (0 = all)")
	traj.Flags().IntVar(&panels, "panels", 12, "number of layers shown")
	traj.Flags().StringVar(&title, "title", "", "picture title")
	root.AddCommand(traj)
	return root
}

// writeDemoPlots writes the demo's pictures into dir: a small sweep's
// sweep.csv, params_vs_n and bits_vs_n (.png, .svg), and trajectories.png of
// an hz network on the demo's own dataset ds (the two spirals), 300 of its
// points drawn; the sweep builds methods (all when empty). Its report (fits, crossings, files written) goes to w.
func writeDemoPlots(ctx context.Context, w io.Writer, dir string, ds *data.Dataset, methods []string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	ns := []int{100, 300, 1000, 3000}
	start, done := steps(len(ns)*len(orAll(methods)), "demo sweep")
	rows := pipeline.Sweep(ctx, pipeline.SweepOptions{Ns: ns, D: 10, Classes: 10, Seed: 1,
		Compare:  pipeline.CompareOptions{Methods: methods, FloatSample: 500},
		Progress: func(n int, m string) { start(fmt.Sprintf("N=%d %s", n, m)) }})
	done()
	if _, err := pipeline.SaveSweepCSV(ctx, dir, rows); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nsweep on random Gaussian data (d=10, C=10), N = 100, 300, 1000, 3000:\n")
	files, err := pipeline.WriteSweepPlots(w, rows, dir)
	if err != nil {
		return err
	}
	b, err := pipeline.Build(ctx, ds, "hz", construct.Options{Seed: 1})
	if err != nil {
		return err
	}
	const drawn = 300
	traj := filepath.Join(dir, "trajectories.png")
	title := fmt.Sprintf("hz on the demo's two spirals (%d of N=%d points drawn): states after each layer", drawn, ds.N())
	if _, err := plot.Trajectories(b.Model.Net, ds.X, ds.Y, ds.Classes, plot.TrajOptions{MaxPoints: drawn, Title: title}, traj); err != nil {
		return err
	}
	fmt.Fprintf(w, "wrote %s\nwrote %s (%s)\n", filepath.Join(dir, "sweep.csv"), traj, title)
	for _, f := range files {
		fmt.Fprintf(w, "wrote %s\n", f)
	}
	return nil
}
