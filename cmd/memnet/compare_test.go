package main

import (
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeCSV(t *testing.T, name, content string) string {
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCompareJSONAndMarkdown(t *testing.T) {
	iris := shared(t, "iris.csv")
	out, errOut, code := run(t, "compare", "--data", iris, "--json", "--methods", "hz,zhang,ysj,vardi")
	if code != 0 {
		t.Fatalf("compare exit %d: %s", code, errOut)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 || rows[4]["method"] != "VC lower bound" || rows[4]["params"] != 13.0 {
		t.Fatalf("rows: %v", rows)
	}
	for _, r := range rows[:4] {
		for _, k := range []string{"method", "width", "depth", "params", "max_weight_bits", "exact", "float64_correct", "build_seconds", "verify_seconds", "realisation_params", "theorem_params", "theorem_constants", "theory"} {
			if _, ok := r[k]; !ok {
				t.Errorf("%v lacks %s", r["method"], k)
			}
		}
		if r["exact"] != true || r["realisation_params"].(float64) < r["params"].(float64) {
			t.Errorf("%v: exact %v, params %v above the realisation %v", r["method"], r["exact"], r["params"], r["realisation_params"])
		}
		th, _ := r["theory"].(map[string]any)
		lbs, _ := th["lower_bounds"].([]any)
		keys := map[string]bool{}
		for _, lb := range lbs {
			m := lb.(map[string]any)
			keys[m["key"].(string)] = true
			if m["value"].(float64) > 0 && m["ratio"].(float64) < 1 {
				t.Errorf("%v: below its lower bound %v", r["method"], m)
			}
		}
		if !keys["vc_depth"] || !keys["bits"] || !keys["width"] || !keys["wl2"] {
			t.Errorf("%v: lower bounds %v", r["method"], keys)
		}
	}
	out, _, code = run(t, "compare", "--data", iris, "--markdown", "--methods", "zhang")
	if code != 0 || !strings.Contains(out, "| zhang |") || !strings.Contains(out, "VC lower bound") {
		t.Errorf("markdown: exit %d\n%s", code, out)
	}
	// every column has a line in the legend
	for _, h := range []string{"realisation", "theorem", "built/thm", "/VC(L)", "/bits LB", "w/2", "W²L²/NlgΔ", "exact"} {
		if !strings.Contains(out, "- **"+h+"**: ") {
			t.Errorf("legend lacks %s:\n%s", h, out)
		}
	}
}

func TestCompareTimeout(t *testing.T) {
	// 3000 points: hz's exact verification takes longer than 1 ms; the row
	// says so and the next method still runs.
	var b strings.Builder
	for i := range 3000 {
		b.WriteString(strings.Join([]string{itoa(i % 97), itoa(i / 97), itoa(i % 5)}, ",") + "\n")
	}
	p := writeCSV(t, "big.csv", b.String())
	out, _, code := run(t, "compare", "--data", p, "--methods", "hz,zhang", "--timeout", "1ms", "--json")
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatal(err, out)
	}
	if code != 1 || len(rows) != 3 || !strings.Contains(rows[0]["error"].(string), "timeout") {
		t.Errorf("exit %d rows %v", code, rows)
	}
}

func itoa(i int) string { return jsonNum(i) }

func jsonNum(i int) string { b, _ := json.Marshal(i); return string(b) }

func TestSweepWritesCSVAndPlots(t *testing.T) {
	dir := t.TempDir()
	out, errOut, code := run(t, "sweep", "--methods", "zhang,ysj,hz", "--n", "50,200,800", "--d", "4", "--classes", "3", "--out", dir)
	if code != 0 {
		t.Fatalf("sweep exit %d: %s %s", code, out, errOut)
	}
	csv, err := os.ReadFile(filepath.Join(dir, "sweep.csv"))
	if err != nil || strings.Count(string(csv), "\n") != 10 || !strings.HasPrefix(string(csv), "method,n,d,classes,width") {
		t.Fatalf("sweep.csv: %v\n%s", err, csv)
	}
	for _, f := range []string{"params_vs_n.png", "params_vs_n.svg", "bits_vs_n.png", "bits_vs_n.svg", "lower_bounds_vs_n.png", "wl2_vs_n.png", "wl2_vs_n.svg"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() < 5000 {
			t.Errorf("%s missing or tiny", f)
		}
	}
	if !strings.Contains(out, "fitted exponents") || !strings.Contains(out, "zhang       a = ") {
		t.Errorf("no fits printed:\n%s", out)
	}
}

func TestBuildAutoPicksByLimits(t *testing.T) {
	iris := shared(t, "iris.csv")
	dir := t.TempDir()
	winners := map[string]bool{}
	for _, lim := range [][]string{{}, {"--max-width", "2"}, {"--max-width", "12", "--max-depth", "300"}, {"--max-width", "40", "--max-depth", "2"}} {
		net := filepath.Join(dir, "a.mnet")
		args := append([]string{"build", "--method", "auto", "--data", iris, "-o", net}, lim...)
		out, errOut, code := run(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d %s %s", lim, code, out, errOut)
		}
		if !strings.Contains(out, "why:") || !strings.Contains(out, "verified exactly") {
			t.Errorf("%v: no reason or verdict:\n%s", lim, out)
		}
		first := strings.SplitN(out, "\n", 2)[0]
		winners[first[strings.Index(first, "chose ")+6:]] = true
		if v, _, code := run(t, "verify", net, "--data", iris); code != 0 {
			t.Errorf("%v: verify failed: %s", lim, v)
		}
	}
	if len(winners) < 3 {
		t.Errorf("only %d different winners: %v", len(winners), winners)
	}
	if _, errOut, code := run(t, "build", "--method", "auto", "--data", iris, "-o", filepath.Join(dir, "x.mnet"), "--max-width", "1", "--max-depth", "1"); code == 0 || !strings.Contains(errOut, "no construction fits") {
		t.Errorf("impossible limits: exit %d %s", code, errOut)
	}
}

func TestPlotTrajectories(t *testing.T) {
	var b strings.Builder
	for i := range 30 {
		b.WriteString(jsonNum(i*7%31) + "," + jsonNum(i*i%37) + "," + []string{"a", "b", "c"}[i%3] + "\n")
	}
	p := writeCSV(t, "t30.csv", b.String())
	dir := t.TempDir()
	net, img := filepath.Join(dir, "t.mnet"), filepath.Join(dir, "traj.png")
	if _, e, code := run(t, "build", "--data", p, "-o", net); code != 0 {
		t.Fatal(e)
	}
	if out, e, code := run(t, "plot", "trajectories", net, "--data", p, "-o", img); code != 0 {
		t.Fatal(out, e)
	}
	f, err := os.Open(img)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	colours := map[uint32]bool{}
	bd := m.Bounds()
	for y := bd.Min.Y; y < bd.Max.Y; y += 2 {
		for x := bd.Min.X; x < bd.Max.X; x += 2 {
			r, g, bl, _ := m.At(x, y).RGBA()
			colours[(r>>8)<<16|(g>>8)<<8|bl>>8] = true
		}
	}
	if bd.Dx() < 600 || bd.Dy() < 600 || len(colours) < 20 {
		t.Errorf("image %v with %d colours", bd, len(colours))
	}
	// A network that is not width 2 is refused with a message.
	zn := filepath.Join(dir, "z.mnet")
	if _, e, code := run(t, "build", "--method", "zhang", "--data", p, "-o", zn); code != 0 {
		t.Fatal(e)
	}
	if _, e, code := run(t, "plot", "trajectories", zn, "--data", p, "-o", img); code == 0 || !strings.Contains(e, "width-2") {
		t.Errorf("zhang network drawn: %d %s", code, e)
	}
}
