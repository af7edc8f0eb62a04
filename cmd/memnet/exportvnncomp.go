package main

import (
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/memnet/memnet/export"
	"github.com/memnet/memnet/nn"
	"github.com/memnet/memnet/vnnlib"
)

// exportVNNCOMP is memnet export --format vnncomp.
func exportVNNCOMP(cmd *cobra.Command, model *nn.Model, df *dataFlags, dtypeName, radius string, timeout int, dir string, asJSON bool) error {
	if df.path == "" {
		return errors.New("--format vnncomp needs --data: one property per point")
	}
	if dir == "" {
		return errors.New("--format vnncomp needs -o DIR")
	}
	for _, in := range []string{df.path, df.labels} {
		if in != "" && sameFile(in, dir) {
			return fmt.Errorf("-o %s is an input file", dir)
		}
	}
	dtype, err := export.ParseDtype(dtypeName)
	if err != nil {
		return err
	}
	var mu *big.Rat
	if radius != "" {
		if mu, err = vnnlib.ParseNumber(radius); err != nil {
			return fmt.Errorf("--radius: %v", err)
		}
	}
	ds, err := df.load()
	if err != nil {
		return err
	}
	bar, done := progress(int64(ds.N()), "writing properties")
	res, err := export.WriteVNNCOMP(cmd.Context(), model, ds, dir, export.VNNCOMPOptions{Dtype: dtype, Radius: mu, Timeout: timeout, Progress: bar})
	done()
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(os.Stdout, res)
	}
	fmt.Printf("wrote %s: %s (%s), %d properties, instances.csv, expected.csv\n", dir, res.ONNX, dtype, res.Properties)
	fmt.Printf("  expected answers, decided exactly for the ONNX file's network: sat %d, unsat %d, unknown %d\n", res.Sat, res.Unsat, res.Unknown)
	if res.Unknown > 0 {
		fmt.Println("  (unknown: the box centre has the label; memnet does not decide the rest of the box)")
	}
	return nil
}

// sameFile says whether two paths name one file (or would).
func sameFile(a, b string) bool {
	if sa, err := os.Stat(a); err == nil {
		if sb, err := os.Stat(b); err == nil {
			return os.SameFile(sa, sb)
		}
	}
	aa, err1 := filepath.Abs(a)
	ab, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == ab
}
