"""Upload limits, checked before a single row is parsed.

An XLSX file is a zip of XML: a few kilobytes can declare gigabytes once inflated (a zip bomb), and a
macro-enabled workbook can ride in under an innocent name. So the file size, the zip's table of
contents (entries, declared sizes, compression ratios, a VBA project) are checked from the central
directory alone; Python's zipfile never inflates an entry past its declared size (the CRC check fails
first), so the declared sizes are real bounds.

The number of rows is checked here too, before any row is parsed, in three steps from cheap to exact:
- the ``<dimension ref="A1:F1000001">`` the worksheet declares in its first bytes (what Excel writes): a
  sheet that declares more rows than the limit is refused at once, from a few kilobytes inflated out of the
  zip (a 1,000,000-row upload held a web worker for 15 s before: issue 13);
- a declaration may lie or be absent (openpyxl's write-only workbooks, our own exports among them, write
  none; openpyxl's reset_dimensions exists for that reason), so the worksheet's XML is then streamed out of
  the zip and its ``<row`` tags counted (a byte scan of the inflated stream, chunk by chunk, stopped as soon
  as the count is past the limit: a 140,000-row sheet is counted in about a second, its rows would take a
  minute to parse). A CSV file's lines are counted the same way;
- the reader still counts the rows it reads and the columns of each row: a sheet can skip row numbers
  (openpyxl then yields the missing rows as empty ones).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass
from typing import IO

import openpyxl.xml
from defusedxml import ElementTree  # type: ignore[import-untyped]
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from training_site.formats.numbers import number

ACCEPTED_EXTENSIONS = ("xlsx", "csv")
# Read like CSV: Excel's "Unicode Text" is tab-separated UTF-16 saved as .txt (.tsv by other tools).
TEXT_EXTENSIONS = ("txt", "tsv")
# Formats that can carry macros or that openpyxl cannot read safely; refused by name before opening.
REFUSED_EXTENSIONS = ("xlsm", "xltm", "xlsb", "xls", "xla", "xlam")
# Only entries this large are judged by their ratio: tiny XML parts compress very well and are harmless.
RATIO_CHECK_FROM_BYTES = 1024 * 1024
CONTENT_TYPES_MAX_BYTES = 256 * 1024
# workbook.xml and its relationships are small; anything bigger is not a workbook we take.
WORKBOOK_PART_MAX_BYTES = 4 * 1024 * 1024
SCAN_CHUNK = 1024 * 1024
# A row's start tag, with or without a namespace prefix ("<row ", "<x:row>"), never "<rowBreaks"; and its
# row number when it gives one (a sheet may skip numbers: openpyxl yields the gap as empty rows).
ROW_TAG = re.compile(rb'<(?:[A-Za-z_][\w.-]{0,30}:)?row(?=[\s/>])(?:[^>]*?\sr\s*=\s*["\'](\d{1,9}))?')
# Long enough to hold a row's start tag cut by a chunk boundary, with its r attribute.
SCAN_OVERLAP = 256
RELATIONSHIPS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# The <dimension> comes before <sheetData>, after at most <sheetPr>: Excel puts it in the first few hundred
# bytes. Read this much of the inflated worksheet to find it.
DIMENSION_HEAD_BYTES = 64 * 1024
# <dimension ref="A1:F1000001"/> (or ref="A1" for a single cell), with or without a namespace prefix; the
# last row of the range is what counts.
DIMENSION_TAG = re.compile(
    rb'<(?:[A-Za-z_][\w.-]{0,30}:)?dimension\s[^>]*?\bref\s*=\s*["\']'
    rb"(?P<ref>\$?[A-Za-z]{1,3}\$?(?P<first>\d{1,9})(?::\$?[A-Za-z]{1,3}\$?(?P<last>\d{1,9}))?)"
)
SHEET_DATA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,30}:)?sheetData[\s/>]")


class ImportRefusedError(Exception):
    """The whole file is refused (not one row): the message says why, in the user's language."""


