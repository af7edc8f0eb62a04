package main

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func TestGeometryHumanAndJSON(t *testing.T) {
	// r = 10 (the point (6,8)), δ = 1 ((0,0)–(1,0)), diameter 10, Δ = 10
	iris := writeCSV(t, "g.csv", "0,0,a\n3,4,b\n6,8,a\n1,0,b\n")
	out, errOut, code := run(t, "geometry", "--data", iris)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"N = 4 distinct points", "largest norm", "smallest distance (exact)", "log2 Δ", "log2 R", "which theorem reads what"} {
		if !strings.Contains(out, want) {
			t.Errorf("human output lacks %q:\n%s", want, out)
		}
	}
	if strings.HasPrefix(strings.TrimSpace(out), "{") {
		t.Errorf("default output is JSON:\n%s", out)
	}
	out, _, code = run(t, "geometry", "--data", iris, "--json")
	var g struct {
		N, D     int
		MaxNorm  float64 `json:"max_norm"`
		MinDist  float64 `json:"min_dist"`
		MaxDistU float64 `json:"max_dist_upper"`
		Theory   struct {
			Log2R     float64 `json:"log2_R"`
			Log2Delta float64 `json:"log2_delta"`
		} `json:"theory"`
	}
	if err := json.Unmarshal([]byte(out), &g); err != nil || code != 0 {
		t.Fatalf("JSON: %v\n%s", err, out)
	}
	// log2 R = log2(10·r·N²·√(πd)/δ) = log2(10·10·16·√(2π)), log2 Δ = log2 10
	wantR := math.Log2(10 * 10 * 16 * math.Sqrt(math.Pi*2))
	if g.MaxNorm != 10 || g.MinDist != 1 || math.Abs(g.Theory.Log2R-wantR) > 1e-9 || math.Abs(g.Theory.Log2Delta-math.Log2(10)) > 1e-9 {
		t.Errorf("theory quantities %+v, want log2 R %v", g.Theory, wantR)
	}
}
