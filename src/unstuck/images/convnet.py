"""A small convolutional network trained from scratch on CPU: the image ladder's third rung.

Two 3 × 3 convolutions (16 and 32 channels, ReLU, 2 × 2 max-pooling) and a linear layer,
on the 16 × 16 grey pixels (``px_000`` … ``px_255``) that :mod:`unstuck.images.read` makes;
Adam (learning rate 0.003), batches of 64, :data:`EPOCHS` epochs, seeded. It is what "a model
that sees images as images" gains over a linear model on the same pixels, measured in
minutes of CPU; pretrained encoders are the next rung.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.base import BaseEstimator, ClassifierMixin

from unstuck.images.read import PIXELS

__all__ = ["EPOCHS", "SmallConvNet", "pixel_columns"]

EPOCHS = 15
BATCH = 64


def pixel_columns(columns: Any) -> list[str]:
    """The pixel feature columns, in order."""
    return [c for c in columns if isinstance(c, str) and c.startswith("px_")]


class SmallConvNet(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """scikit-learn classifier: a two-layer ConvNet on the pixel columns of a frame."""

    def __init__(self, epochs: int = EPOCHS, learning_rate: float = 0.003, seed: int = 0) -> None:
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.seed = seed

    def _images(self, frame: Any) -> Any:
        import torch

        values = np.array(frame[pixel_columns(frame.columns)], dtype=np.float32)  # a writable copy for torch
        return torch.from_numpy(values.reshape(-1, 1, PIXELS, PIXELS))

    def _network(self, n_classes: int) -> Any:
        from torch import nn

        return nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(32 * (PIXELS // 4) ** 2, n_classes),
        )

    def fit(self, frame: Any, y: Any) -> SmallConvNet:
        import torch

        self.classes_, codes = np.unique(np.asarray(y), return_inverse=True)
        generator = torch.Generator().manual_seed(self.seed)
        torch.manual_seed(self.seed)
        images, targets = self._images(frame), torch.from_numpy(codes.astype(np.int64))
        self.network_ = self._network(len(self.classes_))
        optimiser = torch.optim.Adam(self.network_.parameters(), lr=self.learning_rate)
        loss = torch.nn.CrossEntropyLoss()
        self.network_.train()
        for _ in range(self.epochs):
            order = torch.randperm(len(images), generator=generator)
            for start in range(0, len(images), BATCH):
                rows = order[start : start + BATCH]
                optimiser.zero_grad()
                loss(self.network_(images[rows]), targets[rows]).backward()
                optimiser.step()
        return self

    def predict_proba(self, frame: Any) -> NDArray[np.float64]:
        import torch

        self.network_.eval()
        with torch.no_grad():
            logits = self.network_(self._images(frame))
        return np.asarray(torch.softmax(logits, dim=1).numpy(), dtype=np.float64)

    def predict(self, frame: Any) -> NDArray[Any]:
        return np.asarray(np.asarray(self.classes_)[np.argmax(self.predict_proba(frame), axis=1)])
