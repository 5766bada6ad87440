"""Search backend that folds Vietnamese: configured as ``WAGTAILSEARCH_BACKENDS["default"]``.

The indexed side is folded by the models (each searchable page type indexes a ``search_text``
method that returns folded text); this backend folds the query side, so every caller — the
catalog, the public API v2, the admin — gets "ky nang" → "Kỹ năng" and "dat dai" → "Đất đai"
without remembering to. It wraps whichever database backend modelsearch picks for the connection
(SQLite FTS5, PostgreSQL full text, or the plain fallback).
"""

from __future__ import annotations

from typing import Any

from modelsearch.backends.base import BaseSearchBackend
from modelsearch.backends.database import SearchBackend as database_backend_for_connection  # noqa: N813
from modelsearch.query import PlainText

from courses.text import fold


def _fold_query(query: Any) -> Any:
    if isinstance(query, str):
        return fold(query)
    if isinstance(query, PlainText):
        return PlainText(fold(query.query_string), operator=query.operator, boost=query.boost)
    return query


class FoldingSearchMixin(BaseSearchBackend):
    """Put before one of modelsearch's database backends, which all derive from ``BaseSearchBackend``: the
    method order is the same, and ``super()`` is the backend's own search."""

    # "ky nang" means both words, not either: the default operator is AND.
    def search(self, query, model_or_queryset, fields=None, operator=None, order_by_relevance=True):
        return super().search(_fold_query(query), model_or_queryset, fields=fields,
                              operator=operator or "and", order_by_relevance=order_by_relevance)

    def autocomplete(self, query, model_or_queryset, fields=None, operator=None, order_by_relevance=True):
        return super().autocomplete(_fold_query(query), model_or_queryset, fields=fields,
                                    operator=operator or "and", order_by_relevance=order_by_relevance)


_folding_classes: dict[type, type] = {}


def SearchBackend(params: dict[str, Any]):  # noqa: N802 - the name modelsearch looks for
    # modelsearch chooses the class from the connection's vendor; fold on top of whichever it is.
    base = type(database_backend_for_connection(params))
    if base not in _folding_classes:
        _folding_classes[base] = type(f"Folding{base.__name__}", (FoldingSearchMixin, base), {})
    return _folding_classes[base](params)
