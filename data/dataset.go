// Package data holds labelled datasets: loaders (CSV, NumPy, IDX),
// validation, and geometry (norm bound, minimum distance, Δ).
package data

// Dataset is a validated labelled dataset: N distinct points of dimension D
// with class indices 0..M-1.
//
// Coordinates are float64 values; every float64 is a dyadic rational, and
// memnet memorizes exactly these values (the ones NumPy, PyTorch or ONNX feed
// a network). Negative zero is normalized to zero.
type Dataset struct {
	// Name says where the data came from (a file name, or a generator and its options).
	Name string
	// X holds the distinct points, one row each, in the order of first appearance.
	X [][]float64
	// Y holds the class index of each point, in 0..len(Classes)-1.
	Y []int
	// Classes maps class index to the original label text.
	Classes []string
	// Rows holds, for each point, its 1-based row in the source (before
	// duplicates were dropped), so messages can point back to the file: the
	// line number for CSV files (header, comment and blank lines counted),
	// the index along the first axis plus one for NumPy and IDX files.
	Rows []int
	// Source maps every row of the source, in order, to the index of its
	// point in X (repeated rows map to the point they repeat).
	Source []int
	// Duplicates is the number of rows dropped because they repeated an earlier
	// row with the same label.
	Duplicates int
	// Notes are non-fatal observations for the user (dropped duplicates,
	// a single class, a detected header).
	Notes []string
}

// N is the number of distinct points.
func (d *Dataset) N() int { return len(d.X) }

// D is the input dimension.
func (d *Dataset) D() int {
	if len(d.X) == 0 {
		return 0
	}
	return len(d.X[0])
}

// M is the number of classes.
func (d *Dataset) M() int { return len(d.Classes) }
