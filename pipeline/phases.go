package pipeline

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/memnet/memnet/nn"
)

// Phase is a named range of hidden layers (1-based, inclusive) of a
// network whose construction records its phases in the hint "phases"
// ("name:first-last;name:first-last;…"), e.g. the Hernández–Zuazua
// phases variant and the approximation networks.
type Phase struct {
	Name  string `json:"name"`
	First int    `json:"first_layer"`
	Last  int    `json:"last_layer"`
}

// PhasesHint writes phases as the "phases" hint.
func PhasesHint(ps []Phase) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = fmt.Sprintf("%s:%d-%d", p.Name, p.First, p.Last)
	}
	return strings.Join(parts, ";")
}

// Phases reads the "phases" hint of a model; ranges that do not parse or
// lie outside the network are dropped (hints never decide anything).
func Phases(m *nn.Model) []Phase {
	var out []Phase
	h := m.Hints["phases"]
	if h == "" {
		return nil
	}
	for part := range strings.SplitSeq(h, ";") {
		i := strings.LastIndex(part, ":")
		if i < 0 {
			continue
		}
		a, b, ok := strings.Cut(part[i+1:], "-")
		first, err1 := strconv.Atoi(a)
		last, err2 := strconv.Atoi(b)
		if !ok || err1 != nil || err2 != nil || first < 1 || last < first-1 || last > len(m.Net.Hidden) {
			continue
		}
		out = append(out, Phase{Name: part[:i], First: first, Last: last})
	}
	return out
}

// NormSpec returns the model's hints that state a norm value or bound of its
// construction's specification (keys norm_*, with their _source notes).
func NormSpec(m *nn.Model) map[string]string {
	var out map[string]string
	for k, v := range m.Hints {
		if strings.HasPrefix(k, "norm_") {
			if out == nil {
				out = map[string]string{}
			}
			out[k] = v
		}
	}
	return out
}
