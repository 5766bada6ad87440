"""An official's personnel training record as a PDF."""

from __future__ import annotations

import datetime as dt

from staff.exports.records import PersonnelRecordExporter
from staff.models import Official
from staff.pdf.render import render_pdf


def personnel_record_context(official: Official, *, rows_per_table: int = 35) -> dict:
    """What ``templates/pdf/personnel_record.html`` needs: the details and the rows in page-sized tables
    (xhtml2pdf lays a table out in time quadratic in its rows)."""
    exporter = PersonnelRecordExporter(official)
    rows = list(exporter.data())  # one official's record: tens of rows, not thousands
    chunks = [rows[start:start + rows_per_table] for start in range(0, len(rows), rows_per_table)]
    total = sum(row[4] or 0 for row in rows)
    return {"official": official, "details": exporter.details(), "header": exporter.header(), "chunks": chunks,
            "total_periods": total, "count": len(rows), "today": dt.date.today()}


def personnel_record_pdf(official: Official) -> bytes:

    return render_pdf("personnel_record.html", personnel_record_context(official))
