"""Vietnamese text folding, shared by search (pages and people) and filters.

Unicode decomposition strips the tone and vowel marks but leaves "đ/Đ" alone (it is a letter of
its own, not d plus a mark), so it is mapped explicitly.
"""

from __future__ import annotations

import unicodedata

from django.utils.html import strip_tags

_EXTRA = str.maketrans({"đ": "d", "Đ": "d", "ð": "d"})


def fold(text: str | None) -> str:
    """Lower-case, without diacritics, with "đ" as "d": "Kỹ năng Đất đai" -> "ky nang dat dai"."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.translate(_EXTRA))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())


def stream_text(stream) -> str:
    """The plain text of a StreamField, for the search index: rich text without its tags, plain
    strings, and the text fields of struct blocks (a step's title and description, a contact)."""

    texts: list[str] = []
    for block in stream:
        value = block.value
        if hasattr(value, "source"):
            texts.append(strip_tags(value.source))
        elif isinstance(value, str):
            texts.append(value)
        elif hasattr(value, "items"):
            texts.extend(strip_tags(getattr(v, "source", v)) for _k, v in value.items()
                         if isinstance(v, str) or hasattr(v, "source"))
    return " ".join(texts)
