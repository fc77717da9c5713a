"""Reading images: an ImageFolder layout or a column of paths, into pixels, properties and hashes.

Every image is decoded once (Pillow) and turned into

* **pixels** — grey levels of the image resized to :data:`PIXELS` × :data:`PIXELS`, scaled
  to 0–1 (``px_000`` … columns): what the linear and boosted baselines learn from;
* **properties** — ``width``, ``height``, ``aspect`` (width / height), ``channels``,
  ``brightness`` (mean grey level, 0–255) and ``blur`` (variance of the Laplacian of the grey
  image: low for blurred images): what shift, outliers and slices can name;
* **hashes** — SHA-1 of the file's bytes (exact copies) and a 64-bit difference hash of the
  image (copies re-encoded, resized or lightly edited), for the ``image_copies`` check.

An image that cannot be decoded is refused with its path: a diagnosis that silently
dropped it would be measured on other rows than the user's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from unstuck.errors import ColumnProblem, FileProblem

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "IMAGE_SUFFIXES",
    "PIXELS",
    "PIXEL_COLUMNS",
    "PROPERTIES",
    "ImageFeatures",
    "difference_hash",
    "feature_frame",
    "image_features",
    "image_hashes",
    "is_image_folder",
    "read_image_folder",
    "with_image_features",
]

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"})
#: Images are resized to this many pixels a side for the pixel features.
PIXELS = 16
#: The pixel columns, row by row: ``px_000`` … ``px_255``.
PIXEL_COLUMNS: tuple[str, ...] = tuple(f"px_{k:03d}" for k in range(PIXELS * PIXELS))
PROPERTIES: tuple[str, ...] = ("width", "height", "aspect", "channels", "brightness", "blur")


def _images_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)


def is_image_folder(path: str | Path) -> bool:
    """Whether ``path`` is a folder with at least one sub-folder holding images (ImageFolder layout)."""
    p = Path(path)
    return p.is_dir() and any(sub.is_dir() and _images_in(sub) for sub in p.iterdir())


def read_image_folder(path: str | Path, *, split: str = "train") -> pd.DataFrame:
    """One row per image of an ImageFolder layout (``path/<class>/<image>``): columns ``path`` and ``label``.

    Paths are absolute; classes are the sub-folder names. Raises :class:`FileProblem` when the
    folder holds no images in class sub-folders, and (for ``split="train"``) :class:`ColumnProblem`
    when it has a single class.
    """
    import pandas as pd

    root = Path(path)
    if not root.is_dir():
        raise FileProblem(f"'{root}' is not a folder.", "Pass a folder with one sub-folder of images per class.")
    rows = [
        (str(image.resolve()), sub.name)
        for sub in sorted(p for p in root.iterdir() if p.is_dir())
        for image in _images_in(sub)
    ]
    if not rows:
        raise FileProblem(
            f"The folder '{root}' has no images in class sub-folders (looked for "
            f"{', '.join(sorted(IMAGE_SUFFIXES))} files one level down).",
            "Lay it out as ImageFolder does: one sub-folder per class, e.g. images/cat/1.png, images/dog/2.png.",
        )
    frame = pd.DataFrame(rows, columns=["path", "label"])
    classes = sorted(frame["label"].unique())
    if split == "train" and len(classes) < 2:
        raise ColumnProblem(
            f"The image folder '{root}' has one class only ('{classes[0]}', {len(frame)} images): a classifier "
            "needs examples of at least two.",
            "Put each class's images in its own sub-folder, e.g. images/cat/ and images/dog/.",
        )
    return frame


@dataclass(frozen=True)
class ImageFeatures:
    """Per image, in input order: pixels (n, PIXELS²), properties (n, 6), file SHA-1 and difference hash."""

    pixels: NDArray[np.float32]
    properties: NDArray[np.float64]
    sha1: tuple[str, ...]
    dhash: NDArray[np.uint64]


def difference_hash(grey: NDArray[np.float64]) -> int:
    """64-bit difference hash of a grey image already resized to 9 × 8: a bit is set where a pixel is brighter
    than its left neighbour."""
    bits = (grey[:, 1:] > grey[:, :-1]).ravel()
    return int(sum(1 << i for i, bit in enumerate(bits) if bit))


def _laplacian_variance(grey: NDArray[np.float64]) -> float:
    if grey.shape[0] < 3 or grey.shape[1] < 3:
        return 0.0
    lap = grey[1:-1, :-2] + grey[1:-1, 2:] + grey[:-2, 1:-1] + grey[2:, 1:-1] - 4 * grey[1:-1, 1:-1]
    return float(lap.var())


def image_features(paths: Sequence[str], *, where: str = "the images") -> ImageFeatures:
    """Decode every image of ``paths``; raises :class:`FileProblem` naming the first one that cannot be read."""
    from PIL import Image, UnidentifiedImageError

    n = len(paths)
    pixels = np.zeros((n, PIXELS * PIXELS), dtype=np.float32)
    properties = np.zeros((n, len(PROPERTIES)), dtype=np.float64)
    dhash = np.zeros(n, dtype=np.uint64)
    sha1 = []
    for i, path in enumerate(paths):
        try:
            data = Path(path).read_bytes()
            with Image.open(Path(path)) as image:
                image.load()
                channels = len(image.getbands())
                grey_image = image.convert("L")
        except FileNotFoundError:
            raise FileProblem(
                f"The image '{path}' (row {i} of {where}) does not exist.",
                "Fix the path (relative paths are read from the table's folder) or drop that row.",
            ) from None
        except (UnidentifiedImageError, OSError, ValueError) as exc:
            raise FileProblem(
                f"The image '{path}' (row {i} of {where}) cannot be decoded: {exc}.",
                "Replace or remove that file (it is corrupt or not an image), then run again.",
            ) from None
        grey = np.asarray(grey_image, dtype=np.float64)
        small = np.asarray(grey_image.resize((PIXELS, PIXELS), Image.Resampling.BILINEAR), dtype=np.float32)
        pixels[i] = small.ravel() / 255.0
        width, height = grey_image.size
        properties[i] = (width, height, width / height, channels, grey.mean(), _laplacian_variance(grey))
        tiny = np.asarray(grey_image.resize((9, 8), Image.Resampling.BILINEAR), dtype=np.float64)
        dhash[i] = np.uint64(difference_hash(tiny))
        sha1.append(hashlib.sha1(data).hexdigest())
        _HASHES[str(path)] = (sha1[-1], int(dhash[i]), pixels[i])
    return ImageFeatures(pixels=pixels, properties=properties, sha1=tuple(sha1), dhash=dhash)


def feature_frame(features: ImageFeatures) -> pd.DataFrame:
    """Pixels and properties as one table (``px_000`` … and :data:`PROPERTIES` columns)."""
    import pandas as pd

    px = pd.DataFrame(features.pixels, columns=[f"px_{k:03d}" for k in range(features.pixels.shape[1])])
    props = pd.DataFrame(features.properties, columns=list(PROPERTIES))
    return pd.concat([px, props], axis=1)


#: What the copies check needs of each image decoded in this process: path → (SHA-1, difference hash, pixels).
_HASHES: dict[str, tuple[str, int, NDArray[np.float32]]] = {}


def image_hashes(paths: Sequence[str]) -> tuple[tuple[str, ...], NDArray[np.uint64], NDArray[np.float32]]:
    """SHA-1 of each file's bytes, its difference hash and its pixels (decoding only images not seen before)."""
    missing = [p for p in dict.fromkeys(paths) if p not in _HASHES]
    if missing:
        image_features(missing)
    return (
        tuple(_HASHES[p][0] for p in paths),
        np.array([_HASHES[p][1] for p in paths], dtype=np.uint64),
        np.stack([_HASHES[p][2] for p in paths]) if paths else np.zeros((0, PIXELS * PIXELS), dtype=np.float32),
    )


