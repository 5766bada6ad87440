"""What the benchmark measures, as data: edit here to add or change a path.

HR paths are URL templates filled per scale by ``probe.py prepare`` with the ids it reads from that
database: ``{ward}`` (the ward HR officer's own unit), ``{session}`` (the class with most enrollments in
scope), ``{ward_session}`` (the same within the ward), ``{organizer_session}`` (the same among the organizer's
classes), ``{q}`` (a common family name). Each runs as the
role named (``city`` HR, ``ward`` HR or ``organizer``). Public paths are filled from the page tree.
"""

from __future__ import annotations

# (label, role, URL template)
HR_PATHS: list[tuple[str, str, str]] = [
    ("officials", "city", "/admin/officials/"),
    ("officials ?q=", "city", "/admin/officials/?q={q}"),
    ("officials ?unit=ward", "city", "/admin/officials/?unit={ward}"),
    ("officials below requirement", "city", "/admin/officials/?below_requirement=true"),
    ("enrollments", "city", "/admin/enrollments/"),
    ("enrollments status+unit", "city", "/admin/enrollments/?status=confirmed&unit={ward}"),
    ("enrollments by session", "city", "/admin/enrollments/?session={session}"),
    ("certificates", "city", "/admin/certificates/"),
    ("certificates valid+unit", "city", "/admin/certificates/?status=valid&unit={ward}"),
    ("audit log", "city", "/admin/audit-log/"),
    ("approvals", "city", "/admin/approvals/"),
    ("class roster", "city", "/admin/classes/{session}/"),
    ("officials", "ward", "/admin/officials/"),
    ("officials ?q=", "ward", "/admin/officials/?q={q}"),
    ("officials ?unit=ward", "ward", "/admin/officials/?unit={ward}"),
    ("officials below requirement", "ward", "/admin/officials/?below_requirement=true&unit={ward}"),
    ("enrollments", "ward", "/admin/enrollments/"),
    ("enrollments status+unit", "ward", "/admin/enrollments/?status=confirmed&unit={ward}"),
    ("enrollments by session", "ward", "/admin/enrollments/?session={ward_session}"),
    ("certificates", "ward", "/admin/certificates/"),
    ("certificates valid+unit", "ward", "/admin/certificates/?status=valid&unit={ward}"),
    # No audit log for a ward's HR: the city's HR reads it (a ward's officer gets 404).
    ("approvals", "ward", "/admin/approvals/"),
    # The roster is the organizer's page (staff.access.organized_session_or_404): a ward's HR has none.
    ("class roster", "organizer", "/admin/classes/{organizer_session}/"),
]

# (label, key in the page URLs probe.py finds); "floor" is the bare view of tests/bench/city/urls.py.
PUBLIC_PATHS: list[tuple[str, str]] = [
    ("home", "home"),
    ("catalog", "catalog"),
    ("course page (most sessions)", "course"),
    ("practice page", "practice"),
]
FLOOR_PATH = "/bench/floor/"

# (label, ours "module:function", floor "module:function", kind, target, memory limit MB or None).
# kind "throughput": ratio = (our items/s) / (floor items/s), met when ≥ target;
# kind "time": ratio = our seconds / floor seconds, met when ≤ target.
DOCUMENTS: list[tuple[str, str, str, str, float, float | None]] = [
    ("training-records export", "exports:records_export", "exports:records_export_floor", "throughput", 0.8, 200),
    ("reform report XLSX", "exports:report_xlsx", "exports:report_sql_floor", "time", 1.5, None),
    ("reform report PDF", "pdfs:report_pdf", "exports:report_sql_floor", "time", 3.0, None),
    ("certificate PDFs", "pdfs:certificates_pdf", "pdfs:certificates_pdf_floor", "throughput", 0.9, None),
    ("roster import", "imports:roster_import", "imports:roster_import_floor", "throughput", 0.6, 250),
]

# Targets of the HTTP paths.
HR_P95_TARGET_MS = 300.0
HR_GROWTH_TARGET = 1.5
PUBLIC_RATIO_TARGET = 0.5
RACE_OFFICIALS, RACE_SEATS, RACE_P95_TARGET_MS = 200, 30, 500.0
