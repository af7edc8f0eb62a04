package nn

import "testing"

// TestPhasedProgress: a shared evaluation's bar reaches a third after the
// points up to the split and two thirds after the groups (Vardi's exact
// phase stayed at 0 % until the last pass, issue 24 item 12), and n at the end.
func TestPhasedProgress(t *testing.T) {
	var got []int64
	p := newPhasedProgress(func(d int64) { got = append(got, d) }, 900, 900, 0, 900)
	for range 9 {
		p.add(0, 100)
	}
	if got[len(got)-1] != 300 {
		t.Fatalf("after phase 1: %v", got)
	}
	p.setSize(1, 7)
	p.add(1, 7)
	if got[len(got)-1] != 600 {
		t.Fatalf("after phase 2: %v", got)
	}
	p.add(2, 900)
	if got[len(got)-1] != 900 {
		t.Fatalf("at the end: %v", got)
	}
	for i := 1; i < len(got); i++ {
		if got[i] < got[i-1] {
			t.Fatalf("not monotone: %v", got)
		}
	}
	newPhasedProgress(nil, 10, 10).add(0, 5) // no callback: no-op
}
