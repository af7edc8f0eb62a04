package pipeline

import "fmt"

// addNormCells appends the columns ‖θ‖₂² and ‖θ‖∞ (of every built network;
// empty for the VC row and failed builds) to a comparison table.
func addNormCells(head []string, cells [][]string, rows []CompareRow) ([]string, [][]string) {
	head = append(head, "‖θ‖₂²", "‖θ‖∞")
	for i, r := range rows {
		a, b := "", ""
		if r.Method != "VC lower bound" && r.Params > 0 {
			a, b = fmt.Sprintf("%.3g", r.NormL2Squared), fmt.Sprintf("%.3g", r.NormMax)
		}
		cells[i] = append(cells[i], a, b)
	}
	return head, cells
}
