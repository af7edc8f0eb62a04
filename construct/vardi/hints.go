package vardi

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/memnet/memnet/nn"
)

// Hints records the layout in the network file, so that the grouped
// verifier can be used on a network loaded from disk.
func (l *Layout) Hints() map[string]string {
	pp := make([]string, len(l.PerPoint))
	for i, j := range l.PerPoint {
		pp[i] = strconv.Itoa(j)
	}
	return map[string]string{"split": strconv.Itoa(l.Split), "per_point": strings.Join(pp, ",")}
}

// layoutFromHints reads Hints back, checking them against net; it returns
// nil (no grouping) when there are none.
func layoutFromHints(net *nn.Network, h map[string]string) (*Layout, error) {
	s, ok := h["split"]
	if !ok {
		return nil, nil
	}
	split, err := strconv.Atoi(s)
	if err != nil || split < 0 || split >= len(net.Hidden) {
		return nil, fmt.Errorf("vardi verify: hint split=%q is not a hidden layer", s)
	}
	l := &Layout{Split: split}
	if pp := h["per_point"]; pp != "" {
		for _, f := range strings.Split(pp, ",") {
			j, err := strconv.Atoi(f)
			if err != nil || j < 0 || j >= net.Hidden[split].Out() {
				return nil, fmt.Errorf("vardi verify: hint per_point=%q names no neuron of layer %d", pp, split+1)
			}
			l.PerPoint = append(l.PerPoint, j)
		}
	}
	return l, nil
}

// VerifyExact implements construct.ExactVerifier with the grouped exact
// evaluator (spec §12): each point up to the layer holding the selected
// crafted integers, the work shared by an interval's points once per
// interval, then each point's own neurons.
func (Method) VerifyExact(net *nn.Network, hints map[string]string, xs [][]float64, y []int, m int, progress func(done int64)) (*nn.Report, error) {
	lay, err := layoutFromHints(net, hints)
	if err != nil {
		return nil, err
	}
	if !net.IsDyadic() || net.HasActivation(nn.Sigmoid) || net.OutputDim() != 1 {
		return nn.VerifyExact(net, xs, y, m, progress)
	}
	r, err := Verify(net, lay, xs, y, m)
	if err != nil {
		return nil, err
	}
	if progress != nil {
		progress(int64(len(xs)))
	}
	return &nn.Report{
		Points: r.Points, ExactCorrect: r.ExactCorrect, ExactEqual: r.ExactEqual, Exact: r.Exact,
		Wrong: r.Wrong, ExactSeconds: r.Seconds,
		ExactEvaluator: fmt.Sprintf("vardi grouped integer fixed point (%d groups)", r.Stats.Groups),
	}, nil
}
