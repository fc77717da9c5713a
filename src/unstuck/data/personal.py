"""Patterns of personal data (the sandbox rule: no sensitive data in a prototype), and masking.

Each kind is a regular expression, and where the format has a checksum, the
checksum too, so that random digit runs are not taken for card numbers:

* ``email``; ``phone`` (9–15 digits with separators or a leading +; dates have 8);
* ``card`` — 13–19 digits passing the Luhn check;
* ``iban`` — country code, check digits and BBAN passing ISO 13616 mod-97;
* ``ip_address`` — IPv4 dotted quads and full IPv6;
* ``national_id`` — US social security numbers (``123-45-6789``) and UK national
  insurance numbers (``AB123456C``).

``mask`` shows the first character and the last two (four for cards): values are
never shown in full.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["KINDS", "iban_ok", "luhn_ok", "mask", "matches"]


def luhn_ok(digits: str) -> bool:
    """The Luhn (mod 10) check of a card number given as digits only."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def iban_ok(text: str) -> bool:
    """ISO 13616 mod-97 check of an IBAN (spaces allowed)."""
    compact = text.replace(" ", "").upper()
    if not 15 <= len(compact) <= 34:
        return False
    moved = compact[4:] + compact[:4]
    number = "".join(str(int(ch, 36)) for ch in moved)
    return int(number) % 97 == 1


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _phone_ok(text: str) -> bool:
    return 9 <= len(_digits(text)) <= 15 and not _SSN.fullmatch(text)


_SSN = re.compile(r"\d{3}-\d{2}-\d{4}")


def _card_ok(text: str) -> bool:
    digits = _digits(text)
    return 13 <= len(digits) <= 19 and len(set(digits)) > 1 and luhn_ok(digits)


#: kind → (pattern, validator of one match, whether one hit is enough for a warning)
KINDS: dict[str, tuple[re.Pattern[str], Callable[[str], bool] | None, bool]] = {
    "email": (re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"), None, True),
    "card": (re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])"), _card_ok, True),
    "iban": (re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b"), iban_ok, True),
    "national_id": (re.compile(r"\b\d{3}-\d{2}-\d{4}\b|\b[A-CEGHJ-PR-TW-Z]{2}\d{6}[A-D]\b"), None, True),
    "phone": (
        re.compile(r"(?<![\w.])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]\d{2,4}){1,3}(?![\w.])"),
        _phone_ok,
        False,
    ),
    "ip_address": (
        re.compile(
            r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\d.])"
            r"|\b(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}\b"
        ),
        None,
        False,
    ),
}


def matches(kind: str, text: str) -> list[str]:
    """The substrings of ``text`` that are personal data of ``kind`` (pattern and checksum)."""
    pattern, valid, _ = KINDS[kind]
    return [m.group(0) for m in pattern.finditer(text) if valid is None or valid(m.group(0))]


def mask(value: str, kind: str = "") -> str:
    """``value`` with all but its first character and last two (cards: four) replaced by ``*``."""
    keep = 4 if kind == "card" else 2
    if len(value) <= keep + 1:
        return "*" * len(value)
    return value[0] + "*" * (len(value) - 1 - keep) + value[-keep:]
