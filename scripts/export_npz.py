#!/usr/bin/env python3
"""Runs a network exported by `memnet export` (.npz, or .safetensors read with
NumPy alone) and prints, one per line, the label its output stands for on every
data row ("?" for none), by memnet's rule: one output stands for the class index
it rounds to (an exact half for none), several for the strictly largest.

usage: export_npz.py NET.npz|NET.safetensors DATA.csv[.gz]
The CSV's last column is the label; rows with a non-numeric field are skipped.
"""
import gzip
import json
import math
import sys

import numpy as np


def load_npz(path):
    z = np.load(path)  # no pickles: every array is numeric or a unicode string
    meta = json.loads(str(z["meta"]))
    classes = [str(c) for c in z["classes"]]
    layers = []
    k = 0
    while f"W{k}" in z:
        layers.append((z[f"W{k}"], z[f"b{k}"], z[f"act{k}"]))
        k += 1
    return meta, classes, layers


def load_safetensors(path):
    dtypes = {"F64": np.float64, "F32": np.float32, "U8": np.uint8}
    with open(path, "rb") as f:
        raw = f.read()
    n = int.from_bytes(raw[:8], "little")
    hdr = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    md = hdr.pop("__metadata__")

    def tensor(name):
        e = hdr[name]
        a, b = e["data_offsets"]
        return np.frombuffer(data[a:b], dtype=dtypes[e["dtype"]]).reshape(e["shape"])

    layers = []
    k = 0
    while f"W{k}" in hdr:
        layers.append((tensor(f"W{k}"), tensor(f"b{k}"), tensor(f"act{k}")))
        k += 1
    return json.loads(md["memnet"]), json.loads(md["classes"]), layers


def read_rows(path):
    opener = gzip.open if path.endswith(".gz") else open
    rows = []
    with opener(path, "rt") as f:
        for line in f:
            fields = line.strip().split(",")
            if not line.strip():
                continue
            try:
                rows.append([float(v) for v in fields[:-1]])
            except ValueError:
                continue  # a header
    return rows


def forward(layers, x):
    h = x
    for W, b, act in layers:
        z = h @ W.T + b
        # act codes: 0 identity, 1 ReLU, 2 STEP, 3 sigmoid
        h = np.where(act == 1, np.maximum(z, 0), z)
        if (act == 2).any():
            h = np.where(act == 2, (z >= 0).astype(z.dtype), h)
        if (act == 3).any():
            h = np.where(act == 3, 1 / (1 + np.exp(-z)), h)
    return h


def class_of(o, m):
    if len(o) == 1:
        f = float(o[0])
        if not math.isfinite(f):
            return -1
        k = math.floor(f + 0.5)
        if f == k - 0.5 or k < 0 or k >= m:
            return -1
        return k
    best = int(np.argmax(o))
    if any(j != best and not o[j] < o[best] for j in range(len(o))):
        return -1
    return best if best < m else -1


def main():
    path, data = sys.argv[1], sys.argv[2]
    meta, classes, layers = (load_safetensors if path.endswith(".safetensors") else load_npz)(path)
    dtype = layers[0][0].dtype
    x = np.array(read_rows(data), dtype=dtype)
    y = forward(layers, x)
    for o in y:
        k = class_of(o, len(classes))
        print("?" if k < 0 else classes[k])
    print(f"numpy {np.__version__}: {path} ({meta['method']}, {dtype}, {len(layers)} layers, output {meta['output']}) on {len(x)} rows",
          file=sys.stderr)


if __name__ == "__main__":
    main()
