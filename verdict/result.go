// Package verdict owns what memnet says about a network on a dataset: the
// criterion the user states (classification, or regression within eps),
// the result every command prints (Result), and the shards a verification
// is cut into and merged from (Shard, Partial, Combine, Merge).
package verdict

import "github.com/memnet/memnet/nn"

// Criterion is what a network is judged by. It comes from the command line
// only: classification unless the user asks for regression with a
// tolerance Eps. A criterion recorded in a network file is the file's claim
// (printed as such) and never chooses this.
type Criterion struct {
	// Regression judges |f(x) − target| ≤ Eps with the labels read as real
	// targets, instead of the class each output stands for.
	Regression bool    `json:"regression,omitempty"`
	Eps        float64 `json:"eps,omitempty"`
}

// Result is the verdict on a network and a dataset. Points counts data
// rows, DistinctPoints the points left after dropping repeated rows.
type Result struct {
	Points          int  `json:"points"`
	DistinctPoints  int  `json:"distinct_points"`
	ExactCorrect    int  `json:"exact_correct"`
	ExactEqual      int  `json:"exact_equal"`
	Exact           bool `json:"exact"`
	Float64Correct  int  `json:"float64_correct"`
	Float32Correct  int  `json:"float32_correct"`
	Float64BitExact int  `json:"float64_bit_exact"`
	Float64         bool `json:"float64_reproduces_all"`
	Float32         bool `json:"float32_reproduces_all"`
	// FloatChecked, when nonzero, is the number of points (evenly spaced)
	// the float views were judged on, fewer than DistinctPoints; the float
	// counts and Float64/Float32 are then about those.
	FloatChecked int     `json:"float_checked,omitempty"`
	Seconds      float64 `json:"seconds"`
	ExactSeconds float64 `json:"exact_seconds"`
	FloatSeconds float64 `json:"float_seconds"`
	Evaluator    string  `json:"exact_evaluator"`
	// FloatWeights counts the weights each float view rounds and overflows,
	// with the reason when a view was judged 0/N without evaluation.
	FloatWeights *nn.FloatResult `json:"float_weights,omitempty"`
	Wrong        []WrongPoint    `json:"wrong,omitempty"`
	// Proof is how the verdict was reached: "exact arithmetic", or
	// "interval arithmetic" for networks with sigmoid activations (a sound
	// enclosure of every output, not an exact value).
	Proof string `json:"proof"`
	// UnknownLabels are labels of the data the network has no class for
	// (their points are counted wrong).
	UnknownLabels []string `json:"unknown_labels,omitempty"`
	// Regression results (Criterion.Regression) are judged by the largest
	// |f(x) − target| instead of classes; Exact then says it is ≤ Eps
	// (compared exactly or with the bound rounded outward). MaxError is that
	// largest error rounded up to a float64 (an upper bound).
	Regression bool    `json:"regression,omitempty"`
	MaxError   float64 `json:"max_error,omitempty"`
	Eps        float64 `json:"eps,omitempty"`
	// FileClaim is the criterion the network file records (its options
	// regression and eps), printed as the file's claim; it never changes
	// Exact.
	FileClaim string `json:"file_claim,omitempty"`
	// Certificates are the float-exactness certificates (float32, and
	// float64 when float32 is not proven), when asked for.
	Certificates []*nn.Certificate `json:"float_certificates,omitempty"`
}

// WrongPoint is a point the exact evaluation gets wrong: its data row, its
// label, the label the network gives it ("?" when the output stands for no
// class; empty for interval-verified networks, which have no exact output)
// and the exact output. UnknownLabel says the network has no class Label.
type WrongPoint struct {
	Row          int    `json:"row"`
	Label        string `json:"label"`
	Predicted    string `json:"predicted"`
	Output       string `json:"exact_output,omitempty"`
	UnknownLabel bool   `json:"unknown_label,omitempty"`
}

// MaxWrong is how many wrong points a Result lists: those of the lowest rows.
const MaxWrong = 20
