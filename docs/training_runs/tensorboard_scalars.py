"""A TensorBoard run for docs/training-logs.md: a small MLP on 300 of scikit-learn's digits, 60
epochs, its losses written with ``SummaryWriter.add_scalars`` (which makes one sub-folder per
series) to ``runs/mlp/`` in the current folder."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.tensorboard import SummaryWriter

torch.manual_seed(0)
torch.set_num_threads(1)  # one thread: the same sums in the same order on any machine
x, y = load_digits(return_X_y=True)
order = np.random.default_rng(0).permutation(len(y))
x_all = torch.tensor(x[order] / 16, dtype=torch.float32)
y_all = torch.tensor(y[order])
(x_train, y_train), (x_dev, y_dev) = (x_all[:300], y_all[:300]), (x_all[300:], y_all[300:])
model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
loss = nn.CrossEntropyLoss()
writer = SummaryWriter("runs/mlp")
for epoch in range(1, 61):
    model.train()
    optimizer.zero_grad()
    train_loss = loss(model(x_train), y_train)
    train_loss.backward()
    optimizer.step()
    model.eval()
    with torch.no_grad():
        out = model(x_dev)
        dev_loss, dev_accuracy = loss(out, y_dev).item(), (out.argmax(1) == y_dev).float().mean().item()
    writer.add_scalars("Loss", {"train": train_loss.item(), "val": dev_loss}, epoch)
    writer.add_scalars("Accuracy", {"val": dev_accuracy}, epoch)
writer.close()
