// Package construct defines the small interface every memorization
// construction implements, and a registry of them. Each construction lives in
// its own sub-package (construct/hz, ...) and registers itself in init.
package construct

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
)

// Options are the settings of one build.
type Options struct {
	// Seed makes randomized steps (projection directions, shifts) reproducible.
	Seed int64
	// Params are method-specific options by name, as given on the command
	// line (e.g. "snap": "false"). Unknown names are an error.
	Params map[string]string
	// Progress, when not nil, is called with the work done so far and the total.
	Progress func(done, total int64)
	// Geometry, when not nil, is the dataset's geometry (computed once by
	// the caller) for the theorems' formulas; Build uses it when it matches
	// the dataset.
	Geometry *Geometry
}

// Param returns the named option or def when it is not set.
func (o Options) Param(name, def string) string {
	if v, ok := o.Params[name]; ok {
		return v
	}
	return def
}

// Bool returns the named boolean option.
func (o Options) Bool(name string, def bool) (bool, error) {
	v, ok := o.Params[name]
	if !ok {
		return def, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("option %s=%q: want true or false", name, v)
	}
	return b, nil
}

// Int returns the named integer option.
func (o Options) Int(name string, def int) (int, error) {
	v, ok := o.Params[name]
	if !ok {
		return def, nil
	}
	i, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("option %s=%q: want an integer", name, v)
	}
	return i, nil
}

// Float returns the named real option.
func (o Options) Float(name string, def float64) (float64, error) {
	v, ok := o.Params[name]
	if !ok {
		return def, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, fmt.Errorf("option %s=%q: want a number", name, v)
	}
	return f, nil
}

// CheckParams returns an error naming the first option not in known.
func (o Options) CheckParams(method string, known ...string) error {
	names := make([]string, 0, len(o.Params))
	for k := range o.Params {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		found := false
		for _, n := range known {
			if k == n {
				found = true
			}
		}
		if !found {
			return fmt.Errorf("method %s has no option %q (it has: %s)", method, k, strings.Join(known, ", "))
		}
	}
	return nil
}

// Prediction is what is known about a construction's network before it is
// built: the theorem's own formulas (TheoremForm) and our construction's
// exact worst-case counts (Realisation), never mixed. See nn.Theory and
// docs/theory.md for the one counting convention.
type Prediction = nn.Theory

// Geometry are the quantities of a dataset the theorems read. Zero means
// unknown (MinDist, Delta and MaxNorm cost time to compute; see data.Geometry).
type Geometry struct {
	N, D, C int
	// MaxNorm is r = max ‖x_i‖, MinDist is δ = min ‖x_i − x_j‖, Delta is Δ =
	// an upper bound on diam/δ (Park et al.'s Δ-separation, strict).
	MaxNorm, MinDist, Delta float64
}

// Sizes is a Geometry with only N, d and C known.
func Sizes(n, d, c int) Geometry { return Geometry{N: n, D: d, C: c} }

// geometryWork is the largest N²·d for which GeometryOf computes δ and Δ
// (about 2 s of CPU at N = 10⁴, d = 784); above it only r is computed.
const geometryWork = 1e11

// GeometryOf computes the geometry of ds (data.Geometry: O(N·d) for r, a
// pruned sweep for δ, all pairs or a bound for the diameter). Δ is taken
// from the diameter's upper bound, so it is a valid Δ for the theorems.
// Above N²·d = 10¹¹ only r is computed (δ and Δ stay unknown, 0): run
// memnet geometry for them. It returns ctx's error when ctx is done first.
func GeometryOf(ctx context.Context, ds *data.Dataset) (Geometry, error) {
	if n := float64(ds.N()); n*n*float64(ds.D()) > geometryWork {
		out := Geometry{N: ds.N(), D: ds.D(), C: ds.M()}
		for _, x := range ds.X {
			s := 0.0
			for _, v := range x {
				s += v * v
			}
			out.MaxNorm = math.Max(out.MaxNorm, math.Sqrt(s))
		}
		return out, ctx.Err()
	}
	g, err := data.Geometry(ctx, ds)
	if err != nil {
		return Geometry{}, err
	}
	out := Geometry{N: ds.N(), D: ds.D(), C: ds.M(), MaxNorm: g.MaxNorm, MinDist: g.MinDist}
	if g.MinDist > 0 {
		out.Delta = g.MaxDistUpper / g.MinDist
	}
	return out, nil
}

// GeometryFor returns the geometry recorded in o, or the sizes of ds when none is.
func (o Options) GeometryFor(ds *data.Dataset) Geometry {
	if o.Geometry != nil && o.Geometry.N == ds.N() && o.Geometry.D == ds.D() {
		return *o.Geometry
	}
	return Sizes(ds.N(), ds.D(), ds.M())
}

// Result is a built network with everything worth recording about it.
type Result struct {
	Net *nn.Network
	// Options are the options actually used (defaults filled in), recorded in
	// the network file so the build can be repeated.
	Options map[string]string
	// Prediction holds the theorem's form and our realisation's worst case
	// for this dataset.
	Prediction Prediction
	// Notes are observations made while building (redraws, ties, choices).
	Notes []string
	// Hints describe the network's structure (e.g. the layer after which
	// points share work). They are stored in the network file and never
	// decide a verdict: verification reads only the weights and the data.
	Hints map[string]string
	// ClaimsFloat32 says the construction claims that every float32
	// evaluation, in any order, is exact on the data (floatexact). The
	// caller checks the claim (pipeline.Build runs the certificate); a
	// construction never evaluates the network it builds.
	ClaimsFloat32 bool
}

// Method is one construction.
type Method interface {
	// Name is the name used on the command line (--method NAME).
	Name() string
	// Describe is a one-line description naming the paper and theorem.
	Describe() string
	// Predict returns the theorem's form and our realisation's worst-case
	// counts for a dataset of the given geometry.
	Predict(g Geometry, opts Options) (Prediction, error)
	// Build constructs a network that maps every point of ds to its class index.
	Build(ctx context.Context, ds *data.Dataset, opts Options) (*Result, error)
}

var (
	mu       sync.Mutex
	registry = map[string]Method{}
)

// Register adds m to the registry; registering a name twice panics.
func Register(m Method) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := registry[m.Name()]; dup {
		panic("construct: method registered twice: " + m.Name())
	}
	registry[m.Name()] = m
}

// Lookup returns the method called name, in any case ("HZ" is hz).
func Lookup(name string) (Method, error) {
	mu.Lock()
	defer mu.Unlock()
	m, ok := registry[strings.ToLower(name)]
	if !ok {
		names := make([]string, 0, len(registry))
		for n := range registry {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, fmt.Errorf("unknown method %q (known: %s)", name, strings.Join(names, ", "))
	}
	return m, nil
}

// Methods returns every registered method, sorted by name.
func Methods() []Method {
	mu.Lock()
	defer mu.Unlock()
	ms := make([]Method, 0, len(registry))
	for _, m := range registry {
		ms = append(ms, m)
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Name() < ms[j].Name() })
	return ms
}
