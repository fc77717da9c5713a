"""A Keras run for docs/training-logs.md: an MLP on 300 of scikit-learn's digits with the torch
backend, 20 epochs, validated every second epoch; its ``History`` saved as
``lr_0.1.history.json`` and a ``CSVLogger`` writing ``keras_log.csv`` in the current folder."""

from __future__ import annotations

import json
import os

os.environ["KERAS_BACKEND"] = "torch"  # read once, when keras is imported

import keras
import numpy as np
import torch
from sklearn.datasets import load_digits

torch.set_num_threads(1)  # one thread: the same sums in the same order on any machine
keras.utils.set_random_seed(0)
x, y = load_digits(return_X_y=True)
order = np.random.default_rng(0).permutation(len(y))
x, y = (x[order] / 16).astype("float32"), y[order]
model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(32, activation="relu"), keras.layers.Dense(10)])
model.compile(
    optimizer=keras.optimizers.SGD(0.1),
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    metrics=["accuracy"],
)
history = model.fit(
    x[:300],
    y[:300],
    epochs=20,
    batch_size=32,
    validation_data=(x[300:], y[300:]),
    validation_freq=2,
    verbose=0,
    callbacks=[keras.callbacks.CSVLogger("keras_log.csv")],
)
with open("lr_0.1.history.json", "w") as out:
    json.dump(history.history, out)
