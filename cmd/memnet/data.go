package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
)

func init() { extraCommands = append(extraCommands, dataCmd) }

// maxGenerated is the largest N `memnet data` writes (and N·d for gaussian).
const maxGenerated = 10_000_000

// dataCmd writes the built-in datasets to files, so every command takes them
// as a --data file.
func dataCmd() *cobra.Command {
	var n, d, classes int
	var noise float64
	var seed uint64
	var out string
	cmd := &cobra.Command{
		Use:   "data moons|spirals|gaussian|lattice --n N [--noise 0.05] [--d D --classes C] [--seed S] -o FILE",
		Short: "Write a built-in dataset (two moons, two spirals, the Gaussian and lattice sets of bench and sweep) as CSV or NPZ",
		Long: `data writes one of memnet's built-in datasets to FILE: CSV (label last) when FILE
ends in .csv, NumPy .npz (arrays x and y) when it ends in .npz. Every number is
written so that it reads back to the same float64.

  moons     two interleaved half circles (scikit-learn's make_moons formula):
            class 0 at (cos t, sin t), class 1 at (1 − cos t, 1/2 − sin t), t evenly
            spaced in [0, π], plus Gaussian noise of standard deviation --noise
  spirals   the two spirals of memnet demo (--noise does not apply)
  gaussian  N(0, I) points in --d dimensions with --classes uniform labels (bench, sweep)
  lattice   distinct integer lattice points in --d dimensions (sweep --lattice)

The same --seed gives the same file.`,
		Example: `  memnet data moons --n 100000 --noise 0.05 --seed 1 -o moons.csv
  memnet data gaussian --n 1000 --d 16 --classes 2 --seed 1 -o g.npz`,
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{"moons", "spirals", "gaussian", "lattice"},
		RunE: func(cmd *cobra.Command, args []string) error {
			if n < 1 || n > maxGenerated {
				return fmt.Errorf("--n %d: want 1 to %d points", n, maxGenerated)
			}
			if d < 1 || classes < 1 || int64(n)*int64(d) > maxGenerated {
				return fmt.Errorf("--d %d --classes %d: want both at least 1 and N·d at most %d", d, classes, maxGenerated)
			}
			if !(noise >= 0 && noise <= 1e6) {
				return fmt.Errorf("--noise %v: want a number in [0, 1e6]", noise)
			}
			ext := strings.ToLower(filepath.Ext(out))
			if ext != ".csv" && ext != ".npz" {
				return fmt.Errorf("-o %q: the name must end in .csv or .npz", out)
			}
			var ds *data.Dataset
			switch args[0] {
			case "moons":
				ds = data.Moons(n, noise, seed)
			case "spirals":
				ds = data.Spirals(n, seed)
			case "gaussian":
				ds = data.Gaussian(n, d, classes, seed)
			case "lattice":
				ds = data.Lattice(n, d, classes, seed)
			default:
				return fmt.Errorf("unknown dataset %q (known: moons, spirals, gaussian, lattice)", args[0])
			}
			var buf bytes.Buffer
			write := data.WriteCSV
			if ext == ".npz" {
				write = data.WriteNPZ
			}
			if err := write(&buf, ds); err != nil {
				return fmt.Errorf("%s: %v", out, err)
			}
			if err := nn.WriteFileAtomic(out, buf.Bytes()); err != nil {
				return err
			}
			fmt.Fprintf(os.Stdout, "wrote %s: %s, %d points, d = %d, %d classes\n", out, ds.Name, ds.N(), ds.D(), ds.M())
			return nil
		},
	}
	cmd.Flags().IntVar(&n, "n", 1000, "number of points")
	cmd.Flags().Float64Var(&noise, "noise", 0.05, "moons: standard deviation of the Gaussian noise")
	cmd.Flags().IntVar(&d, "d", 2, "gaussian, lattice: dimension")
	cmd.Flags().IntVar(&classes, "classes", 2, "gaussian, lattice: number of classes")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "seed of the generator")
	cmd.Flags().StringVarP(&out, "out", "o", "", "file to write (.csv or .npz)")
	_ = cmd.MarkFlagRequired("out")
	return cmd
}
