""""My data" as a PDF: what ``staff.selectors.my_data.my_data`` gathered, through the project's one renderer."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from staff.models import Official
from staff.pdf.render import render_pdf
from staff.selectors.my_data import rows_by_course

# xhtml2pdf lays a table out in time quadratic in its rows: long lists go in tables of this many rows.
ROWS_PER_TABLE = 35


def _chunks(rows: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [rows[start:start + size] for start in range(0, len(rows), size)]


def my_data_filename(official: Official, fmt: str) -> str:
    """``du-lieu-cua-toi-<employee code>.<fmt>``; a code with characters a file name cannot take gets dashes."""
    code = re.sub(r"[^A-Za-z0-9._-]+", "-", official.employee_code).strip("-.") or "can-bo"
    return f"du-lieu-cua-toi-{code}.{fmt}"


def my_data_context(data: dict[str, Any], *, rows_per_table: int = ROWS_PER_TABLE) -> dict[str, Any]:
    """What ``templates/pdf/my_data.html`` needs: the data, and its long lists in page-sized tables."""
    rows = rows_by_course(data)
    return {
        "data": data,
        "official": data["official"],
        "enrollment_chunks": _chunks(data["enrollments"], rows_per_table),
        "history_chunks": _chunks(rows["history"], rows_per_table),
        "attendance_chunks": _chunks(rows["attendance"], rows_per_table),
        "feedback_chunks": _chunks(rows["feedback"], rows_per_table),
        "certificate_chunks": _chunks(data["certificates"], rows_per_table),
        "opening_chunks": _chunks(data["record_openings"], rows_per_table),
        "event_chunks": _chunks(data["account_events"], rows_per_table),
    }


def my_data_pdf_bytes(data: dict[str, Any]) -> bytes:
    return render_pdf("my_data.html", my_data_context(data))
