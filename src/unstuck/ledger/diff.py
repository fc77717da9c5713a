"""Variables changed between two experiments, computed from their configs and command lines.

A command line becomes a flat config: ``python train.py --lr 0.001 --amp -n 3
data.csv`` gives ``{"argv[0]": "python", "argv[1]": "train.py", "lr": 0.001,
"amp": True, "n": 3, "argv[2]": "data.csv"}`` (numbers parsed, so ``1e-3`` and
``0.001`` are the same value). A config file (JSON or TOML) is flattened to
dotted keys and merged under ``file.``. The seed is not a variable: repeated
seeds of one variant share a ``group_key``.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from unstuck.errors import FileProblem

__all__ = ["SEED_KEYS", "config_from_command", "diff_configs", "flatten", "group_key", "load_config_file"]

#: Keys that name a seed: never counted as a changed variable.
SEED_KEYS: frozenset[str] = frozenset({"seed", "random_seed", "random-seed", "random_state", "random-state"})

_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def _value(token: str) -> Any:
    """A token as int, float or str (so ``1e-3 == 0.001``)."""
    if _NUMBER.match(token):
        number = float(token)
        return int(number) if re.match(r"^[+-]?\d+$", token) else number
    return token


def _is_option(token: str) -> bool:
    return token.startswith("-") and len(token) > 1 and not _NUMBER.match(token)


def config_from_command(argv: Sequence[str]) -> dict[str, Any]:
    """A flat config read from a command line (see the module docstring).

    Options are ``--name value``, ``--name=value``, ``-n value`` or a bare flag
    (``True``); a token after an option is its value unless it is itself an
    option. Other tokens are positional: ``argv[0]``, ``argv[1]``, ...
    """
    out: dict[str, Any] = {}
    position = 0
    i = 0
    while i < len(argv):
        token = argv[i]
        if token == "--":
            for rest in argv[i + 1 :]:
                out[f"argv[{position}]"] = _value(rest)
                position += 1
            break
        if _is_option(token):
            name = token.lstrip("-")
            if "=" in name:
                name, raw = name.split("=", 1)
                out[name] = _value(raw)
            elif i + 1 < len(argv) and not _is_option(argv[i + 1]) and argv[i + 1] != "--":
                out[name] = _value(argv[i + 1])
                i += 1
            else:
                out[name] = True
        else:
            out[f"argv[{position}]"] = _value(token)
            position += 1
        i += 1
    return out


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested mappings to one level of dotted keys; lists stay values."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten(value, prefix=f"{name}."))
        else:
            out[name] = value
    return out


def load_config_file(path: Path) -> dict[str, Any]:
    """A JSON or TOML config file, flattened to dotted keys under ``file.``."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FileProblem(f"Cannot read the config file {path}: {exc.strerror}.", hint="Check the path.") from exc
    except UnicodeDecodeError:
        raise FileProblem(
            f"The config file {path} is not UTF-8 text (it looks like a binary file).",
            hint="Pass the run's .json or .toml config file with --config.",
        ) from None
    try:
        data = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise FileProblem(
            f"The config file {path} is not valid {'TOML' if path.suffix.lower() == '.toml' else 'JSON'}: {exc}.",
            hint="Give a .json or .toml file.",
        ) from exc
    if not isinstance(data, dict):
        raise FileProblem(f"The config file {path} does not hold a mapping.", hint="Its top level must be an object.")
    return flatten(data, prefix="file.")


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return float(a) == float(b)
    return bool(a == b)


def diff_configs(parent: Mapping[str, Any], child: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{key: [parent_value, child_value]}`` for every key whose value differs (None for a missing side).

    Seed keys (:data:`SEED_KEYS`) are left out: a new seed is a repeat, not a change.
    """
    out: dict[str, list[Any]] = {}
    for key in sorted(set(parent) | set(child)):
        if key.split(".")[-1].lower() in SEED_KEYS:
            continue
        a, b = parent.get(key), child.get(key)
        if key not in parent or key not in child or not _same(a, b):
            out[key] = [a, b]
    return out


def group_key(config: Mapping[str, Any]) -> str:
    """The config without its seed keys, as canonical JSON: the same for every seed of one variant."""
    kept = {k: v for k, v in config.items() if k.split(".")[-1].lower() not in SEED_KEYS}
    return json.dumps(kept, sort_keys=True, default=str)
