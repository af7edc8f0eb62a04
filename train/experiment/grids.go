package experiment

// ParkGrid is a named grid of park-depth-width: the widths c and residual
// block counts b (comma-separated), the training and test points per
// dataset, the epochs, the datasets; Conv says convolutional residual
// networks (else residual MLPs), Budget the Figure-1 architectures
// (CHANNELSxBLOCKS,…), LR and Trials the defaults of --lr and --trials.
// memnet experiment and memnet-beam experiment read the same table.
type ParkGrid struct {
	Widths, Blocks  string
	N, Test, Epochs int
	Sets            string
	Conv            bool
	Budget          string
	LR              float64
	Trials          int
}

// ParkGrids are the named grids of park-depth-width.
var ParkGrids = map[string]ParkGrid{
	"small":       {Widths: "4,16", Blocks: "1,4", N: 500, Test: 500, Epochs: 30, Sets: "fashion-random,fashion", LR: 0.02, Trials: 1},
	"default":     {Widths: "4,8,16,32", Blocks: "1,2,4,8,16", N: 2000, Test: 2000, Epochs: 200, Sets: "fashion-random,fashion,digits-random,digits", LR: 0.02, Trials: 1},
	"paper-small": {Widths: "4,8,16", Blocks: "1,2,4", N: ParkPaperN, Test: 1000, Epochs: ParkPaperEpochs, Sets: "fashion", Conv: true, Budget: "16x1,11x2,8x4,6x7,4x16", LR: 0.1, Trials: 3},
}

// The paper-small scale (docs/train.md: the widest networks reach > 99 %).
const (
	ParkPaperN      = 200
	ParkPaperEpochs = 640
)
