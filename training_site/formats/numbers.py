"""Numbers as the reader's language writes them, for text that is not a template: PDFs' context,
messages, report cells that are text. Vietnamese groups thousands with a dot and writes decimals with a
comma ("2.236", "9,0%"); English the other way round. The separators come from the active language's
format module (training_site/formats/<language>/formats.py).

Why not ``USE_THOUSAND_SEPARATOR = True``: it groups every integer a template prints, and templates
print integers that are not quantities (a primary key in a form field's name, a year): "present-1.234"
and "2.026" would break forms and headings. Quantities are grouped where they are shown instead: here,
and with ``|floatformat:"g"`` in templates.

In a spreadsheet a number stays a number: XLSX cells get a number format (``PERCENT_FORMAT``), never
one of these strings.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.formats import number_format

PERCENT_FORMAT = "0.0%"  # Excel shows it with the reader's own separators


def number(value: int | float | Decimal | None, decimals: int | None = None) -> str:
    """``2236`` → "2.236" in Vietnamese; ``None`` → "–"."""
    if value is None:
        return "–"
    return number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def percent(share: float | None, decimals: int = 1) -> str:
    """A share (0.09) as a percentage: "9,0%" in Vietnamese, "9.0%" in English; ``None`` → "–"."""
    if share is None:
        return "–"
    return f"{number(round(share * 100, decimals), decimals)}%"
