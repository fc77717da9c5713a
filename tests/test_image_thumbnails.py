"""Thumbnails of example images: kept in the report as PNG data URIs, drawn by the HTML report only."""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

from image_data import digit_images, write_folder
from unstuck.assembly import build_report
from unstuck.context import Context
from unstuck.images.thumbnail import THUMBNAIL, thumbnail
from unstuck.pipeline import load_problem
from unstuck.registry import registered_checks
from unstuck.render.html import render_html, table
from unstuck.render.markdown import render_markdown
from unstuck.runner import run_checks

PREFIX = "data:image/png;base64,"


def decoded(uri: str) -> Image.Image:
    assert uri.startswith(PREFIX)
    return Image.open(io.BytesIO(base64.b64decode(uri[len(PREFIX) :])))


def test_a_thumbnail_is_the_picture_shrunk_with_its_aspect_and_colours(tmp_path) -> None:
    path = tmp_path / "wide.jpg"
    picture = np.zeros((100, 200, 3), dtype=np.uint8)
    picture[:, :100] = (200, 30, 30)  # red left half, blue right half
    picture[:, 100:] = (30, 30, 200)
    Image.fromarray(picture).save(path, quality=95)
    small = np.asarray(decoded(thumbnail(path) or "").convert("RGB"), dtype=np.int64)
    assert small.shape == (THUMBNAIL // 2, THUMBNAIL, 3)
    assert np.abs(small[:, 5] - (200, 30, 30)).max() <= 12 and np.abs(small[:, -5] - (30, 30, 200)).max() <= 12


def test_a_missing_or_broken_image_has_no_thumbnail(tmp_path) -> None:
    (tmp_path / "broken.png").write_bytes(b"not a png")
    assert thumbnail(tmp_path / "gone.png") is None and thumbnail(tmp_path / "broken.png") is None


def test_the_html_table_draws_png_data_uris_only(tmp_path) -> None:
    good = PREFIX + base64.b64encode(b"\x89PNG").decode()
    page = table(("a",), [["x"], ["y"], ["z"]], thumbnails=[good, None, "https://example.com/a.png"])
    assert page.count("<img ") == 1 and f'<img src="{good}"' in page and "example.com" not in page
    assert page.count("<td></td>") == 2 and page.startswith("<table><thead><tr><th></th><th>a</th>")


def test_image_outliers_and_confusions_carry_thumbnails_to_the_html_report_only(tmp_path) -> None:
    images, labels = digit_images(300)
    write_folder(tmp_path / "train", images[:200], labels[:200])
    dev_images, dev_labels = images[200:].copy(), labels[200:].copy()
    dev_images[:3] = 16.0 - dev_images[:3]  # three digits in negative: the outliers
    dev_labels[dev_labels == 1] = 7  # every 1 filed under 7: the top confusion
    write_folder(tmp_path / "dev", dev_images, dev_labels)
    problem = load_problem(tmp_path / "train", dev=tmp_path / "dev")
    checks = [s for s in registered_checks() if s.name in ("embedding_outliers", "per_class")]
    run = run_checks(problem, Context(problem), checks=checks)
    isolated = run.sections["embedding_outliers"]["most_isolated"]
    confused = run.sections["per_class"]["examples"]
    for example in [*isolated, *confused]:
        # the example's own picture, 32 x 32 as write_folder saved it (smaller than a thumbnail: kept)
        small = decoded(example["thumbnail"])
        with Image.open(example["example"]) as original:
            assert small.size == original.size == (32, 32)
            assert np.array_equal(np.asarray(small.convert("L")), np.asarray(original.convert("L")))
    report = build_report(problem, run)
    page = render_html(report)
    assert page.count('<td class="thumb"><img src="data:image/png;base64,') == len(isolated) + len(confused)
    assert "base64" not in render_markdown(report)
