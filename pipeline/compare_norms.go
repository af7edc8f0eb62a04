package pipeline

import "fmt"

// The columns ‖θ‖₂² and ‖θ‖∞ (Hernández–Zuazua's parameter norms) of every
// built network; empty for the VC row and failed builds.
func init() {
	norm := func(v func(CompareRow) float64) func(CompareRow) string {
		return func(r CompareRow) string {
			if r.Params == 0 {
				return ""
			}
			return fmt.Sprintf("%.3g", v(r))
		}
	}
	CompareColumns = append(CompareColumns,
		CompareColumn{Head: "‖θ‖₂²", Legend: "squared L2 norm of every weight and bias", Cell: norm(func(r CompareRow) float64 { return r.NormL2Squared })},
		CompareColumn{Head: "‖θ‖∞", Legend: "largest magnitude of a weight or bias", Cell: norm(func(r CompareRow) float64 { return r.NormMax })},
	)
}
