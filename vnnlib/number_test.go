package vnnlib

import (
	"math/big"
	"testing"
)

func TestParseNumber(t *testing.T) {
	good := map[string]string{
		"0": "0", "-0.30353115613746867": "-30353115613746867/100000000000000000", "1e-9": "1/1000000000",
		"+3": "3", "1/255": "1/255", "-2/4": "-1/2", "2.5E2": "250", ".5": "1/2", "5.": "5", "-1.5e+1": "-15",
	}
	for s, want := range good {
		r, err := ParseNumber(s)
		if err != nil {
			t.Errorf("%q: %v", s, err)
			continue
		}
		w, _ := new(big.Rat).SetString(want)
		if r.Cmp(w) != 0 {
			t.Errorf("%q = %s, want %s", s, r.RatString(), want)
		}
	}
	for _, s := range []string{"", "-", ".", "e5", "1e", "1e99999", "1e401", "--1", "0x10", "1/0", "1/-2", "1.5/2", "inf", "NaN", "1 2", "1_000"} {
		if _, err := ParseNumber(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}
