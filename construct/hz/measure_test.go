package hz

import (
	"os"
	"testing"

	"github.com/memnet/memnet/data"
)

// TestMeasurePhasesFashion checks the phases variant on the Fashion-MNIST
// test set (N = 10000, d = 784, M = 10; Debian's dataset-fashion-mnist) the
// same way as the property tests: exact on every point, depth term by term,
// the phase ranges contiguous. It takes one to three minutes, so it runs only when
// HZ_MEASURE=fashion:
//
//	HZ_MEASURE=fashion go test ./construct/hz -run MeasurePhases -v
func TestMeasurePhasesFashion(t *testing.T) {
	if os.Getenv("HZ_MEASURE") != "fashion" {
		t.Skip("set HZ_MEASURE=fashion")
	}
	dir := "/usr/share/datasets/fashion-mnist/"
	ds, err := data.Load(data.LoadOptions{Path: dir + "t10k-images-idx3-ubyte.gz", Labels: dir + "t10k-labels-idx1-ubyte.gz"})
	if err != nil {
		t.Skip(err)
	}
	checkPhases(t, ds, 1, false)
}
