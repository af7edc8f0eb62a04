package main

import (
	"sort"
	"strings"
)

// formatOptions writes method options as "name=value, ..." sorted by name
// ("none" when there are none), never as a Go map.
func formatOptions(opts map[string]string) string {
	if len(opts) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(opts))
	for k := range opts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + opts[k]
	}
	return strings.Join(parts, ", ")
}
