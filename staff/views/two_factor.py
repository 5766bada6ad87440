"""Placeholder: being written."""

from django.http import Http404


def two_factor_setup(request, *args, **kwargs):
    raise Http404


def two_factor_verify(request, *args, **kwargs):
    raise Http404


def two_factor_recovery(request, *args, **kwargs):
    raise Http404
