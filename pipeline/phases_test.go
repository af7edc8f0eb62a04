package pipeline

import (
	"reflect"
	"testing"

	"github.com/memnet/memnet/nn"
)

func TestPhasesHint(t *testing.T) {
	net := &nn.Network{InputDim: 1, Hidden: make([]nn.Layer, 10)}
	ps := []Phase{{"a: x", 1, 6}, {"b", 7, 10}, {"c", 11, 10}}
	m := &nn.Model{Net: net, Hints: map[string]string{"phases": PhasesHint(ps)}}
	if got := Phases(m); !reflect.DeepEqual(got, ps) {
		t.Errorf("round trip %v, want %v", got, ps)
	}
	// malformed and out-of-range entries are dropped, never trusted
	m.Hints["phases"] = "x:1-20;y;z:3-x;w:0-2;ok:2-3"
	if got := Phases(m); !reflect.DeepEqual(got, []Phase{{"ok", 2, 3}}) {
		t.Errorf("malformed hint gave %v", got)
	}
}
