"""Rows from an uploaded XLSX or CSV file, in order, as dicts keyed by canonical column.

XLSX goes through openpyxl in read-only mode and is iterated strictly in order (random access on a
read-only sheet is quadratic). Its worksheets are opened without reading their stored dimensions, which
the reader does not trust anyway: a sheet that declares none (openpyxl's write-only workbooks, our own
exports among them) would otherwise be parsed in full once just to find that out, before being read; and
a plain inline string is read as its text, not through openpyxl's rich-text objects. Both lean on
openpyxl's reader classes (pinned in requirements.txt); tests/staff/imports/test_reader.py holds what
is read to what openpyxl's own read-only mode reads.
Headers are matched after folding (courses.text.fold), so "HỌ VÀ TÊN", "Họ và tên" and "ho va ten" are
the same column; columns nobody asked for (STT, notes) are ignored.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, cast

from django.utils.translation import gettext as _
from openpyxl.reader.excel import ExcelReader
from openpyxl.workbook import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import INLINE_STRING, WorkSheetParser
from openpyxl.xml.constants import SHEET_MAIN_NS

from courses.text import fold, nfc
from staff.imports.limits import ImportRefusedError, UploadLimits

# A header maps to a canonical key, or to None when the column is not ours.
HeaderResolver = Callable[[Any], "str | None"]


def header_key(value: Any) -> str:
    """The folded form of a header cell: case, diacritics, "*" marks and punctuation do not matter."""
    text = fold(str(value or "")).replace("*", " ")
    return " ".join(re.sub(r"[()\[\]:.]", " ", text).split())


def alias_resolver(aliases: dict[str, tuple[str, ...]]) -> HeaderResolver:
    """Resolve headers through a table {canonical key: (alias, ...)}; the key itself is an alias too."""
    table: dict[str, str] = {}
    for key, names in aliases.items():
        for name in (key, *names):
            table[header_key(name)] = key

    def resolve(value: Any) -> str | None:
        return table.get(header_key(value))

    return resolve


@dataclass
class Row:
    number: int  # the row number as Excel shows it (the header is row 1)
    values: dict[str, Any]


@dataclass
class Sheet:
    """The header row resolved, and the data rows still to be read (a generator: read it once)."""

    headers: dict[str, str]  # canonical key -> the header text as written in the file
    rows: Iterator[Row]
    unknown: list[str] = field(default_factory=list)


def _clean(value: Any) -> Any:
    """A cell's value: text stripped and composed (NFC, courses.text says why), an empty one None."""
    if isinstance(value, str):
        value = nfc(value.strip())
        return value or None
    return value


def _raw_rows(stream: IO[bytes], kind: str, limits: UploadLimits) -> Iterator[tuple[int, Sequence[Any]]]:
    if kind == "xlsx":
        yield from _xlsx_rows(stream, limits)
    else:
        yield from _csv_rows(stream, limits)


class _CellParser(WorkSheetParser):
    """openpyxl's worksheet parser, with a shortcut for the commonest inline string, ``<is><t>text</t></is>``
    (what openpyxl's write-only workbooks write, our own exports among them): read as its text, without
    building the rich-text object whose content is that same text, which cost most of reading such a file.
    Anything else (rich text runs, phonetic guides, formulas, shared strings) goes openpyxl's own way."""

    def parse_cell(self, element: Any) -> dict[str, Any]:
        if self.data_only and element.get("t") == "inlineStr":
            child = element.find(INLINE_STRING)
            if child is not None and len(child) == 1 and child[0].tag == _PLAIN_TEXT:
                text = child[0].text or ""  # as Text.content: an empty <t/> is ""
                element.remove(child)  # the rest (coordinates, style) openpyxl reads as for any cell
                cell = super().parse_cell(element)
                cell["value"], cell["data_type"] = text, "s"
                return cell
        return super().parse_cell(element)


_PLAIN_TEXT = f"{{{SHEET_MAIN_NS}}}t"


class _UnsizedWorksheet(ReadOnlyWorksheet):
    """A read-only worksheet opened without looking for its stored dimensions (the reader ignores them):
    openpyxl stops looking only at the end of <sheetData>, i.e. after a full parse. Its rows are read
    through _CellParser."""

    def _get_size(self) -> None:
        pass

    def values_rows(self, width: int) -> Iterator[list[Any]]:
        """What ``iter_rows(max_col=width, values_only=True)`` yields once the dimensions are reset: every
        row in order, ``width`` values (None for an empty cell), an empty row for each row the sheet skips."""
        workbook: Any = self.parent
        expected = 1
        with cast(Any, self)._get_source() as source:
            parser = _CellParser(source, cast(Any, self)._shared_strings, data_only=workbook.data_only,
                                 epoch=workbook.epoch, date_formats=workbook._date_formats,
                                 timedelta_formats=workbook._timedelta_formats)
            for number, cells in parser.parse():
                if number < expected:
                    continue  # as openpyxl: a row number that goes back is not read again
                while expected < number:
                    yield [None] * width
                    expected += 1
                values: list[Any] = [None] * width
                for cell in cells:
                    if cell["column"] <= width:
                        values[cell["column"] - 1] = cell["value"]
                yield values
                expected += 1


class _WorkbookReader(ExcelReader):
    """openpyxl's read-only loading (``load_workbook(read_only=True)``), its worksheets _UnsizedWorksheet."""

    def read_worksheets(self) -> None:
        for sheet, rel in self.parser.find_sheets():
            if rel.target not in self.valid_files:
                continue
            if "chartsheet" in rel.Type:
                # As openpyxl does (its stubs type the sheet otherwise): the sheets keep their positions.
                self.read_chartsheet(cast(Any, sheet), rel)
                continue
            worksheet = _UnsizedWorksheet(self.wb, sheet.name, rel.target, self.shared_strings)
            worksheet.sheet_state = sheet.state or "visible"
            # Appended as openpyxl does: Workbook's public methods refuse a read-only worksheet.
            cast(Any, self.wb)._sheets.append(worksheet)


