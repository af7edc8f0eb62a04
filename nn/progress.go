package nn

import "sync/atomic"

// phasedProgress spreads one progress callback over the phases of an
// evaluation that passes over the points more than once (the shared
// evaluation of share.go: the points up to the split, the groups after it,
// then the points again): each phase is an equal part of the n points the
// callback counts, so a bar moves through every phase instead of waiting
// at 0 until the last one starts. A nil progress gives a no-op.
type phasedProgress struct {
	progress func(done int64)
	n        int64
	phases   int64
	done     []atomic.Int64
	sizes    []int64
}

// newPhasedProgress splits n points of progress over phases of the given
// sizes (items each phase counts: points, groups, ...).
func newPhasedProgress(progress func(done int64), n int64, sizes ...int64) *phasedProgress {
	return &phasedProgress{progress: progress, n: n, phases: int64(len(sizes)), done: make([]atomic.Int64, len(sizes)), sizes: sizes}
}

// setSize sets the size of a phase known only once the earlier ones ran.
func (p *phasedProgress) setSize(phase int, size int64) { p.sizes[phase] = size }

// add records k more items done in phase and reports the points-equivalent.
func (p *phasedProgress) add(phase int, k int64) {
	if p.progress == nil {
		return
	}
	p.done[phase].Add(k)
	var sum int64
	for i := range p.done {
		if s := p.sizes[i]; s > 0 {
			sum += min(p.done[i].Load(), s) * p.n / s
		}
	}
	p.progress(sum / p.phases)
}
