#!/bin/sh
# Alternating GEMM measurement for docs/train.md: train's BenchmarkGemm
# (GOMAXPROCS=1) and scripts/gemm_torch.py (PyTorch's BLAS, 1 thread, passive
# OpenMP), ROUNDS times each, one after the other; prints GFLOPS per CPU
# second for every shape, with the load average before each run.
# usage: sh scripts/gemm_bench.sh [ROUNDS] [PYTHON]
set -e
ROUNDS=${1:-2}
PY=${2:-/usr/bin/python3}
cd "$(dirname "$0")/.."
go test -c -o /tmp/gemm_bench.test ./train
i=0
while [ "$i" -lt "$ROUNDS" ]; do
  echo "# round $((i + 1)) go: $(uptime)"
  GOMAXPROCS=1 /tmp/gemm_bench.test -test.run '^$' -test.bench Gemm -test.benchtime 300x |
    awk '/^BenchmarkGemm/ {print "go/" substr($1, 15), $(NF-1), "GFLOPS/CPU-s"}'
  echo "# round $((i + 1)) torch: $(uptime)"
  OMP_WAIT_POLICY=PASSIVE "$PY" scripts/gemm_torch.py --threads 1 --reps 300 |
    awk -F'\t' '/^#/ {print; next} {print $1, $4}'
  i=$((i + 1))
done
rm -f /tmp/gemm_bench.test
