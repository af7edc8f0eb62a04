package pipeline

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/memnet/memnet/construct"
	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
)

// Limits bound the network `build --method auto` may choose (0: no limit).
type Limits struct {
	MaxWidth, MaxDepth, MaxBits int
	// Float32 asks for a network proven exact in float32, in any summation
	// order, on the data (nn.Certify).
	Float32 bool
}

func (l Limits) String() string {
	var p []string
	if l.MaxWidth > 0 {
		p = append(p, fmt.Sprintf("width ≤ %d", l.MaxWidth))
	}
	if l.MaxDepth > 0 {
		p = append(p, fmt.Sprintf("depth ≤ %d", l.MaxDepth))
	}
	if l.MaxBits > 0 {
		p = append(p, fmt.Sprintf("weight bits ≤ %d", l.MaxBits))
	}
	if l.Float32 {
		p = append(p, "proven exact in float32")
	}
	if len(p) == 0 {
		return "no limits"
	}
	return strings.Join(p, ", ")
}

// Candidate is one construction with options, judged by its predicted counts
// (our realisation's worst case for the sizes, construct.Prediction.Realisation).
type Candidate struct {
	Method string            `json:"method"`
	Params map[string]string `json:"options,omitempty"`
	Width  int64             `json:"predicted_width"`
	Depth  int64             `json:"predicted_depth"`
	Count  int64             `json:"predicted_params"`
	// Bits is the predicted largest weight's bits, −1 when the construction
	// does not predict it (then it is checked after the build).
	Bits int64 `json:"predicted_bits"`
	// Fits reports whether the predicted counts satisfy the limits; Why says
	// which limit fails otherwise.
	Fits bool   `json:"fits"`
	Why  string `json:"why,omitempty"`
	// Estimated says the counts are the construction's estimates, not a
	// worst case (a construction of our own that states no realisation
	// bound, e.g. floatexact); the built network is checked against the
	// limits all the same.
	Estimated bool `json:"estimated,omitempty"`
}

// Label is "method opt=value ...".
func (c Candidate) Label() string {
	keys := make([]string, 0, len(c.Params))
	for k := range c.Params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	s := c.Method
	for _, k := range keys {
		s += " " + k + "=" + c.Params[k]
	}
	return s
}

// optionSets are the option variants auto tries per method, given the
// limits; methods not listed are tried with their defaults.
func optionSets(method string, n int, l Limits) []map[string]string {
	switch method {
	case "hz":
		return []map[string]string{{}, {"snap": "false"}}
	case "zhang":
		return []map[string]string{{}, {"layout": "fused"}}
	case "ysj":
		sets := []map[string]string{{}}
		if l.MaxWidth > 1 {
			sets = append(sets, map[string]string{"group": fmt.Sprint(max(1, l.MaxWidth/2))})
		}
		return sets
	case "vardi":
		sets := []map[string]string{{}}
		if l.MaxDepth > 0 {
			sets = append(sets, map[string]string{"max-depth": fmt.Sprint(l.MaxDepth)})
		}
		if l.MaxBits > 0 {
			sets = append(sets, map[string]string{"max-bits": fmt.Sprint(l.MaxBits)})
		}
		if l.MaxDepth > 0 && l.MaxBits > 0 {
			sets = append(sets, map[string]string{"max-depth": fmt.Sprint(l.MaxDepth), "max-bits": fmt.Sprint(l.MaxBits)})
		}
		return sets
	}
	return []map[string]string{{}}
}

