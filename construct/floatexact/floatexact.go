// Package floatexact builds memorization networks that every IEEE float32
// runtime evaluates exactly, in any summation order, with a fraction of a
// parameter per point: the construction of our specification
// ../shared/papers/floatexact.md (memnet's own; it follows the pattern of
// Vardi, Yehudai & Shamir (ICLR 2022) Thm 6.2 — projection, intervals, one
// crafted weight per interval, digit extraction — with a hash-addressed
// retrieval table in place of stored point identifiers).
//
// Invariant (spec §1): every weight, bias and input is an integer, and at
// every data point every neuron's sum of positive terms and sum of negative
// terms is at most 2^24, so every partial sum in any order is an exactly
// representable float32 integer. nn.Certify checks this on the built
// network; Build refuses to return a network it does not certify.
//
// Departures from the spec (docs/floatexact.md): labels of any C — the word
// base B is C when C is squarefree (the table is solved over every GF(p),
// p | C, and combined by CRT) and otherwise the smallest prime ≥ C; digits
// are extracted by restoring binary division (the same chain as the hash)
// instead of B−1 parallel comparisons, which is cheaper in parameters for
// B ≥ 4 and works for large B; the three lookups share one digit
// accumulator; each gate uses its own column maximum M.
package floatexact

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/memnet/memnet/construct"
	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
)

// Theorem names what the construction instantiates.
const Theorem = "memnet floatexact (spec floatexact.md; after Vardi et al. 2022 Thm 6.2): float32-exact retrieval-table network"

func init() { construct.Register(Method{}) }

// Method is the floatexact construction.
type Method struct{}

// Name implements construct.Method.
func (Method) Name() string { return "floatexact" }

// Describe implements construct.Method.
func (Method) Describe() string {
	return "memnet's float32-exact network (integer weights, every partial sum ≤ 2^24): retrieval table over GF(p) read by gated rows, ~0.2 params/point at 60k"
}

// Config are the options of a build.
type Config struct {
	Lookups int    // L, default 3
	Digits  int    // m digits per word, 0 = the most that fit 2^24
	Q1, Q2  int    // columns per lookup Q = Q1·Q2, 0 = chosen to minimise params
	Base    int    // word base, 0 = C if squarefree else the next prime
	Pixels  int    // s nonzero weights per projection, default 32
	K       int    // weight range of the hash projections, default 64
	KRow    int    // weight range of the row projection, default 1024
	Output  string // "onehot" (default) or "index"
	Retries int    // seeds tried on a fatal collision, default 5
}

var optionNames = []string{"lookups", "digits", "q1", "q2", "base", "pixels", "k", "krow", "output", "retries"}

// ParseConfig reads the options.
func ParseConfig(opts construct.Options) (Config, error) {
	if err := opts.CheckParams("floatexact", optionNames...); err != nil {
		return Config{}, err
	}
	c := Config{Output: opts.Param("output", "onehot")}
	var err error
	get := func(name string, def, lo int, dst *int) {
		if err != nil {
			return
		}
		*dst, err = opts.Int(name, def)
		if err == nil && *dst < lo {
			err = fmt.Errorf("option %s=%d: must be at least %d", name, *dst, lo)
		}
	}
	get("lookups", 3, 1, &c.Lookups)
	get("digits", 0, 0, &c.Digits)
	get("q1", 0, 0, &c.Q1)
	get("q2", 0, 0, &c.Q2)
	get("base", 0, 0, &c.Base)
	get("pixels", 32, 1, &c.Pixels)
	get("k", 64, 1, &c.K)
	get("krow", 1024, 1, &c.KRow)
	get("retries", 5, 1, &c.Retries)
	if err != nil {
		return Config{}, err
	}
	if c.Lookups > 8 {
		return Config{}, fmt.Errorf("option lookups=%d: at most 8", c.Lookups)
	}
	if c.Output != "onehot" && c.Output != "index" {
		return Config{}, fmt.Errorf("option output=%q: want onehot or index", c.Output)
	}
	if c.Base == 1 {
		return Config{}, errors.New("option base=1: the word base must be at least 2")
	}
	return c, nil
}

