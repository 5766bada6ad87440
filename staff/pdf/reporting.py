"""The yearly reform report as a PDF.

Long lists are bounded here, not in the selector: the numbers (and the XLSX, which lists everything) stay the
same, and the PDF stays a few pages whatever the size of the city. xhtml2pdf lays out a table in time that grows
faster than its rows (templates/pdf/base.html), so a table never gets more than ``TABLE_ROWS`` rows: a long list
is cut into tables of that size, each repeating its header. The sessions of best-practice sharing and of the
exchanges grow with every session held, so the PDF shows them totalled per organizer (or host) unit and lists only
the ``DETAIL_ROWS`` largest, saying how many more the XLSX holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

from courses.models import ProgrammeType
from staff.exports.base import choice_labels
from staff.exports.reporting import adoption_labels, report_subtitle, report_title, share_text, summary_header
from staff.pdf.render import render_pdf
from staff.selectors.reporting import CATEGORIES, CREDENTIALS, ReformReport

# Rows per <table>: about a page of the landscape report, and short enough for a linear layout.
TABLE_ROWS = 40
# Sessions listed one by one in each session section (the largest first); the rest are in the totals per unit.
DETAIL_ROWS = 30


def reform_report_context(report: ReformReport) -> dict:
    programmes = choice_labels(ProgrammeType.choices)
    chart = report.periods_by_group()
    biggest = max((periods for _group, periods in chart), default=0) or 1
    rows = [{"group": line.group or _("No content group"),
             "programme": programmes.get(line.programme_type, line.programme_type), "line": line,
             "categories": [line.by_category.get(code, 0) for code in CATEGORIES],
             "certificates": [line.certificates.get(code, 0) for code in CREDENTIALS]} for line in report.lines]
    units = [{"line": line, "share": share_text(line.share)} for line in report.units]
    return {
        "report": report, "title": report_title(report), "subtitle": report_subtitle(report), "rows": rows,
        "row_pages": pages(rows), "header": summary_header(), "share": share_text(report.share),
        "total_categories": [report.total.by_category.get(code, 0) for code in CATEGORIES],
        "total_certificates": [report.total.certificates.get(code, 0) for code in CREDENTIALS],
        # Bars as table cells with a width in percent: xhtml2pdf draws them, no image library needed.
        "chart": [_bar(group, periods, biggest) for group, periods in chart],
        "units": units, "unit_pages": pages(units),
        "exchange_section": session_section(report.exchanges, "session__course__organizer__name"),
        "replication_section": session_section(report.replication.sessions,
                                               "session__course__exchangepage__host_unit__name"),
        "adoptions": [(label, report.replication.adoptions.get(value, 0)) for value, label in adoption_labels()],
    }


def pages(items: Sequence[Any], size: int = TABLE_ROWS) -> list[Sequence[Any]]:
    """``items`` cut into tables of at most ``size`` rows."""
    return [items[start:start + size] for start in range(0, len(items), size)]


def session_section(sessions: Iterable[Mapping[str, Any]], unit_key: str, *, detail: int = DETAIL_ROWS) -> dict:
    """A list of sessions as the PDF shows it: totals per unit (all sessions) and the ``detail`` largest.

    The detail keeps the report's own order (by start date) so that it reads like the XLSX, only shorter.
    """
    sessions = list(sessions)
    by_unit: dict[str, dict[str, Any]] = {}
    for row in sessions:
        name = row.get(unit_key) or ""
        total = by_unit.setdefault(name, {"name": name, "sessions": 0, "participants": 0})
        total["sessions"] += 1
        total["participants"] += row["participants"]
    largest = sorted(range(len(sessions)), key=lambda index: (-sessions[index]["participants"], index))[:detail]
    shown = [{**sessions[index], "unit": sessions[index].get(unit_key) or ""} for index in sorted(largest)]
    units = sorted(by_unit.values(), key=lambda total: (-total["sessions"], total["name"]))
    return {"count": len(sessions), "shown": shown, "more": len(sessions) - len(shown), "unit_pages": pages(units),
            "participants": sum(row["participants"] for row in sessions)}


def _bar(group: str, periods: int, biggest: int) -> dict:
    width = max(1, round(periods * 100 / biggest)) if periods else 0
    return {"group": group or _("No content group"), "periods": periods, "width": width, "rest": 100 - width}


def reform_report_pdf(report: ReformReport) -> bytes:
    return render_pdf("reform_report.html", reform_report_context(report))
