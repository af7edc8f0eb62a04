// Package construct defines the small interface every memorization
// construction implements, and a registry of them. Each construction lives in
// its own sub-package (construct/hz, ...) and registers itself in init.
package construct

import (
	"context"
	"fmt"
	"sort"
	"strconv"
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
			return fmt.Errorf("method %s has no option %q (it has: %v)", method, k, known)
		}
	}
	return nil
}

// Prediction is what a theorem states about the network a construction builds
// for given N, d and number of classes M.
type Prediction struct {
	// Theorem names the result, e.g. "Hernández–Zuazua (2024), Theorem 1".
	Theorem string
	// Bounds are the theorem's counts by name. Known keys: depth_bound,
	// width_bound, params_bound, weights_bound, bits_bound, and
	// vc_lower_bound (parameters any network needs to memorize N points).
	// A count the theorem states only up to constants is given with the
	// constants of our realisation and says so in Notes.
	Bounds map[string]int64
	Notes  []string
}

// Result is a built network with everything worth recording about it.
type Result struct {
	Net *nn.Network
	// Options are the options actually used (defaults filled in), recorded in
	// the network file so the build can be repeated.
	Options map[string]string
	// Prediction holds the theorem's counts for this dataset.
	Prediction Prediction
	// Notes are observations made while building (redraws, ties, choices).
	Notes []string
	// Hints describe the network's structure (e.g. the layer after which
	// points share work). They are stored in the network file and never
	// decide a verdict: verification reads only the weights and the data.
	Hints map[string]string
}

// RegressionVerifier is implemented by constructions that can memorize real
// targets (option regression=true): it returns the largest |f(x_i) − t_i|
// over the points, exactly or as a proven upper bound, and whether it is at
// most eps.
type RegressionVerifier interface {
	VerifyRegression(net *nn.Network, xs [][]float64, targets []float64, eps float64) (maxErr float64, ok bool, err error)
}

// Method is one construction.
type Method interface {
	// Name is the name used on the command line (--method NAME).
	Name() string
	// Describe is a one-line description naming the paper and theorem.
	Describe() string
	// Predict returns the theorem's counts for n points in dimension d with m classes.
	Predict(n, d, m int, opts Options) (Prediction, error)
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

// Lookup returns the method called name.
func Lookup(name string) (Method, error) {
	mu.Lock()
	defer mu.Unlock()
	m, ok := registry[name]
	if !ok {
		names := make([]string, 0, len(registry))
		for n := range registry {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, fmt.Errorf("unknown method %q (known: %v)", name, names)
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
