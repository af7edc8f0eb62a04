package main

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// examples are the Examples sections of every command's --help, by command
// path; every line runs from the root of a clone (the data is in testdata/).
var examples = map[string]string{
	"memnet": `memnet demo
memnet build --method hz --data testdata/iris.csv -o iris.mnet
memnet verify iris.mnet --data testdata/iris.csv`,
	"memnet build": `memnet build --method hz --data testdata/iris.csv -o iris.mnet
memnet build --method vardi --data testdata/digits.csv.gz -o v.mnet
memnet build --method park --activation relu --data testdata/digits.csv.gz -o pr.mnet
memnet build --method auto --max-width 3 --max-depth 2000 --data testdata/digits.csv.gz -o a.mnet
memnet build --method hz --data testdata/iris.csv -o iris.mnet --verbose   # every count and note`,
	"memnet verify": `memnet verify iris.mnet --data testdata/iris.csv
memnet verify iris.mnet --data testdata/iris.csv --verbose   # float views, certificates, evaluator
memnet verify iris.mnet --data testdata/iris.csv --json`,
	"memnet inspect": `memnet inspect iris.mnet
memnet inspect iris.mnet --verbose   # the theory record, lower bounds, norms, phases
memnet inspect iris.mnet --json`,
	"memnet predict":  `memnet predict iris.mnet --data testdata/iris.csv`,
	"memnet demo":     "memnet demo\nmemnet demo --json\nmemnet demo --out demo/",
	"memnet bench":    "memnet bench --n 1000,2000 --d 10 --classes 10",
	"memnet geometry": "memnet geometry --data testdata/digits.csv.gz\nmemnet geometry --data testdata/iris.csv --json",
	"memnet methods":  "memnet methods",
	"memnet compare": `memnet compare --data testdata/digits.csv.gz
memnet compare --data testdata/iris.csv --methods hz,vardi --markdown
memnet compare --data testdata/digits.csv.gz --methods hz,zhang --train`,
	"memnet criteria": `memnet criteria --widths 3x500,7x200 --n 100000 --classes 10 --delta 60
memnet criteria --suggest --n 100000 --classes 10 --delta 60`,
	"memnet sweep": "memnet sweep --n 100,300,1000 --d 10 --classes 10 --out sweep/",
	"memnet plot":  "memnet plot trajectories iris.mnet --data testdata/iris.csv -o traj.png",
	"memnet plot trajectories": "memnet build --method hz --data testdata/iris.csv -o iris.mnet\n" +
		"memnet plot trajectories iris.mnet --data testdata/iris.csv -o traj.png",
	"memnet train": `memnet train --data testdata/digits.csv.gz --hidden 32 --epochs 200 --lr 3e-3 -o digits-train.mnet
memnet train --data testdata/iris.csv --init iris.mnet --epochs 0 -o iris-warm.mnet   # warm start (hz --snap=false)`,
	"memnet experiment":                  "memnet experiment hz-lambda --out hz-lambda/\nmemnet experiment park-depth-width --grid small --out park/",
	"memnet experiment hz-lambda":        "memnet experiment hz-lambda --out hz-lambda/",
	"memnet experiment park-depth-width": "memnet experiment park-depth-width --grid small --out park/",
	"memnet export": `memnet export iris.mnet --format onnx --dtype float64 --data testdata/iris.csv -o iris.onnx
memnet export iris.mnet --format npz --data testdata/iris.csv -o iris.npz
memnet export v.mnet --format json -o v.json   # exact, lossless`,
	"memnet check": `memnet check export/testdata/vnncomp/test_sat.onnx export/testdata/vnncomp/test_prop.vnnlib
memnet check export/testdata/vnncomp/test_sat.onnx export/testdata/vnncomp/test_prop.vnnlib --witness testdata/vnnlib/valid_sat.txt`,
	"memnet import": "memnet import iris.onnx -o iris-onnx.mnet\nmemnet import v.json -o v2.mnet",
	"memnet approx": `memnet approx --function gauss --n 32
memnet approx --function kink --eps 0.05 --json
memnet approx --grid approx/testdata/bump.csv --n 16 --signed -o bump.mnet
memnet approx --function disc --n 32 --plot heat.png`,
	"memnet approx scaling": "memnet approx scaling --dims 2 -o depth_vs_eps.png",
}

// addExamples sets the Examples section of every command in the tree under
// root that has none, indented as cobra prints it.
func addExamples(root *cobra.Command) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if ex, ok := examples[c.CommandPath()]; ok && c.Example == "" {
			c.Example = "  " + strings.ReplaceAll(ex, "\n", "\n  ")
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// version is the module version and, when built from a repository, the
// commit: "memnet version (devel) 0531dce (modified)".
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := bi.Main.Version
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = " (modified)"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev != "" {
		v += " " + rev + modified
	}
	return fmt.Sprintf("%s, %s", v, bi.GoVersion)
}
