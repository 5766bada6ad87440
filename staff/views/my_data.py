"""Placeholder: being written."""

from django.http import Http404


def my_data(request, *args, **kwargs):
    raise Http404


def my_data_json(request, *args, **kwargs):
    raise Http404


def my_data_pdf(request, *args, **kwargs):
    raise Http404
