"""An MMEngine run for docs/training-logs.md: a ``Runner`` with ``LoggerHook(interval=2)`` and
``LocalVisBackend``, a linear classifier, 6 epochs of 8 iterations, validated every epoch; its
``work_dir`` is ``mmwork/`` in the current folder."""

from __future__ import annotations

from typing import Any

import torch
from mmengine.evaluator import BaseMetric
from mmengine.model import BaseModel
from mmengine.runner import Runner
from torch import nn
from torch.utils.data import TensorDataset

torch.manual_seed(0)
torch.set_num_threads(1)  # one thread: the same sums in the same order on any machine
x = torch.randn(256, 4)
y = (x[:, 0] > 0).long()


class Linear(BaseModel):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__()
        self.layer = nn.Linear(4, 2)

    def forward(self, x: torch.Tensor, y: torch.Tensor, mode: str = "tensor") -> Any:
        out = self.layer(x)
        if mode == "loss":
            return {"loss": nn.functional.cross_entropy(out, y)}
        if mode == "predict":
            return out.argmax(1), y
        return out


class Accuracy(BaseMetric):  # type: ignore[misc]
    """In percent, as MMEngine's own metrics report it."""

    def process(self, data_batch: Any, outputs: Any) -> None:
        self.results.append((int((outputs[0] == outputs[1]).sum()), len(outputs[1])))

    def compute_metrics(self, results: list[tuple[int, int]]) -> dict[str, float]:
        return {"accuracy": 100.0 * sum(r[0] for r in results) / sum(r[1] for r in results)}


def collate(batch: list[tuple[torch.Tensor, torch.Tensor]]) -> dict[str, torch.Tensor]:
    return {"x": torch.stack([b[0] for b in batch]), "y": torch.stack([b[1] for b in batch])}


sampler = {"type": "DefaultSampler", "shuffle": False}
runner = Runner(
    model=Linear(),
    work_dir="mmwork",
    train_dataloader={"dataset": TensorDataset(x, y), "batch_size": 32, "sampler": sampler, "collate_fn": collate},
    val_dataloader={"dataset": TensorDataset(x, y), "batch_size": 64, "sampler": sampler, "collate_fn": collate},
    val_evaluator=[Accuracy()],
    val_cfg={},
    train_cfg={"by_epoch": True, "max_epochs": 6, "val_interval": 1},
    optim_wrapper={"optimizer": {"type": "SGD", "lr": 0.1}},
    default_hooks={"logger": {"type": "LoggerHook", "interval": 2}},
    randomness={"seed": 0},
    visualizer={"type": "Visualizer", "vis_backends": [{"type": "LocalVisBackend"}]},
)
runner.train()
