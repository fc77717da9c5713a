"""Thumbnails of images for the report: a small PNG inside the report itself, as a ``data:`` URI.

The report keeps the thumbnail, not the path alone: the HTML page must open offline and
without requests, and a report re-rendered later (``unstuck report``) may no longer find
the image files. A thumbnail of :data:`THUMBNAIL` pixels at most per side is a few hundred
bytes to a few kilobytes, so the report grows by tens of kilobytes for its two dozen examples.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

__all__ = ["THUMBNAIL", "thumbnail"]

#: Longest side of a thumbnail, in pixels.
THUMBNAIL = 64


def thumbnail(path: str | Path, size: int = THUMBNAIL) -> str | None:
    """The image at ``path`` shrunk to at most ``size`` pixels per side (aspect kept) as a PNG ``data:`` URI;
    None when it can no longer be read (a report is never refused for a picture)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(Path(path)) as image:
            image.load()
            small = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    except (OSError, UnidentifiedImageError, ValueError):
        return None
    small.thumbnail((size, size), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    small.save(out, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")
