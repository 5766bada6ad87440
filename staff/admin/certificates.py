"""Wagtail admin for certificates: a scoped list, the detail, revoke (with a reason) and reissue.

Certificates are never edited, added or deleted by hand: only the services in
staff/services/certificates.py change them, so the viewset keeps only its list and inspect views and adds
revoke and reissue. Every object view looks the certificate up in ``certificates_in_scope`` first, so an
id outside the user's scope answers 404 whatever permissions the user holds.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django import forms
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, View
from wagtail.admin import messages
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.views.generic import InspectView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.widgets.button import Button

from courses.models import CourseSession
from staff.access import (
    AnyUser,
    AuthenticatedHttpRequest,
    certificates_in_scope,
    certificates_issued_by,
    organized_session_or_404,
)
from staff.admin.base import ScopedModelViewSet, _object_guard
from staff.admin.progress import export_job_state
from staff.filters import CertificateFilterSet
from staff.models import Certificate, CertificateStatus, ExportJob, ExportStatus
from staff.services.certificates import CertificateError, certificate_reissue, certificate_revoke
from staff.services.printing import PRINT_KIND, certificate_print_start, class_certificates_to_print
from training_site.admin_lists import CompactListMixin, ExportIndexView

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # a development requirement: for typing only


class CertificateIndexView(CompactListMixin, ExportIndexView):
    revoke_url_name: str | None = None
    reissue_url_name: str | None = None

    def get_list_more_buttons(self, instance: Certificate) -> list:
        buttons = super().get_list_more_buttons(instance)
        if instance.status != CertificateStatus.VALID:
            return buttons  # only the valid certificate may be printed, revoked or reissued
        buttons.append(MenuItem(_("Download PDF"), url=reverse("certificate_download", args=[instance.pk]),
                                icon_name="download", priority=5))
        if self.user_has_permission("change"):
            buttons.append(MenuItem(_("Revoke"), url=reverse(self.revoke_url_name, args=[instance.pk]),
                                    icon_name="cross", priority=40))
            buttons.append(MenuItem(_("Reissue"), url=reverse(self.reissue_url_name, args=[instance.pk]),
                                    icon_name="repeat", priority=41))
        return buttons


class CertificateInspectView(InspectView):
    """The certificate as issued, with nothing shown as "None": a blank field is "—" or left out, and
    the download, revoke and reissue actions under it for a valid certificate."""

    revoke_url_name: str | None = None
    reissue_url_name: str | None = None
    # Shown only once the certificate is no longer valid: on a valid one they would all be blank.
    WITHDRAWAL_FIELDS = ("revoked_at", "revoked_reason")

    def get_fields(self) -> list[str]:
        fields = [name for name in super().get_fields()
                  if self.object.status != CertificateStatus.VALID or name not in self.WITHDRAWAL_FIELDS]
        if self.object.replaces_id is None:
            fields = [name for name in fields if name != "replaces"]
        if getattr(self.object, "replaced_by", None) is not None:
            fields.append("replaced_by")
        return fields

    def setup(self, request, *args, **kwargs):
        # get_fields reads the object: load it first (the base class does it the other way round).
        View.setup(self, request, *args, **kwargs)
        self.pk = self.kwargs[self.pk_url_kwarg]
        self.object = self.get_object()
        self.fields = self.get_fields()

    def get_object(self, queryset=None) -> Certificate:
        found = (Certificate.objects.select_related("official", "organizer", "replaces", "replaced_by")
                 .filter(pk=self.pk).first())
        if found is None:
            raise Http404
        return found

    def get_field_label(self, field_name: str, field) -> str:
        if field_name == "replaced_by":
            return str(_("Replaced by"))
        return super().get_field_label(field_name, field)

    def get_field_display_value(self, field_name: str, field):
        certificate = self.object
        if field_name == "expires_on" and certificate.expires_on is None:
            return _("Does not expire")
        if field_name in ("replaces", "replaced_by"):
            other = getattr(certificate, field_name, None)
            return other.serial if other is not None else "—"
        if field_name == "revoked_at" and certificate.revoked_at is not None:
            return f"{timezone.localtime(certificate.revoked_at):%d/%m/%Y %H:%M}"
        value = super().get_field_display_value(field_name, field)
        if isinstance(value, dt.date):
            return f"{value:%d/%m/%Y}"
        if value is None or value == "":
            return "—"
        return value

    @cached_property
    def can_act(self) -> bool:
        """Revoking or reissuing is the issuer's act, never on one's own certificate (as the action views)."""
        return (self.object.status == CertificateStatus.VALID and self.user_has_permission("change")
                and certificates_issued_by(self.request.user).exclude(official__user=self.request.user)
                .filter(pk=self.object.pk).exists())

    def actions(self) -> list[Button]:
        if self.object.status != CertificateStatus.VALID:
            return []
        buttons = [Button(_("Download PDF"), url=reverse("certificate_download", args=[self.object.pk]),
                          icon_name="download", priority=5)]
        if self.can_act and self.revoke_url_name and self.reissue_url_name:
            buttons += [
                Button(_("Revoke"), url=reverse(self.revoke_url_name, args=[self.object.pk]), icon_name="cross",
                       priority=40),
                Button(_("Reissue"), url=reverse(self.reissue_url_name, args=[self.object.pk]), icon_name="repeat",
                       priority=41),
            ]
        return buttons

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["actions"] = self.actions()
        return context


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason for revocation"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 3}))


class ReissueForm(forms.Form):
    reason = forms.CharField(label=_("Reason for reissuing"), max_length=500, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))


class CertificateActionView(PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView):
    """A confirmation form on one certificate, for users allowed to change certificates."""

    model = Certificate
    permission_required = "change"
    template_name = "staff/admin/certificates/certificate_action.html"
    header_icon = "doc-full"
    index_url_name: str | None = None
    inspect_url_name: str | None = None
    submit_label: StrOrPromise = ""
    intro: StrOrPromise = ""
    request: AuthenticatedHttpRequest  # an admin view: only a signed-in user reaches it
    object: Certificate  # set by dispatch before anything else runs

    def dispatch(self, request, *args, **kwargs):
        # Scope before permission: an id outside the scope is a 404 for everyone, never a 403.
        # Revoking or reissuing is the issuer's act: only certificates their units issued, never one's own.
        certificate = (
            certificates_issued_by(request.user).exclude(official__user=request.user)
            .select_related("official", "organizer").filter(pk=kwargs["pk"]).first()
        )
        if certificate is None:
            raise Http404
        self.object = certificate
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self) -> str:
        return str(self.object)

    def get_breadcrumbs_items(self) -> list:
        return [*self.breadcrumbs_items, {"url": reverse(self.index_url_name), "label": _("Certificates")},
                {"url": "", "label": self.get_page_title(), "sublabel": self.get_page_subtitle()}]

    def get_context_data(self, **kwargs):
        return super().get_context_data(certificate=self.object, submit_label=self.submit_label, intro=self.intro,
                                         index_url=reverse(self.index_url_name), **kwargs)

    def act(self, reason: str) -> Certificate:
        raise NotImplementedError

    def form_valid(self, form):
        try:
            result = self.act(form.cleaned_data["reason"])
        except CertificateError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(self.request, self.success_message % {"serial": result.serial})
        if self.inspect_url_name:
            return HttpResponseRedirect(reverse(self.inspect_url_name, args=[result.pk]))
        return HttpResponseRedirect(reverse(self.index_url_name))


class CertificateRevokeView(CertificateActionView):
    form_class = RevokeForm
    page_title = _("Revoke certificate")
    submit_label = _("Revoke")
    intro = _("A revoked certificate shows as revoked on the public verification page. This cannot be undone.")
    success_message = _("Certificate %(serial)s has been revoked.")

    def act(self, reason: str) -> Certificate:
        return certificate_revoke(certificate=self.object, by=self.request.user, reason=reason)


class CertificateReissueView(CertificateActionView):
    form_class = ReissueForm
    page_title = _("Reissue certificate")
    submit_label = _("Reissue")
    intro = _("A new certificate with a new serial number is issued today; this one is marked as replaced.")
    success_message = _("Certificate %(serial)s has been issued.")

    def act(self, reason: str) -> Certificate:
        return certificate_reissue(certificate=self.object, by=self.request.user, reason=reason)


class CertificateViewSet(ScopedModelViewSet):
    model = Certificate
    name = "certificates"
    icon = "doc-full"
    menu_label = _("Certificates")
    menu_order = 250
    add_to_admin_menu = True
    inspect_view_enabled = True
    inspect_template_name = "staff/admin/certificates/certificate_inspect.html"
    copy_view_enabled = False
    base_index_view_class = CertificateIndexView
    list_display = ["serial", "official", "course_title", "issued_on", "expires_on", "status"]
    filterset_class = CertificateFilterSet
    search_fields = ["serial"]
    search_backend_name = None
    inspect_view_fields = ["serial", "official", "course_title", "credential_type", "periods", "start_date",
                           "end_date", "organizer", "issued_on", "expires_on", "status", "revoked_at",
                           "revoked_reason", "replaces"]
    list_export = ["serial", "official.employee_code", "official.full_name", "course_title",
                   "get_credential_type_display", "periods", "start_date", "end_date", "organizer.name",
                   "issued_on", "expires_on", "get_status_display"]
    export_headings = {"official.employee_code": _("Employee code"), "official.full_name": _("Full name"),
                       "get_credential_type_display": _("Type"), "organizer.name": _("Organizer unit"),
                       "get_status_display": _("Status")}
    export_filename = "chung-chi"

    def scope(self, user: AnyUser) -> QuerySet[Certificate]:
        return certificates_in_scope(user).select_related("official", "organizer")

    def get_common_view_kwargs(self, **kwargs):
        # No add, edit, copy or delete views: certificates change only through revoke and reissue.
        return super().get_common_view_kwargs(**{
            "add_url_name": None, "edit_url_name": None, "delete_url_name": None, "copy_url_name": None,
            "history_url_name": None, "usage_url_name": None, **kwargs,
        })

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(revoke_url_name=self.get_url_name("revoke"),
                                             reissue_url_name=self.get_url_name("reissue"), **kwargs)

    def _action_view(self, view_class: type[CertificateActionView]):
        return view_class.as_view(index_url_name=self.get_url_name("index"),
                                  inspect_url_name=self.get_url_name("inspect"))

    @cached_property
    def inspect_view_class(self) -> type:
        return _object_guard(CertificateInspectView, self)

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(revoke_url_name=self.get_url_name("revoke"),
                                               reissue_url_name=self.get_url_name("reissue"), **kwargs)

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path("revoke/<int:pk>/", self._action_view(CertificateRevokeView), name="revoke"),
            path("reissue/<int:pk>/", self._action_view(CertificateReissueView), name="reissue"),
        ]


# --- Printing a whole class ------------------------------------------------------------------------


def class_certificates_print(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Print every valid certificate of a class as one PDF, made in the background (POST starts it)."""
    session = organized_session_or_404(request.user, pk)
    if request.method == "POST":
        try:
            job = certificate_print_start(session=session, user=request.user)
        except CertificateError as exc:
            messages.error(request, str(exc))
        else:
            return redirect("staff_export_job", pk=job.pk)
    jobs = ExportJob.objects.filter(user=request.user, kind=PRINT_KIND, params__session=session.pk)[:10]
    return render(request, "staff/admin/certificates/class_print.html", {
        "page_title": _("Print the class's certificates"), "header_icon": "doc-full", "session": session,
        "count": class_certificates_to_print(session).count(),
        "jobs": [(job, export_job_state(job)) for job in jobs],
    })


def _own_print_job(request: AuthenticatedHttpRequest, pk: int) -> tuple[CourseSession, ExportJob]:
    """The requester's own print job and its class (still one the user organizes); anything else is a 404."""
    job = ExportJob.objects.filter(pk=pk, user=request.user, kind=PRINT_KIND).first()
    if job is None:
        raise Http404
    return organized_session_or_404(request.user, job.params.get("session")), job


def print_job_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A print job's page: its progress, kept up to date by static/js/progress.js, and the PDF when ready."""
    session, job = _own_print_job(request, pk)
    return render(request, "staff/admin/certificates/print_job.html", {
        "page_title": _("Printing certificates"), "header_icon": "doc-full", "session": session, "job": job,
        "progress": export_job_state(job), "status_url": reverse("staff_export_job_status", args=[job.pk]),
    })


def class_certificates_download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    _session, job = _own_print_job(request, pk)
    if job.status != ExportStatus.DONE or not job.file:
        raise Http404
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename or "chung-chi.pdf",
                        content_type="application/pdf")
