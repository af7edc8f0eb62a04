package main

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/memnet/memnet/data"
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

// realLabelsNote says, when every label of ds is a number and some are not
// whole numbers, that they are taken as classes (one per distinct value)
// and how to memorize them as real targets instead; "" otherwise.
func realLabelsNote(ds *data.Dataset) string {
	example := ""
	for _, c := range ds.Classes {
		v, err := strconv.ParseFloat(c, 64)
		if err != nil {
			return ""
		}
		if example == "" && v != math.Trunc(v) {
			example = c
		}
	}
	if example == "" {
		return ""
	}
	return fmt.Sprintf("%s: the labels are real numbers (e.g. %s), taken here as %d classes, one per distinct value; to memorize them as real targets in [0, 1], use --method park --regression", ds.Name, example, ds.M())
}
