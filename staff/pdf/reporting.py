"""The yearly reform report as a PDF."""

from __future__ import annotations

from django.utils.translation import gettext as _

from courses.models import ProgrammeType
from staff.exports.base import choice_labels
from staff.exports.reporting import adoption_labels, report_subtitle, report_title, share_text, summary_header
from staff.pdf.render import render_pdf
from staff.selectors.reporting import CATEGORIES, CREDENTIALS, ReformReport


def reform_report_context(report: ReformReport) -> dict:
    programmes = choice_labels(ProgrammeType.choices)
    chart = report.periods_by_group()
    biggest = max((periods for _group, periods in chart), default=0) or 1
    rows = [{"group": line.group or _("No content group"),
             "programme": programmes.get(line.programme_type, line.programme_type), "line": line,
             "categories": [line.by_category.get(code, 0) for code in CATEGORIES],
             "certificates": [line.certificates.get(code, 0) for code in CREDENTIALS]} for line in report.lines]
    return {
        "report": report, "title": report_title(report), "subtitle": report_subtitle(report), "rows": rows,
        "header": summary_header(), "share": share_text(report.share),
        "total_categories": [report.total.by_category.get(code, 0) for code in CATEGORIES],
        "total_certificates": [report.total.certificates.get(code, 0) for code in CREDENTIALS],
        # Bars as table cells with a width in percent: xhtml2pdf draws them, no image library needed.
        "chart": [_bar(group, periods, biggest) for group, periods in chart],
        "units": [{"line": line, "share": share_text(line.share)} for line in report.units],
        "adoptions": [(label, report.replication.adoptions.get(value, 0)) for value, label in adoption_labels()],
    }


def _bar(group: str, periods: int, biggest: int) -> dict:
    width = max(1, round(periods * 100 / biggest)) if periods else 0
    return {"group": group or _("No content group"), "periods": periods, "width": width, "rest": 100 - width}


def reform_report_pdf(report: ReformReport) -> bytes:

    return render_pdf("reform_report.html", reform_report_context(report))
