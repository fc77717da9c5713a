"""A Hugging Face Trainer run for docs/training-logs.md: a 1-layer BERT built from a config (no
download), 4 epochs on random tokens, ``logging_steps=2``, evaluated every epoch, then
``trainer.save_state()``; written to ``bert-tiny/`` in the current folder."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

torch.manual_seed(0)
torch.set_num_threads(1)  # one thread: the same sums in the same order on any machine
generator = torch.Generator().manual_seed(0)


class Tokens(torch.utils.data.Dataset[dict[str, torch.Tensor]]):
    """Random token ids; the label is whether the first one is above 25."""

    def __init__(self, n: int) -> None:
        self.x = torch.randint(1, 50, (n, 8), generator=generator)
        self.y = (self.x[:, 0] > 25).long()

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        return {"input_ids": self.x[i], "labels": self.y[i]}


def accuracy(prediction: Any) -> dict[str, float]:
    return {"accuracy": float((np.argmax(prediction.predictions, -1) == prediction.label_ids).mean())}


config = BertConfig(
    vocab_size=50,
    hidden_size=16,
    num_hidden_layers=1,
    num_attention_heads=2,
    intermediate_size=32,
    max_position_embeddings=16,
    num_labels=2,
)
args = TrainingArguments(
    output_dir="bert-tiny",
    num_train_epochs=4,
    per_device_train_batch_size=16,
    logging_steps=2,
    eval_strategy="epoch",
    save_strategy="epoch",
    report_to="none",
    use_cpu=True,
    seed=0,
    learning_rate=1e-3,
    disable_tqdm=True,
)
trainer = Trainer(
    model=BertForSequenceClassification(config),
    args=args,
    train_dataset=Tokens(128),
    eval_dataset=Tokens(32),
    compute_metrics=accuracy,
)
trainer.train()
trainer.save_state()