@dataclass(frozen=True)
class UploadLimits:
    # The same defaults as training_site/settings/base.py (IMPORT_MAX_FILE_BYTES, IMPORT_MAX_ROWS): a whole
    # city's roster (about 140,000 rows, 10 MB) fits with room to spare.
    max_bytes: int = 32 * 1024 * 1024
    max_zip_entries: int = 200
    max_uncompressed_bytes: int = 200 * 1024 * 1024
    max_compression_ratio: int = 100
    max_rows: int = 200_000
    max_columns: int = 60

    @classmethod
    def from_settings(cls) -> UploadLimits:
        defaults = cls()
        return cls(
            max_bytes=getattr(settings, "IMPORT_MAX_FILE_BYTES", defaults.max_bytes),
            max_zip_entries=getattr(settings, "IMPORT_MAX_ZIP_ENTRIES", defaults.max_zip_entries),
            max_uncompressed_bytes=getattr(settings, "IMPORT_MAX_UNCOMPRESSED_BYTES", defaults.max_uncompressed_bytes),
            max_compression_ratio=getattr(settings, "IMPORT_MAX_COMPRESSION_RATIO", defaults.max_compression_ratio),
            max_rows=getattr(settings, "IMPORT_MAX_ROWS", defaults.max_rows),
            max_columns=getattr(settings, "IMPORT_MAX_COLUMNS", defaults.max_columns),
        )


def ensure_defusedxml() -> None:
    """openpyxl parses XML safely (no entity expansion bombs) only when defusedxml is installed."""

    if not openpyxl.xml.DEFUSEDXML:
        raise ImproperlyConfigured(
            "openpyxl is running without defusedxml (openpyxl.xml.DEFUSEDXML is False): uploaded XLSX files "
            "could expand XML entities without bound. Install defusedxml."
        )


