"""TensorBoard event directories, read with TensorBoard's own reader (the optional ``tensorboard`` extra).

Three layouts are told apart by where the event files sit and which tags they hold:

* one directory per run, tags such as ``loss/train``, ``loss/val`` (``add_scalar``);
* Keras' TensorBoard callback: ``train/`` and ``validation/`` sub-directories of a run,
  each holding ``epoch_loss``; the directory name is the split;
* ``SummaryWriter.add_scalars("Loss", {"train": ..., "val": ...})``: one sub-directory
  per series, named ``Loss_train``, ``Loss_val``, each holding the tag ``Loss``. The
  series key is the directory name after the tag, so ``Loss_val`` is read as
  ``Loss/val`` (dev loss), whether its parent or the sub-directory alone is passed.

Any other sub-directory with event files is a separate run.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from unstuck.errors import ConfigError, FileProblem

if TYPE_CHECKING:
    from unstuck.training_log.log import TrainingLog

__all__ = ["EVENT_FILE", "read_tensorboard"]

EVENT_FILE = "events.out.tfevents"
_SPLIT_DIRS = {"train", "training", "validation", "val", "valid", "eval", "dev", "test"}


def read_tensorboard(root: Path) -> tuple[TrainingLog, ...]:
    """Every run under ``root``: scalars by tag, merged by step into one log per run."""
    try:
        from tensorboard.backend.event_processing import event_accumulator  # type: ignore[import-untyped]
    except ImportError:
        raise ConfigError(
            f"'{root}' is a TensorBoard log directory, and reading it needs the optional package 'tensorboard'.",
            "Install it with: pip install 'unstuck[tensorboard]' (or pip install tensorboard), "
            "or export the scalars to CSV.",
        ) from None
    import pandas as pd

    from unstuck.training_log.log import has_split, log_from_frame, run_name

    runs: dict[Path, dict[str, dict[float, float]]] = {}
    series_dirs: dict[Path, list[str]] = {}  # run → "Loss_val/ → Loss/val" for each add_scalars sub-directory
    for directory in sorted({p.parent for p in root.rglob(f"{EVENT_FILE}*")}):
        accumulator = event_accumulator.EventAccumulator(
            str(directory), size_guidance={event_accumulator.SCALARS: 0, event_accumulator.TENSORS: 0}
        )
        try:
            accumulator.Reload()
        except Exception as exc:  # corrupt or truncated event file
            raise FileProblem(
                f"Could not read the TensorBoard events in '{directory}': {exc}.",
                "Check that the run finished writing, or export the scalars to CSV.",
            ) from None
        scalars = _scalars(accumulator)
        series_key = _add_scalars_key(directory, scalars)
        if series_key is not None:
            run = directory.parent if directory != root else directory
            columns = {tag: f"{tag}/{series_key}" for tag in scalars}
            series_dirs.setdefault(run, []).append(f"{directory.name}/ → {next(iter(columns.values()))}")
        elif directory != root and directory.name.lower() in _SPLIT_DIRS:
            # A split-named directory (train/, validation/) is that split of its parent run; its name
            # prefixes the tags below (epoch_loss under validation/ → validation/epoch_loss → dev_loss).
            run = directory.parent
            columns = {tag: tag if has_split(tag) else f"{directory.name}/{tag}" for tag in scalars}
        else:
            run = directory
            columns = {tag: tag for tag in scalars}
        records = runs.setdefault(run, {})
        for tag, points in scalars.items():
            column = records.setdefault(columns[tag], {})
            for step, value in points:
                column[step] = value
    logs = []
    for run_dir, by_column in sorted(runs.items()):
        if not any(by_column.values()):
            continue  # e.g. the parent of add_scalars sub-directories, holding only its own empty event file
        steps = sorted({s for points in by_column.values() for s in points})
        frame = pd.DataFrame(
            {"step": steps, **{c: [points.get(s) for s in steps] for c, points in sorted(by_column.items())}},
            dtype=object,
        )
        logs.append(
            log_from_frame(
                frame,
                name=run_name(root, run_dir),
                source=str(run_dir),
                format="tensorboard",
                notes=[f"add_scalars series read from sub-folders: {', '.join(series_dirs[run_dir])}"]
                if run_dir in series_dirs
                else (),
            )
        )
    if not logs:
        raise FileProblem(
            f"The TensorBoard events in '{root}' hold no scalars.",
            "Log the losses as scalars (add_scalar / add_scalars / tf.summary.scalar).",
        )
    return tuple(logs)


def _add_scalars_key(directory: Path, scalars: dict[str, list[tuple[float, float]]]) -> str | None:
    """The series key when ``directory`` is one series of ``add_scalars`` (``Loss_val`` holding ``Loss``), else None.

    ``add_scalars(main_tag, {key: value})`` writes to ``<logdir>/<main_tag with / as _>_<key>``
    under the tag ``main_tag``: one tag whose name, with ``_`` for ``/``, prefixes the directory name.
    """
    if len(scalars) != 1:
        return None
    tag = next(iter(scalars))
    prefix = tag.replace("/", "_") + "_"
    if directory.name.startswith(prefix) and len(directory.name) > len(prefix):
        return directory.name[len(prefix) :]
    return None


def _scalars(accumulator: Any) -> dict[str, list[tuple[float, float]]]:
    """Scalar series by tag: classic ``simple_value`` scalars and TF2 scalar tensors."""
    out: dict[str, list[tuple[float, float]]] = {}
    tags = accumulator.Tags()
    for tag in tags.get("scalars", []):
        out[tag] = [(float(e.step), float(e.value)) for e in accumulator.Scalars(tag)]
    if tags.get("tensors"):
        from tensorboard.util import tensor_util  # type: ignore[import-untyped]

        for tag in tags["tensors"]:
            points = []
            for event in accumulator.Tensors(tag):
                array = tensor_util.make_ndarray(event.tensor_proto)
                if array.size == 1 and array.dtype.kind in "fiu":
                    points.append((float(event.step), float(array.reshape(-1)[0])))
            if points:
                out.setdefault(tag, points)
    return out
