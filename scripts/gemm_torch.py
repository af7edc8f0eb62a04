#!/usr/bin/env python3
"""OpenBLAS side of train's BenchmarkGemm (docs/train.md): times torch.mm
(PyTorch's BLAS, OpenBLAS when libblas.so.3 points to it) on the products of
one batch of 128 rows of a 784-256-10 and a 784-32-10 network, with the same
shapes and transposes as gemm_test.go's gemmShapes, and prints GFLOPS per
CPU-second (2mnk / process CPU time) one line per shape, like
`go test -bench`. Which BLAS library the process mapped is printed first.

usage: OMP_WAIT_POLICY=PASSIVE python3 scripts/gemm_torch.py [--threads 1] [--reps 200]
Not needed by memnet's tests; requires python3-torch.
"""
import argparse
import time

import torch

SHAPES = [  # name, ta, tb, m, n, k
    ("fwd256", False, False, 128, 256, 784),
    ("gradW256", True, False, 784, 256, 128),
    ("fwd10", False, False, 128, 10, 256),
    ("gradW10", True, False, 256, 10, 128),
    ("gradX10", False, True, 128, 256, 10),
    ("fwd32", False, False, 128, 32, 784),
    ("gradW32", True, False, 784, 32, 128),
    ("square512", False, False, 512, 512, 512),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--reps", type=int, default=200)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.mm(torch.ones(64, 64), torch.ones(64, 64))
    libs = sorted({l.split()[-1] for l in open("/proc/self/maps") if "blas" in l})
    print("# torch", torch.__version__, "threads", torch.get_num_threads(), "BLAS:", " ".join(libs))
    for dt in (torch.float32, torch.float64):
        for name, ta, tb, m, n, k in SHAPES:
            x = torch.randn(k, m, dtype=dt).t() if ta else torch.randn(m, k, dtype=dt)
            y = torch.randn(n, k, dtype=dt).t() if tb else torch.randn(k, n, dtype=dt)
            out = torch.empty(m, n, dtype=dt)
            for _ in range(5):
                torch.mm(x, y, out=out)
            c0 = time.process_time()
            for _ in range(a.reps):
                torch.mm(x, y, out=out)
            cpu = time.process_time() - c0
            print(f"torch/{name}-{m}x{n}x{k}-{str(dt)[6:]}\t{a.reps}\t{cpu / a.reps * 1e9:.0f} cpu-ns/op\t"
                  f"{2 * m * n * k * a.reps / cpu / 1e9:.2f} GFLOPS/CPU-s")


if __name__ == "__main__":
    main()