def with_image_features(frame: pd.DataFrame, column: str, *, base: Path, where: str) -> pd.DataFrame:
    """``frame`` with ``column`` made absolute paths (relative ones read from ``base``) and the pixel and
    property columns of its images appended; other columns stay (metadata features)."""
    import pandas as pd

    if column not in frame.columns:
        raise ColumnProblem(
            f"The image column '{column}' is not in {where}; its columns are: {', '.join(map(str, frame.columns))}.",
            "Name the column that holds the image paths with --image-column.",
        )
    values = frame[column]
    empty = values.isna() | (values.astype(str).str.strip() == "")
    if empty.any():
        raise ColumnProblem(
            f"The image column '{column}' of {where} is empty in {int(empty.sum())} of {len(frame)} rows.",
            "Give every row an image path, or drop the rows without one.",
        )
    paths = [str(p if Path(p).is_absolute() else (base / p)) for p in values.astype(str)]
    features = image_features(paths, where=where)
    out = frame.reset_index(drop=True).assign(**{column: paths})
    return pd.concat([out, feature_frame(features)], axis=1)


def read_split(
    source: str | Path | pd.DataFrame, name: str, split: str, image_column: str | None, frame: pd.DataFrame | None
) -> pd.DataFrame:
    """The table of one split with its image features: with ``frame`` None, the ImageFolder folder
    ``source`` read as ``path`` + ``label``; else ``frame`` (read from ``source``) with its
    ``image_column`` expanded, or as it is when there is none."""
    if frame is None:
        frame = read_image_folder(source if isinstance(source, (str, Path)) else ".", split=split)
        image_column = "path"
    if image_column is None:
        return frame
    base = Path(source).parent if isinstance(source, (str, Path)) else Path.cwd()
    return with_image_features(frame, image_column, base=base, where=name)
