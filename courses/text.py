"""Vietnamese text folding, shared by search (pages and people) and filters.

Unicode decomposition strips the tone and vowel marks but leaves "đ/Đ" alone (it is a letter of
its own, not d plus a mark), so it is mapped explicitly.
"""

from __future__ import annotations

import unicodedata

_EXTRA = str.maketrans({"đ": "d", "Đ": "d", "ð": "d"})


def fold(text: str | None) -> str:
    """Lower-case, without diacritics, with "đ" as "d": "Kỹ năng Đất đai" -> "ky nang dat dai"."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.translate(_EXTRA))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())
