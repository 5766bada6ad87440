"""Placeholder: being written."""

from django.http import Http404


def lockouts(request, *args, **kwargs):
    raise Http404


def lockout_unlock(request, *args, **kwargs):
    raise Http404