func (c Config) params(seed int64, ds design) map[string]string {
	return map[string]string{
		"seed": strconv.FormatInt(seed, 10), "lookups": strconv.Itoa(ds.lookups), "digits": strconv.Itoa(ds.m),
		"q1": strconv.Itoa(ds.q1), "q2": strconv.Itoa(ds.q2), "base": strconv.Itoa(ds.base),
		"pixels": strconv.Itoa(c.Pixels), "k": strconv.Itoa(c.K), "krow": strconv.Itoa(c.KRow),
		"output": c.Output, "retries": strconv.Itoa(c.Retries),
	}
}

// factor returns the prime factors of n and whether n is squarefree.
func factor(n int) (ps []int, squarefree bool) {
	squarefree = true
	for p := 2; p*p <= n; p++ {
		if n%p == 0 {
			ps = append(ps, p)
			n /= p
			if n%p == 0 {
				squarefree = false
				for n%p == 0 {
					n /= p
				}
			}
		}
	}
	if n > 1 {
		ps = append(ps, n)
	}
	return ps, squarefree
}

// Limit is the float32 significand bound 2^24 the invariant keeps every
// positive and negative partial sum under.
const Limit = 1 << 24

// chooseBase returns the word base B for c classes and the primes of the
// fields the table is solved in.
func chooseBase(c, forced int) (int, []int, error) {
	if forced > 0 {
		if forced < c {
			return 0, nil, fmt.Errorf("option base=%d: below the %d classes", forced, c)
		}
		ps, sf := factor(forced)
		if !sf {
			return 0, nil, fmt.Errorf("option base=%d: not squarefree (Z_B must be a product of fields)", forced)
		}
		return forced, ps, nil
	}
	b := max(c, 2)
	if ps, sf := factor(b); sf {
		return b, ps, nil
	}
	for ; ; b++ {
		if ps, _ := factor(b); len(ps) == 1 && ps[0] == b {
			return b, ps, nil
		}
	}
}

// maxDigits is the most base-B digits per word such that every word is below
// 2^24 and the merged division steps of the digit chain stay within 2^24.
func maxDigits(base int) int {
	nb := design{base: base}.digitBits()
	m := 0
	for {
		next := m + 1
		pw := int64(1)
		for range next {
			pw *= int64(base)
		}
		// largest merged step: B^{m−1}·2^{nb−1} + B^{m−1}·2^{nb−2} (or B^{m−1} + B^{m−2}2^{nb−1})
		top := pw / int64(base)
		step := top<<(nb-1) + top<<(nb-1)/2
		if pw > Limit || step > Limit || top+(top/int64(base))<<(nb-1) > Limit {
			return max(m, 1)
		}
		m = next
	}
}

// estimate is the parameter count of spec §4 for n points (load α = 0.88):
// payload N/(α·m) plus one gating weight per gate, 7 per row indicator with
// R = N/(α·L·Q·m) rows (taken as a real number, so that the choice of Q
// does not hinge on rounding), the address split, the collectors, the digit
// chains and the division chains.
func estimate(n int, ds design, zbits int) float64 {
	L, Q, m := float64(ds.lookups), float64(ds.q()), float64(ds.m)
	nb := float64(ds.digitBits())
	const alpha = 0.88
	R := max(1, float64(n)/(alpha*L*Q*m))
	payload := float64(n)/(alpha*m) + L*Q
	rows := 7 * R
	addr := L * (7*float64(ds.q1+ds.q2) + 3*Q)
	digits := L * m * (8*nb + 10)
	div := L * 8 * float64(max(zbits, 1))
	return payload + rows + addr + L*Q + digits + div
}

// chooseColumns picks Q1, Q2 (≤ 16 each) that minimise the estimate.
func chooseColumns(n int, ds design) (int, int) {
	best, b1, b2 := math.Inf(1), 1, 1
	for q1 := 1; q1 <= 16; q1++ {
		for q2 := q1; q2 <= q1+1 && q2 <= 16; q2++ {
			d := ds
			d.q1, d.q2 = q1, q2
			if e := estimate(n, d, 8); e < best {
				best, b1, b2 = e, q1, q2
			}
		}
	}
	return b1, b2
}

