"""Certificates on the public site: verification by anyone (no login) and download by those allowed.

The verification page is reached by the unguessable code in the QR, never by the serial: serials run
in sequence, so looking up by serial would let anyone walk through everybody's certificates.
"""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from staff.access import AuthenticatedHttpRequest, certificates_in_scope, get_in_scope_or_404
from staff.models import Certificate, CertificateStatus
from staff.pdf.certificates import certificate_filename, certificate_pdf

CODE_MAX_LENGTH = 40


def _noindex(response: HttpResponse) -> HttpResponse:
    # Names on these pages must not end up in search engines, even when someone posts a link.
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_GET
@never_cache  # a revocation must show at once, not after a cache expires
def certificate_verify(request: HttpRequest, code: str) -> HttpResponse:
    certificate = (
        Certificate.objects.select_related("official", "organizer", "replaced_by")
        .filter(verification_code=code).first()
    )
    if certificate is None:
        raise Http404
    replacement = getattr(certificate, "replaced_by", None) if certificate.status == CertificateStatus.REPLACED \
        else None
    return _noindex(render(request, "staff/certificates/certificate_verify.html", {
        "certificate": certificate, "state": certificate.state(), "replacement": replacement,
    }))


@require_GET
def certificate_verify_form(request: HttpRequest) -> HttpResponse:
    """A form to type the code printed under the QR; works without JavaScript (plain GET)."""
    code = "".join(request.GET.get("code", "").split())
    # A pasted verification address works too: its last path segment is the code.
    code = code.rstrip("/").rsplit("/", 1)[-1][:CODE_MAX_LENGTH] if code else ""
    error = ""
    if code:
        if Certificate.objects.filter(verification_code=code).exists():
            return redirect("certificate_verify", code=code)
        error = _("No certificate has this verification code. Check the code and try again.")
    elif "code" in request.GET:
        # Submitted empty (or only spaces): say what to type instead of showing the same form again.
        error = _("Type the verification code printed under the QR code of the certificate (letters, digits, "
                  "“-” and “_”), or paste the address the QR code opens.")
    return _noindex(render(request, "staff/certificates/certificate_verify.html", {"form_only": True, "code": code,
                                                                      "error": error}))


@login_required
@require_GET
def certificate_download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """The certificate's PDF for its owner, the HR in whose scope the official is, or the issuing organizer.

    Anything else is a 404, as is a revoked or replaced certificate (only the valid one may be printed).
    """
    certificate = get_in_scope_or_404(
        certificates_in_scope(request.user).filter(status=CertificateStatus.VALID).select_related(
            "official", "organizer"),
        pk=pk,
    )
    return FileResponse(io.BytesIO(certificate_pdf(certificate)), as_attachment=True,
                        filename=certificate_filename(certificate), content_type="application/pdf")
