#!/usr/bin/env python3
"""Writes a 28x28 IDX image set (and labels) from the 8x8 handwritten digits
of digits.csv (64 pixel columns 0..16, then the label): each digit is
scaled to 24x24 (3x3 blocks), to 0..255, and placed at each of the offsets
(dx, dy) in {0, 2, 4}^2 of a 28x28 frame, until N images. It stands in for
Fashion-MNIST in train's TestMeasure when that is not installed: real
strokes, about 80% zero pixels, 784 inputs, 10 classes.

usage: python3 scripts/digits_idx.py DIGITS.csv.gz OUT_PREFIX [N]
writes OUT_PREFIX-images-idx3-ubyte and OUT_PREFIX-labels-idx1-ubyte.
"""
import gzip
import struct
import sys

import numpy as np


def main():
    src, out = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 5000
    opener = gzip.open if src.endswith(".gz") else open
    with opener(src, "rt") as f:
        rows = np.loadtxt(f, delimiter=",", dtype=np.int64)
    pix, lab = rows[:, :64].reshape(-1, 8, 8), rows[:, 64]
    big = np.kron(pix, np.ones((3, 3), dtype=np.int64)) * 255 // 16
    imgs, labels = [], []
    for dy in (2, 0, 4):
        for dx in (2, 0, 4):
            frame = np.zeros((len(big), 28, 28), dtype=np.uint8)
            frame[:, dy:dy + 24, dx:dx + 24] = big
            imgs.append(frame)
            labels.append(lab)
    imgs = np.concatenate(imgs)[:n]
    labels = np.concatenate(labels)[:n].astype(np.uint8)
    with open(out + "-images-idx3-ubyte", "wb") as f:
        f.write(struct.pack(">HBBIII", 0, 8, 3, len(imgs), 28, 28))
        f.write(imgs.tobytes())
    with open(out + "-labels-idx1-ubyte", "wb") as f:
        f.write(struct.pack(">HBBI", 0, 8, 1, len(labels)))
        f.write(labels.tobytes())


if __name__ == "__main__":
    main()
