"""The arguments a public entry point accepts, declared as a table, and the one check of them.

Each entry point (``unstuck.diagnose`` and ``load_problem`` in :mod:`unstuck.parameters`, the command
learning curve, the cost functions, the try-out) declares what each argument accepts (type, choices,
range), a valid call and the command-line flag that sets it, and checks what it is given with
:func:`check_arguments` before doing any work: a value of the wrong type or out of range gets an
:class:`~unstuck.errors.ConfigError` naming the argument, its flag, the value, what it accepts and a
fix, instead of a ``TypeError`` or ``ValueError`` from deep inside. Every message is built here, in
one shape, so that the Python caller and the command line read the same words.
"""

from __future__ import annotations

import difflib
import math
import numbers
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

from unstuck.errors import ConfigError

__all__ = [
    "MAX_SEED",
    "Parameter",
    "check_arguments",
    "is_flag",
    "is_logs",
    "is_names",
    "is_number",
    "is_numbers",
    "is_path",
    "is_table",
    "is_text",
    "is_whole",
    "is_wholes",
]

#: Seeds feed NumPy, scikit-learn and LightGBM alike; NumPy's legacy seeding takes 32 bits.
MAX_SEED = 2**32 - 1


@dataclass(frozen=True)
class Parameter:
    """One option: ``accepts`` says whether a value has the right type, ``expected`` says it in words.

    ``choices`` (when not empty) are its only values. ``low``/``high`` bound a number, or each number of
    a list: inclusive, unless ``low_open``/``high_open`` (then the bound itself is refused). ``example``
    is a valid call shown in the fix; ``flag`` is how the command line sets it (``--seed``), when it does.
    """

    name: str
    expected: str
    accepts: Callable[[Any], bool]
    example: str
    choices: tuple[str, ...] = ()
    low: int | float | None = None
    high: int | float | None = None
    low_open: bool = False
    high_open: bool = False
    flag: str | None = None

    @property
    def called(self) -> str:
        """The argument as every message names it: ``seed (--seed)``, or ``seed`` when no flag sets it."""
        return f"{self.name} ({self.flag})" if self.flag else self.name

    @property
    def bounds(self) -> str | None:
        """The range in words (``from 0 to 1``, ``more than 0 and at most 1``), or None when unbounded."""
        low, high = self.low, self.high
        if low is not None and high is not None and not (self.low_open or self.high_open):
            return f"from {low:,} to {high:,}"
        parts = []
        if low is not None:
            parts.append(f"{'more than' if self.low_open else 'at least'} {low:,}")
        if high is not None:
            parts.append(f"{'less than' if self.high_open else 'at most'} {high:,}")
        return " and ".join(parts) or None

    def within(self, number: Any) -> bool:
        """Whether one number lies in the range."""
        low, high = self.low, self.high
        if low is not None and (number <= low if self.low_open else number < low):
            return False
        return high is None or (number < high if self.high_open else number <= high)


def is_text(value: Any) -> bool:
    return isinstance(value, str)


def is_whole(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)  # NumPy's integers too


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def is_frame(value: Any) -> bool:
    pandas = sys.modules.get("pandas")  # a DataFrame can only exist once pandas is imported
    return pandas is not None and isinstance(value, pandas.DataFrame)


def is_table(value: Any) -> bool:
    return isinstance(value, str | os.PathLike) or is_frame(value)


def is_names(value: Any) -> bool:
    return isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)


def is_logs(value: Any) -> bool:
    return isinstance(value, list | tuple)  # each item is read (and checked) by the training-log readers


def is_flag(value: Any) -> bool:
    return isinstance(value, bool)


def is_path(value: Any) -> bool:
    return isinstance(value, str | os.PathLike)


def is_numbers(value: Any) -> bool:
    """A list or tuple of finite numbers (whether it may be empty is the entry point's to say)."""
    return isinstance(value, list | tuple) and all(is_number(v) for v in value)


def is_wholes(value: Any) -> bool:
    """A list or tuple of whole numbers (whether it may be empty is the entry point's to say)."""
    return isinstance(value, list | tuple) and all(is_whole(v) for v in value)


def check_arguments(values: Mapping[str, Any], table: Mapping[str, Parameter], *, entry: str) -> None:
    """Raise :class:`ConfigError` for the first argument of ``values`` that ``table`` refuses.

    ``None`` means "not given" and is always accepted; ``entry`` names the function in messages. A bound
    applies to a number, and to each number of a list.
    """
    for name, value in values.items():
        parameter = table.get(name)
        if parameter is None:
            raise ConfigError(f"{entry}() has no option '{name}'.", _suggest(name, tuple(table), "Its options are"))
        if value is None:
            continue
        if not parameter.accepts(value):
            _refuse(parameter, value, f"but it must be {parameter.expected}", f"Pass it as, e.g., {parameter.example}.")
        if parameter.choices and value not in parameter.choices:
            hint = _suggest(value, parameter.choices, f"The {name} is one of")
            _refuse(parameter, value, "which is not one of its choices", hint)
        numbers = value if isinstance(value, list | tuple) else [value]
        if parameter.bounds is not None and not all(parameter.within(v) for v in numbers):
            _refuse(
                parameter,
                value,
                f"outside its range ({parameter.bounds})",
                f"Pass a value in range, e.g. {parameter.example}.",
            )


def _refuse(parameter: Parameter, value: Any, why: str, hint: str) -> NoReturn:
    """The one shape of a refusal: the argument (and its flag), the value, why, and the fix."""
    raise ConfigError(f"The option {parameter.called} is {_show(value)}, {why}.", hint)


def _suggest(value: str, choices: tuple[str, ...], lead: str) -> str:
    close = difflib.get_close_matches(value, choices, n=1)
    guess = f"Did you mean '{close[0]}'? " if close else ""
    return f"{guess}{lead}: {', '.join(choices)}."


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"a {type(value).__name__}"
