package pipeline

import (
	"context"
	"testing"
	"time"

	"github.com/memnet/memnet/data"
)

// TestTrainRowsNorms: a trained row carries its network's norms (compare
// --train printed ‖θ‖₂² = 0 for trained networks, issue 24).
func TestTrainRowsNorms(t *testing.T) {
	ds, err := data.FromRaw("four", [][]float64{{0, 0}, {1, 0}, {0, 1}, {1, 1}, {2, 0}, {0, 2}}, []string{"a", "b", "b", "a", "a", "b"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rows := TrainRows(context.Background(), ds, TrainCompareOptions{Layers: []int{1}, Epochs: 300, Budget: 20 * time.Second})
	if len(rows) != 1 {
		t.Fatalf("%d rows", len(rows))
	}
	r := rows[0]
	if r.Error != "" {
		t.Skipf("no trained network memorized XOR within the budget: %s", r.Error)
	}
	if !(r.NormL2Squared > 0) || !(r.NormMax > 0) {
		t.Errorf("trained row norms ‖θ‖₂² = %v, ‖θ‖∞ = %v, want > 0", r.NormL2Squared, r.NormMax)
	}
}
