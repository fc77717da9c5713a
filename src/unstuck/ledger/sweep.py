"""Planning a sweep: which variants to run (grid, quasi-random, or one at a time) and with which seeds.

``--vary`` takes either a list (``lr=0.1,0.03,0.01``) or, for quasi-random
sampling, a range (``lr=1e-4:1e-1:log``, ``layers=1:6:int``, ``dropout=0:0.5``).

* ``grid``: every combination of the lists (the Cartesian product).
* ``oat`` (one at a time): the base is the first value of each list; then each
  variable takes each of its other values while the rest stay at the base. Every
  variant but the base changes exactly one variable: the disciplined sweep.
* ``qmc``: ``samples`` points of a scrambled Halton sequence (SciPy's
  ``scipy.stats.qmc``), which fills the space more evenly than random
  sampling for any number of points; ranges are mapped linearly, on a log
  scale, or to integers; lists are indexed.

Each variant is then repeated over ``seeds`` seeds (0, 1, ...), so the verdict can
tell a real gain from seed noise.

A variant's record keeps the names the user gave: :func:`name_variables` renames the
config key that a placeholder fills (``python train.py {lr}`` gives ``argv[2]``) to the
placeholder's name (``lr``), so that ``sweep``'s table, ``log``, ``show`` and
``compare`` all say ``lr``.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from unstuck.errors import ConfigError
from unstuck.ledger.diff import config_from_command
from unstuck.ledger.parameters import MODES, check_ledger_arguments

__all__ = ["MODES", "Axis", "Variant", "expand_seeds", "name_variables", "parse_vary", "plan", "sweep_variants"]


@dataclass(frozen=True)
class Axis:
    """One variable of a sweep: either a list of ``values`` or a range ``low..high`` (``scale`` linear/log/int)."""

    name: str
    values: tuple[Any, ...] = ()
    low: float | None = None
    high: float | None = None
    scale: str = "linear"

    @property
    def is_range(self) -> bool:
        return self.low is not None


@dataclass(frozen=True)
class Variant:
    """One run to make: the placeholder values (variables, and ``seed`` when seeds are swept)."""

    values: dict[str, Any]
    seed: int | None = None

    @property
    def all_values(self) -> dict[str, Any]:
        return self.values if self.seed is None else {**self.values, "seed": self.seed}


def _number(text: str) -> Any:
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if text.strip().lstrip("+-").isdigit() else value


def parse_vary(text: str) -> Axis:
    """``name=v1,v2,...`` or ``name=low:high[:log|:int]`` into an :class:`Axis`."""
    hint = "Write --vary NAME=V1,V2,... or --vary NAME=LOW:HIGH[:log|:int], e.g. --vary lr=0.1,0.01."
    name, sep, rest = text.partition("=")
    name = name.strip()
    if not sep or not name.isidentifier() or not rest.strip():
        raise ConfigError(f"--vary {text!r} is not NAME=VALUES.", hint=hint)
    if ":" in rest and "," not in rest:
        parts = rest.split(":")
        scale = parts[2].strip() if len(parts) == 3 else "linear"
        try:
            low, high = float(parts[0]), float(parts[1])
        except (ValueError, IndexError):
            raise ConfigError(f"--vary {text!r}: the range ends are not numbers.", hint=hint) from None
        if len(parts) > 3 or scale not in ("linear", "log", "int") or not low < high:
            raise ConfigError(f"--vary {text!r}: not a range LOW:HIGH with LOW < HIGH and scale log or int.", hint=hint)
        if scale == "log" and low <= 0:
            raise ConfigError(f"--vary {text!r}: a log range needs LOW > 0.", hint=hint)
        return Axis(name, low=low, high=high, scale=scale)
    values = tuple(_number(v.strip()) for v in rest.split(",") if v.strip())
    if not values:
        raise ConfigError(f"--vary {text!r} has no values.", hint=hint)
    return Axis(name, values=values)


def _check(axes: Sequence[Axis]) -> None:
    names = [a.name for a in axes]
    if len(set(names)) != len(names):
        raise ConfigError(f"--vary names a variable twice ({', '.join(names)}).", hint="Give each variable once.")
    if "seed" in names:
        raise ConfigError("--vary seed=... is not a variable.", hint="Use --seeds N to repeat each variant over seeds.")


def sweep_variants(
    axes: Sequence[Axis], mode: str = "grid", samples: int | None = None, seed: int = 0
) -> list[dict[str, Any]]:
    """The variants' variable values, in a stable order (see the module docstring for each mode)."""
    check_ledger_arguments({"mode": mode, "samples": samples, "seed": seed}, entry="sweep_variants")
    _check(axes)
    if not axes:
        return [{}]
    if mode != "qmc":
        ranged = [a.name for a in axes if a.is_range]
        if ranged:
            raise ConfigError(
                f"--vary {ranged[0]} is a range; {mode} needs a list of values.",
                hint="Give values (NAME=V1,V2) or use --mode qmc --samples N for ranges.",
            )
    if mode == "grid":
        return [
            dict(zip([a.name for a in axes], combo, strict=True))
            for combo in itertools.product(*(a.values for a in axes))
        ]
    if mode == "oat":
        base = {a.name: a.values[0] for a in axes}
        out = [dict(base)]
        for axis in axes:
            out.extend({**base, axis.name: value} for value in axis.values[1:])
        return out
    if samples is None:
        raise ConfigError("--mode qmc needs --samples N (N >= 1).", hint="e.g. --mode qmc --samples 16.")
    from scipy.stats import qmc

    points = qmc.Halton(d=len(axes), scramble=True, seed=seed).random(samples)
    return [{axis.name: _map(axis, float(u)) for axis, u in zip(axes, row, strict=True)} for row in points]


