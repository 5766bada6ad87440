"""Paging helpers shared by the catalog and the practice index."""

from __future__ import annotations

from django.http import HttpRequest


def query_without_page(request: HttpRequest) -> str:
    """The request's query string without ``page``: what the page links keep (filters, search)."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