func (c Config) design(n, classes int) (design, []int, error) {
	base, primes, err := chooseBase(classes, c.Base)
	if err != nil {
		return design{}, nil, err
	}
	ds := design{base: base, lookups: c.Lookups, classes: classes, index: c.Output == "index" || classes == 1}
	ds.m = maxDigits(base)
	if c.Digits > 0 {
		if c.Digits > ds.m {
			return design{}, nil, fmt.Errorf("option digits=%d: at most %d base-%d digits fit a word below 2^24", c.Digits, ds.m, base)
		}
		ds.m = c.Digits
	}
	ds.q1, ds.q2 = chooseColumns(n, ds)
	if c.Q1 > 0 {
		ds.q1 = c.Q1
	}
	if c.Q2 > 0 {
		ds.q2 = c.Q2
	}
	if ds.p()*ds.lookups > 1<<20 {
		return design{}, nil, fmt.Errorf("q1·q2·digits·lookups = %d unknowns per row: too many", ds.p()*ds.lookups)
	}
	return ds, primes, nil
}

// Predict implements construct.Method. floatexact is our own construction
// (spec floatexact.md), so there is no theorem form: the realisation states
// only what the construction guarantees on any data (every weight and bias an
// integer of magnitude < 2^24, so at most 24 bits); the parameter, depth and
// width figures of spec §4 at load 0.88 are estimates, given as inputs and
// notes (the build reports the real counts), beside the information floor
// N·log2(C)/32 for 32-bit parameters.
func (Method) Predict(g construct.Geometry, opts construct.Options) (construct.Prediction, error) {
	n, d, m := g.N, g.D, g.C
	c, err := ParseConfig(opts)
	if err != nil {
		return construct.Prediction{}, err
	}
	ds, _, err := c.design(n, m)
	if err != nil {
		return construct.Prediction{}, err
	}
	zbits := 0
	for z := int64(c.KRow) * int64(min(c.Pixels, d)) * 255 / int64(ds.p()); z > 1; z /= 2 {
		zbits++
	}
	est := int64(estimate(n, ds, zbits)) + int64(ds.lookups*(min(c.Pixels, d)+1)) + int64(3*ds.classes)
	floor := math.Ceil(float64(n) * math.Log2(float64(max(m, 2))) / 32)
	nb := ds.digitBits()
	rows := int64(math.Ceil(float64(n) / (0.88 * float64(ds.lookups*ds.p()))))
	depthEst := int64(2*zbits + 2*nb*ds.m + 16)
	widthEst := max(2*rows+int64(ds.lookups*ds.q()), 64)
	return construct.Prediction{
		Theorem:     Theorem,
		Statement:   "our construction (no paper's theorem): every weight, bias, input and partial sum at every data point is an integer of magnitude ≤ 2^24, so float32 evaluation in any order is exact",
		Realisation: map[string]int64{"bits": 24},
		RealisationFormula: map[string]string{
			"bits": "every weight and bias is an integer of magnitude < 2^24 (checked by nn.Certify after the build)",
		},
		Inputs: map[string]float64{
			"N": float64(n), "d": float64(d), "C": float64(m),
			"params_estimate": float64(est), "depth_estimate": float64(depthEst), "width_estimate": float64(widthEst),
			"params_floor_float32": floor, "max_partial_sum": Limit,
			"word_base": float64(ds.base), "digits_per_word": float64(ds.m),
			"columns_per_lookup": float64(ds.q()), "lookups": float64(ds.lookups),
		},
		Notes: []string{
			fmt.Sprintf("params ≈ %d, depth ≈ %d, width ≈ %d: our estimates from spec §4 at load 0.88 (the build reports the exact counts)", est, depthEst, widthEst),
			fmt.Sprintf("information floor for 32-bit parameters: N·log2(C)/32 = %.0f params", floor),
			"every partial sum of every neuron at every data point is kept ≤ 2^24 (proved by nn.Certify after the build)",
		},
	}, nil
}

// projection is z = ReLU(Σ w_k x_{idx_k} + b).
type projection struct {
	idx []int
	w   []int64
	b   int64
}

