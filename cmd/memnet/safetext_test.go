package main

import "testing"

func TestSafeText(t *testing.T) {
	for in, want := range map[string]string{
		"setosa":      "setosa",
		"chat noir":   "chat noir",
		"Ωμέγα ✓":     "Ωμέγα ✓",
		"a\x1b[2Kb":   `"a\x1b[2Kb"`,
		"x\ny":        `"x\ny"`,
		"r\u202el":    `"r\u202el"`,
		"\xff":        `"\xff"`,
		`"a\x1b[2Kb"`: `"\"a\\x1b[2Kb\""`, // injective: a clean string that looks escaped is quoted
		"del\x7f":     `"del\x7f"`,
		"c1\u0085":    `"c1\u0085"`,
		"tab\there":   `"tab\there"`,
		"":            "",
	} {
		if got := safeText(in); got != want {
			t.Errorf("safeText(%q) = %s, want %s", in, got, want)
		}
	}
}
