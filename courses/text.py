"""Vietnamese text: NFC at the boundary, folding for search and filters, ASCII slugs.

Unicode decomposition strips the tone and vowel marks but leaves "đ/Đ" alone (it is a letter of
its own, not d plus a mark), so it is mapped explicitly.

The same name can arrive in two byte forms: composed (NFC, "ệ" is one code point, what most
keyboards send) or decomposed (NFD, "e" + two combining marks, what macOS and some Vietnamese
input methods send). Stored as typed, the two forms of one name would be two names for uniqueness,
sorting and ``icontains``. So text is composed (``nfc``) where it enters: every web request's form
and query parameters (``NFCInputMiddleware``, one place for every project form, every Wagtail edit
handler, the API's ``?search=`` and every list's search box) and every cell of an imported file
(``staff.imports.reader``). Rows stored before are normalised by data migrations.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.html import strip_tags
from django.utils.text import slugify

_EXTRA = str.maketrans({"đ": "d", "Đ": "d", "ð": "d"})


def nfc(text: str) -> str:
    """The composed (NFC) form of ``text``; cheap for text that already is (the common case)."""
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def nfc_value(value: Any) -> Any:
    """``nfc`` for a string, anything else (a number or date from a spreadsheet cell) unchanged."""
    return nfc(value) if isinstance(value, str) else value


# Secrets are compared byte for byte with what was set; recomposing them could lock someone out.
_VERBATIM_KEYS = re.compile(r"password|secret|token|otp|csrfmiddlewaretoken", re.IGNORECASE)


def _nfc_querydict(data: Any) -> Any:
    """``data`` itself when already composed, else an immutable composed copy (request.GET and POST are
    immutable QueryDicts; the stubs type them as a private subclass, hence ``Any``)."""
    if all(unicodedata.is_normalized("NFC", key) and all(unicodedata.is_normalized("NFC", v) for v in values)
           for key, values in data.lists()):
        return data  # nothing to do (nearly every request): keep Django's own object
    composed = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        composed.setlist(nfc(key), values if _VERBATIM_KEYS.search(key) else [nfc(v) for v in values])
    composed._mutable = False
    return composed


class NFCInputMiddleware:
    """Compose (NFC) the text of every request's query string and form body before any view reads it.

    Chosen over a form mixin or a model ``save()`` because it is the one place every typed text passes:
    project forms, Wagtail's page and snippet edit handlers, filter and search boxes (which never reach a
    model) and the public API, including forms added later by someone who never heard of NFD. Uploaded
    files are not touched here: the import reader composes their cells. Passwords and other secrets are
    left exactly as typed.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.GET = _nfc_querydict(request.GET)
        # Only the bodies Django parses itself; a JSON or other raw body is left for its view to read.
        if request.method == "POST" and request.content_type in ("application/x-www-form-urlencoded",
                                                                  "multipart/form-data"):
            request.POST = _nfc_querydict(request.POST)
        return self.get_response(request)


def nfc_stored_rows(model: Any, fields: tuple[str, ...], *, batch_size: int = 1000) -> int:
    """Compose (NFC) the given text columns of every stored row; return how many rows changed.

    For data migrations, on 100,000 officials: rows are read in primary-key pages of ``batch_size``
    (only the key and these columns), and only rows whose text changes are written, ``batch_size`` at a
    time. Paging by key rather than holding one cursor open lets the writes run between the reads on
    every database (SQLite included).
    """
    manager = model._default_manager
    last, changed = None, 0
    while True:
        page = manager.order_by("pk")
        if last is not None:
            page = page.filter(pk__gt=last)
        rows = list(page.values_list("pk", *fields)[:batch_size])
        if not rows:
            return changed
        last = rows[-1][0]
        updates = []
        for pk, *values in rows:
            composed = [nfc_value(value) for value in values]
            if composed != values:
                updates.append(model(pk=pk, **dict(zip(fields, composed, strict=True))))
        if updates:
            manager.bulk_update(updates, fields)
            changed += len(updates)


def fold(text: str | None) -> str:
    """Lower-case, without diacritics, with "đ" as "d": "Kỹ năng Đất đai" -> "ky nang dat dai"."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.translate(_EXTRA))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())


def ascii_slug(text: str | None) -> str:
    """A URL slug in plain ASCII: "Kỹ năng số" -> "ky-nang-so", "Đất đai" -> "dat-dai" (Django's own
    ``slugify`` drops "đ", which Unicode does not decompose, and would give "t-ai")."""
    return slugify(fold(text))


# Vietnamese letters by the ASCII letter a slug writes for them, for the editor's slug auto-fill
# (courses.models.slugs): Wagtail's JavaScript transliteration has no Vietnamese table.
VIETNAMESE_LETTERS = {
    "a": "àáảãạăằắẳẵặâầấẩẫậ", "d": "đ", "e": "èéẻẽẹêềếểễệ", "i": "ìíỉĩị",
    "o": "òóỏõọôồốổỗộơờớởỡợ", "u": "ùúủũụưừứửữự", "y": "ỳýỷỹỵ",
}


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
