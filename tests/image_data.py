"""Small real image sets for the image tests: scikit-learn's handwritten digits written as PNG files."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def digit_images(n: int, offset: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` digits (8×8, grey levels 0–16) from ``offset`` on, and their labels."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    return digits.images[offset : offset + n], digits.target[offset : offset + n]


def to_pil(image: np.ndarray, size: int = 32):
    from PIL import Image

    grey = np.clip(image * 255.0 / 16.0, 0, 255).astype(np.uint8)
    return Image.fromarray(grey, mode="L").resize((size, size), Image.Resampling.NEAREST)


def write_folder(root: Path, images: np.ndarray, labels: np.ndarray, prefix: str = "img") -> Path:
    """An ImageFolder layout: ``root/<digit>/<prefix>_<i>.png``."""
    for i, (image, label) in enumerate(zip(images, labels, strict=True)):
        folder = root / str(label)
        folder.mkdir(parents=True, exist_ok=True)
        to_pil(image).save(folder / f"{prefix}_{i:05d}.png")
    return root


def plant_image_copies(train_root: Path, dev_root: Path, share: float, seed: int = 0) -> list[str]:
    """Copy ``share`` of dev's images into train, re-encoded as 40×40 JPEG (other bytes, same picture);
    returns the copied dev file names."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    files = sorted(dev_root.glob("*/*.png"))
    chosen = sorted(rng.choice(len(files), size=round(share * len(files)), replace=False).tolist())
    for k in chosen:
        source = files[k]
        target = train_root / source.parent.name / f"copy_{source.stem}.jpg"
        with Image.open(source) as image:
            image.resize((40, 40), Image.Resampling.BILINEAR).save(target, quality=95)
    return [files[k].name for k in chosen]