// Candidates predicts every registered construction's size (in the option
// variants of optionSets) for n points in dimension d with m classes, and
// returns those that fit the limits by increasing predicted parameters,
// then those that do not, each with the reason.
func Candidates(n, d, m int, l Limits) []Candidate {
	var cs []Candidate
	for _, mt := range construct.Methods() {
		for _, p := range optionSets(mt.Name(), n, l) {
			pr, err := mt.Predict(construct.Sizes(n, d, m), construct.Options{Params: p})
			c := Candidate{Method: mt.Name(), Params: p, Bits: -1}
			if err != nil {
				c.Why = "no prediction: " + err.Error()
				cs = append(cs, c)
				continue
			}
			c.Count, c.Width, c.Depth = pr.Realisation["params"], pr.Realisation["width"], pr.Realisation["depth"]
			if e, ok := pr.Inputs["params_estimate"]; ok && c.Count == 0 {
				c.Count, c.Width, c.Depth, c.Estimated = int64(e), int64(pr.Inputs["width_estimate"]), int64(pr.Inputs["depth_estimate"]), true
			}
			if b, ok := pr.Realisation["bits"]; ok {
				c.Bits = b
			}
			var why []string
			if l.MaxWidth > 0 && c.Width > int64(l.MaxWidth) {
				why = append(why, fmt.Sprintf("width %d > %d", c.Width, l.MaxWidth))
			}
			if l.MaxDepth > 0 && c.Depth > int64(l.MaxDepth) {
				why = append(why, fmt.Sprintf("depth %d > %d", c.Depth, l.MaxDepth))
			}
			if l.MaxBits > 0 && c.Bits > int64(l.MaxBits) {
				why = append(why, fmt.Sprintf("bits %d > %d", c.Bits, l.MaxBits))
			}
			if c.Count <= 0 {
				why = append(why, "no parameter count predicted")
			}
			c.Fits = len(why) == 0
			c.Why = strings.Join(why, ", ")
			cs = append(cs, c)
		}
	}
	sort.SliceStable(cs, func(i, j int) bool {
		if cs[i].Fits != cs[j].Fits {
			return cs[i].Fits
		}
		return cs[i].Count < cs[j].Count
	})
	return cs
}

// AutoResult is the outcome of Auto.
type AutoResult struct {
	Chosen     Candidate   `json:"chosen"`
	Built      *Built      `json:"-"`
	Verified   *Verified   `json:"verified"`
	Candidates []Candidate `json:"candidates"`
	// Log says, candidate by candidate, what happened.
	Log []string `json:"log"`
	// Certificate is the float32 certificate when Limits.Float32 was asked.
	Certificate *nn.Certificate `json:"float32_certificate,omitempty"`
}

// Auto builds the candidate with the fewest predicted parameters that fits
// the limits, checks the built network against the limits (bits unknown
// beforehand are checked here) and verifies it exactly; a candidate whose
// build fails, breaks a limit or is not exact gives way to the next.
func Auto(ctx context.Context, ds *data.Dataset, l Limits, seed int64, progress func(done, total int64)) (*AutoResult, error) {
	cs := Candidates(ds.N(), ds.D(), ds.M(), l)
	res := &AutoResult{Candidates: cs}
	for _, c := range cs {
		if !c.Fits {
			continue
		}
		b, err := Build(ctx, ds, c.Method, construct.Options{Seed: seed, Params: c.Params, Progress: progress})
		if err != nil {
			res.Log = append(res.Log, fmt.Sprintf("%s: build failed: %v", c.Label(), err))
			continue
		}
		st := b.Stats
		var broken []string
		if l.MaxWidth > 0 && st.Width > l.MaxWidth {
			broken = append(broken, fmt.Sprintf("width %d", st.Width))
		}
		if l.MaxDepth > 0 && st.Depth > l.MaxDepth {
			broken = append(broken, fmt.Sprintf("depth %d", st.Depth))
		}
		if l.MaxBits > 0 && st.MaxWeightBits > l.MaxBits {
			broken = append(broken, fmt.Sprintf("%d weight bits", st.MaxWeightBits))
		}
		if len(broken) > 0 {
			res.Log = append(res.Log, fmt.Sprintf("%s: built network breaks the limits (%s)", c.Label(), strings.Join(broken, ", ")))
			continue
		}
		v, err := Verify(ctx, b.Model, ds, VerifyOptions{})
		if err != nil || !v.Exact {
			res.Log = append(res.Log, fmt.Sprintf("%s: not verified exactly (%v)", c.Label(), err))
			continue
		}
		if l.Float32 {
			cert, err := nn.CertifyPoints(ctx, b.Model.Net, ds.X, nil, nn.CertFloat32)
			if err != nil || !cert.Proven {
				why := fmt.Sprint(err)
				if cert != nil {
					why = cert.Reason
				}
				res.Log = append(res.Log, fmt.Sprintf("%s: not proven exact in float32 (%s)", c.Label(), why))
				continue
			}
			res.Certificate = cert
		}
		res.Chosen, res.Built, res.Verified = c, b, v
		return res, nil
	}
	return res, fmt.Errorf("no construction fits %s for N=%d, d=%d, M=%d", l, ds.N(), ds.D(), ds.M())
}
