"""Admin for sign-in accounts: send invitations to a filtered list of officials (or to everyone an import
created) and watch the batches go out."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from staff.access import AuthenticatedHttpRequest, is_city_hr, officials_managed_by, require_hr
from staff.filters import OfficialFilterSet, search_officials
from staff.models import AuditAction, AuditEntry, BatchStatus, Channel, InvitationBatch, Official
from staff.services.accounts import invitations_start

# Filters of the officials list that travel to the invitation form (the list's own query string).
SELECTION_KEYS = ("q", "unit", "category", "rank", "status", "job_position", "below_requirement", "account")


class InvitationForm(forms.Form):
    channel = forms.ChoiceField(label=gettext_lazy("Send by"), choices=Channel.choices, initial=Channel.EMAIL,
                                widget=forms.RadioSelect)


def selected_officials(request: AuthenticatedHttpRequest, params: QueryDict) -> tuple[QuerySet[Official], str]:
    """The officials the form names, within the HR officer's own units, and a description for the batch."""
    officials = officials_managed_by(request.user)
    import_entry = params.get("import")
    if import_entry:
        entry = AuditEntry.objects.filter(pk=import_entry, action=AuditAction.IMPORT).first()
        created = (entry.detail or {}).get("officials_created") if entry is not None else None
        if entry is None or not created or (entry.user_id != request.user.pk and not is_city_hr(request.user)):
            raise Http404
        first, last = (dt.datetime.fromisoformat(stamp) for stamp in created)
        return (officials.filter(created_at__range=(first, last)),
                _("New officials of the import %(file)s") % {"file": entry.detail.get("filename", "")})
    data = QueryDict(mutable=True)
    for key in SELECTION_KEYS:
        value = params.get(key)
        if isinstance(value, str) and value:
            data[key] = value
    filterset = OfficialFilterSet(data, queryset=officials, request=request)
    selection = filterset.qs if filterset.is_valid() else officials.none()
    if query := data.get("q"):
        selection = search_officials(selection, str(query))
    return selection, described(filterset, data)


def described(filterset: OfficialFilterSet, data: QueryDict) -> str:
    """The filters in words, as HR chose them: "Đơn vị (và cấp dưới): Phường Khương Đình; Tìm: “Hải”"."""
    if not filterset.is_valid():
        return _("an invalid selection (nobody)")
    parts = []
    for key, field in filterset.form.fields.items():
        value = filterset.form.cleaned_data.get(key)
        if key not in data or value in (None, ""):
            continue
        elif isinstance(value, bool):
            parts.append(f"{field.label}: {_('Yes') if value else _('No')}")
        else:
            choices = dict(getattr(field, "choices", ()) or ()) if isinstance(value, str) else {}
            parts.append(f"{field.label}: {choices.get(value, value)}")
    if query := data.get("q"):
        parts.append(_("Search: “%(text)s”") % {"text": query})
    return "; ".join(parts) or _("all officials in my units")


def invitations_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """GET: how many officials the selection holds and how many still need an invitation; POST: send."""
    require_hr(request.user)
    params = request.POST if request.method == "POST" else request.GET
    officials, description = selected_officials(request, params)
    form = InvitationForm(request.POST if "channel" in request.POST else None)
    if request.method == "POST" and form.is_valid():
        batch = invitations_start(by=request.user, officials=officials, channel=form.cleaned_data["channel"],
                                  description=description)
        return redirect("staff_invitation_batch", pk=batch.pk)
    counts = {
        "selected": officials.count(),
        "with_email": officials.exclude(email="").count(),
        "with_phone": officials.exclude(phone_key="").count(),
        "activated": officials.exclude(user=None).exclude(user__password__startswith="!").count(),
    }
    hidden = [(key, params[key]) for key in (*SELECTION_KEYS, "import") if params.get(key)]
    return render(request, "staff/admin/accounts/invitations_new.html", {
        "form": form, "counts": counts, "hidden": hidden, "description": description,
        "page_title": _("Send invitations"), "header_icon": "mail"})


def _batches_for(request: AuthenticatedHttpRequest) -> QuerySet[InvitationBatch]:
    require_hr(request.user)
    batches = InvitationBatch.objects.select_related("created_by")
    return batches if is_city_hr(request.user) else batches.filter(created_by=request.user)


def invitation_batches(request: AuthenticatedHttpRequest) -> HttpResponse:
    batches = _batches_for(request)[:50]
    return render(request, "staff/admin/accounts/batches.html", {
        "batches": batches, "page_title": _("Invitations"), "header_icon": "mail"})


def invitation_batch(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(_batches_for(request), pk=pk)
    failures = batch.invitations.filter(status="failed").select_related("official")[:50]
    running = batch.status in (BatchStatus.QUEUED, BatchStatus.RUNNING)
    return render(request, "staff/admin/accounts/batch.html", {
        "batch": batch, "failures": failures, "running": running,
        "percent": round(100 * batch.done / batch.total) if batch.total else 100,
        "page_title": _("Invitations of %(date)s") % {"date": batch.created_at.strftime("%d/%m/%Y %H:%M")},
        "header_icon": "mail"})
