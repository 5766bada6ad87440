"""Certificates as PDF, through the project's one renderer (staff.pdf.render.render_pdf).

The QR code is a PNG inside a data: URI. xhtml2pdf decodes data: URIs itself, so the renderer's resource
policy (no network, no file outside static/) stays as strict as it is: nothing is fetched for the QR.
"""

from __future__ import annotations

from collections.abc import Iterable

import segno
from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import translation

from staff.models import Certificate
from staff.pdf.render import render_pdf

# Pixels per QR module: 4 px at 96 px/in on paper is about 1 mm a module, which phone cameras read easily.
QR_SCALE = 4


def verification_url(certificate: Certificate) -> str:
    """The absolute public address that says whether this certificate is valid (what the QR holds)."""
    path = reverse("certificate_verify", kwargs={"code": certificate.verification_code})
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def qr_code(url: str) -> segno.QRCode:
    # A full QR code (never a Micro QR, which most phone readers ignore), medium error correction.
    return segno.make_qr(url, error="m")


def certificates_pdf(certificates: Iterable[Certificate]) -> bytes:
    """One document, one A4 landscape page per certificate (to print a whole class at once)."""
    if isinstance(certificates, QuerySet):
        certificates = certificates.select_related("official", "organizer")
    items = []
    for certificate in certificates:
        url = verification_url(certificate)
        items.append({"certificate": certificate, "verification_url": url,
                      "qr": qr_code(url).png_data_uri(scale=QR_SCALE)})
    if not items:
        raise ValueError("no certificate to render")
    # A certificate is an official Vietnamese document whatever language the person asking reads.
    with translation.override("vi"):
        return render_pdf("certificate.html", {"items": items})


def certificate_pdf(certificate: Certificate) -> bytes:
    return certificates_pdf([certificate])


def certificate_filename(certificate: Certificate) -> str:
    """The download name, diacritics kept (sent as RFC 5987 ``filename*``): "Nguyễn Văn A – TTBD-2026-00001.pdf"."""
    name = " ".join(certificate.official.full_name.replace("/", " ").split())
    return f"{name} – {certificate.serial}.pdf"
