package vardi

import (
	"strconv"
	"strings"
)

// Hints records the layout in the network file ("split", "per_point"), so
// that the exact engine can share work between points on a network loaded
// from disk (nn.VerifyExactHints, nn.Exact.UseSplit). Hints never decide a
// value: any split gives the exact outputs.
func (l *Layout) Hints() map[string]string {
	pp := make([]string, len(l.PerPoint))
	for i, j := range l.PerPoint {
		pp[i] = strconv.Itoa(j)
	}
	return map[string]string{"split": strconv.Itoa(l.Split), "per_point": strings.Join(pp, ",")}
}
