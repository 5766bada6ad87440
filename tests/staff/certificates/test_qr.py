"""The certificate's QR code is segno's, module for module and byte for byte, though it is made faster
(staff.pdf.certificates: the symbol layout worked out once, the PNG written a row at a time), and a reader
decodes it back to the address it was made from."""

from __future__ import annotations

import base64
import io

import pytest
import segno
import zxingcpp
from PIL import Image

from staff.pdf.certificates import QR_MASK, QR_SCALE, qr_data_uri, qr_matrix, qr_png

# Lengths that reach versions 1 to 10 at level M (7 and up carry version information), and contents that
# segno encodes in its other modes (numeric, alphanumeric) or as UTF-8 bytes.
CONTENTS = [
    "https://x.vn/",
    "http://127.0.0.1:8000/xac-minh/Zol6hyP0YzIi5UzZmW8rIOUU/",
    "https://daotao.danang.gov.vn/xac-minh/" + "aB3-_" * 8 + "/",
    "https://daotao.danang.gov.vn/xac-minh/" + "Zq9" * 40 + "/",
    "https://daotao.danang.gov.vn/xac-minh/" + "k7" * 90 + "/",
    "https://chứng-chỉ.vn/xác-minh/Nguyễn-Thị-Ánh/",
    "0123456789" * 5,
    "HTTPS://X.VN/XAC-MINH/ABC123/",
]


def segno_modules(content: str) -> bytes:
    return b"".join(bytes(row) for row in segno.make_qr(content, error="m", mask=QR_MASK).matrix)


@pytest.mark.parametrize("content", CONTENTS)
def test_the_qr_matrix_is_segnos_module_for_module(content):
    width, modules = qr_matrix(content)

    assert modules == segno_modules(content)
    assert width * width == len(modules)


def test_the_contents_cover_small_and_large_versions():
    versions = {segno.make_qr(content, error="m", mask=QR_MASK).version for content in CONTENTS}
    assert min(versions) <= 3 and max(versions) >= 7


@pytest.mark.parametrize("content", CONTENTS)
def test_the_png_is_segnos_byte_for_byte(content):
    assert qr_data_uri(content) == segno.make_qr(content, error="m", mask=QR_MASK).png_data_uri(scale=QR_SCALE)


def test_other_scales_and_borders_match_segno_too():
    content = CONTENTS[1]
    width, modules = qr_matrix(content)
    code = segno.make_qr(content, error="m", mask=QR_MASK)
    for scale, border in ((1, 0), (2, 1), (3, 4), (5, 2)):
        assert (qr_png(width, modules, scale=scale, border=border)
                == base64.b64decode(code.png_data_uri(scale=scale, border=border).partition(",")[2]))


def test_a_reader_decodes_the_printed_png_back_to_the_address():
    content = CONTENTS[1]
    png = base64.b64decode(qr_data_uri(content).partition(",")[2])
    picture = Image.open(io.BytesIO(png))

    assert picture.mode == "1" and picture.size == (164, 164)  # 33 modules and 4 of quiet zone, 4 px each
    assert [result.text for result in zxingcpp.read_barcodes(picture.convert("L"))] == [content]
