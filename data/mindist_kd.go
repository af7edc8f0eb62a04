package data

import (
	"cmp"
	"context"
	"math"
	"slices"
)

// kdMaxDim is the largest dimension for which minDistance searches a k-d
// tree; above it a box around a point holds most of the data and the
// sorted-projection sweep is used.
const kdMaxDim = 16

// kdLeaf is the most points in a leaf of the k-d tree.
const kdLeaf = 8

// kdNode is one node of the tree: the points idx[start:end] and their
// bounding box (box[2·node·d:] holds the lower corner, then the upper).
type kdNode struct {
	start, end  int
	left, right int // child nodes, -1 for a leaf
}

// kdTree is a k-d tree over the rows of x (Bentley, "Multidimensional
// binary search trees used for associative searching", CACM 18(9), 1975):
// each node splits its points at the median of the coordinate of largest
// spread, and keeps their tight bounding box for pruning.
type kdTree struct {
	x     [][]float64
	d     int
	idx   []int
	nodes []kdNode
	box   []float64
}

func newKDTree(x [][]float64) *kdTree {
	t := &kdTree{x: x, d: len(x[0]), idx: make([]int, len(x))}
	for i := range t.idx {
		t.idx[i] = i
	}
	t.build(0, len(x))
	return t
}

// build adds the node of idx[start:end] (and its subtree) and returns its index.
func (t *kdTree) build(start, end int) int {
	d := t.d
	id := len(t.nodes)
	t.nodes = append(t.nodes, kdNode{start: start, end: end, left: -1, right: -1})
	lo := len(t.box)
	t.box = append(t.box, make([]float64, 2*d)...)
	b := t.box[lo : lo+2*d]
	copy(b[:d], t.x[t.idx[start]])
	copy(b[d:], t.x[t.idx[start]])
	for _, i := range t.idx[start+1 : end] {
		for c, v := range t.x[i] {
			b[c] = min(b[c], v)
			b[d+c] = max(b[d+c], v)
		}
	}
	if end-start <= kdLeaf {
		return id
	}
	axis, spread := 0, -1.0
	for c := range d {
		if s := b[d+c] - b[c]; s > spread {
			axis, spread = c, s
		}
	}
	if spread == 0 { // all points equal
		return id
	}
	part := t.idx[start:end]
	slices.SortFunc(part, func(i, j int) int { return cmp.Compare(t.x[i][axis], t.x[j][axis]) })
	mid := start + (end-start)/2
	left := t.build(start, mid)
	right := t.build(mid, end)
	t.nodes[id].left, t.nodes[id].right = left, right
	return id
}

// boxSq is the squared distance from q to the box of node n (the sum over
// coordinates of the squared gap), or a value above limit as soon as the
// partial sum passes it.
func (t *kdTree) boxSq(q []float64, n int, limit float64) float64 {
	d := t.d
	b := t.box[2*n*d : 2*(n+1)*d]
	var s float64
	for c, v := range q {
		var g float64
		if l := b[c]; v < l {
			g = l - v
		} else if h := b[d+c]; v > h {
			g = v - h
		} else {
			continue
		}
		s += g * g
		if s > limit {
			return s
		}
	}
	return s
}

// minDistanceKD returns the minimum of dist over all pairs of rows of x and
// the number of distances computed, searching a k-d tree. The points are
// taken in leaf order; for the point at position q of that order the tree
// is descended (nearer child first), skipping subtrees that hold only
// positions ≤ q (those pairs were compared from the other end) and nodes
// whose box is, as computed, farther than best by more than rounding can
// explain. A first pass compares the points within each leaf, so that best
// starts near the minimum.
//
// Soundness: for a point p in a box, |x − p| ≥ the distance from x to the
// box in exact arithmetic. The computed squared box distance S is at most
// (1+eps)·(its exact value) plus an absolute d·2⁻¹⁰⁷⁴-sized term for
// subnormal rounding (each of the d differences, squares and additions
// rounds once; underflow only lowers S), and the computed squared pair
// distance s is at least (1−eps)·(the exact one) minus the same absolute
// term, with eps = (d+8)·2⁻⁵² (the code widens it further to cover the few
// roundings of the limit itself). So S·(1−eps)² > best²·(1+eps)² + tiny
// implies the pair's computed distance exceeds best, and it cannot lower
// the minimum. The caller ensures that no coordinate exceeds 2⁴⁰⁰ in
// magnitude, so no sum of squares overflows. It stops early (its result is
// then not the minimum) when ctx is done.
func minDistanceKD(ctx context.Context, x [][]float64) (float64, int64) {
	t := newKDTree(x)
	d := t.d
	eps := float64(d+16) * 0x1p-52 // (d+8)·2⁻⁵² and the rounding of limit itself
	tiny := float64(4*d+8) * 0x1p-1074
	shrink := (1 - eps) * (1 - eps)
	best, limit := math.Inf(1), math.Inf(1)
	var evals int64
	compare := func(i, j int) {
		evals++
		if dd, ok := distBelow(x[i], x[j], best); ok && dd < best {
			best = dd
			limit = (dd*dd*(1+eps)*(1+eps) + tiny) / shrink
		}
	}
	for _, nd := range t.nodes {
		if nd.left < 0 {
			leaf := t.idx[nd.start:nd.end]
			for a, i := range leaf {
				for _, j := range leaf[a+1:] {
					compare(i, j)
				}
			}
		}
	}
	type item struct {
		node int
		sq   float64 // the squared distance from the query to the node's box
	}
	var stack []item
	for _, nd := range t.nodes {
		if nd.left >= 0 {
			continue
		}
		if ctx.Err() != nil {
			break
		}
		for pos := nd.start; pos < nd.end; pos++ {
			i := t.idx[pos]
			q := x[i]
			stack = append(stack[:0], item{0, 0})
			for len(stack) > 0 {
				it := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				m := t.nodes[it.node]
				if m.end <= nd.end || it.sq > limit {
					continue // only positions past this leaf: leaf-mates were compared above
				}
				if m.left < 0 {
					for _, j := range t.idx[m.start:m.end] {
						compare(i, j)
					}
					continue
				}
				l, r := m.left, m.right
				sl, sr := t.boxSq(q, l, limit), t.boxSq(q, r, limit)
				if sr < sl {
					l, r, sl, sr = r, l, sr, sl
				}
				if sr <= limit {
					stack = append(stack, item{r, sr})
				}
				if sl <= limit {
					stack = append(stack, item{l, sl})
				}
			}
		}
	}
	return best, evals
}
