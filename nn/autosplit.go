package nn

import (
	"errors"
	"math"
	"math/bits"
	"slices"
)

// FindSplit chooses a taint split (see share) for the points xs without
// hints, so that networks whose files carry none (imported, exported and
// read back, hand-made) share work as those built by memnet do.
//
// A neuron is discrete when it is a STEP neuron, when every input it reads
// with a nonzero weight is discrete (a constant is discrete), or when it
// repeats values on a sample of the points: about √N points spread over xs
// (64–1024, and at most 2^20 values per layer: no split is tried on layers
// too wide for 64) are evaluated first, and a neuron whose nonzero sampled values repeat at
// least three times (or that is zero on every sampled point) is taken to
// take few values — with G distinct values, s samples repeat about s²/2G
// times, so a neuron with G ≤ N/8 values is found (Vardi et al.'s interval
// constants), while continuous values (a projection, ReLU(t − b) away from
// zero) do not repeat. With split
// layer S and the non-discrete neurons of S per-point, a neuron after S is
// per-point ("tainted") exactly when some path of nonzero weights leads to
// it from a non-discrete neuron of layer S. A non-discrete neuron has a
// non-discrete ancestor in every earlier layer, so the layers S from which
// a neuron is tainted form a prefix [0, lastND]: lastND is the last layer
// holding a non-discrete ancestor (−1 for none). That gives, for every S at
// once by difference arrays, the per-point work saved — the shared neurons
// after S, (terms + 1)·words each — and the costs sharing adds per point:
// the shared values gathered for per-point readers, and the key and
// per-point values stored at S. FindSplit returns the S with the largest
// net saving, if that saving is at least a quarter of the network's work.
//
// The choice only decides speed: any split gives the exact outputs
// (Exact.UseSplit), since points are grouped by the exact values of their
// keys. The saving assumes far fewer distinct keys than points (Vardi et
// al.'s interval constants); with as many keys as points the split costs
// the gathering overhead.
func (e *Exact) FindSplit(xs [][]float64) (split int, perPoint []int, ok bool) {
	L := len(e.layers)
	if L < 3 || len(xs) < 2048 {
		return 0, nil, false
	}
	repeats, err := e.sampleRepeats(xs)
	if err != nil {
		return 0, nil, false
	}
	const never = -2
	discrete := make([][]bool, L)
	lastND := make([][]int, L)
	total := 0
	for k := range L {
		l := &e.layers[k]
		discrete[k] = make([]bool, l.out)
		lastND[k] = make([]int, l.out)
		for j := range l.neurons {
			n := &l.neurons[j]
			total += (len(n.terms) + 1) * n.words
			d, last := true, never
			for _, t := range n.terms {
				i := int(t.in)
				switch {
				case k == 0:
					d, last = false, max(last, -1)
				case !discrete[k-1][i]:
					d, last = false, max(last, k-1)
				default:
					last = max(last, lastND[k-1][i])
				}
			}
			discrete[k][j] = d || n.act == Step || repeats[k][j]
			lastND[k][j] = last
		}
	}
	// score[S] for S in [0, L−2], built from differences
	diff := make([]int, L+1)
	add := func(lo, hi, c int) { // S in [lo, hi]
		lo, hi = max(lo, 0), min(hi, L-2)
		if lo <= hi {
			diff[lo] += c
			diff[hi+1] -= c
		}
	}
	for k := range L {
		l := &e.layers[k]
		// the largest lastND among each neuron's readers in layer k+1
		// (a non-discrete reader counts as reading at k)
		readerLast := make([]int, l.out)
		for i := range readerLast {
			readerLast[i] = never
		}
		if k+1 < L {
			for j, n := range e.layers[k+1].neurons {
				for _, t := range n.terms {
					readerLast[t.in] = max(readerLast[t.in], lastND[k+1][j])
				}
			}
		}
		for j := range l.neurons {
			n := &l.neurons[j]
			c := (len(n.terms) + 1) * n.words
			ow := n.outWords
			// shared after S: saved per point
			add(lastND[k][j]+1, k-1, c)
			// gathered: shared at k (k > S) with a per-point reader
			add(lastND[k][j]+1, min(k-1, readerLast[j]), -ow)
			// at S = k: stored per point, and gathered when shared with a per-point reader
			if discrete[k][j] {
				add(k, k, -2*ow)
				if readerLast[j] >= k {
					add(k, k, -ow)
				}
			} else {
				add(k, k, -2*ow)
			}
		}
	}
	best, bestS := 0, -1
	run := 0
	for S := 0; S <= L-2; S++ {
		run += diff[S]
		if run > best {
			best, bestS = run, S
		}
	}
	if bestS < 0 || 4*best < total {
		return 0, nil, false
	}
	for j := range e.layers[bestS].out {
		if !discrete[bestS][j] {
			perPoint = append(perPoint, j)
		}
	}
	return bestS, perPoint, true
}

var errTooWide = errors.New("layers too wide to sample")

// sampleRepeats evaluates about √N points spread over xs and reports, per
// neuron, whether its sampled values look few (see FindSplit).
func (e *Exact) sampleRepeats(xs [][]float64) ([][]bool, error) {
	n := len(xs)
	m := min(1024, max(64, int(math.Ceil(math.Sqrt(float64(n))))))
	// the sample is one chunk: keep it within the engine's chunk budget
	// (2^20 values per layer, as chunkSize), or try no split at all
	m = min(m, (1<<20)/max(1, e.maxWidth))
	if m < 64 {
		return nil, errTooWide
	}
	sample := make([][]float64, m)
	for i := range sample {
		sample[i] = xs[i*n/m]
	}
	s := &xscratch{}
	if err := e.loadInputs(sample, s); err != nil {
		return nil, err
	}
	out := make([][]bool, len(e.layers))
	hs := make([]uint64, 0, m)
	for k := range e.layers {
		e.evalLayer(&e.layers[k], k == len(e.layers)-1, &s.a, m, &s.b, nil, 0, s)
		s.a, s.b = s.b, s.a
		out[k] = make([]bool, len(s.a.w))
		for j := range s.a.w {
			hs = hs[:0]
			for p := range m {
				if h := hashWords(s.a.at(j, p)); h != 0 {
					hs = append(hs, h)
				}
			}
			slices.Sort(hs)
			rep := 0
			for i := 1; i < len(hs); i++ {
				if hs[i] == hs[i-1] {
					rep++
				}
			}
			out[k][j] = len(hs) == 0 || rep >= 3
		}
	}
	return out, nil
}

// hashWords hashes a two's complement value (0 for zero).
func hashWords(w []uint64) uint64 {
	ext := uint64(int64(w[len(w)-1]) >> 63)
	top := len(w)
	for top > 0 && w[top-1] == ext {
		top-- // the same value in more words hashes the same
	}
	if top == 0 && ext == 0 {
		return 0
	}
	h := ext ^ 0x9e3779b97f4a7c15
	for _, x := range w[:top] {
		h = bits.RotateLeft64((h^x)*0xff51afd7ed558ccd, 31)
	}
	return h | 1
}
