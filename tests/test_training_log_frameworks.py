"""Training logs written by the real libraries that write them: transformers' Trainer, torch's
SummaryWriter.add_scalars, MMEngine's Runner and Keras' History and CSVLogger.

Each writer runs for a few seconds on CPU on a tiny model (built from a config, no download);
the reader is then checked against the values the library itself wrote.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from conftest import run_cli
from unstuck.training_log.readers import TrainingLog, read_training_log, read_training_logs

# ---------------------------------------------------------------------------- Hugging Face


@pytest.fixture(scope="module")
def trainer_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A transformers Trainer run: 3 epochs of a 1-layer BERT from a config, eval every epoch, save_state()."""
    pytest.importorskip("accelerate", reason="transformers' Trainer needs accelerate (pip install accelerate)")
    pytest.importorskip("tensorboard")
    import numpy as np
    import torch
    from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=50,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=16,
        num_labels=2,
    )
    generator = torch.Generator().manual_seed(0)

    class Tokens(torch.utils.data.Dataset[dict[str, torch.Tensor]]):
        def __init__(self, n: int) -> None:
            self.x = torch.randint(1, 50, (n, 8), generator=generator)
            self.y = (self.x[:, 0] > 25).long()

        def __len__(self) -> int:
            return len(self.x)

        def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
            return {"input_ids": self.x[i], "labels": self.y[i]}

    def accuracy(prediction: Any) -> dict[str, float]:
        return {"accuracy": float((np.argmax(prediction.predictions, -1) == prediction.label_ids).mean())}

    out = tmp_path_factory.mktemp("hf") / "bert-tiny"
    args = TrainingArguments(
        output_dir=str(out),
        num_train_epochs=3,
        per_device_train_batch_size=16,
        logging_steps=2,
        eval_strategy="epoch",
        save_strategy="epoch",
        report_to=["tensorboard"],  # HF's TensorBoardCallback too: the folder then holds both
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
    trainer.save_state()  # the run's own trainer_state.json, with the closing summary entry
    return out


def _history(state_file: Path) -> list[dict[str, Any]]:
    return list(json.loads(state_file.read_text())["log_history"])


def test_trainer_output_folder_reads_train_and_eval_entries(trainer_run: Path) -> None:
    (log,) = read_training_log(trainer_run)
    history = _history(trainer_run / "trainer_state.json")
    train = [e for e in history if "loss" in e]
    evals = [e for e in history if "eval_loss" in e]
    assert log.name == "bert-tiny" and log.format == "huggingface_trainer" and log.step_unit == "step"
    assert log.series("train_loss")[0].tolist() == [e["step"] for e in train]
    assert log.series("train_loss")[1].tolist() == pytest.approx([e["loss"] for e in train])
    assert log.series("dev_loss")[0].tolist() == [e["step"] for e in evals] == [8, 16, 24]
    assert log.series("dev_loss")[1].tolist() == pytest.approx([e["eval_loss"] for e in evals])
    assert log.series("dev_accuracy")[1].tolist() == pytest.approx([e["eval_accuracy"] for e in evals])
    assert log.series("lr")[1].tolist() == pytest.approx([e["learning_rate"] for e in train])
    assert log.has("grad_norm")
    # steps are the x axis; the fractional epoch is kept beside them
    assert log.epoch_at(8) == 1.0 and log.epoch_at(24) == 3.0 and log.epoch_at(2) == 0.25
    # runtime tags are bookkeeping, and the closing summary's mean train_loss is not a point of the curve
    assert not any("runtime" in c or "per_second" in c for c in log.columns)
    assert {"eval_runtime", "eval_samples_per_second"} <= set(log.ignored)
    assert "train_runtime" not in log.mapping and any("closing summary" in n for n in log.notes)
    assert set(log.columns) == {"train_loss", "dev_loss", "dev_accuracy", "lr", "grad_norm"}


def test_trainer_tensorboard_tags_map_like_its_state(trainer_run: Path) -> None:
    (runs,) = (trainer_run / "runs").iterdir()  # HF's TensorBoardCallback: tags train/loss, eval/loss, train/epoch
    (log,) = read_training_log(runs)
    (state,) = read_training_log(trainer_run)  # the folder itself reads the Trainer state, not the events
    assert log.format == "tensorboard" and state.format == "huggingface_trainer"
    for column in ("train_loss", "dev_loss", "dev_accuracy", "lr"):
        assert log.series(column)[0].tolist() == state.series(column)[0].tolist()
        assert log.series(column)[1].tolist() == pytest.approx(state.series(column)[1].tolist(), rel=1e-6)
    assert dict(log.mapping)["train/epoch"] == "epoch" and log.epoch_at(24) == 3.0
    # the closing summary's mean loss and the runtimes are not read as curves
    assert {"train/train_loss", "eval/runtime", "train/total_flos"} <= set(log.ignored)


def test_trainer_checkpoints_alone_read_the_latest(trainer_run: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "run"
    shutil.copytree(trainer_run, copy, ignore=shutil.ignore_patterns("*.safetensors", "*.pt", "*.bin", "*.pth"))
    (copy / "trainer_state.json").unlink()  # a run stopped before save_state(): only checkpoints
    (log,) = read_training_log(copy)
    assert log.name == "run" and log.source.endswith("checkpoint-24/trainer_state.json")
    assert log.series("dev_loss")[0].tolist() == [8, 16, 24]
    (one,) = read_training_log(copy / "checkpoint-16" / "trainer_state.json")  # the file itself, found by content
    assert one.format == "huggingface_trainer" and one.series("dev_loss")[0].tolist() == [8, 16]


def test_trainer_folder_diagnosed_end_to_end(trainer_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = run_cli(["diagnose", "--training-log", str(trainer_run), "--json", str(out), "--quiet"])
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text())
    read = next(f for f in report["findings"] if f["id"] == "training_log.read")
    assert "huggingface_trainer" in read["title"] and "x axis: step" in read["title"]
    assert read["evidence"]["epochs"] == [0.25, 3.0]
    assert report["task"] == "classification"  # eval_accuracy names the task


# ---------------------------------------------------------------------------- TensorBoard add_scalars


@pytest.fixture(scope="module")
def add_scalars_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[float], list[float]]:
    """SummaryWriter.add_scalars("Loss", {"train", "val"}): the dev loss rises from step 5 (overfitting)."""
    pytest.importorskip("tensorboard")
    from torch.utils.tensorboard import SummaryWriter

    train = [1.0 / (1 + 0.5 * i) for i in range(10)]
    val = [1.1 / (1 + 0.5 * i) if i < 5 else 0.35 + 0.05 * (i - 5) for i in range(10)]
    root = tmp_path_factory.mktemp("tb") / "run"
    writer = SummaryWriter(str(root))
    for step, (t, v) in enumerate(zip(train, val, strict=True)):
        writer.add_scalars("Loss", {"train": t, "val": v}, step)
        writer.add_scalar("lr", 0.1, step)
    writer.close()
    return root, train, val


def test_add_scalars_parent_folder_reads_every_series(add_scalars_run: tuple[Path, list[float], list[float]]) -> None:
    root, train, val = add_scalars_run
    assert sorted(p.name for p in root.iterdir() if p.is_dir()) == ["Loss_train", "Loss_val"]
    (log,) = read_training_log(root)
    assert log.name == "run"
    assert log.series("train_loss")[1].tolist() == pytest.approx(train)
    assert log.series("dev_loss")[1].tolist() == pytest.approx(val)
    assert log.series("lr")[1].tolist() == pytest.approx([0.1] * 10)
    assert dict(log.mapping)["Loss/val"] == "dev_loss"
    assert "add_scalars series read from sub-folders: Loss_train/ → Loss/train, Loss_val/ → Loss/val" in log.notes


def test_add_scalars_sub_folder_alone_is_the_dev_loss(add_scalars_run: tuple[Path, list[float], list[float]]) -> None:
    root, _, val = add_scalars_run
    (log,) = read_training_log(root / "Loss_val")
    assert not log.has("train_loss")  # the dev loss is never read as the train loss
    assert log.series("dev_loss")[1].tolist() == pytest.approx(val)
    assert any("no training series" in n for n in log.notes)


# ---------------------------------------------------------------------------- MMEngine


@pytest.fixture(scope="module")
def mmengine_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """MMEngine's Runner with its LoggerHook and LocalVisBackend: 4 epochs of a linear classifier, val every epoch."""
    mmengine_runner = pytest.importorskip("mmengine.runner")
    import torch
    from mmengine.evaluator import BaseMetric
    from mmengine.model import BaseModel
    from torch import nn
    from torch.utils.data import TensorDataset

    torch.manual_seed(0)
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
        def process(self, data_batch: Any, outputs: Any) -> None:
            self.results.append((int((outputs[0] == outputs[1]).sum()), len(outputs[1])))

        def compute_metrics(self, results: list[tuple[int, int]]) -> dict[str, float]:
            return {"accuracy": 100.0 * sum(r[0] for r in results) / sum(r[1] for r in results)}

    def collate(batch: list[tuple[torch.Tensor, torch.Tensor]]) -> dict[str, torch.Tensor]:
        return {"x": torch.stack([b[0] for b in batch]), "y": torch.stack([b[1] for b in batch])}

    work_dir = tmp_path_factory.mktemp("mmengine") / "work_dir"
    sampler = {"type": "DefaultSampler", "shuffle": False}
    runner = mmengine_runner.Runner(
        model=Linear(),
        work_dir=str(work_dir),
        train_dataloader={"dataset": TensorDataset(x, y), "batch_size": 32, "sampler": sampler, "collate_fn": collate},
        val_dataloader={"dataset": TensorDataset(x, y), "batch_size": 64, "sampler": sampler, "collate_fn": collate},
        val_evaluator=[Accuracy()],
        val_cfg={},
        train_cfg={"by_epoch": True, "max_epochs": 4, "val_interval": 1},
        optim_wrapper={"optimizer": {"type": "SGD", "lr": 0.1}},
        default_hooks={"logger": {"type": "LoggerHook", "interval": 2}},
        randomness={"seed": 0},
        visualizer={"type": "Visualizer", "vis_backends": [{"type": "LocalVisBackend"}]},
    )
    runner.train()
    return work_dir


def test_mmengine_scalars_json_keeps_validation_rows(mmengine_run: Path) -> None:
    (scalars,) = mmengine_run.rglob("scalars.json")
    rows = [json.loads(line) for line in scalars.read_text().splitlines()]
    train = [r for r in rows if "iter" in r]
    val = [r for r in rows if "iter" not in r]
    assert len(val) == 4  # what the writer wrote: one validation row per epoch, step = the epoch
    (log,) = read_training_log(mmengine_run)
    assert log.name == scalars.parent.parent.name and log.format == "mmengine_json"  # <timestamp>/vis_data
    assert log.series("train_loss")[1].tolist() == pytest.approx([r["loss"] for r in train])
    # validation rows are the dev split, at the last iteration of their epoch (8 iterations per epoch)
    assert log.series("dev_accuracy")[0].tolist() == [8.0, 16.0, 24.0, 32.0]
    assert log.series("dev_accuracy")[1].tolist() == pytest.approx([r["accuracy"] / 100 for r in val])
    assert not log.has("train_accuracy")
    assert log.epoch_at(32.0) == 4.0
    assert {"time", "data_time"} <= set(log.ignored)
    assert any(n.startswith("MMEngine log: 4 validation row(s) read as the dev split") for n in log.notes)
    (direct,) = read_training_log(scalars)  # the file alone, JSON lines under a .json name
    assert direct.series("dev_accuracy")[0].tolist() == [8.0, 16.0, 24.0, 32.0]


# ---------------------------------------------------------------------------- Keras


@pytest.fixture(scope="module")
def keras_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Keras (torch backend): 6 epochs, validation every 2nd epoch; History saved as JSON and a CSVLogger file."""
    with pytest.MonkeyPatch.context() as patch:  # Keras reads its backend once, when imported
        patch.setenv("KERAS_BACKEND", os.environ.get("KERAS_BACKEND", "torch"))
        keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch":
        pytest.skip("this test trains with Keras' torch backend")
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = (x[:, 0] > 0).astype("int64")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    folder = tmp_path_factory.mktemp("keras")
    csv = folder / "training.csv"
    history = model.fit(
        x,
        y,
        epochs=6,
        validation_data=(x, y),
        validation_freq=2,
        verbose=0,
        callbacks=[keras.callbacks.CSVLogger(str(csv))],
    )
    saved = folder / "lr_0.1.history.json"
    saved.write_text(json.dumps(history.history))
    return saved, csv


def test_keras_history_and_csvlogger_agree(keras_run: tuple[Path, Path]) -> None:
    saved, csv = keras_run
    history: TrainingLog
    history, logged = read_training_logs([saved, csv])
    assert history.name == "lr_0.1" and logged.format == "keras_csv"
    # validation_freq=2: validated after epochs 2, 4 and 6, in both files
    assert history.series("dev_loss")[0].tolist() == logged.series("dev_loss")[0].tolist() == [2.0, 4.0, 6.0]
    assert history.series("dev_loss")[1].tolist() == pytest.approx(logged.series("dev_loss")[1].tolist())
    assert (
        history.series("train_loss")[0].tolist()
        == logged.series("train_loss")[0].tolist()
        == list(map(float, range(1, 7)))
    )
