package pipeline

import (
	"fmt"
	"runtime"

	"github.com/memnet/memnet/limits"
	"github.com/memnet/memnet/nn"
)

// compileWeightBytes bounds the heap compiling one nonzero weight (or bias)
// for the exact engine grows by at its peak, garbage not yet collected
// included: the term with its coefficient words and the big.Int
// coefficients, denominators and ranges of the range analysis. Measured
// (TestEvalMemoryEstimate, docs/limits.md): 450–940 bytes per weight on
// hz, vardi, park, zhang and float32-imported networks.
const compileWeightBytes = 1024

// floatParamBytes bounds the heap the float views grow by per parameter:
// the float64 and float32 copies and the exact-to-float rounding of each
// weight (measured 210–530 bytes per parameter, batch buffers included).
const floatParamBytes = 384

// evalBaseBytes is a fixed allowance for the workers' goroutines, the
// reports and small per-call arrays.
const evalBaseBytes = 1 << 20

// floatBatchValues is nn's bound on the values of one float batch buffer
// (points × widest layer, nn/float.go batchValues).
const floatBatchValues = 1 << 20

// CheckEvalMemory refuses, with a *limits.Error naming --max-memory, an
// exact evaluation of net on n points whose memory estimated before
// compiling exceeds limits.Memory: compiling (compileWeightBytes per
// nonzero weight), at least one 64-bit word per neuron of the two widest
// consecutive layers for every point of every worker's chunk, and the float
// views (floatParamBytes per parameter, two float64 and float32 batch
// buffers per worker), and evalBaseBytes. Once
// the network is compiled, the engine checks its own estimate from the
// words proven per neuron ((*nn.Exact).CheckMemory) before evaluating.
func CheckEvalMemory(net *nn.Network, n int) error {
	e := preCompileEstimate(net, n)
	return limits.CheckMemory(fmt.Sprintf("exact evaluation (%d nonzero weights to compile, %d worker(s) × %d values per point of the widest layers)", e.weights, e.workers, e.width), e.total())
}

type evalEstimate struct {
	weights, params, width, workers, chunk int64
}

func preCompileEstimate(net *nn.Network, n int) evalEstimate {
	var e evalEstimate
	prev := int64(net.InputDim)
	widest := prev
	for _, l := range append(net.Hidden[:len(net.Hidden):len(net.Hidden)], net.Readout) {
		out := int64(l.Out())
		e.width = max(e.width, prev+out)
		widest = max(widest, out)
		prev = out
		for j, row := range l.W {
			e.params += int64(len(row)) + 1
			for _, w := range row {
				if w.Sign() != 0 {
					e.weights++
				}
			}
			if l.B[j].Sign() != 0 {
				e.weights++
			}
		}
	}
	// the engine's chunk: 256 points, fewer for wide layers (nn.Exact)
	e.chunk = 256
	for e.chunk > 16 && e.chunk*widest > 1<<20 {
		e.chunk /= 2
	}
	e.chunk = min(e.chunk, int64(max(1, n)))
	e.workers = int64(max(1, min(runtime.GOMAXPROCS(0), n)))
	return e
}

func (e evalEstimate) total() int64 {
	compile := limits.Mul(e.weights, compileWeightBytes)
	scratch := limits.Mul(limits.Mul(e.workers, e.chunk), limits.Mul(e.width, 8))
	batch := min(limits.Mul(256, e.width), floatBatchValues)
	float := limits.Add(limits.Mul(e.params, floatParamBytes), limits.Mul(limits.Mul(e.workers, batch), 2*12))
	return limits.Add(limits.Add(evalBaseBytes, limits.Add(compile, scratch)), float)
}

// EvalMemory is the memory an exact verification of net on the points xs is
// estimated to allocate beyond the network and the points: the estimate
// CheckEvalMemory checks before compiling plus the compiled engine's own
// ((*nn.Exact).Memory, from the words proven per neuron, with the taint
// split nn.ExactVerdict finds). It compiles net.
func EvalMemory(net *nn.Network, xs [][]float64) (int64, error) {
	ex, err := nn.CompileExact(net, xs)
	if err != nil {
		return 0, err
	}
	if split, pp, ok := ex.FindSplit(xs); ok {
		_ = ex.UseSplit(split, pp) // as nn.ExactVerdict does
	}
	return limits.Add(preCompileEstimate(net, len(xs)).total(), ex.Memory(len(xs)).Total()), nil
}
