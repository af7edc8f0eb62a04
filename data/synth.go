package data

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
)

// The generators are deterministic given their arguments: they draw from
// math/rand/v2's PCG seeded with (seed, a constant per generator). They
// panic when a size argument is below 1.

// Spirals returns n points on two interleaved spirals in the plane, labelled
// by spiral ("0" and "1", alternating), with a little noise.
func Spirals(n int, seed uint64) *Dataset {
	checkSizes("Spirals", n, 1, 1)
	rng := rand.New(rand.NewPCG(seed, 0x7370697261))
	x := make([][]float64, n)
	labels := make([]string, n)
	for i := range x {
		c := i % 2
		// t in [0.25, 3] turns, denser near the centre like the classic set.
		t := 0.25 + 2.75*math.Sqrt(rng.Float64())
		angle := 2*math.Pi*t + float64(c)*math.Pi
		r := t / 3
		x[i] = []float64{
			r*math.Cos(angle) + 0.01*rng.NormFloat64(),
			r*math.Sin(angle) + 0.01*rng.NormFloat64(),
		}
		labels[i] = strconv.Itoa(c)
	}
	return mustDataset(fmt.Sprintf("spirals(n=%d,seed=%d)", n, seed), x, labels)
}

// Gaussian returns n points drawn from N(0, I) in d dimensions with labels
// uniform in 0..m-1; when n ≥ m every class occurs.
func Gaussian(n, d, m int, seed uint64) *Dataset {
	checkSizes("Gaussian", n, d, m)
	rng := rand.New(rand.NewPCG(seed, 0x6761757373))
	backing := make([]float64, n*d)
	for k := range backing {
		backing[k] = rng.NormFloat64()
	}
	x := make([][]float64, n)
	for i := range x {
		x[i] = backing[i*d : (i+1)*d : (i+1)*d]
	}
	return mustDataset(fmt.Sprintf("gaussian(n=%d,d=%d,m=%d,seed=%d)", n, d, m, seed), x, randomLabels(rng, n, m))
}

// Lattice returns n distinct points of the integer lattice in d dimensions
// with small coordinates (centred on 0, a side of about (2n)^(1/d) values),
// so that many points share coordinates, with labels uniform in 0..m-1;
// when n ≥ m every class occurs.
func Lattice(n, d, m int, seed uint64) *Dataset {
	checkSizes("Lattice", n, d, m)
	rng := rand.New(rand.NewPCG(seed, 0x6c61747469))
	// The smallest side with side^d ≥ 2n, so rejection sampling is quick.
	side := 2
	for math.Pow(float64(side), float64(d)) < 2*float64(n) {
		side++
	}
	lo := -(side / 2)
	seen := make(map[string]bool, n)
	x := make([][]float64, 0, n)
	key := make([]byte, 8*d)
	for len(x) < n {
		p := make([]float64, d)
		for k := range p {
			p[k] = float64(lo + rng.IntN(side))
			binary.LittleEndian.PutUint64(key[8*k:], math.Float64bits(p[k]))
		}
		if seen[string(key)] {
			continue
		}
		seen[string(key)] = true
		x = append(x, p)
	}
	return mustDataset(fmt.Sprintf("lattice(n=%d,d=%d,m=%d,seed=%d)", n, d, m, seed), x, randomLabels(rng, n, m))
}

// randomLabels draws n labels uniform in 0..m-1, making sure every class
// occurs when n ≥ m (the first m draws are a permutation, then all are shuffled).
func randomLabels(rng *rand.Rand, n, m int) []string {
	labels := make([]string, n)
	for i := range labels {
		c := rng.IntN(m)
		if i < m && n >= m {
			c = i
		}
		labels[i] = strconv.Itoa(c)
	}
	rng.Shuffle(n, func(i, j int) { labels[i], labels[j] = labels[j], labels[i] })
	return labels
}

// checkSizes panics on a size argument below 1.
func checkSizes(fn string, n, d, m int) {
	if n < 1 || d < 1 || m < 1 {
		panic(fmt.Sprintf("data.%s: sizes must be at least 1 (n=%d, d=%d, m=%d)", fn, n, d, m))
	}
}

// mustDataset validates generated data; generators only make valid data.
func mustDataset(name string, x [][]float64, labels []string) *Dataset {
	ds, err := FromRaw(name, x, labels, nil)
	if err != nil {
		panic("data: generator made invalid data: " + err.Error())
	}
	return ds
}

// Moons returns n points on two interleaved half circles in the plane (the
// standard "two moons" set, as scikit-learn's make_moons draws it): ⌈n/2⌉
// points of class "0" at (cos t, sin t) and ⌊n/2⌋ of class "1" at
// (1 − cos t, 1/2 − sin t), t evenly spaced in [0, π] on each moon, plus
// Gaussian noise of standard deviation noise on both coordinates, seeded.
// With noise 0 the two moons' end points are distinct, so every point is.
func Moons(n int, noise float64, seed uint64) *Dataset {
	checkSizes("Moons", n, 1, 1)
	rng := rand.New(rand.NewPCG(seed, 0x6d6f6f6e73))
	nOuter := (n + 1) / 2
	nInner := n - nOuter
	x := make([][]float64, 0, n)
	labels := make([]string, 0, n)
	spaced := func(i, m int) float64 {
		if m <= 1 {
			return 0
		}
		return math.Pi * float64(i) / float64(m-1)
	}
	for i := range nOuter {
		t := spaced(i, nOuter)
		x = append(x, []float64{math.Cos(t), math.Sin(t)})
		labels = append(labels, "0")
	}
	for i := range nInner {
		t := spaced(i, nInner)
		x = append(x, []float64{1 - math.Cos(t), 0.5 - math.Sin(t)})
		labels = append(labels, "1")
	}
	if noise > 0 {
		for _, p := range x {
			p[0] += noise * rng.NormFloat64()
			p[1] += noise * rng.NormFloat64()
		}
	}
	return mustDataset(fmt.Sprintf("moons(n=%d,noise=%g,seed=%d)", n, noise, seed), x, labels)
}