def open_workbook(stream: IO[bytes]) -> Workbook:
    """The workbook, read-only and with cached values (never formulas), as the readers open it."""
    reader = _WorkbookReader(stream, read_only=True, data_only=True)
    reader.read()
    return reader.wb


def _xlsx_rows(stream: IO[bytes], limits: UploadLimits) -> Iterator[tuple[int, Sequence[Any]]]:

    try:
        workbook = open_workbook(stream)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook; all mean the same to the user
        raise ImportRefusedError(_("The file is not a valid Excel workbook (.xlsx). Open it in Excel and save it "
                              "again as .xlsx.")) from exc
    try:
        sheet = workbook.worksheets[0]
        # The stored dimensions may lie (or be absent): read what is there, never more than one
        # column past the limit, so a cell at column XFD cannot make every row 16,384 wide.
        width = limits.max_columns + 1
        if isinstance(sheet, _UnsizedWorksheet):  # always: open_workbook makes no other kind
            yield from enumerate(sheet.values_rows(width), start=1)
        else:
            sheet.reset_dimensions()
            yield from enumerate(sheet.iter_rows(max_col=width, values_only=True), start=1)
    finally:
        workbook.close()


def _csv_text(data: bytes) -> str:
    """The text of a CSV or tab-separated file: UTF-8 (with or without Excel's byte-order mark), or
    UTF-16 with its byte-order mark, which is what Excel's "Unicode Text" (.txt) writes."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")  # the codec reads the byte-order mark and drops it
        except UnicodeDecodeError as exc:
            raise ImportRefusedError(_("The text file says it is UTF-16 but cannot be read as such. In Excel "
                                       "choose “CSV UTF-8 (Comma delimited)” when saving.")) from exc
    try:
        # utf-8-sig drops the byte-order mark Excel writes in front of "CSV UTF-8" files.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRefusedError(_("The CSV file is not in UTF-8. In Excel choose “CSV UTF-8 (Comma delimited)” "
                                   "when saving.")) from exc


def _delimiter(first_line: str) -> str:
    """Tab for Excel's "Unicode Text"; ";" from Excel in a Vietnamese locale (the comma is the decimal
    separator there); else ","."""
    counts = {delimiter: first_line.count(delimiter) for delimiter in ("\t", ";", ",")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _csv_rows(stream: IO[bytes], limits: UploadLimits) -> Iterator[tuple[int, list[Any]]]:
    text = _csv_text(stream.read())
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text.split("\n", 1)[0]))
    try:
        yield from enumerate(reader, start=1)
    except csv.Error as exc:
        raise ImportRefusedError(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from exc


def read_sheet(stream: IO[bytes], kind: str, *, resolve: HeaderResolver, limits: UploadLimits | None = None) -> Sheet:
    """Read the header row now and return the data rows as a generator.

    Raises ImportRefusedError for a missing header row, two columns meaning the same thing, or (while the
    rows are read) too many rows or columns.
    """
    limits = limits or UploadLimits.from_settings()
    raw = _raw_rows(stream, kind, limits)
    header_row: Sequence[Any] | None = None
    for _number, values in raw:
        if any(_clean(value) is not None for value in values):
            header_row = values
            break
    if header_row is None:
        raise ImportRefusedError(_("The file has no header row."))
    _check_width(header_row, limits)
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    unknown: list[str] = []
    for position, value in enumerate(header_row):
        if _clean(value) is None:
            continue
        key = resolve(value)
        if key is None:
            unknown.append(nfc(str(value).strip()))
            continue
        if key in positions:
            raise ImportRefusedError(_("Columns “%(first)s” and “%(second)s” mean the same thing; keep only one.")
                                % {"first": headers[key], "second": nfc(str(value).strip())})
        positions[key] = position
        headers[key] = nfc(str(value).strip()) if not hasattr(value, "strftime") else value.strftime("%d/%m/%Y")
    return Sheet(headers=headers, rows=_data_rows(raw, positions, limits), unknown=unknown)


def _check_width(values: Sequence[Any], limits: UploadLimits) -> None:
    if len(values) > limits.max_columns and any(_clean(v) is not None for v in values[limits.max_columns:]):
        raise ImportRefusedError(_("The file has more than %(limit)s columns.") % {"limit": limits.max_columns})


def _data_rows(raw: Iterator[tuple[int, Sequence[Any]]], positions: dict[str, int],
               limits: UploadLimits) -> Iterator[Row]:
    keys, columns = tuple(positions), tuple(positions.values())
    max_rows, max_columns = limits.max_rows, limits.max_columns
    # A row (from openpyxl) is as wide as the widest we read, or (CSV) as wide as it was written.
    last = max(columns, default=-1)
    count = 0
    for number, values in raw:
        count += 1
        # Blank rows count too: a sheet of a million empty rows is still a million rows to read.
        if count > max_rows:
            raise ImportRefusedError(_("The file has more than %(limit)s rows; split it into several files.")
                                % {"limit": limits.max_rows})
        if len(values) > max_columns:
            _check_width(values, limits)
        # _clean, inline: this runs for every cell of the file.
        if len(values) > last:
            cells = [values[position] for position in columns]
        else:
            cells = [values[position] if position < len(values) else None for position in columns]
        cleaned = [(nfc(stripped) if (stripped := cell.strip()) else None) if isinstance(cell, str) else cell
                   for cell in cells]
        if cleaned.count(None) == len(cleaned):
            continue
        yield Row(number=number, values=dict(zip(keys, cleaned, strict=True)))
