package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"
)

func TestMain(m *testing.M) { ptest.MainWithDefault(m, "prism") }

// memnet builds the memnet command from the repository root once.
func memnet(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "memnet")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/memnet")
	cmd.Dir = "../../../.."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build memnet: %v\n%s", err, out)
	}
	return bin
}

// runMemnet runs memnet and returns its standard output and exit status.
func runMemnet(t *testing.T, bin string, args ...string) (string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return out.String(), 0
	case errors.As(err, &ee):
		return out.String(), ee.ExitCode()
	}
	t.Fatalf("memnet %v: %v\n%s", args, err, errb.String())
	return "", -1
}

// runBeam runs memnet-beam in-process.
func runBeam(t *testing.T, args ...string) (string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	if code == 2 {
		t.Fatalf("memnet-beam %v: %s", args, errb.String())
	}
	return out.String(), code
}

// untimed drops the timings from a verdict's JSON.
func untimed(t *testing.T, s string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
	for _, k := range []string{"seconds", "exact_seconds", "float_seconds"} {
		delete(m, k)
	}
	b, _ := json.MarshalIndent(m, "", " ")
	return string(b)
}

// TestCommandsEqualMemnet: memnet-beam build writes the bytes memnet build
// writes (vardi, same flags and seed), and memnet-beam verify --json prints
// memnet verify --json's verdict (but timings) with its exit status, on an
// exact and on a NOT EXACT network (a network built for other labels).
func TestCommandsEqualMemnet(t *testing.T) {
	bin := memnet(t)
	dir := t.TempDir()
	d1 := writeCSV(t, dir, "a.csv", 3000, 6, 1)
	d2 := writeCSV(t, dir, "b.csv", 3000, 6, 2) // same points, other labels
	local, viaBeam := filepath.Join(dir, "local.mnet"), filepath.Join(dir, "beam.mnet")
	if _, code := runMemnet(t, bin, "build", "--method", "vardi", "--data", d1, "--seed", "5", "--max-bits", "64", "-o", local); code != 0 {
		t.Fatalf("memnet build: exit %d", code)
	}
	if _, code := runBeam(t, "build", "--method", "vardi", "--data", d1, "--seed", "5", "--max-bits", "64", "-o", viaBeam, "--parts", "3"); code != 0 {
		t.Fatalf("memnet-beam build: exit %d", code)
	}
	a, _ := os.ReadFile(local)
	b, _ := os.ReadFile(viaBeam)
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Fatalf("memnet-beam build wrote %d bytes that differ from memnet build's %d", len(b), len(a))
	}
	for _, c := range []struct {
		data   string
		code   int
		shards []string
		k      int // the shards the job judged (the default: one)
	}{{d1, 0, []string{"--shards", "5"}, 5}, {d2, 1, []string{"--shards", "5"}, 5}, {d1, 0, nil, 1},
		{d1, 0, []string{"--shards", "4", "--ranges", "6"}, 4}, {d2, 1, []string{"--ranges", "5", "--shards", "3"}, 3}} {
		sc := t.TempDir()
		want, wcode := runMemnet(t, bin, "verify", local, "--data", c.data, "--json")
		got, gcode := runBeam(t, append([]string{"verify", local, "--data", c.data, "--json", "--scratch", sc}, c.shards...)...)
		if wcode != c.code || gcode != wcode {
			t.Fatalf("%s: exit status memnet %d, memnet-beam %d, want %d", c.data, wcode, gcode, c.code)
		}
		if untimed(t, want) != untimed(t, got) {
			t.Fatalf("%s: verdicts differ:\n%s\nmemnet-beam:\n%s", c.data, want, got)
		}
		// the combined partial verdict the job left in --scratch names its shards
		b, err := os.ReadFile(filepath.Join(sc, "verdict.json"))
		if err != nil {
			t.Fatal(err)
		}
		var part struct {
			Count  int   `json:"shard_count"`
			Shards []int `json:"shards"`
		}
		if err := json.Unmarshal(b, &part); err != nil || part.Count != c.k || len(part.Shards) != c.k {
			t.Fatalf("%s %v: the job judged shards %v of %d (%v), want all %d", c.data, c.shards, part.Shards, part.Count, err, c.k)
		}
	}
	// data memnet verify refuses (a point repeated with another label):
	// the same message with --ranges; memnet exits 1 on any error,
	// memnet-beam 2 (its convention for errors, below)
	rows, err := os.ReadFile(d1)
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(rows), "\n")
	comma := strings.LastIndex(first, ",")
	label := "0"
	if first[comma+1:] == "0" {
		label = "1"
	}
	d3 := filepath.Join(dir, "conflict.csv")
	if err := os.WriteFile(d3, append(rows, first[:comma+1]+label+"\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	_, wcode := runMemnet(t, bin, "verify", local, "--data", d3, "--json")
	var cerr bytes.Buffer
	gcode := run(context.Background(), []string{"verify", local, "--data", d3, "--json", "--ranges", "4", "--scratch", t.TempDir()}, &bytes.Buffer{}, &cerr)
	if wcode != 1 || gcode != 2 || !strings.Contains(cerr.String(), "rows 1 and 3001 are the same point with different labels") {
		t.Fatalf("conflicting labels: exit status memnet %d, memnet-beam --ranges %d (%q), want 1 and 2", wcode, gcode, cerr.String())
	}
	// errors are one line, exit status 2
	var errb bytes.Buffer
	if code := run(context.Background(), []string{"verify", local, "--data", filepath.Join(dir, "missing.csv")}, &bytes.Buffer{}, &errb); code != 2 || strings.Count(errb.String(), "\n") != 1 {
		t.Fatalf("missing data: exit %d, %q", code, errb.String())
	}
	if code := run(context.Background(), []string{"build", "--method", "vardi", "--data", d1, "-o", d1}, &bytes.Buffer{}, &bytes.Buffer{}); code != 2 {
		t.Fatalf("-o equal to --data: exit %d", code)
	}
}

// writeCSV writes n integer points of dimension d (the same for every
// seed) with labels drawn from seed.
func writeCSV(t *testing.T, dir, name string, n, d int, seed uint64) string {
	pts := rand.New(rand.NewPCG(1, 2))
	lab := rand.New(rand.NewPCG(seed, 3))
	var sb strings.Builder
	for range n {
		for range d {
			fmt.Fprintf(&sb, "%d,", pts.IntN(1000))
		}
		fmt.Fprintf(&sb, "%d\n", lab.IntN(5))
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestGridsEqualMemnet: memnet-beam sweep and experiment park-depth-width
// write memnet's CSV (but the timing columns), the sweep's plots byte for
// byte with the same fitted exponents, and the same heat maps' files, with
// the same exit status.
func TestGridsEqualMemnet(t *testing.T) {
	bin := memnet(t)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "local"), filepath.Join(dir, "beam")
	sweep := []string{"--methods", "hz,zhang", "--n", "40,90", "--d", "3", "--classes", "2", "--seed", "4"}
	localOut, code := runMemnet(t, bin, append([]string{"sweep", "--out", a}, sweep...)...)
	if code != 0 {
		t.Fatalf("memnet sweep: exit %d", code)
	}
	beamOut, code := runBeam(t, append([]string{"sweep", "--out", b}, sweep...)...)
	if code != 0 {
		t.Fatalf("memnet-beam sweep: exit %d", code)
	}
	fits := func(s string) string { // from the fitted exponents to the list of files
		_, f, _ := strings.Cut(s, "fitted exponents")
		f, _, _ = strings.Cut(f, "\nwrote ")
		return f
	}
	if x, y := fits(localOut), fits(beamOut); x == "" || x != y {
		t.Errorf("the fits differ:\n%s\nmemnet-beam:\n%s", x, y)
	}
	plots, _ := filepath.Glob(filepath.Join(a, "*_vs_n.*"))
	if len(plots) != 10 {
		t.Errorf("memnet sweep wrote %d plots, want 10", len(plots))
	}
	for _, f := range plots {
		x, _ := os.ReadFile(f)
		y, err := os.ReadFile(filepath.Join(b, filepath.Base(f)))
		if err != nil || !bytes.Equal(x, y) {
			t.Errorf("memnet-beam sweep's %s differs from memnet's (%v)", filepath.Base(f), err)
		}
	}
	if x, y := csvWithout(t, filepath.Join(a, "sweep.csv"), "build_seconds", "verify_seconds"), csvWithout(t, filepath.Join(b, "sweep.csv"), "build_seconds", "verify_seconds"); x != y || strings.Count(x, "\n") != 5 {
		t.Fatalf("sweep.csv differs:\n%s\nmemnet-beam:\n%s", x, y)
	}
	park := []string{"park-depth-width", "--datasets", "digits,digits-random", "--digits", "../../../../testdata/digits.csv.gz",
		"--widths", "2,6", "--blocks", "1,2", "--n", "150", "--test", "60", "--epochs", "4"}
	if _, code := runMemnet(t, bin, append([]string{"experiment"}, append(park, "--out", a)...)...); code != 0 {
		t.Fatalf("memnet experiment: exit %d", code)
	}
	if _, code := runBeam(t, append([]string{"experiment"}, append(park, "--out", b)...)...); code != 0 {
		t.Fatalf("memnet-beam experiment: exit %d", code)
	}
	if x, y := csvWithout(t, filepath.Join(a, "park_depth_width.csv"), "seconds"), csvWithout(t, filepath.Join(b, "park_depth_width.csv"), "seconds"); x != y || strings.Count(x, "\n") != 9 {
		t.Fatalf("park_depth_width.csv differs:\n%s\nmemnet-beam:\n%s", x, y)
	}
	for _, f := range []string{"park_digits_train.png", "park_digits_test.png", "park_digits-random_train.png"} {
		if _, err := os.Stat(filepath.Join(b, f)); err != nil {
			t.Errorf("memnet-beam experiment wrote no %s: %v", f, err)
		}
	}
}

// csvWithout is a CSV file without the named columns.
func csvWithout(t *testing.T, name string, drop ...string) string {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var keep []int
	for k, h := range recs[0] {
		if !slices.Contains(drop, h) {
			keep = append(keep, k)
		}
	}
	var out strings.Builder
	for _, r := range recs {
		for _, k := range keep {
			out.WriteString(r[k] + ",")
		}
		out.WriteByte('\n')
	}
	return out.String()
}