// checkIntegers refuses data that is not integer, saying which coordinate
// and what scaling would make it integer.
func checkIntegers(ds *data.Dataset) error {
	for i, x := range ds.X {
		for j, v := range x {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("floatexact: %s row %d coordinate %d is %v", ds.Name, ds.Rows[i], j+1, v)
			}
			if v != math.Trunc(v) {
				return notInteger("floatexact: %s row %d coordinate %d is %v, not an integer: the construction needs integer coordinates (pixels, counts, codes); %s",
					ds.Name, ds.Rows[i], j+1, v, scalingHint(ds, j))
			}
			if math.Abs(v) > Limit {
				return notInteger("floatexact: %s row %d coordinate %d is %v, beyond 2^24 = %d, so float32 cannot hold it exactly", ds.Name, ds.Rows[i], j+1, v, Limit)
			}
		}
	}
	return nil
}

// notIntegerError refuses data outside the construction's domain; compare
// shows such a method as not applicable rather than failed.
type notIntegerError struct{ msg string }

func (e *notIntegerError) Error() string       { return e.msg }
func (e *notIntegerError) NotApplicable() bool { return true }

// Short is the reason in a few words, for a table cell.
func (e *notIntegerError) Short() string { return "needs integer coordinates below 2^24" }

func notInteger(format string, a ...any) error {
	return &notIntegerError{fmt.Sprintf(format, a...)}
}

// scalingHint says what exact scaling of coordinate j makes every value an
// integer: a power of ten (decimal fixed point) or of two, or none.
func scalingHint(ds *data.Dataset, j int) string {
	maxAbs := 0.0
	for _, x := range ds.X {
		maxAbs = max(maxAbs, math.Abs(x[j]))
	}
	for k := 1; k <= 8; k++ {
		s := math.Pow(10, float64(k))
		ok := true
		for _, x := range ds.X {
			v := x[j] * s
			if math.Abs(v-math.Round(v)) > 1e-9*max(1, math.Abs(v)) {
				ok = false
				break
			}
		}
		if ok {
			if maxAbs*s > Limit {
				return fmt.Sprintf("multiplying coordinate %d by 10^%d would make it integer, but its largest value would then be %.0f > 2^24", j+1, k, maxAbs*s)
			}
			return fmt.Sprintf("multiply coordinate %d by 10^%d (it is decimal fixed point, %d digits after the point) and rebuild", j+1, k, k)
		}
	}
	e := nn.InputScales(len(ds.X[0]), ds.X)[j]
	if e <= 60 && maxAbs*math.Ldexp(1, e) <= Limit {
		return fmt.Sprintf("multiplying coordinate %d by 2^%d makes it integer", j+1, e)
	}
	return fmt.Sprintf("no exact scaling of coordinate %d up to 10^8 or by a power of two keeps it below 2^24; quantise the data first", j+1)
}

