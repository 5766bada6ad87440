"""What every spreadsheet the project writes has in common: text stays text, and CSV opens in Excel.

Both apps write spreadsheets (the project's own exporters and reports in ``staff``, Wagtail's
``list_export`` on every admin list in ``staff`` and ``courses``), so the rules live here, once:

* XLSX: openpyxl turns any string longer than one character that starts with "=" into a formula. A text
  value is written as a cell whose type is forced to text, so "=1+2" reads back as "=1+2" and no cell is
  ever a formula. Control characters that XML cannot carry are dropped.
* CSV has no cell types: a spreadsheet opening it evaluates "=1+2", "+1", "-1", "@SUM(A1)". Following
  the usual CSV-injection defence (OWASP), a string starting with "=", "+", "-", "@", a tab or a carriage
  return gets a leading apostrophe ("'=1+2"): spreadsheets show it as text and a person can still read
  the original. Numbers and dates are not strings and are written unchanged.
* CSV is UTF-8 with a byte-order mark and says so (``text/csv; charset=utf-8``): Excel on Windows then
  reads Vietnamese instead of mojibake.
* Times are written in the site's time zone (Asia/Ho_Chi_Minh), never as naive UTC.
"""

from __future__ import annotations

import codecs
import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Field, Model
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import capfirst
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from wagtail.admin.views.mixins import SpreadsheetExportMixin
from wagtail.coreutils import multigetattr

CSV_DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_BOM = codecs.BOM_UTF8.decode("utf-8")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"


def csv_safe(value: Any) -> Any:
    """A CSV value that no spreadsheet will evaluate: dangerous leading characters get an apostrophe."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str) and value.startswith(CSV_DANGEROUS_PREFIXES):
        return "'" + value
    return value


def local_time(value: dt.datetime) -> dt.datetime:
    """An aware time as the site's wall-clock time, without tzinfo (spreadsheets have no time zones)."""
    if timezone.is_aware(value):
        return timezone.make_naive(value, timezone.get_current_timezone())
    return value


