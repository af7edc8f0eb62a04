#!/usr/bin/env python3
"""PyTorch twin of `memnet train`, for timing side by side (docs/train.md).

Same architecture (ReLU MLP of the given hidden widths, then residual blocks
h -> ReLU(W2 ReLU(W1 h + b1) + b2 + h), affine read-out), same
initialization scheme (He normal, W2 of each block scaled by 1/sqrt(blocks),
read-out N(0, 1/fan_in), zero biases), same input standardization
((x - mean)/s with s the power of two nearest the standard deviation), same
data (IDX images and labels, as memnet reads them), same optimizer (SGD with
momentum 0.9 and steps x0.1 at 30% and 70% of the epochs, or Adam), batch and
float32. Weight decay: memnet's lambda*||theta||^2 has gradient 2*lambda*theta,
so PyTorch's weight_decay is 2*lambda.

Prints the wall-clock and process CPU end time of every epoch (and the start), so that the
caller can drop a warm-up epoch, and the training accuracy at the end.

Not needed by memnet's tests; requires python3-torch and numpy.
"""
import argparse
import gzip
import json
import math
import struct
import sys
import time

import numpy as np
import torch
from torch import nn


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or dtype != 0x08:
        sys.exit(f"{path}: not an unsigned-byte IDX file")
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


class Block(nn.Module):
    def __init__(self, c, blocks):
        super().__init__()
        self.l1 = nn.Linear(c, c)
        self.l2 = nn.Linear(c, c)
        nn.init.normal_(self.l1.weight, 0, math.sqrt(2 / c))
        nn.init.normal_(self.l2.weight, 0, math.sqrt(2 / (c * blocks)))
        nn.init.zeros_(self.l1.bias)
        nn.init.zeros_(self.l2.bias)

    def forward(self, h):
        return torch.relu(self.l2(torch.relu(self.l1(h))) + h)


def build(d, hidden, blocks, out):
    layers = []
    prev = d
    for w in hidden:
        lin = nn.Linear(prev, w)
        nn.init.normal_(lin.weight, 0, math.sqrt(2 / prev))
        nn.init.zeros_(lin.bias)
        layers += [lin, nn.ReLU()]
        prev = w
    for _ in range(blocks):
        layers.append(Block(prev, blocks))
    lin = nn.Linear(prev, out)
    nn.init.normal_(lin.weight, 0, math.sqrt(1 / prev))
    nn.init.zeros_(lin.bias)
    layers.append(lin)
    return nn.Sequential(*layers)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--images", required=True)
    ap.add_argument("--labels", required=True)
    ap.add_argument("--hidden", default="256")
    ap.add_argument("--blocks", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=0.01)
    ap.add_argument("--lambda", dest="lam", type=float, default=0.0)
    ap.add_argument("--optimizer", default="sgd", choices=["sgd", "adam"])
    ap.add_argument("--limit", type=int, default=0, help="use the first N images only")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0 = default)")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    if a.threads:
        torch.set_num_threads(a.threads)
    x = read_idx(a.images).astype(np.float64)
    x = x.reshape(x.shape[0], -1)
    y = read_idx(a.labels).astype(np.int64)
    if a.limit:
        x, y = x[: a.limit], y[: a.limit]
    mean = x.mean(0)
    sd = x.std(0)
    scale = np.where(sd > 0, np.exp2(np.round(np.log2(np.where(sd > 0, sd, 1)))), 1)
    xt = torch.tensor((x - mean) / scale, dtype=torch.float32)
    yt = torch.tensor(y)
    hidden = [int(h) for h in a.hidden.split(",") if h]
    model = build(xt.shape[1], hidden, a.blocks, int(yt.max()) + 1)
    if a.optimizer == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=a.lr, momentum=0.9, weight_decay=2 * a.lam)
        sched = torch.optim.lr_scheduler.MultiStepLR(
            opt, milestones=[math.ceil(0.3 * a.epochs), math.ceil(0.7 * a.epochs)], gamma=0.1)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=a.lr, weight_decay=2 * a.lam)
        sched = None
    lossf = nn.CrossEntropyLoss()
    n = xt.shape[0]
    g = torch.Generator().manual_seed(a.seed)
    start, cpu_start = time.time(), time.process_time()
    ends, cpu_ends = [], []
    for _ in range(a.epochs):
        perm = torch.randperm(n, generator=g)
        for lo in range(0, n, a.batch):
            idx = perm[lo:lo + a.batch]
            opt.zero_grad(set_to_none=True)
            loss = lossf(model(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
        if sched:
            sched.step()
        ends.append(time.time())
        cpu_ends.append(time.process_time())
    with torch.no_grad():
        acc = (model(xt).argmax(1) == yt).double().mean().item()
    blas = sorted({l.split()[-1] for l in open("/proc/self/maps") if "blas" in l.lower() or "mkl" in l.lower()})
    res = {"blas": " ".join(blas), "start": start, "epoch_end_times": ends, "cpu_start": cpu_start, "epoch_end_cpu": cpu_ends, "train_accuracy": acc,
           "threads": torch.get_num_threads(), "torch": torch.__version__,
           "params": sum(p.numel() for p in model.parameters())}
    if a.json:
        print(json.dumps(res))
    else:
        per = [e - s for s, e in zip([start] + ends[:-1], ends)]
        print(f"epochs: {', '.join(f'{p:.3f} s' for p in per)}; train accuracy {100 * acc:.2f}%")


if __name__ == "__main__":
    main()
