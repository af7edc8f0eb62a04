package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/memnet/memnet/train/experiment"
)

// TestExperimentFlagsFailCleanly: flags that made the experiments and train
// panic or run out of memory (issue 24, item 6) now give one error line,
// exit status 1 and no output file, before any training.
func TestExperimentFlagsFailCleanly(t *testing.T) {
	digits := shared(t, "digits.csv.gz")
	iris := shared(t, "iris.csv")
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"one lambda", []string{"experiment", "hz-lambda", "--lambdas", "1e-2"}, "at least two"},
		{"lambdas rising", []string{"experiment", "hz-lambda", "--lambdas", "1e-4,1e-2"}, "decreasing"},
		{"park n 0", []string{"experiment", "park-depth-width", "--grid", "small", "--datasets", "digits", "--digits", digits, "--n", "0"}, "--n 0"},
		{"park huge width", []string{"experiment", "park-depth-width", "--grid", "small", "--datasets", "digits", "--digits", digits, "--widths", "100000000"}, "--max-memory"},
		{"park huge blocks", []string{"experiment", "park-depth-width", "--grid", "small", "--datasets", "digits", "--digits", digits, "--blocks", "100000000"}, "--max-memory"},
		{"park conv huge width", []string{"experiment", "park-depth-width", "--grid", "small", "--network", "conv", "--datasets", "digits", "--digits", digits, "--widths", "100000000"}, "out of range"},
		{"park conv huge blocks", []string{"experiment", "park-depth-width", "--grid", "small", "--network", "conv", "--datasets", "digits", "--digits", digits, "--blocks", "60000"}, "--max-memory"},
		{"train huge hidden", []string{"train", "--data", iris, "--hidden", "100000000", "--max-memory", "1GiB"}, "--max-memory"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			args := append(append([]string(nil), c.args...), "--out", dir)
			netOut := filepath.Join(t.TempDir(), "net.mnet") // in a directory that exists: the memory check decides
			if c.args[0] == "train" {
				args = append(append([]string(nil), c.args...), "-o", netOut)
			}
			out, errOut, code := run(t, args...)
			var lines []string
			for _, l := range strings.Split(strings.TrimSpace(errOut), "\n") {
				if !strings.HasPrefix(l, "note: ") {
					lines = append(lines, l)
				}
			}
			line := strings.Join(lines, "\n")
			if code != 1 || strings.Contains(line, "\n") || strings.Contains(errOut, "goroutine") || !strings.Contains(line, c.want) {
				t.Fatalf("exit %d, want 1 with one line naming %q; stdout %q stderr %q", code, c.want, out, errOut)
			}
			if _, err := os.Stat(dir); err == nil {
				ents, _ := os.ReadDir(dir)
				t.Fatalf("%s was created (%d entries)", dir, len(ents))
			}
			if _, err := os.Stat(netOut); err == nil {
				t.Fatalf("%s was written", netOut)
			}
		})
	}
}

// TestExperimentParkPaperSmallDocumented: --grid paper-small trains what
// docs/train.md's setup table says it trains (subset, epochs and
// iterations, learning rate, trials, grid and Figure-1 architectures), so
// the documented figures come from the preset as it stands.
func TestExperimentParkPaperSmallDocumented(t *testing.T) {
	g, ok := experiment.ParkGrids["paper-small"]
	if !ok {
		t.Fatal("no paper-small grid")
	}
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "train.md"))
	if err != nil {
		t.Fatal(err)
	}
	budget, err := parseBudget(g.Budget)
	if err != nil {
		t.Fatal(err)
	}
	var pairs []string
	for _, cb := range budget {
		pairs = append(pairs, fmt.Sprintf("(%d, %d)", cb[0], cb[1]))
	}
	const batch = 64 // the --batch default, Park et al.'s
	iters := g.Epochs * ((g.N + batch - 1) / batch)
	brace := func(s string) string { return "{" + strings.ReplaceAll(s, ",", ", ") + "}" }
	for _, want := range []string{
		fmt.Sprintf("the first %d training images", g.N),
		fmt.Sprintf("the first %d test images", g.Test),
		fmt.Sprintf("batch %d, %d epochs = %d iterations, lr %g", batch, g.Epochs, iters, g.LR),
		fmt.Sprintf("| trials | 3, averaged | %d:", g.Trials),
		"(c, b) = " + strings.Join(pairs, ", "),
		fmt.Sprintf("c ∈ %s, b ∈ %s", brace(g.Widths), brace(g.Blocks)),
	} {
		if !strings.Contains(string(doc), want) {
			t.Errorf("docs/train.md does not state the paper-small preset's %q", want)
		}
	}
	if !g.Conv || g.Sets != "fashion" {
		t.Errorf("paper-small: conv %v on %q; docs/train.md: convolutional networks on fashion", g.Conv, g.Sets)
	}
}
