"""Rows from an uploaded XLSX or CSV file, in order, as dicts keyed by canonical column.

XLSX goes through openpyxl in read-only mode and is iterated strictly in order (random access on a
read-only sheet is quadratic). Headers are matched after folding (courses.text.fold), so "HỌ VÀ TÊN",
"Họ và tên" and "ho va ten" are the same column; columns nobody asked for (STT, notes) are ignored.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import openpyxl
from django.utils.translation import gettext as _

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


def _raw_rows(stream: IO[bytes], kind: str, limits: UploadLimits) -> Iterator[tuple[int, list[Any]]]:
    if kind == "xlsx":
        yield from _xlsx_rows(stream, limits)
    else:
        yield from _csv_rows(stream, limits)


def _xlsx_rows(stream: IO[bytes], limits: UploadLimits) -> Iterator[tuple[int, list[Any]]]:

    try:
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook; all mean the same to the user
        raise ImportRefusedError(_("The file is not a valid Excel workbook (.xlsx). Open it in Excel and save it "
                              "again as .xlsx.")) from exc
    try:
        sheet = workbook.worksheets[0]
        # The stored dimensions may lie (or be absent): read what is there, never more than one
        # column past the limit, so a cell at column XFD cannot make every row 16,384 wide.
        sheet.reset_dimensions()
        width = limits.max_columns + 1
        for number, row in enumerate(sheet.iter_rows(max_col=width, values_only=True), start=1):
            yield number, list(row)
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
    header_row: list[Any] | None = None
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


def _check_width(values: list[Any], limits: UploadLimits) -> None:
    if len(values) > limits.max_columns and any(_clean(v) is not None for v in values[limits.max_columns:]):
        raise ImportRefusedError(_("The file has more than %(limit)s columns.") % {"limit": limits.max_columns})


def _data_rows(raw: Iterator[tuple[int, list[Any]]], positions: dict[str, int], limits: UploadLimits) -> Iterator[Row]:
    count = 0
    for number, values in raw:
        count += 1
        # Blank rows count too: a sheet of a million empty rows is still a million rows to read.
        if count > limits.max_rows:
            raise ImportRefusedError(_("The file has more than %(limit)s rows; split it into several files.")
                                % {"limit": limits.max_rows})
        _check_width(values, limits)
        cleaned = {key: _clean(values[position]) if position < len(values) else None
                   for key, position in positions.items()}
        if all(value is None for value in cleaned.values()):
            continue
        yield Row(number=number, values=cleaned)
