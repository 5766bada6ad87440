"""Wagtail admin for certificates: a scoped list, the detail, revoke (with a reason) and reissue.

Certificates are never edited, added or deleted by hand: only the services in
staff/services/certificates.py change them, so the viewset keeps only its list and inspect views and adds
revoke and reissue. Every object view looks the certificate up in ``certificates_in_scope`` first, so an
id outside the user's scope answers 404 whatever permissions the user holds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.db.models import QuerySet
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin

from staff.access import AnyUser, AuthenticatedHttpRequest, certificates_in_scope, certificates_issued_by
from staff.admin.base import ScopedModelViewSet
from staff.filters import CertificateFilterSet
from staff.models import Certificate, CertificateStatus
from staff.services.certificates import CertificateError, certificate_reissue, certificate_revoke
from training_site.admin_lists import ExportIndexView

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # a development requirement: for typing only


class CertificateIndexView(ExportIndexView):
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
        return view_class.as_view(index_url_name=self.get_url_name("index"))

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path("revoke/<int:pk>/", self._action_view(CertificateRevokeView), name="revoke"),
            path("reissue/<int:pk>/", self._action_view(CertificateReissueView), name="reissue"),
        ]
