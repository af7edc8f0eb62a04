#!/usr/bin/env python3
"""Judges a float-exact network exported by `memnet export --format npz
--dtype float32` in NumPy float32, in two summation orders: the natural one
(h @ W.T + b) and the reversed one (inputs and weight columns reversed, bias
added first). Every output row must be exactly the one-hot vector of the
point's label (or exactly its class index for one output), and every hidden
activation must be equal in both orders.

usage: floatexact_numpy.py NET.npz DATA
DATA is a CSV (.csv or .csv.gz, last column the label, non-numeric rows
skipped) or an IDX image file with its labels beside it ("images" replaced
by "labels" in the name). Exit status 0 only if both orders are exact.
"""
import gzip
import json
import sys

import numpy as np


def opener(path):
    return gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")


def read_idx(path):
    with opener(path) as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * k:8 + 4 * k], "big") for k in range(ndim)]
    return np.frombuffer(raw[4 + 4 * ndim:], dtype=np.uint8).reshape(dims)


def load_data(path):
    if "idx" in path.rsplit("/", 1)[-1]:
        x = read_idx(path)
        y = read_idx(path.replace("images", "labels").replace("idx3", "idx1"))
        return x.reshape(len(x), -1).astype(np.float32), [str(v) for v in y]
    rows, labels = [], []
    with opener(path) as f:
        for line in f.read().decode().splitlines():
            fields = line.strip().split(",")
            if not line.strip():
                continue
            try:
                rows.append([float(v) for v in fields[:-1]])
            except ValueError:
                continue
            labels.append(fields[-1].strip())
    return np.array(rows, dtype=np.float32), labels


def forward(layers, x, reverse):
    h = x
    hidden = []
    for k, (W, b, act) in enumerate(layers):
        if reverse:
            z = b[None, :] + h[:, ::-1] @ W[:, ::-1].T
        else:
            z = h @ W.T + b
        assert z.dtype == np.float32
        h = np.where(act == 1, np.maximum(z, np.float32(0)), z)
        if k < len(layers) - 1:
            hidden.append(h)
    return h, hidden


def main():
    path, data = sys.argv[1], sys.argv[2]
    z = np.load(path)
    meta = json.loads(str(z["meta"]))
    classes = [str(c) for c in z["classes"]]
    layers = []
    k = 0
    while f"W{k}" in z:
        layers.append((z[f"W{k}"], z[f"b{k}"], z[f"act{k}"]))
        k += 1
    assert layers[0][0].dtype == np.float32, "export with --dtype float32"
    x, labels = load_data(data)
    want = np.array([classes.index(l) for l in labels])
    out = layers[-1][0].shape[0]
    if out == 1:
        target = want[:, None].astype(np.float32)
    else:
        target = np.zeros((len(x), out), dtype=np.float32)
        target[np.arange(len(x)), want] = 1
    fail = 0
    results = {}
    for name, rev in (("natural order (h @ W.T + b)", False), ("reversed order (b + reversed h @ reversed W)", True)):
        y, hidden = forward(layers, x, rev)
        results[rev] = hidden
        exact = int(np.sum(np.all(y == target, axis=1)))
        right = int(np.sum(np.argmax(y, axis=1) == want)) if out > 1 else int(np.sum(np.rint(y[:, 0]) == want))
        ok = exact == len(x)
        fail += not ok
        print(f"{'ok  ' if ok else 'FAIL'} numpy {np.__version__} float32, {name}: {right}/{len(x)} labels right, "
              f"{exact}/{len(x)} outputs exactly the label's one-hot")
    same = all(np.array_equal(a, b) for a, b in zip(results[False], results[True]))
    fail += not same
    print(f"{'ok  ' if same else 'FAIL'} numpy: every hidden activation identical in both orders ({len(results[False])} layers, "
          f"method {meta['method']})")
    sys.exit(1 if fail else 0)


if __name__ == "__main__":
    main()
