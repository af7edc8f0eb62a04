package vardi

import (
	"fmt"
	"math/big"

	"github.com/memnet/memnet/nn"
)

// Layout says where the parts of a built network are. Split and PerPoint are
// written to the network file's hints (Hints), where the exact engine reads
// them as its taint split (nn.Exact.UseSplit); tests use Crafted to mutate
// crafted weights.
type Layout struct {
	// Split is the hidden-layer index (0-based) of the materialisation layer,
	// after which only the PerPoint neurons depend on anything but the
	// selected crafted integers (spec §12 item 6).
	Split int
	// PerPoint lists the neurons of layer Split whose values differ between
	// the points of one interval (the carried t: neuron 0).
	PerPoint []int
	// Crafted lists the weights holding crafted integers U'_j and W'_j.
	Crafted []CraftedWeight
	// Blocks is the number of parallel blocks (Theorem 5.1 variant).
	Blocks int
}

// CraftedWeight locates one crafted integer: Net.Hidden[Layer].W[Row][Col].
type CraftedWeight struct {
	Layer, Row, Col int
	Kind            string // "U" (packed point values) or "W" (packed labels)
	Block, Interval int
	// Chunks is the number of real (non-padding) points packed in it.
	Chunks int
}

// assemble puts Stage I and the blocks, side by side and sharing t, into one
// network. All blocks must have the same layer sizes' structure (same shape).
//
// Paper: F = F_III ∘ F_II ∘ F_I (Theorem 3.1); with several blocks, Theorem
// 5.1's parallel networks whose outputs are added. Ours: the blocks share the
// Stage-I neuron t, which every layer carries as neuron 0 (σ(t) = t).
func assemble(s1 *Stage1, d int, blocks []*block, real [][]int) (*nn.Network, *Layout, error) {
	nl := len(blocks[0].layers)
	for _, b := range blocks {
		if len(b.layers) != nl || b.split != blocks[0].split {
			return nil, nil, fmt.Errorf("vardi: internal error: blocks of different depth")
		}
	}
	zero := new(big.Rat) // shared by every zero entry; weights are read-only
	net := &nn.Network{InputDim: d}
	// layer 1: t = σ(w·x + β)
	l1 := nn.Layer{W: [][]*big.Rat{make([]*big.Rat, d)}, B: []*big.Rat{s1.Bias}, Act: []nn.Activation{nn.ReLU}}
	copy(l1.W[0], s1.W)
	net.Hidden = append(net.Hidden, l1)
	lay := &Layout{Split: blocks[0].split + 1, PerPoint: []int{0}, Blocks: len(blocks)}
	prevOff := make([]int, len(blocks)) // offsets of each block in the previous layer
	prevSize := 1
	for k := range nl {
		size := 1
		off := make([]int, len(blocks))
		for p, b := range blocks {
			off[p] = size
			size += len(b.layers[k])
		}
		L := nn.Layer{W: make([][]*big.Rat, size), B: make([]*big.Rat, size), Act: make([]nn.Activation, size)}
		row := func(j int) {
			L.W[j] = make([]*big.Rat, prevSize)
			for i := range L.W[j] {
				L.W[j][i] = zero
			}
			L.B[j] = zero
			L.Act[j] = nn.ReLU
		}
		row(0)
		L.W[0][0] = big.NewRat(1, 1)
		for p, b := range blocks {
			for i, nd := range b.layers[k] {
				j := off[p] + i
				row(j)
				for _, t := range nd.terms {
					col := 0
					if t.src != tSrc {
						col = prevOff[p] + t.src
					}
					if L.W[j][col] != zero {
						return nil, nil, fmt.Errorf("vardi: internal error: repeated source")
					}
					L.W[j][col] = new(big.Rat).SetInt(t.w)
					if t.crafted {
						lay.Crafted = append(lay.Crafted, CraftedWeight{Layer: len(net.Hidden), Row: j, Col: col, Kind: nd.tag, Block: p, Interval: nd.ival, Chunks: real[p][nd.ival]})
					}
				}
				if nd.bias != nil {
					L.B[j] = new(big.Rat).SetInt(nd.bias)
				}
			}
		}
		net.Hidden = append(net.Hidden, L)
		prevOff, prevSize = off, size
	}
	ro := nn.Layer{W: [][]*big.Rat{make([]*big.Rat, prevSize)}, B: []*big.Rat{zero}, Act: []nn.Activation{nn.Identity}}
	for i := range ro.W[0] {
		ro.W[0][i] = zero
	}
	for p, b := range blocks {
		for _, t := range b.out.terms {
			ro.W[0][prevOff[p]+t.src] = new(big.Rat).SetInt(t.w)
		}
	}
	net.Readout = ro
	return net, lay, nil
}
