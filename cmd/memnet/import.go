package main

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/memnet/memnet/export"
	"github.com/memnet/memnet/pipeline"
)

func init() { extraCommands = append(extraCommands, importCmd) }

func importCmd() *cobra.Command {
	var out string
	var classes []string
	var asJSON bool
	var ia inputAffineFlags
	cmd := &cobra.Command{
		Use:   "import FILE.onnx|FILE.npz|FILE.safetensors|FILE.json -o NET.mnet",
		Short: "Read a ReLU network from ONNX, .npz, safetensors or exact JSON as exact weights, for memnet verify",
		Long: `import reads a plain ReLU MLP and writes it as a .mnet network, so that memnet
verify can judge it exactly. Every float weight is a dyadic rational and is kept
exactly; the exact JSON export is read back losslessly (method and hints included).

ONNX: a ReLU MLP as PyTorch, TensorFlow (tf2onnx), MATLAB and VNN-COMP write
it, opsets 7-25: one input of any shape (a symbolic first dimension is the batch,
read as 1; the network reads the tensor's values in row-major order); Flatten,
Reshape (INT64 shape constants), Identity, Constant; Add/Sub/Mul/Div by constants
(a normalization before the first layer is folded exactly into it); MatMul with
the weight on either side; Gemm (alpha, beta, transA, transB, any bias shape);
Relu and Max(x, c). Initializers may also be graph inputs. float16, bfloat16,
float and double weights are kept exactly. Anything else is refused naming the
node and its operator. A gzipped file (.onnx.gz) is read as is. .npz and safetensors: the export layout W0, b0, W1, b1, ...
(W{k} of shape (out, in)), optional act{k} and classes. One output stands for
the class index it rounds to, several for the index of the largest; a file
without class names gets "0", "1", ... or needs --classes.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var cls []string
			if cmd.Flags().Changed("classes") {
				cls = classes
			}
			model, format, err := export.ImportContext(cmd.Context(), args[0], cls)
			if err != nil {
				return err
			}
			if model, err = ia.apply(model); err != nil {
				return fmt.Errorf("%s: %v", args[0], err)
			}
			if err := model.Save(out); err != nil {
				return err
			}
			info := pipeline.Inspect(model)
			if asJSON {
				return printJSON(os.Stdout, struct {
					Out    string `json:"out"`
					Source string `json:"source_format"`
					*pipeline.Info
				}{out, format, info})
			}
			fmt.Printf("imported %s (%s): input dim %d, %d hidden layers, width %d, %d output(s), classes %s\n",
				args[0], format, info.InputDim, info.Depth, info.Width, model.Net.OutputDim(), strings.Join(safeSlice(slices.Clone(model.Classes)), ", "))
			fmt.Printf("  params %d (%d weights + %d biases), max weight bits %d, dyadic %v\n",
				info.Params, info.WeightsNonzero, info.BiasesNonzero, info.MaxWeightBits, info.Dyadic)
			if in := model.Options["onnx.input"]; in != "" {
				fmt.Printf("  %s\n  preprocessing folded: %s\n", safeText(in), safeText(model.Options["onnx.folded"]))
			}
			if s, t := model.Options[pipeline.OptInputScale], model.Options[pipeline.OptInputShift]; s != "" || t != "" {
				fmt.Printf("  --input-scale %s --input-shift %s folded exactly into layer 1: the network reads raw x\n", orOne(s, "1"), orOne(t, "0"))
			}
			fmt.Printf("wrote %s (method %s)\n", out, safeText(model.Method))
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "out", "o", "", "network file to write (.mnet)")
	cmd.Flags().StringSliceVar(&classes, "classes", nil, "class labels in index order, comma-separated (overrides the file's)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the summary as JSON")
	ia.add(cmd)
	_ = cmd.MarkFlagRequired("out")
	return cmd
}