def file_kind(filename: str) -> str:
    """'xlsx' or 'csv' (CSV, or tab-separated text) from the file name; anything else is refused."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension in REFUSED_EXTENSIONS:
        raise ImportRefusedError(_("Macro-enabled or old-format Excel files (.%(ext)s) are not accepted. "
                              "Save the sheet as .xlsx (Excel Workbook) or .csv and upload it again.")
                            % {"ext": extension})
    if extension in TEXT_EXTENSIONS:
        return "csv"
    if extension not in ACCEPTED_EXTENSIONS:
        raise ImportRefusedError(_("Only .xlsx and .csv files (or Excel's “Unicode Text” .txt) can be imported."))
    return extension


def stream_size(stream: IO[bytes]) -> int:
    position = stream.tell()
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(position)
    return size


def check_upload(stream: IO[bytes], filename: str, *, limits: UploadLimits | None = None) -> str:
    """Refuse a file that is too big, has too many rows, is not what it claims to be, a zip bomb or
    macro-enabled; all before a single row is parsed.

    Returns the kind ('xlsx' or 'csv'); leaves the stream at its start.
    """
    limits = limits or UploadLimits.from_settings()
    kind = file_kind(filename)
    size = stream_size(stream)
    if size > limits.max_bytes:
        raise ImportRefusedError(_("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
                            % {"size": _megabytes(size), "limit": _megabytes(limits.max_bytes)})
    if size == 0:
        raise ImportRefusedError(_("The file is empty."))
    stream.seek(0)
    if kind == "xlsx":
        _check_xlsx(stream, limits)
        stream.seek(0)
        _check_declared_rows(stream, limits)
        # Row tags past the limit are enough to refuse: the rest of the sheet need not be inflated.
        _check_rows(*_xlsx_rows_counted(stream, stop_after=limits.max_rows + 1), limits)
    else:
        head = stream.read(8192)
        if head.startswith(b"PK\x03\x04"):
            raise ImportRefusedError(_("The file is an Excel workbook or another zip file, not CSV text. Save it "
                                       "as .xlsx and upload that, or save it as “CSV UTF-8 (Comma delimited)”."))
        # UTF-16 text (Excel's "Unicode Text") is full of zero bytes and is read through its byte-order mark.
        if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise ImportRefusedError(_("The file is not a CSV text file in UTF-8. In Excel choose “CSV UTF-8 "
                                       "(Comma delimited)” or “Unicode Text” when saving."))
        stream.seek(0)
        _check_rows(*_csv_rows_counted(stream, limits), limits)
    stream.seek(0)
    return kind


def _check_rows(rows: int, complete: bool, limits: UploadLimits) -> None:
    """``rows`` counts the header row too; the limit is on the rows below it. A count that stopped once past
    the limit (not ``complete``) is only a lower bound: the message then says "more than" the limit."""
    data_rows = max(rows - 1, 0)
    if data_rows <= limits.max_rows:
        return
    if not complete:
        raise ImportRefusedError(_("The file has more than %(limit)s rows; split it into several files.")
                                 % {"limit": number(limits.max_rows)})
    raise ImportRefusedError(_("The file has %(rows)s rows, over the limit of %(limit)s rows; split it into "
                               "several files.") % {"rows": number(data_rows), "limit": number(limits.max_rows)})


def _check_declared_rows(stream: IO[bytes], limits: UploadLimits) -> None:
    """Refuse at once a first worksheet whose ``<dimension>`` declares more rows than the limit.

    Only a declaration over the limit is believed: one under it, or none, proves nothing (the row tags are
    counted next, and the reader counts again). Leaves the stream at its start.
    """
    try:
        with zipfile.ZipFile(stream) as archive:
            found = _first_worksheet_and_name(archive)
            if found is None:
                return
            part, sheet_name = found
            with archive.open(part) as xml:
                head = xml.read(DIMENSION_HEAD_BYTES)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError, KeyError):
        return  # the row count that follows says the workbook is broken
    finally:
        stream.seek(0)
    sheet_data = SHEET_DATA_TAG.search(head)
    dimension = DIMENSION_TAG.search(head, 0, sheet_data.start() if sheet_data else len(head))
    if dimension is None:
        return
    last_row = int(dimension["last"] or dimension["first"])
    data_rows = max(last_row - 1, 0)  # the header row is the first, as _check_rows counts
    if data_rows > limits.max_rows:
        reference = dimension["ref"].decode("ascii")
        raise ImportRefusedError(
            _("The sheet “%(sheet)s” covers the range %(range)s, that is %(rows)s rows, over the limit of "
              "%(limit)s rows; split it into several files.")
            % {"sheet": sheet_name, "range": reference, "rows": number(data_rows),
               "limit": number(limits.max_rows)})


def xlsx_row_count(stream: IO[bytes]) -> int:
    """The rows of the first worksheet (the one the reader reads), counted in its XML without parsing it:
    the row tags, or the highest row number one of them gives if that is more. 0 when there is none."""
    return _xlsx_rows_counted(stream)[0]


def _xlsx_rows_counted(stream: IO[bytes], *, stop_after: int | None = None) -> tuple[int, bool]:
    """xlsx_row_count, and whether the count is complete: with ``stop_after`` the scan stops after the chunk
    that takes the count past it, unless the sheet ends there (then a lower bound, not complete)."""
    try:
        with zipfile.ZipFile(stream) as archive:
            part = _first_worksheet(archive)
            if part is None:
                return 0, True  # not a workbook openpyxl can read either: the reader says so
            count = highest = 0
            tail = b""
            with archive.open(part) as xml:
                while True:
                    chunk = xml.read(SCAN_CHUNK)
                    if chunk and stop_after is not None and max(count, highest) > stop_after:
                        return max(count, highest), False  # past the limit, and more follows: enough
                    window = tail + chunk
                    # A tag starting in the last SCAN_OVERLAP bytes may be cut: it is counted with the next
                    # chunk (that window starts with these bytes), unless the stream has ended.
                    cut = len(window) - SCAN_OVERLAP if chunk else len(window)
                    for match in ROW_TAG.finditer(window, 0, len(window)):
                        if match.start() >= cut:
                            break
                        count += 1
                        if match.group(1):
                            highest = max(highest, int(match.group(1)))
                    if not chunk:
                        break
                    tail = window[max(cut, 0):]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError, KeyError) as exc:
        raise ImportRefusedError(_("The file is not a valid Excel workbook (.xlsx). Open it in Excel and save it "
                                   "again as .xlsx.")) from exc
    finally:
        stream.seek(0)
    return max(count, highest), True


def _first_worksheet(archive: zipfile.ZipFile) -> str | None:
    """The zip entry of the workbook's first worksheet, as openpyxl's ``worksheets[0]``: the first <sheet> of
    workbook.xml whose relationship is a worksheet (not a chart sheet)."""
    found = _first_worksheet_and_name(archive)
    return found[0] if found else None


def _first_worksheet_and_name(archive: zipfile.ZipFile) -> tuple[str, str] | None:
    """The first worksheet's zip entry and the name its tab shows."""
    names = {info.filename.lower(): info for info in archive.infolist()}
    workbook, rels = names.get("xl/workbook.xml"), names.get("xl/_rels/workbook.xml.rels")
    if workbook is None or rels is None or max(workbook.file_size, rels.file_size) > WORKBOOK_PART_MAX_BYTES:
        return None
    try:
        sheets = ElementTree.fromstring(archive.read(workbook))
        relationships = ElementTree.fromstring(archive.read(rels))
    except ElementTree.ParseError:
        return None
    targets: dict[str | None, str] = {}
    for relationship in relationships:
        if str(relationship.get("Type", "")).endswith("/worksheet"):
            target = str(relationship.get("Target", ""))
            # Relative to xl/ unless absolute ("/xl/worksheets/sheet1.xml").
            targets[relationship.get("Id")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    for element in sheets.iter():
        if element.tag.rsplit("}", 1)[-1] == "sheet":
            path = targets.get(element.get(f"{{{RELATIONSHIPS_NS}}}id"))
            if path is not None and path.lower() in names:
                return names[path.lower()].filename, str(element.get("name", ""))
    return None


def csv_row_count(stream: IO[bytes], limits: UploadLimits) -> int:
    """The rows of a text file, as far as the limit needs them (see _csv_rows_counted)."""
    return _csv_rows_counted(stream, limits)[0]


def _csv_rows_counted(stream: IO[bytes], limits: UploadLimits) -> tuple[int, bool]:
    """The lines of a text file, counted in bytes, and whether that count is the rows'. A count within the
    limit is an upper bound on the rows, so the file fits. A count over it is exact for UTF-8 text without a
    quote character (only a quoted cell may hold a line break, and in UTF-8 no other character contains the
    byte of a line break or of a quote); otherwise (quotes, or UTF-16, whose characters may contain those
    bytes) the csv module counts the rows, stopping once past the limit: enough to refuse, without reading a
    million rows."""
    lines, head, last, quoted = 0, b"", b"", False
    for chunk in iter(lambda: stream.read(SCAN_CHUNK), b""):
        head = head or chunk[:2]
        lines += chunk.count(b"\n")
        quoted = quoted or b'"' in chunk
        last = chunk
    stream.seek(0)
    rows = lines + (1 if last and not last.endswith(b"\n") else 0)
    if rows - 1 <= limits.max_rows:
        return rows, True
    if not quoted and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return rows, True
    from staff.imports.reader import _csv_text, _delimiter  # the reader imports this module

    text = _csv_text(stream.read())
    stream.seek(0)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text.split("\n", 1)[0]))
    past_the_limit, counted = limits.max_rows + 2, 0  # the header, the most rows allowed, one more
    try:
        for _row in reader:
            counted += 1
            if counted >= past_the_limit:
                return counted, False
    except csv.Error:
        return rows, True  # the reader reports what is wrong with the file
    return counted, True