// project draws the L projections (spec §3 Step 0): s weights on pixels drawn
// from the 2s coordinates of highest variance, uniform in [−K, K] \ {0}
// (K_row for z_0), K lowered when the data's range needs it so that z_ℓ ≤
// (2/3)·2^24 and the first layer's partial sums stay ≤ 2^23.
func project(ds *data.Dataset, c Config, L int, rng *rand.Rand) ([]projection, [][]int64, []int64) {
	n, d := ds.N(), ds.D()
	type cv struct {
		j int
		v float64
	}
	vars := make([]cv, d)
	lo, hi := make([]float64, d), make([]float64, d)
	sum, sum2 := make([]float64, d), make([]float64, d)
	for j := range d {
		lo[j], hi[j] = math.Inf(1), math.Inf(-1)
	}
	for _, x := range ds.X {
		for j, v := range x {
			sum[j] += v
			sum2[j] += v * v
			lo[j], hi[j] = min(lo[j], v), max(hi[j], v)
		}
	}
	for j := range d {
		mean := sum[j] / float64(n)
		vars[j] = cv{j, sum2[j]/float64(n) - mean*mean}
	}
	sort.SliceStable(vars, func(a, b int) bool { return vars[a].v > vars[b].v })
	cand := []int{}
	for _, v := range vars {
		if hi[v.j] > lo[v.j] && len(cand) < 2*c.Pixels {
			cand = append(cand, v.j)
		}
	}
	projs := make([]projection, L)
	zs := make([][]int64, L)
	zmax := make([]int64, L)
	for l := range L {
		K := c.K
		if l == 0 {
			K = c.KRow
		}
		perm := rng.Perm(len(cand))
		s := min(c.Pixels, len(cand))
		idx := make([]int, s)
		for k := range s {
			idx[k] = cand[perm[k]]
		}
		sort.Ints(idx)
		var span, mag float64
		for _, j := range idx {
			span += hi[j] - lo[j]
			mag += max(math.Abs(hi[j]), math.Abs(lo[j]))
		}
		if span > 0 {
			K = int(min(float64(K), math.Floor(Limit*2/3/span), math.Floor(Limit/2/mag)))
		}
		for K < 1 && len(idx) > 1 {
			idx = idx[:len(idx)/2]
			span, mag = 0, 0
			for _, j := range idx {
				span += hi[j] - lo[j]
				mag += max(math.Abs(hi[j]), math.Abs(lo[j]))
			}
			K = int(min(float64(c.K), math.Floor(Limit*2/3/span), math.Floor(Limit/2/mag)))
		}
		K = max(K, 1) // a single coordinate of range ≤ 2^24 always fits with weight ±1
		w := make([]int64, len(idx))
		for k := range w {
			v := int64(rng.IntN(K)) + 1
			if rng.IntN(2) == 0 {
				v = -v
			}
			w[k] = v
		}
		z := make([]int64, n)
		minz := int64(math.MaxInt64)
		for i, x := range ds.X {
			var v int64
			for k, j := range idx {
				v += w[k] * int64(x[j])
			}
			z[i] = v
			minz = min(minz, v)
		}
		if n == 0 {
			minz = 0
		}
		for i := range z {
			z[i] -= minz
			zmax[l] = max(zmax[l], z[i])
		}
		projs[l] = projection{idx: idx, w: w, b: -minz}
		zs[l] = z
	}
	return projs, zs, zmax
}

// Build implements construct.Method.
func (mt Method) Build(ctx context.Context, ds *data.Dataset, opts construct.Options) (*construct.Result, error) {
	c, err := ParseConfig(opts)
	if err != nil {
		return nil, err
	}
	n := ds.N()
	if n == 0 {
		return nil, errors.New("floatexact: empty dataset")
	}
	if err := checkIntegers(ds); err != nil {
		return nil, err
	}
	dsg, primes, err := c.design(n, ds.M())
	if err != nil {
		return nil, fmt.Errorf("floatexact: %w", err)
	}
	pred, err := mt.Predict(construct.Sizes(n, ds.D(), ds.M()), opts)
	if err != nil {
		return nil, err
	}
	var notes []string
	seed := opts.Seed
	for attempt := 0; ; attempt++ {
		res, err := buildOnce(ctx, ds, c, dsg, primes, seed, opts.Progress)
		var ce *collisionError
		if errors.As(err, &ce) && attempt+1 < c.Retries {
			notes = append(notes, fmt.Sprintf("seed %d: %v; retrying with seed %d", seed, err, seed+1))
			seed++
			continue
		}
		if err != nil {
			if errors.As(err, &ce) {
				return nil, fmt.Errorf("floatexact: %v (after %d seeds; try another --seed, more pixels or a larger krow)", err, attempt+1)
			}
			return nil, fmt.Errorf("floatexact: %w", err)
		}
		res.Prediction = pred
		res.Options = c.params(seed, dsg)
		res.Notes = append(notes, res.Notes...)
		return res, nil
	}
}

