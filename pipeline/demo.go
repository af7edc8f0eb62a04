package pipeline

import "github.com/memnet/memnet/data"

// DemoDataset is the built-in dataset of `memnet demo`: two interleaved
// spirals, N = 1000.
func DemoDataset() *data.Dataset { return data.Spirals(1000, 1) }
