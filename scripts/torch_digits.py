"""Train a 64-32-10 MLP on testdata/digits.csv.gz in PyTorch and export it with torch.onnx.export.

Writes testdata/digits_torch.onnx (opset 13, input [batch, 1, 8, 8] reading pixels/16, PyTorch's
own exporter) and testdata/digits_torch_pred.txt: for every row, PyTorch's float32 argmax and
the gap between its two largest logits. cmd/memnet's TestTorchExport imports the file and checks
memnet's exact labels and float32 count against these.

Run with Debian's python3-torch (1.13):
    OMP_NUM_THREADS=1 /usr/bin/python3 scripts/torch_digits.py
"""
import gzip
import os

import numpy as np
import torch

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testdata")
rows = np.loadtxt(gzip.open(os.path.join(root, "digits.csv.gz"), "rt"), delimiter=",")
x = torch.tensor(rows[:, :64] / 16.0, dtype=torch.float32).reshape(-1, 1, 8, 8)
y = torch.tensor(rows[:, 64], dtype=torch.int64)

torch.manual_seed(7)
model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10))
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for epoch in range(30):
    perm = torch.randperm(len(y))
    for i in range(0, len(y), 64):
        idx = perm[i:i + 64]
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x[idx]), y[idx])
        loss.backward()
        opt.step()

model.eval()
with torch.no_grad():
    logits = model(x)
top = torch.topk(logits, 2, dim=1)
pred = top.indices[:, 0]
gap = top.values[:, 0] - top.values[:, 1]
print("PyTorch float32 training accuracy: %d/%d" % (int((pred == y).sum()), len(y)))

torch.onnx.export(model, torch.zeros(1, 1, 8, 8), os.path.join(root, "digits_torch.onnx"),
                  opset_version=13, input_names=["input"], output_names=["logits"],
                  dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
with open(os.path.join(root, "digits_torch_pred.txt"), "w") as f:
    f.write("# torch %s: argmax and top-2 logit gap per row of digits.csv.gz (scripts/torch_digits.py)\n" % torch.__version__)
    for p, g in zip(pred.tolist(), gap.tolist()):
        f.write("%d %.9g\n" % (p, g))
