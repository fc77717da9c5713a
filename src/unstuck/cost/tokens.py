"""Offline token-count approximation: no tokenizer is downloaded at run time.

API bills count tokens of the provider's own tokenizer (BPE vocabularies of 50k–200k
pieces). unstuck does not ship or fetch those vocabularies; it approximates with the
rule of thumb the providers publish — **one token ≈ 4 characters of English text** —
refined so that it also holds for text that is not plain English prose:

- characters of CJK scripts, Hiragana/Katakana and Hangul count **one token each**
  (BPE vocabularies rarely merge them);
- every other run of characters counts ``ceil(chars / chars_per_token)`` with
  ``chars_per_token = 4`` by default;
- a non-empty text is at least one token.

This is an approximation (docs/cost.md records how it compares with a real
WordPiece tokenizer on real text); it is good enough for a cost curve whose other
inputs (volume growth, prices) are less certain.
When your logs carry the provider's exact counts (``usage.prompt_tokens``,
``usage.completion_tokens``), pass those fields instead: measured counts win.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

__all__ = ["CHARS_PER_TOKEN", "approx_tokens", "mean_tokens"]

#: Characters per token for alphabetic scripts (the providers' published rule of thumb).
CHARS_PER_TOKEN = 4.0

_ONE_TOKEN_EACH = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def approx_tokens(text: str, chars_per_token: float = CHARS_PER_TOKEN) -> int:
    """Approximate token count of ``text``: CJK characters 1 each, other characters ``ceil(n / chars_per_token)``.

    Examples
    --------
    >>> approx_tokens("abcdefgh")
    2
    >>> approx_tokens("abcdefghi")
    3
    >>> approx_tokens("")
    0
    """
    if chars_per_token <= 0:
        raise ValueError("chars_per_token must be > 0")
    if not text:
        return 0
    wide = len(_ONE_TOKEN_EACH.findall(text))
    rest = len(text) - wide
    return max(1, wide + math.ceil(rest / chars_per_token))


def mean_tokens(texts: Iterable[str], chars_per_token: float = CHARS_PER_TOKEN) -> float:
    """Mean of :func:`approx_tokens` over ``texts`` (0.0 for no texts)."""
    counts = [approx_tokens(t, chars_per_token) for t in texts]
    return sum(counts) / len(counts) if counts else 0.0
