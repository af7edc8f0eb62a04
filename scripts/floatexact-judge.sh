#!/usr/bin/env bash
# CI judge of float-exact networks outside memnet: for digits
# (testdata/digits.csv.gz) and the Fashion-MNIST test set (Debian
# dataset-fashion-mnist), build `--method floatexact`, require `memnet verify`
# to print "PROVEN exact in float32", export to ONNX float32 and .npz float32
# (no --force: the certificate admits them), then check every label in
#   - onnxruntime-node with graph optimization at its default and disabled
#     (scripts/floatexact_ort.js: every output row exactly the label's one-hot),
#   - NumPy float32 in two summation orders (scripts/floatexact_numpy.py).
# A negative control checks that the judge can fail: an HZ network (not
# certified) exported to float32 with --force must not pass the ORT judge.
#
# Needs: go, node + npm, /usr/bin/python3 or python3 with numpy. ORT_DIR
# (default ~/.cache/memnet-ort) holds onnxruntime-node, installed when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${MEMNET_DATA:-testdata}
FASHION=${FASHION:-/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

NAME=floatexact-judge
. scripts/runtimes.sh
pass=0 fail=0
run() { # description, command...
  local what=$1; shift
  if "$@" >"$work/out" 2>&1; then
    sed 's/^/     /' "$work/out"; echo "ok   $what"; pass=$((pass+1))
  else
    sed 's/^/     /' "$work/out"; echo "FAIL $what"; fail=$((fail+1))
  fi
}

for data in "$DATA/digits.csv.gz" "$FASHION"; do
  if [ ! -f "$data" ]; then echo "FAIL $data not found"; fail=$((fail+1)); continue; fi
  name=$(basename "$data"); name=${name%%.*}
  net="$work/$name.mnet"
  "$M" build --method floatexact --data "$data" -o "$net" --verbose | grep -E 'params|rows|PROVEN' | sed 's/^/     /'
  if "$M" verify "$net" --data "$data" --verbose >"$work/v" 2>&1 && grep -q 'PROVEN exact in float32 (any summation order)' "$work/v"; then
    echo "ok   $name: memnet verify: $(grep "^  PROVEN" "$work/v" | sed 's/^ *//')"; pass=$((pass+1))
  else
    cat "$work/v"; echo "FAIL $name: memnet verify did not prove float32 exactness"; fail=$((fail+1))
  fi
  run "$name: export onnx float32 without --force" "$M" export "$net" --format onnx --dtype float32 --data "$data" -o "$work/$name.onnx"
  run "$name: export npz float32 without --force" "$M" export "$net" --format npz --dtype float32 --data "$data" -o "$work/$name.npz"
  run "$name: onnxruntime-node float32, every label" node scripts/floatexact_ort.js "$work/$name.onnx" "$data"
  run "$name: numpy float32, two summation orders" $PY scripts/floatexact_numpy.py "$work/$name.npz" "$data"
done

# negative control: an uncertified network must fail the same judge
"$M" build --method hz --data "$DATA/digits.csv.gz" -o "$work/hz.mnet" >/dev/null 2>&1
"$M" export "$work/hz.mnet" --format onnx --dtype float32 --force -o "$work/hz.onnx" >/dev/null
if node scripts/floatexact_ort.js "$work/hz.onnx" "$DATA/digits.csv.gz" >"$work/out" 2>&1; then
  cat "$work/out"; echo "FAIL control: the judge passed an uncertified HZ float32 network"; fail=$((fail+1))
else
  echo "ok   control: the judge rejects an uncertified HZ network in float32 ($(head -1 "$work/out" | cut -c6-120)...)"; pass=$((pass+1))
fi

echo "floatexact-judge: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
