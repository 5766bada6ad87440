"""The 12-digit personal identification number (số định danh cá nhân) and how it may be shown.

Its layout (Circular 59/2021/TT-BCA, as the earlier Circular 07/2016/TT-BCA): three digits for the province
where the birth was registered, one digit for century and gender, two for the year of birth, six random.
Province codes are those of the 63 provinces before the 2025 merger: numbers already issued keep them.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PROVINCE_CODES = frozenset({
    "001", "002", "004", "006", "008", "010", "011", "012", "014", "015", "017", "019", "020", "022", "024",
    "025", "026", "027", "030", "031", "033", "034", "035", "036", "037", "038", "040", "042", "044", "045",
    "046", "048", "049", "051", "052", "054", "056", "058", "060", "062", "064", "066", "067", "068", "070",
    "072", "074", "075", "077", "079", "080", "082", "083", "084", "086", "087", "089", "091", "092", "093",
    "094", "095", "096",
})
# The fourth digit: even for men, odd for women; the pair gives the century of birth.
CENTURY_OF_DIGIT = {0: 1900, 1: 1900, 2: 2000, 3: 2000, 4: 2100, 5: 2100, 6: 2200, 7: 2200, 8: 1800, 9: 1800}
_DIGITS = re.compile(r"\d{12}")


def normalise_personal_id(value: str) -> str:
    """Spaces and dots that people type between groups of digits are dropped."""
    return re.sub(r"[\s.\-]", "", value or "")


def validate_personal_id(value: str) -> None:
    """Twelve digits, a known province code, a year of birth that is not in the future."""
    if not _DIGITS.fullmatch(value):
        raise ValidationError(_("The personal identification number must have exactly 12 digits."),
                              code="personal_id_format")
    if value[:3] not in PROVINCE_CODES:
        raise ValidationError(_("The personal identification number starts with %(code)s, which is not a "
                                "province code."), code="personal_id_province", params={"code": value[:3]})
    year = birth_year(value)
    if year > dt.date.today().year or year < 1900:
        raise ValidationError(_("The personal identification number gives %(year)s as the year of birth, "
                                "which is not plausible."), code="personal_id_year", params={"year": year})


def birth_year(value: str) -> int:
    return CENTURY_OF_DIGIT[int(value[3])] + int(value[4:6])


def is_female_digit(value: str) -> bool:
    return int(value[3]) % 2 == 1


def check_against(value: str, *, gender: str | None, date_of_birth: dt.date | None) -> str | None:
    """A message when the number disagrees with the official's gender or year of birth, else None."""
    if date_of_birth is not None and birth_year(value) != date_of_birth.year:
        return str(_("The personal identification number gives %(id_year)s as the year of birth, but the date of "
                     "birth is in %(year)s.") % {"id_year": birth_year(value), "year": date_of_birth.year})
    if gender in ("female", "male") and is_female_digit(value) != (gender == "female"):
        return str(_("The personal identification number's gender digit does not match the gender."))
    return None


def mask_personal_id(value: str | None) -> str:
    """Everyone but the city's HR sees the last four digits only."""
    if not value:
        return ""
    return "•" * (len(value) - 4) + value[-4:]
