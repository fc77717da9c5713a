"""The examples in README.md and docs/*.md are what the commands print today.

Each block between ``<!-- unstuck:begin NAME -->`` and ``<!-- unstuck:end -->`` is run
once per test session (``docs/doc_examples.py`` says how) and compared with the doc,
character for character but for the masked wall-clock timings. When one fails, run
``python docs/generate.py NAME`` and read the diff before committing it.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
SLOW = os.environ.get("UNSTUCK_DOCS_SLOW") == "1"


def _load(name: str) -> ModuleType:
    sys.path.insert(0, str(DOCS))
    spec = importlib.util.spec_from_file_location(name, DOCS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


generate = _load("generate")
BLOCKS = list(generate.blocks())


#: The blocks of each example: one test runs the example once and compares every block it feeds, so
#: that under pytest-xdist two workers never run the same example for two of its parts.
BLOCKS_OF: dict[str, list[generate.Block]] = {}  # type: ignore[name-defined]
for _block in BLOCKS:
    BLOCKS_OF.setdefault(generate.split_name(_block.name)[0], []).append(_block)


def test_every_block_has_an_example_and_every_example_a_block() -> None:
    shown = {generate.split_name(b.name)[0] for b in BLOCKS}
    assert shown - generate.EXAMPLES.keys() == set(), "blocks with no example in docs/doc_examples.py"
    assert generate.EXAMPLES.keys() - shown == set(), "examples that no doc shows"
    assert "demo" in shown  # the README's demo is the first output a user compares with their own


@pytest.mark.parametrize("name", BLOCKS_OF)
def test_doc_shows_what_the_command_prints(name: str) -> None:
    example = generate.EXAMPLES[name]
    if example.slow and not SLOW:
        pytest.skip(f"{name} takes over ten seconds: compared when UNSTUCK_DOCS_SLOW=1 (.ci/run sets it)")
    produced = dict(generate.produce(example))
    stale = []
    for block in BLOCKS_OF[name]:
        part = generate.split_name(block.name)[1]
        assert part in produced, f"{block.path.name}: example {name!r} has no part {part!r} (it has {sorted(produced)})"
        diff = generate.difference(example, block.text, produced[part])
        if diff:
            stale.append(f"{block.path.name}, block {block.name!r} is stale; run python docs/generate.py {name}")
            stale.append(diff)
    assert not stale, "\n".join(stale)


def test_masks_hide_timings_only() -> None:
    example = generate.EXAMPLES["demo"]
    row = "  linear ★             0.2%        3.2%    2.8%    3.9%     0.4"
    assert generate.masked(example, row) == generate.masked(example, row[:-3] + "3.2")
    assert generate.masked(example, row) != generate.masked(example, row.replace("3.9%", "4.0%"))
    assert generate.difference(example, row, row.replace("0.2%", "0.3%")) != ""
