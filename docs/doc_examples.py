"""What each generated block of README.md and docs/*.md runs (see ``docs/generate.py``).

An example writes its input files into a fresh temporary folder (``setup``), runs its
commands there one after the other, and is shown as they print. ``masks`` are the
parts of that output that change from run to run without anything being wrong
(wall-clock timings), replaced before a doc is compared with a fresh run; every other
character, every number included, must match.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

#: The "fit s" column of the baseline ladder: seconds of wall-clock time, never compared.
FIT_SECONDS = (r"(%)\s+\d+(?:\.\d+)?$", r"\1 <seconds>")


@dataclass(frozen=True)
class Step:
    command: str
    expect: int = 0  # the exit code a user gets: 2 for input unstuck refuses
    shown: str | None = None  # the command as the doc shows it, when it differs from what runs


@dataclass(frozen=True)
class Example:
    steps: tuple[Step, ...] = ()
    setup: Callable[[Path], None] | None = None
    show_commands: bool = True
    masks: tuple[tuple[str, str], ...] = ()
    #: Over ten seconds per run: the doc test compares it only when ``UNSTUCK_DOCS_SLOW=1``
    #: (``.ci/run`` sets it), and says so in its skip reason, so a plain ``pytest`` stays quick.
    slow: bool = False
    #: Instead of commands: a function that returns the block's Markdown.
    produce: Callable[[], str] | None = None


def _small_table(folder: Path) -> None:
    """A small planted table: two numeric features, a colour, a noise column and a binary label."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    n = 300
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    frame = pd.DataFrame(
        {
            "x1": x1.round(3),
            "x2": x2.round(3),
            "color": rng.choice(["red", "green", "blue"], size=n),
            "noise": rng.normal(size=n).round(3),
            "label": np.where(x1 + 0.5 * x2 + rng.normal(scale=0.5, size=n) > 0, "yes", "no"),
        }
    )
    frame.to_csv(folder / "train.csv", index=False)


EXAMPLES: dict[str, Example] = {
    "demo": Example(steps=(Step("unstuck demo"),), show_commands=False, masks=(FIT_SECONDS,)),
    "bad-target": Example(steps=(Step("unstuck diagnose train.csv --target lable", expect=2),), setup=_small_table),
}
