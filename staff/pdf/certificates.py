"""Certificates as PDF, through the project's one renderer (staff.pdf.render.render_pdf).

The QR code is a PNG inside a data: URI. xhtml2pdf decodes data: URIs itself, so the renderer's resource
policy (no network, no file outside static/) stays as strict as it is: nothing is fetched for the QR. The PNG
is segno's, with its mask fixed (QR_MASK); a class is one query (``certificates_pdf`` joins the
official and the organizer) and one xhtml2pdf run, so nothing is read again per certificate.

Why the QR code is not simply ``segno.make_qr(url).png_data_uri()``. Both halves of that are pure Python and
cost 2.9 ms a certificate, most of a class's time outside xhtml2pdf: placing the message in the matrix and
masking it visit every module through a function call, and the PNG writer packs its bits one lambda at a
time. Every certificate of a printing process has the same version, error level and mask, so where each
message bit lands and what the function patterns and the mask look like are worked out once per symbol
layout, by segno's own placement code (``_symbol_layout``); a code is then its message bits (segno's
encoding and error correction) gathered into place and XORed with that layout. The PNG is written with
whole-row operations. Both give exactly segno's result, module for module and byte for byte
(tests/staff/certificates/test_qr.py holds them to it), so the printed code is the same picture. This reads
segno's encoder module, not only its public API: requirements.txt pins segno, and those tests are what to run
when the pin moves.
"""

from __future__ import annotations

import base64
import struct
import zlib
from collections.abc import Iterable
from functools import lru_cache
from operator import itemgetter
from typing import cast

import segno
from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import translation
from segno import consts as segno_consts
from segno import encoder as segno_encoder

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
    """The PNG printed on the certificate, QR_SCALE pixels a module: segno's own PNG, byte for byte."""
    width, modules = qr_matrix(url)
    return "data:image/png;base64," + base64.b64encode(qr_png(width, modules)).decode("ascii")


# segno's recommended quiet zone for a QR code, in modules: what ``png_data_uri`` draws by default.
QR_BORDER = 4
_ERROR_LEVEL = segno_consts.ERROR_LEVEL_M  # what error="m" means to segno


def qr_matrix(url: str) -> tuple[int, bytes]:
    """The QR code of ``url`` as its width and its modules row after row (1 is dark): ``qr_code(url).matrix``."""
    # segno.encoder.encode, up to the final message (its data encoding and Reed-Solomon error correction).
    segments = segno_encoder.prepare_data(url, None, None)
    version = segno_encoder.find_version(segments, _ERROR_LEVEL, eci=False, micro=False)
    error = segno_encoder.boost_error_level(version, _ERROR_LEVEL, segments, False)
    buff = segno_encoder.Buffer()
    version_range = segno_encoder.version_range(version)
    for segment in segments:
        segno_encoder.write_segment(buff, segment, None, version_range, False)
    capacity = cast("dict[int | None, int]", segno_consts.SYMBOL_CAPACITY[version])[error]  # mypy sees object
    segno_encoder.write_terminator(buff, capacity, None, len(buff))
    segno_encoder.write_padding_bits(buff, version, len(buff))
    segno_encoder.write_pad_codewords(buff, version, capacity, len(buff))
    message = segno_encoder.make_final_message(version, error, buff).getbits()
    width, base, gather, count = _symbol_layout(version, error, QR_MASK)
    if len(message) != count:  # what segno's own placement refuses too; the gather would misplace bits silently
        raise ValueError(f"QR message of {len(message)} bits for a symbol of {count} data modules")
    # Each module is its layout's value XOR the message bit placed there (0 on the function patterns); the
    # modules are 0 or 1 a byte, so XORing the rows as one integer never carries from one module to the next.
    placed = bytes(gather(message + b"\0"))
    size = width * width
    return width, (int.from_bytes(base, "big") ^ int.from_bytes(placed, "big")).to_bytes(size, "big")


@lru_cache(maxsize=16)
def _symbol_layout(version: int, error: int, mask: int) -> tuple[int, bytes, itemgetter, int]:
    """One symbol layout, worked out by segno's own code: its width, its modules with an all-zero message
    (function patterns, format and version information, the data mask), and a gather that picks, for every
    module in row order, its message bit (or the zero appended after the message, for a function module);
    last, how many data modules (message bits) the symbol has."""
    width = segno_encoder.calc_matrix_size(version)
    free = segno_encoder.make_matrix(width, width)
    segno_encoder.add_finder_patterns(free, width, width)
    segno_encoder.add_alignment_patterns(free, width, width)
    data_modules = [i * width + j for i in range(width) for j in range(width) if free[i][j] == 0x2]
    count = len(data_modules)
    # Let segno place the bits' own numbers (low byte, then high byte) to learn where bit k goes.
    order = [0] * (width * width)
    for shift in (0, 8):
        numbered = tuple(bytearray(row) for row in free)
        segno_encoder.add_codewords(numbered, bytes((k >> shift) & 0xFF for k in range(count)), version)
        for index in data_modules:
            order[index] |= numbered[index // width][index % width] << shift
    source = [count] * (width * width)  # function modules read the appended zero
    for index in data_modules:
        source[index] = order[index]
    blank = tuple(bytearray(row) for row in free)
    segno_encoder.add_codewords(blank, bytes(count), version)
    _mask, blank = segno_encoder.find_and_apply_best_mask(blank, width, width, mask)
    segno_encoder.add_format_info(blank, version, error, mask)
    segno_encoder.add_version_info(blank, version)
    return width, b"".join(bytes(row) for row in blank), itemgetter(*source), count


def qr_png(width: int, modules: bytes, *, scale: int = QR_SCALE, border: int = QR_BORDER) -> bytes:
    """The PNG segno's ``write_png`` makes of these modules (1-bit greyscale, dark 0, rows repeated as "Up")."""
    pixels = (width + 2 * border) * scale
    row_bytes = (pixels + 7) // 8
    pad = "0" * (row_bytes * 8 - pixels)  # segno pads the last byte of a row with 0 bits
    light, dark = "1" * scale, "0" * scale
    bits = str.maketrans({"\0": light, "\1": dark})
    side = light * border

    def scanline(row_bits: str) -> bytes:
        return b"\0" + int(row_bits + pad, 2).to_bytes(row_bytes, "big")

    same_as_above = (b"\2" + bytes(row_bytes)) * (scale - 1)
    quiet = scanline(light * (width + 2 * border)) * (border * scale)
    text = modules.decode("latin-1")
    rows = [scanline(side + text[start:start + width].translate(bits) + side) + same_as_above
            for start in range(0, width * width, width)]
    idat = quiet + b"".join(rows) + quiet

    def chunk(name: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + name + data + struct.pack(">I", zlib.crc32(name + data))

    header = struct.pack(">2I5B", pixels, pixels, 1, 0, 0, 0, 0)
    return (b"\211PNG\r\n\032\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(idat, 9))
            + chunk(b"IEND", b""))


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
