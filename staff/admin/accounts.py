"""Placeholder: being written (invitation batches)."""

from django.http import Http404


def invitation_batches(request):
    raise Http404


def invitations_new(request):
    raise Http404


def invitation_batch(request, pk):
    raise Http404
