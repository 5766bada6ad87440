"""Placeholder: being written."""

from django.http import Http404


def two_factor_list(request, *args, **kwargs):
    raise Http404


def two_factor_reset(request, *args, **kwargs):
    raise Http404
