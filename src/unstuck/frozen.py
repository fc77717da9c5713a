"""Read-only containers for the frozen dataclasses that carry a diagnosis.

A frozen dataclass refuses ``report.sections = {}`` but not ``report.sections["a"] = {}``: its
dict and list fields stay writable. :func:`frozen` copies such a value into read-only containers
all the way down (a mapping into a :class:`ReadOnlyDict`, a list or tuple into a
:class:`ReadOnlyList`, a NumPy array into a read-only copy), and :func:`thawed` turns it back into
plain dicts and lists where it is written as JSON (a tuple and a list are written alike, so the
bytes do not change).

:class:`ReadOnlyFrames` hands a problem's tables to the checks so that no check can write into
the table the next check reads.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CopiedTable", "ReadOnlyDict", "ReadOnlyFrames", "ReadOnlyList", "frozen", "thawed"]

K = TypeVar("K")
V = TypeVar("V")


class ReadOnlyDict(Mapping[K, V]):
    """A mapping no caller can change: a read-only view (``MappingProxyType``) of a private copy,
    whose values are made read-only too (:func:`frozen`).

    Unlike a bare ``MappingProxyType`` it pickles and deep-copies (``dataclasses.asdict`` deep-copies
    what is not a dict, list or tuple), and like it, it compares equal to a dict with the same items.
    """

    __slots__ = ("_items",)
    _items: Mapping[K, V]

    def __init__(self, items: Mapping[K, V] | Iterable[tuple[K, V]] = ()) -> None:
        pairs = items.items() if isinstance(items, Mapping) else items
        object.__setattr__(self, "_items", MappingProxyType({key: frozen(value) for key, value in pairs}))

    def __getitem__(self, key: K) -> V:
        return self._items[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"ReadOnlyDict({dict(self._items)!r})"

    def __or__(self, other: Mapping[K, V]) -> dict[K, V]:
        """A new plain dict, as ``MappingProxyType | dict`` gives: the way to build a changed copy."""
        return {**self._items, **other}

    def __ror__(self, other: Mapping[K, V]) -> dict[K, V]:
        return {**other, **self._items}

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError(f"a ReadOnlyDict cannot be changed (setting {name!r})")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError(f"a ReadOnlyDict cannot be changed (deleting {name!r})")

    def __reduce__(self) -> tuple[type[ReadOnlyDict[K, V]], tuple[dict[K, V]]]:
        return (type(self), (dict(self._items),))


class ReadOnlyList(tuple[Any, ...]):
    """A list no caller can change: a tuple that also compares equal to a list of the same items.

    So ``finding.evidence["rows"] == [3, 4]`` holds as it did when the evidence held a list;
    ``json`` writes it as a list.
    """

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, list):
            return tuple(self) == tuple(other)
        return tuple.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        # Defined as well: a tuple's own ``!=`` would not know a list, and Python would fall back on identity.
        if isinstance(other, list):
            return tuple(self) != tuple(other)
        return tuple.__ne__(self, other)

    __hash__ = tuple.__hash__


def frozen(value: Any) -> Any:
    """``value`` with every dict, list and NumPy array in it replaced by a read-only copy.

    Mappings become :class:`ReadOnlyDict`, lists and tuples :class:`ReadOnlyList`, arrays read-only copies;
    anything else (numbers, strings, None, dataclass instances) is kept as it is.
    """
    if isinstance(value, ReadOnlyDict):
        return value  # read-only all the way down already
    if isinstance(value, Mapping):
        return ReadOnlyDict(value)
    if isinstance(value, (list, tuple)):
        return ReadOnlyList(frozen(item) for item in value)
    numpy = sys.modules.get("numpy")  # no array exists before NumPy is imported
    if numpy is not None and isinstance(value, numpy.ndarray):
        copy = value.copy()
        copy.flags.writeable = False
        return copy
    return value


def thawed(value: Any) -> Any:
    """``value`` with read-only mappings and tuples turned back into plain dicts and lists, for JSON."""
    if isinstance(value, Mapping):
        return {key: thawed(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [thawed(item) for item in value]
    return value


class ReadOnlyFrames(Mapping[str, "pd.DataFrame"]):
    """Split name → table; each table is handed out as a copy that cannot write back.

    Every check reads the same problem: a check that writes into a table it was given
    (``frame["x"] = ...``, ``frame.loc[...] = ...``, an ``inplace=True`` method) must not change
    what the next check reads. Under pandas copy-on-write (always on from pandas 3)
    ``copy(deep=False)`` is such a copy at no cost: it shares the columns until one side
    writes, and then only the writer copies what it changes, so a table of a million rows is
    not copied on each access (a shallow copy costs some microseconds). Without copy-on-write
    (pandas 2, unless its user turned the option on) a shallow copy writes through, so there
    each access copies the whole table: sound, and slower. unstuck does not turn the option on
    itself: it is global, and would change how the caller's own pandas code behaves.
    """

    __slots__ = ("_frames",)
    _frames: Mapping[str, pd.DataFrame]

    def __init__(self, frames: Mapping[str, pd.DataFrame] | None = None) -> None:
        # Wrapping a ReadOnlyFrames again (dataclasses.replace) keeps its tables, not copies of them.
        tables = frames._frames if isinstance(frames, ReadOnlyFrames) else dict(frames or {})
        object.__setattr__(self, "_frames", MappingProxyType(dict(tables)))

    def __getitem__(self, split: str) -> pd.DataFrame:
        frame = self._frames[split]
        return frame.copy(deep=not _copy_on_write())

    def __iter__(self) -> Iterator[str]:
        return iter(self._frames)

    def __len__(self) -> int:
        return len(self._frames)

    def __repr__(self) -> str:
        shapes = ", ".join(f"{split!r}: {len(frame)} rows" for split, frame in self._frames.items())
        return f"ReadOnlyFrames({{{shapes}}})"

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError(f"ReadOnlyFrames cannot be changed (setting {name!r})")

    def __reduce__(self) -> tuple[type[ReadOnlyFrames], tuple[dict[str, pd.DataFrame]]]:
        return (type(self), (dict(self._frames),))


@cache
def _pandas_major() -> int:
    import pandas as pd

    return int(pd.__version__.split(".")[0])


class CopiedTable:
    """A frozen dataclass's field holding one table (or None), handed out as a copy that cannot
    write back, for the reason and at the cost :class:`ReadOnlyFrames` gives for each split.

    Set on the class after ``@dataclass`` (``setattr(Cls, "name", CopiedTable("name"))``): the
    generated ``__init__`` stores the value through :meth:`__set__`, and every read, also
    ``dataclasses.replace``'s and ``==``'s, goes through :meth:`__get__`. The stored table lives in
    the instance's ``__dict__`` under the field's own name, so the instance pickles as before.
    """

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        if instance is None:
            return self
        frame = instance.__dict__.get(self.name)
        return None if frame is None else frame.copy(deep=not _copy_on_write())

    def __set__(self, instance: object, value: Any) -> None:
        if self.name in instance.__dict__:  # set once, by __init__: the dataclass is frozen
            from dataclasses import FrozenInstanceError

            raise FrozenInstanceError(f"cannot assign to field {self.name!r}")
        instance.__dict__[self.name] = value


def _copy_on_write() -> bool:
    """Whether pandas copies on write: always from pandas 3, in pandas 2 only when its user turned it on."""
    if _pandas_major() >= 3:
        return True  # the option is deprecated there (reading it warns): copy-on-write cannot be turned off
    import pandas as pd

    return pd.get_option("mode.copy_on_write") is True
