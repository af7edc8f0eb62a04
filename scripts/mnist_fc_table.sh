#!/bin/sh
# Prints the docs/vnnlib.md table for VNN-COMP 2022 mnist_fc: for every instance, the label the
# property's first comment line names (a claim of the file) and the exact argmax of the network's
# outputs at the property's box centre (memnet check, exact engine).
# Usage: scripts/mnist_fc_table.sh [MEMNET] [DIR]   (DIR defaults to ../shared/data/onnx/vnncomp2022/mnist_fc)
set -eu
memnet=${1:-memnet}
dir=${2:-../shared/data/onnx/vnncomp2022/mnist_fc}
echo "| network | property | label in the file's first comment | exact argmax at the box centre | agree |"
echo "|---|---|---|---|---|"
while IFS=, read -r onnx prop _; do
	out=$("$memnet" check "$dir/$onnx.gz" "$dir/$prop.gz" 2>&1 || true)
	claim=$(printf '%s\n' "$out" | sed -n 's/.*first comment (its claim): Mnist property with label: \([0-9]*\)\..*/\1/p' | head -1)
	got=$(printf '%s\n' "$out" | sed -n 's/.*(largest: Y_\([0-9]*\)).*/\1/p' | head -1)
	agree=no
	[ -n "$got" ] && [ "$claim" = "$got" ] && agree=yes
	echo "| $(basename "$onnx" .onnx) | $(basename "$prop" .vnnlib) | $claim | ${got:-?} | $agree |"
done < "$dir/instances.csv"
