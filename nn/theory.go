package nn

// Formula is one count as a theorem states it: the paper's own formula
// evaluated for one dataset. Constants says whether the constants are the
// paper's ("paper") or, for a count the paper states only up to O(·), all
// set to 1 ("constants 1").
type Formula struct {
	Value     float64 `json:"value"`
	Formula   string  `json:"formula"`
	Constants string  `json:"constants"`
}

// Theory is what is known about a network before it is built: the theorem
// it instantiates, in the theorem's own form, and our construction's own
// worst-case counts (its "realisation"), kept apart. Counts use memnet's one
// convention (docs/theory.md): depth = hidden layers, width = largest hidden
// layer, params = nonzero weights + nonzero biases, bits = the largest
// bit length of a nonzero weight or bias.
type Theory struct {
	// Theorem names the result, e.g. "Park, Lee, Yun, Shin (COLT 2021), Theorem 1".
	Theorem string `json:"theorem"`
	// Statement is the theorem's claim in one line.
	Statement string `json:"statement,omitempty"`
	// TheoremForm are the theorem's counts by name (params, depth, width,
	// bits), each the paper's formula.
	TheoremForm map[string]Formula `json:"theorem_form,omitempty"`
	// Realisation are our construction's exact worst-case counts by name
	// (params, depth, width, bits): the built network never exceeds them.
	Realisation map[string]int64 `json:"realisation,omitempty"`
	// RealisationFormula states how each realisation count is computed.
	RealisationFormula map[string]string `json:"realisation_formula,omitempty"`
	// Inputs are the quantities the formulas read (N, d, C, r, δ, Δ, log2 R, ...).
	Inputs map[string]float64 `json:"inputs,omitempty"`
	Notes  []string           `json:"notes,omitempty"`
}
