package vardi

import (
	"strconv"
	"strings"
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
