#!/usr/bin/env python3
"""PyTorch twin of memnet's convolutional residual network (train.ConvNet),
for timing beside BenchmarkConvEpoch (scripts/conv_speed.sh, docs/train.md).

Same shapes: H x W single-channel images, a 3x3 same-padded stem to C
channels with ReLU, B blocks x -> ReLU(conv(ReLU(conv(x))) + x), global
average pooling, a linear read-out to 10 classes; SGD with momentum 0.9,
batch 64, float32, cross-entropy; one pass over N random images. Prints the
CPU seconds of the pass (process time), after one warm-up pass.

Not needed by memnet's tests; requires python3-torch (Debian) and numpy.
"""
import argparse
import time

import torch
from torch import nn


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.a = nn.Conv2d(c, c, 3, padding=1)
        self.b = nn.Conv2d(c, c, 3, padding=1)

    def forward(self, x):
        return torch.relu(self.b(torch.relu(self.a(x))) + x)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--side", type=int, default=7)
    ap.add_argument("--c", type=int, default=8)
    ap.add_argument("--b", type=int, default=4)
    ap.add_argument("--n", type=int, default=512)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    net = nn.Sequential(nn.Conv2d(1, a.c, 3, padding=1), nn.ReLU(),
                        *[Block(a.c) for _ in range(a.b)],
                        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(a.c, 10))
    x = torch.randint(0, 256, (a.n, 1, a.side, a.side)).float()
    x = (x - x.mean()) / 64
    y = torch.randint(0, 10, (a.n,))
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
    loss = nn.CrossEntropyLoss()

    def epoch():
        for i in range(0, a.n, 64):
            opt.zero_grad()
            l = loss(net(x[i:i + 64]), y[i:i + 64])
            l.backward()
            opt.step()

    epoch()
    t0 = time.process_time()
    epoch()
    print(f"pytorch side={a.side} c={a.c} b={a.b} n={a.n}: {time.process_time() - t0:.4f} CPU-s per epoch")


if __name__ == "__main__":
    main()
