package main

import (
	"fmt"
	"math/big"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/memnet/memnet/export"
	"github.com/memnet/memnet/nn"
	"github.com/memnet/memnet/pipeline"
	"github.com/memnet/memnet/vnnlib"
)

func init() { extraCommands = append(extraCommands, checkCmd) }

func checkCmd() *cobra.Command {
	var witness string
	var asJSON bool
	var ia inputAffineFlags
	cmd := &cobra.Command{
		Use:   "check NET PROPERTY.vnnlib [--witness FILE]",
		Short: "Decide a VNN-LIB counterexample exactly, or try a property's box centre and corners (a falsifier, not a verifier)",
		Long: `check reads a VNN-LIB 1.0 property (boxes on the inputs X_i, disjunctions of
linear constraints on the outputs Y_j) and a network (.mnet, or ONNX / .onnx.gz
read as memnet import reads it).

With --witness FILE it decides exactly whether the witness is a counterexample:
is its input inside a disjunct's box, and do the network's exact outputs there
satisfy that disjunct's output constraints? It prints the exact margins and what
float32 evaluation (the input and the weights rounded to float32, as a float32
framework runs the network) says. The witness is VNN-COMP's result format
("sat" then ((X_0 v) ... (Y_0 v) ...)) or a plain vector of the inputs (then
optionally the outputs); the witness's own Y values are compared with the exact
outputs but never decide.

Without --witness it evaluates each bounded box's centre and, for at most 12
inputs, its corners, exactly: a fast falsifier. Finding no counterexample there
proves nothing about the rest of the box: check is not a complete verifier.

Exit status: 0 when a counterexample is established exactly, 1 when not.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			var model *nn.Model
			var err error
			if strings.HasSuffix(strings.ToLower(args[0]), ".mnet") {
				model, err = nn.Load(args[0])
			} else {
				model, _, err = export.ImportNet(cmd.Context(), args[0])
			}
			if err != nil {
				return err
			}
			if model, err = ia.apply(model); err != nil {
				return err
			}
			prop, err := vnnlib.ReadFile(args[1])
			if err != nil {
				return err
			}
			if asJSON {
				return checkJSON(cmd, model.Net, prop, witness)
			}
			fmt.Printf("property %s: %d inputs, %d outputs, %d disjunct(s)\n", args[1], prop.NX, prop.NY, len(prop.Disjuncts))
			if len(prop.Comments) > 0 {
				fmt.Printf("  the file's first comment (its claim): %s\n", quoteText(prop.Comments[0]))
			}
			if witness != "" {
				return checkWitness(cmd, model.Net, prop, witness)
			}
			return falsify(cmd, model.Net, prop)
		},
	}
	cmd.Flags().StringVar(&witness, "witness", "", "counterexample to decide: VNN-COMP format ((X_0 v) ... (Y_0 v) ...) or a plain vector")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the judgement as JSON (exact numbers as p/q strings)")
	ia.add(cmd)
	return cmd
}

func checkWitness(cmd *cobra.Command, net *nn.Network, prop *vnnlib.Property, path string) error {
	b, err := vnnlib.ReadWitnessFile(path)
	if err != nil {
		return err
	}
	w, err := vnnlib.ParseWitness(b, prop.NX, prop.NY)
	if err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	cs, err := pipeline.CheckPoints(cmd.Context(), net, prop, [][]*big.Rat{w.X})
	if err != nil {
		return err
	}
	c := cs[0]
	fmt.Printf("witness %s (%s format)\n", path, w.Format)
	printPoint(c, prop)
	if w.Y != nil {
		worst, at := new(big.Rat), 0
		for j := range w.Y {
			d := new(big.Rat).Sub(w.Y[j], c.Exact[j])
			if d.Abs(d).Cmp(worst) > 0 {
				worst, at = d, j
			}
		}
		fmt.Printf("  the witness's own outputs differ from the exact ones by at most %s (Y_%d); they do not decide\n", ratApprox(worst), at)
	}
	exact, fl := c.Counterexample(), c.Float32Counterexample()
	switch {
	case exact && fl:
		fmt.Println("VALID COUNTEREXAMPLE: exactly, and float32 evaluation agrees")
	case exact:
		fmt.Println("VALID COUNTEREXAMPLE exactly; float32 evaluation does NOT see it (rounding hides it)")
	case fl:
		fmt.Println("NOT A COUNTEREXAMPLE exactly; it is one only in float32 evaluation (valid only within float tolerance)")
	default:
		fmt.Println("NOT A COUNTEREXAMPLE (exactly, and in float32 evaluation)")
	}
	if !exact {
		return exitError{1}
	}
	return nil
}

// printPoint prints the judgement of each disjunct at a point.
func printPoint(c *pipeline.PointCheck, prop *vnnlib.Property) {
	outs := make([]string, len(c.Exact))
	for j, o := range c.Exact {
		outs[j] = fmt.Sprintf("Y_%d = %s", j, ratApprox(o))
	}
	fmt.Printf("  exact outputs: %s (largest: %s)\n", strings.Join(outs, ", "), argmax(c.Exact))
	for k, r := range c.Judged {
		if len(c.Judged) > 1 && k >= 8 {
			fmt.Printf("  ... %d more disjuncts\n", len(c.Judged)-k)
			break
		}
		where := "inside the box"
		if !r.Inside {
			where = "OUTSIDE the box"
		}
		margin := "no bounds"
		if r.WorstMargin != nil {
			margin = fmt.Sprintf("smallest margin %s at X_%d", ratApprox(r.WorstMargin), r.WorstInput)
		}
		fmt.Printf("  disjunct %d: input %s (%s, exact)", k+1, where, margin)
		if f := c.Float32; f != nil {
			fmt.Printf("; float32(x) %s", map[bool]string{true: "inside", false: "outside"}[f[k].Inside])
		}
		fmt.Println()
		for i, v := range r.Values {
			con := prop.Disjuncts[k].Out[i]
			fmt.Printf("    %s: value %s → %s", quoteText(con.Text), ratApprox(v), map[bool]string{true: "holds", false: "fails"}[r.Holds[i]])
			if f := c.Float32; f != nil {
				fmt.Printf("; float32 %s (%s)", ratApprox(f[k].Values[i]), map[bool]string{true: "holds", false: "fails"}[f[k].Holds[i]])
			}
			fmt.Println()
		}
	}
}

// quoteText prints a file's text without control characters.
func quoteText(s string) string {
	q := fmt.Sprintf("%q", s)
	return q[1 : len(q)-1]
}

// ratApprox is r exactly when short, else a 17-digit decimal marked ≈ with
// its sign exact.
func ratApprox(r *big.Rat) string {
	if s := r.RatString(); len(s) <= 24 {
		return s
	}
	return "≈" + new(big.Float).SetPrec(80).SetRat(r).Text('g', 17)
}

func falsify(cmd *cobra.Command, net *nn.Network, prop *vnnlib.Property) error {
	xs, skipped := pipeline.BoxCandidates(prop)
	fmt.Printf("trying %d point(s) exactly: each bounded box's centre and, with at most 12 inputs, its corners\n", len(xs))
	if skipped > 0 {
		fmt.Printf("  (%d disjunct(s) unbounded, empty, or with too many corners: corners not tried)\n", skipped)
	}
	cs, err := pipeline.CheckPoints(cmd.Context(), net, prop, xs)
	if err != nil {
		return err
	}
	fl := 0
	for _, c := range cs {
		if c.Float32Counterexample() {
			fl++
		}
	}
	for p, c := range cs {
		if c.Counterexample() {
			fmt.Printf("COUNTEREXAMPLE (exact) at point %d of %d:\n", p+1, len(cs))
			xsS := make([]string, len(c.X))
			for i, v := range c.X {
				xsS[i] = fmt.Sprintf("(X_%d %s)", i, v.RatString())
			}
			if len(xsS) <= 16 {
				fmt.Printf("  (%s)\n", strings.Join(xsS, " "))
			}
			printPoint(c, prop)
			return nil
		}
	}
	fmt.Printf("no counterexample among these %d point(s) (exactly; float32 evaluation calls %d of them counterexamples).\n", len(cs), fl)
	fmt.Println("This is a falsifier, not a verifier: the property may still be violated elsewhere in the box.")
	if len(cs) > 0 {
		fmt.Println("at the first box's centre:")
		printPoint(cs[0], prop)
	}
	return exitError{1}
}

// argmax is "Y_k" for the strictly largest output, else "none (a tie)".
func argmax(o []*big.Rat) string {
	if k := nn.ClassOfRat(o, max(len(o), 2)); k >= 0 && len(o) > 1 {
		return fmt.Sprintf("Y_%d", k)
	}
	if len(o) == 1 {
		return "one output"
	}
	return "none (a tie)"
}

// checkJSONPoint is one point's judgement in memnet check --json.
type checkJSONPoint struct {
	X                     []string            `json:"x"`
	Outputs               []string            `json:"exact_outputs"`
	Counterexample        bool                `json:"counterexample"`
	Float32Counterexample bool                `json:"float32_counterexample"`
	Float32Outputs        []float32           `json:"float32_outputs"`
	Disjuncts             []checkJSONDisjunct `json:"disjuncts"`
}

type checkJSONDisjunct struct {
	Inside       bool     `json:"inside"`
	WorstInput   int      `json:"worst_input"`
	WorstMargin  string   `json:"worst_margin,omitempty"`
	Values       []string `json:"constraint_values"`
	Holds        []bool   `json:"holds"`
	Float32Holds []bool   `json:"float32_holds,omitempty"`
	Float32In    bool     `json:"float32_inside"`
}

// checkJSON is memnet check --json: the witness's judgement, or each
// candidate point's (box centres and small boxes' corners).
func checkJSON(cmd *cobra.Command, net *nn.Network, prop *vnnlib.Property, witness string) error {
	var xs [][]*big.Rat
	mode := "falsifier (box centres and corners; not a verifier)"
	if witness != "" {
		b, err := vnnlib.ReadWitnessFile(witness)
		if err != nil {
			return err
		}
		w, err := vnnlib.ParseWitness(b, prop.NX, prop.NY)
		if err != nil {
			return fmt.Errorf("%s: %v", witness, err)
		}
		xs, mode = [][]*big.Rat{w.X}, "witness"
	} else {
		xs, _ = pipeline.BoxCandidates(prop)
	}
	cs, err := pipeline.CheckPoints(cmd.Context(), net, prop, xs)
	if err != nil {
		return err
	}
	strs := func(v []*big.Rat) []string {
		out := make([]string, len(v))
		for i, r := range v {
			out[i] = r.RatString()
		}
		return out
	}
	res := struct {
		Mode           string           `json:"mode"`
		Counterexample bool             `json:"counterexample_found"`
		Points         []checkJSONPoint `json:"points"`
	}{Mode: mode}
	for _, c := range cs {
		p := checkJSONPoint{X: strs(c.X), Outputs: strs(c.Exact), Counterexample: c.Counterexample(),
			Float32Counterexample: c.Float32Counterexample(), Float32Outputs: c.Float32Out}
		res.Counterexample = res.Counterexample || p.Counterexample
		for k, r := range c.Judged {
			d := checkJSONDisjunct{Inside: r.Inside, WorstInput: r.WorstInput, Values: strs(r.Values), Holds: r.Holds}
			if r.WorstMargin != nil {
				d.WorstMargin = r.WorstMargin.RatString()
			}
			if c.Float32 != nil {
				d.Float32Holds, d.Float32In = c.Float32[k].Holds, c.Float32[k].Inside
			}
			p.Disjuncts = append(p.Disjuncts, d)
		}
		res.Points = append(res.Points, p)
	}
	if err := printJSON(os.Stdout, res); err != nil {
		return err
	}
	if !res.Counterexample {
		return exitError{1}
	}
	return nil
}