def xlsx_text(value: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def xlsx_cell(sheet: Any, value: Any) -> Cell:
    """A write-only cell: text forced to text (never a formula), dates and times with a day-first format."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=xlsx_text(value))
        cell.data_type = "s"
    elif isinstance(value, dt.datetime):
        cell = WriteOnlyCell(sheet, value=local_time(value))
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]  # openpyxl takes a date; its stubs do not
        cell.number_format = DATE_FORMAT
    else:
        cell = WriteOnlyCell(sheet, value=value)
    return cell


# Values openpyxl writes as they are, with no style: the common case of a row goes to ``append`` untouched.
_PLAIN_TYPES = frozenset({int, float, bool, Decimal, type(None)})
# A string openpyxl would not keep as text: "=…" becomes a formula, "#N/A" and the like an error value.
_NOT_TEXT_PREFIXES = ("=", "#")


def xlsx_rows(sheet: Any) -> Callable[[Iterable[Any]], list[Any]]:
    """Rows for a write-only sheet's ``append`` with the rules of ``xlsx_cell``, but a cell object only where
    a value needs one (a date's format, a string openpyxl would turn into a formula or an error, a string with
    characters XML cannot carry). Plain text and numbers are appended as values: openpyxl then reuses one
    cell for them, where a cell per value was most of the time of a city's export (issue 12)."""

    # The style of the first date (and of the first time) written, given to the next ones as they are made:
    # openpyxl copies a cell's style array, so setting the number format (a lookup, twice) is done once.
    styles: dict[type, Any] = {}

    def dated(value: dt.date, kind: type) -> Cell:
        style = styles.get(kind)
        if style is None:
            cell = xlsx_cell(sheet, value)
            styles[kind] = cell._style  # type: ignore[attr-defined]  # openpyxl has no public getter
            return cell
        return Cell(sheet, row=1, column=1, style_array=style,
                    value=local_time(value) if kind is dt.datetime else value)  # type: ignore[arg-type]

    def row(values: Iterable[Any]) -> list[Any]:
        cells: list[Any] = []
        put = cells.append
        for value in values:
            kind = type(value)
            if kind is str:
                # isprintable() is False for every control character, so a printable string has none to drop.
                put(value if value.isprintable() and not value.startswith(_NOT_TEXT_PREFIXES)
                    else xlsx_cell(sheet, value))
            elif kind in _PLAIN_TYPES:
                put(value)
            elif kind is dt.date or kind is dt.datetime:
                put(dated(value, kind))
            else:  # subclasses of date, lazy translations, anything else: the careful path
                put(xlsx_cell(sheet, value))
        return cells

    return row


def set_text(cell: Any, value: Any) -> Any:
    """Put ``value`` into an ordinary (not write-only) cell, text forced to text; returns the cell."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        cell.value = xlsx_text(value)
        cell.data_type = "s"
    elif isinstance(value, dt.datetime):
        cell.value = local_time(value)
    else:
        cell.value = value
    return cell


def csv_text(value: Any) -> Any:
    """One CSV field: dates day-first, times in the site's zone, text neutralised, nothing as "None"."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return local_time(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return csv_safe(value)


def with_bom(lines: Iterator[str]) -> Iterator[str]:
    """Prefix a stream of CSV lines with the UTF-8 byte-order mark."""
    yield CSV_BOM
    yield from lines


def _resolve(item: Any, accessor: str) -> Any:
    """``multigetattr`` that stops at an empty link: an audit entry without a user exports an empty cell
    (Wagtail's own lookup raises "Failed lookup for key [username]" and the export answers 500)."""

    head, _, rest = accessor.partition(".")
    value = multigetattr(item, head)
    if not rest:
        return value
    return None if value is None else _resolve(value, rest)


def field_heading(model: type[Model], accessor: str) -> str:
    """The column heading of a dotted path or a ``get_<field>_display`` from the models' own (translated)
    verbose names: "unit.code" on an enrollment reads "Mã (đơn vị)", never the raw path."""

    parts = accessor.split(".")
    current: type[Model] = model
    owners: list[str] = []
    for part in parts[:-1]:
        try:
            relation = current._meta.get_field(part)
        except FieldDoesNotExist:
            relation = None
        # Only a link forward (a foreign key) has a verbose name and leads on to a model.
        if not isinstance(relation, Field) or relation.related_model is None:
            return capfirst(parts[-1].replace("_", " "))
        owners.append(str(relation.verbose_name))
        current = relation.related_model
    last = parts[-1]
    if last.startswith("get_") and last.endswith("_display"):
        last = last[len("get_"):-len("_display")]
    try:
        field = current._meta.get_field(last)
    except FieldDoesNotExist:
        field = None
    label = capfirst(str(field.verbose_name) if isinstance(field, Field) else last.replace("_", " "))
    return f"{label} ({owners[-1]})" if owners else label


class SafeSpreadsheetExportMixin(SpreadsheetExportMixin):
    """Mixed into every Wagtail index view that has ``list_export``, before Wagtail's own views (based on
    their ``SpreadsheetExportMixin``, so the method order is the same and ``super()`` reaches it).

    It changes only how values are written: empty links give empty cells, times are local, XLSX dates and
    times carry a day-first number format, CSV text is neutralised and carries a BOM and a charset, and
    headings come from verbose names. What is exported
    stays ``list_export``'s business.
    """

    list_export: list[str]
    export_headings: dict[str, Any]

    def to_row_dict(self, item: Any) -> dict[str, Any]:
        return {field: _resolve(item, field) for field in self.list_export}

    def preprocess_field_value(self, field: str, value: Any, export_format: str) -> Any:
        if isinstance(value, Promise):
            value = str(value)
        if export_format == "csv":
            if isinstance(value, list):
                value = ", ".join(str(v) for v in value)
            return csv_text(value)
        if value is None:
            return ""
        if isinstance(value, dt.datetime):
            return local_time(value)
        if isinstance(value, (dt.date, dt.time, int, float, Decimal)):
            return value
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return xlsx_text(str(value))

    def generate_xlsx_row(self, worksheet: Any, row_dict: dict[str, Any], date_format: str | None = None) -> Any:
        # Wagtail gives a number format to datetimes only (its SHORT_DATETIME_FORMAT) and none to dates, so a
        # date of birth opened as a serial number or as yyyy-mm-dd. Every cell goes through ``xlsx_cell``:
        # dates dd/mm/yyyy, times dd/mm/yyyy hh:mm, numbers stay numbers, text stays text.
        for field, value in row_dict.items():
            yield xlsx_cell(worksheet, self.preprocess_field_value(field, value, self.FORMAT_XLSX))

    def get_heading(self, queryset: Any, field: str) -> str:
        override = self.export_headings.get(field)
        if override:
            return str(override)
        return field_heading(queryset.model, field)

    def stream_csv(self, queryset: Any) -> Iterator[str]:
        return with_bom(super().stream_csv(queryset))

    def write_csv_response(self, queryset: Any) -> Any:
        response = super().write_csv_response(queryset)
        response["Content-Type"] = CSV_CONTENT_TYPE
        return response
