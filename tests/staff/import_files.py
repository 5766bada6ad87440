"""Builders for import files in a temporary folder: XLSX (openpyxl write_only), CSV, broken zips.
Synthetic data only."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any

from staff.imports.fields import COLUMNS

HEADERS = [column.header for column in COLUMNS]


def roster_row(code: str, name: str, unit: str, **values: Any) -> dict[str, Any]:
    """One roster row by canonical key; unspecified columns get plausible synthetic values."""
    row = {"employee_code": code, "full_name": name, "date_of_birth": "15/03/1988", "gender": "Nữ",
           "ethnicity": "Kinh", "category": "Công chức", "rank": "01.003", "job_position": "Chuyên viên",
           "leadership_position": "", "unit": unit, "email": "", "phone": "", "status": "", "personal_id": ""}
    row.update(values)
    return row


def as_lists(rows: list[dict[str, Any]], headers: list[str] = HEADERS) -> list[list[Any]]:
    keys = [column.key for column in COLUMNS]
    by_header = dict(zip(HEADERS, keys, strict=True))
    return [[row.get(by_header.get(header, header), "") for header in headers] for row in rows]


def write_xlsx(path: Path, rows: list[list[Any]], headers: list[Any] = HEADERS) -> Path:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Danh sách")
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def write_csv(path: Path, rows: list[list[Any]], headers: list[Any] = HEADERS, *, delimiter: str = ";",
              bom: bool = True) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(rows)
    path.write_bytes(("\ufeff" if bom else "").encode() + buffer.getvalue().encode("utf-8"))
    return path


def write_zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


MINIMAL_PARTS = {
    "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                           b'content-types"></Types>',
    "xl/workbook.xml": b'<?xml version="1.0"?><workbook/>',
}
