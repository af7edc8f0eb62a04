package nn

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
)

// TestFloatSharedBitIdentical: the float views evaluated with a taint split
// (random layer and per-point set; points drawn from a small pool so that
// keys repeat) give every point exactly the bits of the plain evaluation,
// in float64 and float32, and the counts agree.
func TestFloatSharedBitIdentical(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	grouped, gaveUp := 0, 0
	for it := range 300 {
		d := 1 + rng.IntN(3)
		var net *Network
		switch it % 3 {
		case 0:
			net = randomNetwork(rng, d, false)
		case 1:
			net = float32Network(rng, d)
		default:
			net = runningValue(rng, d)
		}
		if len(net.Hidden) < 1 {
			continue
		}
		pool := make([][]float64, 4)
		for p := range pool {
			pool[p] = randomInput(rng, d)
		}
		xs := make([][]float64, 5+rng.IntN(600))
		for p := range xs {
			x := append([]float64(nil), pool[rng.IntN(len(pool))]...)
			if rng.IntN(3) == 0 {
				x[rng.IntN(d)] = randomInput(rng, 1)[0]
			}
			xs[p] = x
		}
		sp := &Split{Layer: rng.IntN(len(net.Hidden))}
		for j := range net.Hidden[sp.Layer].Out() {
			if rng.IntN(2) == 0 {
				sp.PerPoint = append(sp.PerPoint, j)
			}
		}
		check := func(name string, plain [][]float64, shared [][]float64) {
			for p := range xs {
				for j := range plain[p] {
					if math.Float64bits(plain[p][j]) != math.Float64bits(shared[p][j]) {
						t.Fatalf("network %d %s split %v point %d output %d: %v shared, %v plain", it, name, sp, p, j, shared[p][j], plain[p][j])
					}
				}
			}
		}
		f64, f32 := net.Float64(), net.Float32()
		fs64, fs32 := f64.share(sp), f32.share(sp)
		if fs64 == nil || fs32 == nil {
			t.Fatalf("network %d: split %v refused", it, sp)
		}
		if len(fs64.keyIdx) > 0 {
			grouped++
		}
		o := net.OutputDim()
		p64, s64 := make([][]float64, len(xs)), make([][]float64, len(xs))
		p32, s32 := make([][]float32, len(xs)), make([][]float64, len(xs))
		for p := range xs {
			p64[p], s64[p], p32[p], s32[p] = make([]float64, o), make([]float64, o), make([]float32, o), make([]float64, o)
		}
		if err := f64.EvalBatch(xs, p64); err != nil {
			t.Fatal(err)
		}
		if err := f32.EvalBatch(xs, p32); err != nil {
			t.Fatal(err)
		}
		// a shared evaluation that meets ±Inf or NaN gives up (the
		// counts then come from the plain evaluation, checked below)
		err64 := f64.evalShared(context.Background(), xs, fs64, func(p int, out []float64) { copy(s64[p], out) })
		err32 := f32.evalShared(context.Background(), xs, fs32, func(p int, out []float32) {
			for j, v := range out {
				s32[p][j] = float64(v)
			}
		})
		for _, err := range []error{err64, err32} {
			if err != nil && err != errNonFinite {
				t.Fatal(err)
			}
		}
		if err64 != nil || err32 != nil {
			gaveUp++
			if err64 == nil {
				check("float64", p64, s64)
			}
		} else {
			check("float64", p64, s64)
			w32 := make([][]float64, len(xs))
			for p := range xs {
				w32[p] = make([]float64, o)
				for j, v := range p32[p] {
					w32[p][j] = float64(v)
				}
			}
			if err32 == nil {
				check("float32", w32, s32)
			}
		}
		y := make([]int, len(xs))
		for p := range y {
			y[p] = rng.IntN(3)
		}
		if a, b := FloatCounts(context.Background(), net, xs, y, 3, FloatOptions{}), FloatCounts(context.Background(), net, xs, y, 3, FloatOptions{Split: sp}); a.Float64Correct != b.Float64Correct || a.Float32Correct != b.Float32Correct || a.Float64BitExact != b.Float64BitExact {
			t.Fatalf("network %d: counts %+v plain, %+v with the split", it, a, b)
		}
	}
	if grouped == 0 || gaveUp > 200 {
		t.Fatalf("%d splits had shared neurons, %d of 300 shared evaluations met a non-finite value", grouped, gaveUp)
	}
}
