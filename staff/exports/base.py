"""The exporter base and the one writer that turns an exporter's rows into XLSX or CSV.

An exporter declares its name, its filter fields and a filename, and yields the header row then the rows,
streamed from the database (``values_list(...).iterator(chunk_size=...)``): never the whole export in
memory, never a query per row. The writers take any file object, so the same code serves a download, a
command writing to disk and a background task writing a file that then goes to Django's storage.

Text from users is always written as text, never as a formula, by the rules of
``training_site.spreadsheets`` (shared with every Wagtail ``list_export``).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, ClassVar

from django.conf import settings
from openpyxl import Workbook
from openpyxl.styles import Font

from training_site.spreadsheets import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, csv_text, xlsx_cell, xlsx_rows

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

# Exports and reports are documents of the Vietnamese administration: written in Vietnamese whoever asks.
EXPORT_LANGUAGE = "vi"
FORMATS = ("xlsx", "csv")

Row = list[Any]


def choice_labels(choices: Iterable[tuple[str, Any]]) -> dict[str, str]:
    """Choice values → their labels in the active language (call it inside the export's language)."""
    return {value: str(label) for value, label in choices}


def chunk_rows() -> int:
    """Rows fetched per database round trip, and written between two progress updates."""
    return getattr(settings, "EXPORT_CHUNK_ROWS", 2000)


class Exporter:
    """One report: subclasses set ``name`` and ``filter_fields`` and implement ``header`` and ``data``.

    ``preamble()`` may return rows written above the header (an official's details on their record).
    ``count()`` answers how many data rows ``data()`` will yield, in one COUNT query, for progress bars.
    """

    name: ClassVar[str] = ""
    filter_fields: ClassVar[tuple[str, ...]] = ()
    # Not a ClassVar: exporters translate their title in __init__, inside the export's language.
    sheet_title: str = "Sheet1"

    def filename(self, fmt: str) -> str:
        return f"{self.name}.{fmt}"

    def filters(self) -> dict[str, Any]:
        """The filters of this export as JSON-serialisable values (for the audit log and export jobs)."""
        return {name: _jsonable(getattr(self, name, None)) for name in self.filter_fields}

    def preamble(self) -> list[Row]:
        return []

    def header(self) -> Row:
        raise NotImplementedError

    def data(self) -> Iterator[Row]:
        raise NotImplementedError

    def count(self) -> int:
        raise NotImplementedError

    def rows(self) -> Iterator[Row]:
        """The header row, then the data rows."""
        yield self.header()
        yield from self.data()


def _jsonable(value: Any) -> Any:
    if hasattr(value, "code"):  # a Unit
        return value.code
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: Any, *, bold_font: Font | None = None) -> Cell:
    cell: Cell = xlsx_cell(sheet, value)
    if bold_font is not None:
        cell.font = bold_font
    return cell


def write_xlsx(exporter: Exporter, stream: BinaryIO, *,
               on_progress: Callable[[int], None] | None = None) -> int:
    """Write the exporter's preamble, header and rows to ``stream`` as XLSX; return the data rows written.

    The preamble and the (bold) header are a few cells each; the data rows go through ``xlsx_rows``, which
    makes a cell object only for the values that need one (dates, text openpyxl would not keep as text), so
    a city's year of records is written at the speed of openpyxl itself."""

    workbook = Workbook(write_only=True)
    sheet: WriteOnlyWorksheet = workbook.create_sheet(title=str(exporter.sheet_title)[:31])
    bold = Font(bold=True)
    preamble = exporter.preamble()
    for line in preamble:
        sheet.append([_xlsx_cell(sheet, value) for value in line])
    header_row = len(preamble) + 1
    sheet.freeze_panes = f"A{header_row + 1}"

    data_row = xlsx_rows(sheet)

    def put(row: Row, first: bool) -> None:
        sheet.append([_xlsx_cell(sheet, value, bold_font=bold) for value in row] if first else data_row(row))

    return _stream(exporter, put, on_progress, finish=lambda: workbook.save(stream))


def write_csv(exporter: Exporter, stream: BinaryIO, *, on_progress: Callable[[int], None] | None = None) -> int:
    """Write the rows to ``stream`` as UTF-8 CSV with a BOM (Excel then reads Vietnamese correctly)."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text)
    for line in exporter.preamble():
        writer.writerow([csv_text(value) for value in line])
    try:
        return _stream(exporter, lambda row, _first: writer.writerow([csv_text(value) for value in row]),
                       on_progress, finish=text.flush)
    finally:
        text.detach()  # leave the caller's stream open


def _stream(exporter: Exporter, put: Callable[[Row, bool], None], on_progress: Callable[[int], None] | None, *,
            finish: Callable[[], object]) -> int:
    written, step = 0, chunk_rows()
    rows = exporter.rows()
    put(next(rows), True)
    for row in rows:
        put(row, False)
        written += 1
        if on_progress is not None and written % step == 0:
            on_progress(written)
    finish()
    if on_progress is not None:
        on_progress(written)
    return written


def write_export(exporter: Exporter, stream: BinaryIO, fmt: str, *,
                 on_progress: Callable[[int], None] | None = None) -> int:
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}")
    writer = write_xlsx if fmt == "xlsx" else write_csv
    return writer(exporter, stream, on_progress=on_progress)


def content_type(fmt: str) -> str:
    return XLSX_CONTENT_TYPE if fmt == "xlsx" else CSV_CONTENT_TYPE


@contextlib.contextmanager
def atomic_file(target: Path) -> Iterator[BinaryIO]:
    """A file next to ``target`` that replaces it only if the block succeeds: no half-written exports."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            yield stream
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

