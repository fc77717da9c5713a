"""Read-only containers for the frozen dataclasses that carry a diagnosis.

A frozen dataclass refuses ``report.sections = {}`` but not ``report.sections["a"] = {}``: its
dict and list fields stay writable. :func:`frozen` copies such a value into read-only containers
all the way down (a mapping into a :class:`ReadOnlyDict`, a list or tuple into a tuple, a NumPy
array into a read-only copy), and :func:`thawed` turns it back into plain dicts and lists where
it is written as JSON (a tuple and a list are written alike, so the bytes do not change).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any, NoReturn, TypeVar

__all__ = ["ReadOnlyDict", "frozen", "thawed"]

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


def frozen(value: Any) -> Any:
    """``value`` with every dict, list and NumPy array in it replaced by a read-only copy.

    Mappings become :class:`ReadOnlyDict`, lists and tuples tuples, arrays read-only copies;
    anything else (numbers, strings, None, dataclass instances) is kept as it is.
    """
    if isinstance(value, ReadOnlyDict):
        return value  # read-only all the way down already
    if isinstance(value, Mapping):
        return ReadOnlyDict(value)
    if isinstance(value, (list, tuple)):
        return tuple(frozen(item) for item in value)
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
