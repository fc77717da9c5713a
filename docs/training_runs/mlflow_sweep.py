"""An MLflow sweep for docs/training-logs.md: an MLP on scikit-learn's digits at three learning
rates (SGD, batches of 100, 30 epochs), each a run of the experiment ``digits-lr`` in ``sqlite:///mlflow.db`` in
the current folder, with ``mlflow.log_params`` and ``mlflow.log_metrics(..., step=epoch)``.

MLflow draws run ids with ``uuid.uuid4``; here they come from a seeded generator, so that the
doc's command (which names the run ``lr_0.3`` by its id) runs again as shown."""

from __future__ import annotations

import random
import uuid

import mlflow
import numpy as np
import torch
from sklearn.datasets import load_digits
from torch import nn

ids = random.Random(0)
uuid.uuid4 = lambda: uuid.UUID(int=ids.getrandbits(128), version=4)
torch.set_num_threads(1)  # one thread: the same sums in the same order on any machine
x, y = load_digits(return_X_y=True)
order = np.random.default_rng(0).permutation(len(y))
x_all, y_all = torch.tensor(x[order] / 16, dtype=torch.float32), torch.tensor(y[order])
(x_train, y_train), (x_dev, y_dev) = (x_all[:1200], y_all[:1200]), (x_all[1200:], y_all[1200:])
loss = nn.CrossEntropyLoss()
mlflow.set_tracking_uri("sqlite:///mlflow.db")
mlflow.set_experiment("digits-lr")
for lr in (0.3, 0.03, 0.003):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    with mlflow.start_run(run_name=f"lr_{lr}"):
        mlflow.log_params({"lr": lr, "hidden": 64, "optimizer": "SGD"})
        batches = torch.Generator().manual_seed(0)
        for epoch in range(30):
            model.train()
            losses = []
            for rows in torch.randperm(len(y_train), generator=batches).split(100):
                optimizer.zero_grad()
                batch_loss = loss(model(x_train[rows]), y_train[rows])
                batch_loss.backward()
                optimizer.step()
                losses.append(batch_loss.item())
            model.eval()
            with torch.no_grad():
                out = model(x_dev)
            metrics = {
                "train_loss": sum(losses) / len(losses),
                "val_loss": loss(out, y_dev).item(),
                "val_acc": (out.argmax(1) == y_dev).float().mean().item(),
            }
            mlflow.log_metrics(metrics, step=epoch)
