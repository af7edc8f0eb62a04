#!/usr/bin/env bash
# floatexact float32 inference, memnet against onnxruntime-node on the same
# network (issue 25 item 4; figures in docs/floatexact.md "Inference speed").
# For digits (testdata/digits.csv.gz) and the Fashion-MNIST training set
# (60,000 images): build `--method floatexact`, export ONNX float32 (no
# --force: the float32 certificate admits it), then, with 1 and 2 threads,
# ROUNDS rounds that alternate one memnet process (nn.TestMeasureFloatView:
# the float32 view as verify evaluates it, batches on GOMAXPROCS workers) and
# one onnxruntime process (scripts/floatexact_ort_speed.js: intraOpNumThreads
# = threads, batches of BATCH rows), each evaluating every point REPS times.
# Prints every run, a summary (points per CPU-second over all runs, median
# CPU-s and wall-s of one pass over the data) and checks that both sides'
# float32 outputs are identical, bit for bit, for every point.
#
# usage: scripts/floatexact_speed.sh        (ROUNDS=3 BATCH=4096 FASHION=... to change;
#        ORT_SPIN=0 makes onnxruntime's pool threads sleep instead of spinning)
# Needs go, node + npm; ORT_DIR (default ~/.cache/memnet-ort) holds
# onnxruntime-node, installed when missing (scripts/runtimes.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${MEMNET_DATA:-testdata}
FASHION=${FASHION:-/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz}
ROUNDS=${ROUNDS:-3}
BATCH=${BATCH:-4096}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

NAME=floatexact-speed
. scripts/runtimes.sh
go test -c -o "$work/nn.test" ./nn
fail=0
echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"

for spec in "$DATA/digits.csv.gz:30" "$FASHION:3"; do
  data=${spec%:*} reps=${spec##*:}
  name=$(basename "$data"); name=${name%%.*}
  net="$work/$name.mnet" onnx="$work/$name.onnx" log="$work/$name.log"
  "$M" build --method floatexact --data "$data" -o "$net" >/dev/null 2>&1
  "$M" export "$net" --format onnx --dtype float32 --data "$data" -o "$onnx" 2>&1 | grep -E 'PROVEN' | sed 's/^ */     /'
  : >"$log"
  for threads in 1 2; do
    for round in $(seq "$ROUNDS"); do
      FLOAT_MEASURE="$net,$data" FLOAT_REPS=$reps FLOAT_OUT="$work/m$threads" GOMAXPROCS=$threads \
        "$work/nn.test" -test.run MeasureFloatView -test.v | grep -o 'memnet float32 threads=.*' | tee -a "$log"
      node scripts/floatexact_ort_speed.js "$onnx" "$data" "$threads" "$reps" "$BATCH" "$work/o$threads" |
        grep -o 'ort float32 threads=.*' | tee -a "$log"
    done
    if cmp -s "$work/m$threads" "$work/o$threads"; then
      echo "ok   $name, $threads thread(s): memnet's and onnxruntime's float32 outputs identical ($(stat -c %s "$work/m$threads") bytes)"
    else
      echo "FAIL $name, $threads thread(s): the float32 outputs differ"; fail=$((fail+1))
    fi
  done
  echo "$name summary (points/CPU-s over all runs; median CPU-s and wall-s of one pass over the $(grep -m1 -o 'points=[0-9]*' "$log" | cut -d= -f2) points):"
  for side in memnet ort; do
    for threads in 1 2; do
      runs=$(grep "^$side float32 threads=$threads " "$log" | sed 's/[a-z/-]*=//g')
      med() { echo "$runs" | awk -v f="$1" '{ print $f }' | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
      echo "$runs" | awk -v s="$side" -v t="$threads" -v c="$(med 5)" -v w="$(med 6)" '
        { n += $4; cpu += $5 }
        END { printf "  %-6s %d thread(s): %9.0f points/CPU-s  median %.4f CPU-s  %.4f s wall  (%d runs)\n", s, t, n / cpu, c, w, NR }'
    done
  done
done
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
[ "$fail" -eq 0 ]