def _check_xlsx(stream: IO[bytes], limits: UploadLimits) -> None:
    not_excel = _("The file is not a valid Excel workbook (.xlsx). Open it in Excel and save it again as .xlsx.")
    if not zipfile.is_zipfile(stream):
        raise ImportRefusedError(not_excel)
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            entries = archive.infolist()
            if len(entries) > limits.max_zip_entries:
                raise ImportRefusedError(_("The workbook has too many parts (%(n)s; the limit is %(limit)s).")
                                    % {"n": len(entries), "limit": limits.max_zip_entries})
            names = {entry.filename.lower() for entry in entries}
            if any(name.endswith("vbaproject.bin") or "/macrosheets/" in name for name in names):
                raise ImportRefusedError(_("The workbook contains macros. Save it as .xlsx (Excel Workbook, without "
                                      "macros) and upload it again."))
            if "xl/workbook.xml" not in names or "[content_types].xml" not in names:
                raise ImportRefusedError(not_excel)
            total = 0
            for entry in entries:
                total += entry.file_size
                ratio = entry.file_size / max(entry.compress_size, 1)
                if entry.file_size >= RATIO_CHECK_FROM_BYTES and ratio > limits.max_compression_ratio:
                    raise ImportRefusedError(_("The workbook is compressed suspiciously tightly (%(ratio)s:1); it was "
                                          "refused as a possible zip bomb.") % {"ratio": int(ratio)})
            if total > limits.max_uncompressed_bytes:
                raise ImportRefusedError(_("The workbook unpacks to %(size)s MB; the limit is %(limit)s MB.")
                                    % {"size": _megabytes(total), "limit": _megabytes(limits.max_uncompressed_bytes)})
            content_types = archive.getinfo(_original_name(entries, "[content_types].xml"))
            if content_types.file_size > CONTENT_TYPES_MAX_BYTES:
                raise ImportRefusedError(not_excel)
            if b"macroenabled" in archive.read(content_types).lower():
                raise ImportRefusedError(_("The workbook contains macros. Save it as .xlsx (Excel Workbook, without "
                                      "macros) and upload it again."))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError) as exc:
        raise ImportRefusedError(not_excel) from exc


def _original_name(entries: list[zipfile.ZipInfo], lower: str) -> str:
    return next(entry.filename for entry in entries if entry.filename.lower() == lower)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".")
