package nn

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"testing"
)

// TestTheoryRoundTrip: the theory record survives save → load unchanged and
// the bytes are reproduced.
func TestTheoryRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 3))
	th := &Theory{
		Theorem:            "Park, Lee, Yun, Shin (COLT 2021), Theorem 1 (w = 0.9)",
		Statement:          "O(N^w + N^{1−w/2} log C) parameters",
		TheoremForm:        map[string]Formula{"params": {Value: 1234.5678, Formula: "d + log Δ + N^w + N^{1−w/2}·log C", Constants: "constants 1"}, "depth": {Value: 3, Formula: "3", Constants: "paper"}},
		Realisation:        map[string]int64{"params": 99999, "depth": 40, "width": 7430},
		RealisationFormula: map[string]string{"params": "dense count"},
		Inputs:             map[string]float64{"N": 20000, "r": 1.0 / 3, "delta_min": 1e-300},
		Notes:              []string{"a", "b"},
	}
	m := &Model{Net: randomNetwork(rng, 3, false), Method: "park", Options: map[string]string{"w": "0.9"},
		Classes: []string{"0", "1"}, Points: 5, Theorem: th.Theorem, Theory: th}
	var b1, b2 bytes.Buffer
	if err := m.Encode(&b1); err != nil {
		t.Fatal(err)
	}
	m2, err := Decode(bytes.NewReader(b1.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m2.Theory, th) {
		t.Fatalf("theory changed:\n%+v\n%+v", m2.Theory, th)
	}
	if err := m2.Encode(&b2); err != nil || !bytes.Equal(b1.Bytes(), b2.Bytes()) {
		t.Fatalf("save → load → save changed the bytes (%v)", err)
	}
}
