#!/usr/bin/env python3
"""Write the first N images of an IDX image/label pair as CSV (label last).

    python3 scripts/idx_subset.py /usr/share/datasets/fashion-mnist/train 1000 /tmp/fashion-1000.csv.gz

reads PREFIX-images-idx3-ubyte.gz and PREFIX-labels-idx1-ubyte.gz. Standard library only.
"""
import gzip
import struct
import sys


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or dtype != 0x08:
        sys.exit(f"{path}: not an unsigned-byte IDX file")
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    return dims, raw[4 + 4 * ndim:]


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    prefix, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    dims, pix = read_idx(prefix + "-images-idx3-ubyte.gz")
    ldims, lab = read_idx(prefix + "-labels-idx1-ubyte.gz")
    size = 1
    for d in dims[1:]:
        size *= d
    n = min(n, dims[0], ldims[0])
    opener = gzip.open if out.endswith(".gz") else open
    with opener(out, "wt") as f:
        for i in range(n):
            row = pix[i * size:(i + 1) * size]
            f.write(",".join(map(str, row)) + f",{lab[i]}\n")


if __name__ == "__main__":
    main()
