"""Certificates as PDF, through the project's one renderer (staff.pdf.render.render_pdf).

The QR code is a PNG inside a data: URI. xhtml2pdf decodes data: URIs itself, so the renderer's resource
policy (no network, no file outside static/) stays as strict as it is: nothing is fetched for the QR. The PNG
is segno's, with its mask fixed (QR_MASK); a class is one query (``certificates_pdf`` joins the
official and the organizer) and one xhtml2pdf run, so nothing is read again per certificate.
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
# segno picks the best of eight masks by scoring each one module by module in Python: 5 of the 7.5 ms a QR code
# takes, a fifth of a certificate page. Any mask makes a valid code that readers decode (tests/qr.py reads it
# back); mask 3 is a plain diagonal one. Fixed, a class of 200 prints a second faster.
QR_MASK = 3


def verification_url(certificate: Certificate) -> str:
    """The absolute public address that says whether this certificate is valid (what the QR holds)."""
    path = reverse("certificate_verify", kwargs={"code": certificate.verification_code})
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def qr_code(url: str) -> segno.QRCode:
    # A full QR code (never a Micro QR, which most phone readers ignore), medium error correction.
    return segno.make_qr(url, error="m", mask=QR_MASK)


def qr_data_uri(url: str) -> str:
    """The PNG printed on the certificate, QR_SCALE pixels a module."""
    return qr_code(url).png_data_uri(scale=QR_SCALE)


def certificates_pdf(certificates: Iterable[Certificate]) -> bytes:
    """One document, one A4 landscape page per certificate (to print a whole class at once)."""
    if isinstance(certificates, QuerySet):
        certificates = certificates.select_related("official", "organizer")
    items = []
    for certificate in certificates:
        url = verification_url(certificate)
        items.append({"certificate": certificate, "verification_url": url,
                      "qr": qr_data_uri(url)})
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