# The old name: "plan" now means only the project plan (``unstuck plan``); kept for callers of it.
plan = sweep_variants


def _map(axis: Axis, u: float) -> Any:
    """A unit-interval coordinate to a value of the axis."""
    if not axis.is_range:
        return axis.values[min(int(u * len(axis.values)), len(axis.values) - 1)]
    assert axis.low is not None and axis.high is not None
    if axis.scale == "log":
        return float(math.exp(math.log(axis.low) + u * (math.log(axis.high) - math.log(axis.low))))
    if axis.scale == "int":
        low, high = math.ceil(axis.low), math.floor(axis.high)
        return int(min(high, low + math.floor(u * (high - low + 1))))
    return float(axis.low + u * (axis.high - axis.low))


def expand_seeds(variants: Sequence[dict[str, Any]], seeds: int | None) -> list[Variant]:
    """Each variant once (``seeds`` None) or over seeds 0..seeds-1, variant-major."""
    check_ledger_arguments({"seeds": seeds}, entry="expand_seeds")
    if seeds is None:
        return [Variant(dict(v)) for v in variants]
    return [Variant(dict(v), s) for v in variants for s in range(seeds)]


_WHOLE_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def name_variables(template: Sequence[str], config: Mapping[str, Any]) -> dict[str, Any]:
    """``config`` (read from a filled command) with its keys named as the user named the variables.

    A key whose template value is exactly one placeholder (``{lr}`` after ``--learning-rate``,
    or as the positional ``argv[2]``) is renamed to the placeholder's name. A key whose
    template value only *contains* placeholders (``--out runs/{lr}``) is derived from the
    variables, not a variable of its own, and is left out (the command keeps it), so that
    varying one variable counts as one change.
    """
    out = dict(config)
    for key, value in config_from_command(template).items():
        if not isinstance(value, str) or "{" not in value or key not in out:
            continue
        whole = _WHOLE_PLACEHOLDER.fullmatch(value)
        filled = out.pop(key)
        if whole:
            out[whole.group(1)] = filled
    return out