func buildOnce(ctx context.Context, ds *data.Dataset, c Config, dsg design, primes []int, seed int64, progress func(done, total int64)) (*construct.Result, error) {
	n := ds.N()
	rng := rand.New(rand.NewPCG(uint64(seed), 0x666c6f6174657861))
	L := dsg.lookups
	proj, zs, zmax := project(ds, c, L, rng)
	for l := range L {
		if zmax[l] > Limit*2/3 {
			return nil, notInteger("%s: projection %d spans %d > (2/3)·2^24 even with weights ±1 on one coordinate: a coordinate's range is too wide for exact float32 hashing; scale the data down (e.g. quantise it) and rebuild", ds.Name, l, zmax[l])
		}
	}
	P := int64(dsg.p())
	cells := make([][]int32, n)
	flat := make([]int32, n*L)
	for i := range n {
		cells[i] = flat[i*L : (i+1)*L]
		for l := range L {
			cells[i][l] = int32(int64(l)*P + zs[l][i]%P)
		}
	}
	order := make([]int32, n)
	for i := range order {
		order[i] = int32(i)
	}
	z0 := zs[0]
	sort.Slice(order, func(a, b int) bool {
		if z0[order[a]] != z0[order[b]] {
			return z0[order[a]] < z0[order[b]]
		}
		return order[a] < order[b]
	})
	var groups [][]int32
	ties := 0
	for a := 0; a < n; {
		b := a + 1
		for b < n && z0[order[b]] == z0[order[a]] {
			b++
		}
		groups = append(groups, order[a:b])
		ties += b - a - 1
		a = b
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var prog func(int)
	if progress != nil {
		prog = func(done int) { progress(int64(done), int64(len(groups))) }
	}
	t0 := time.Now()
	blocks, err := solveTable(ctx, groups, z0, cells, ds.Y, dsg.base, primes, L*int(P), prog)
	if err != nil {
		return nil, err
	}
	R := len(blocks)
	// every point's equation holds in its block's table
	for i := range n {
		r := sort.Search(R, func(r int) bool { return blocks[r].lo > z0[i] }) - 1
		s := 0
		for _, u := range cells[i] {
			s += int(blocks[r].t[u])
		}
		if s%dsg.base != ds.Y[i]%dsg.base {
			return nil, fmt.Errorf("internal error: the table misses point %d (block %d)", i+1, r)
		}
	}
	lo := make([]int64, R)
	words := make([][][]int64, L)
	for l := range L {
		words[l] = make([][]int64, R)
	}
	for r, bl := range blocks {
		lo[r] = bl.lo
		for l := range L {
			words[l][r] = make([]int64, dsg.q())
			for col := range dsg.q() {
				var w, pw int64 = 0, 1
				for k := range dsg.m {
					w += int64(bl.t[int64(l)*P+int64(col*dsg.m+k)]) * pw
					pw *= int64(dsg.base)
				}
				words[l][r][col] = w
			}
		}
	}
	g := assemble(ds.D(), dsg, proj, zmax, lo, words)
	lay := g.layer()
	net, err := g.network(lay)
	if err != nil {
		return nil, err
	}
	tSolve := time.Since(t0).Seconds()
	st := net.Stats()
	// the float32 claim is checked by the caller (pipeline.Build runs the
	// certificate, nn.Certify): a construction never evaluates a network
	res := &construct.Result{Net: net, ClaimsFloat32: true}
	res.Notes = append(res.Notes,
		fmt.Sprintf("word base %d (labels mod %d solved over GF(%s), combined by CRT), %d digits per word, %d lookups, Q = %d×%d columns, %d cells per segment",
			dsg.base, dsg.base, joinInts(primes), dsg.m, L, dsg.q1, dsg.q2, P),
		fmt.Sprintf("%d rows (load %.3f points per unknown), %d tied z_0 values, %d carry neurons (%s)", R, float64(n)/float64(R*L*int(P)), ties, lay.carries, kindCounts(g.carriesByKind(lay))),
		fmt.Sprintf("%d params = %.4f per point (float32 information floor N·log2(C)/32 = %.4f per point); by part, carries included: %s",
			st.Params, float64(st.Params)/float64(n), math.Log2(float64(max(ds.M(), 2)))/32, kindCounts(g.paramsByKind(lay))),
		fmt.Sprintf("table and network %.2f s", tSolve),
	)
	return res, nil
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ")×GF(")
}

// kindCounts writes counts by part as "accumulator 43, address 228, ...",
// parts in name order.
func kindCounts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}
