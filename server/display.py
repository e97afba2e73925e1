"""Numbers, amounts and dates as people read them, in French or English.

Pages never show a literal's datatype (``xsd:dateTime``): its value is written the
way the page's language writes such values.  French follows the Imprimerie
nationale and CLDR conventions: thousands grouped by a narrow no-break space
(U+202F), a decimal comma, a no-break space before ``€`` and ``%``, dates written
out (« 6 décembre 2026 »), hours on the 24-hour clock.  Times are given in UTC, as
the hub records them, and say so.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from carrefour.vocab import XSD

GROUP = {"fr": "\u202f", "en": ","}
DECIMAL_MARK = {"fr": ",", "en": "."}
NBSP = "\u00a0"
MONTHS = {
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}  # fmt: skip
BOOLEANS = {"fr": ("non", "oui"), "en": ("no", "yes")}
NUMBER_TYPES = frozenset(
    XSD + name
    for name in ("integer", "decimal", "double", "float", "int", "long", "short", "nonNegativeInteger",
                 "positiveInteger", "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong")
)  # fmt: skip
_YEAR_MONTH = re.compile(r"(-?\d{4,})-(\d{2})")


def number(value: int | float | str | Decimal, lang: str) -> str:
    """``6000000`` → « 6 000 000 » (U+202F) in French, "6,000,000" in English; the text itself if no number."""
    try:
        exact = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, ValueError):
        return str(value)
    if not exact.is_finite():
        return str(value)
    whole, _, fraction = f"{abs(exact):f}".partition(".")
    groups = [whole[max(0, end - 3) : end] for end in range(len(whole), 0, -3)][::-1]
    fraction = fraction.rstrip("0")
    sign = "-" if exact < 0 else ""
    return sign + GROUP[lang].join(groups) + (DECIMAL_MARK[lang] + fraction if fraction else "")


def amount(value: int | str | Decimal, lang: str) -> str:
    """A sum in euros: « 6 000 000 € » in French, "€6,000,000" in English."""
    return f"{number(value, lang)}{NBSP}€" if lang == "fr" else f"€{number(value, lang)}"


def percent(value: int | str | Decimal, lang: str) -> str:
    return f"{number(value, lang)}{GROUP['fr']}%" if lang == "fr" else f"{number(value, lang)}%"


SIZE_UNITS = {"fr": ("octets", "ko", "Mo", "Go", "To"), "en": ("bytes", "kB", "MB", "GB", "TB")}


def byte_size(size: int, lang: str) -> str:
    """A file's size: « 273,9 ko », "273.9 kB" (powers of 1,000, as on the files' pages)."""
    scaled, unit = float(size), 0
    while scaled >= 1000 and unit < len(SIZE_UNITS[lang]) - 1:
        scaled, unit = scaled / 1000, unit + 1
    shown = number(size, lang) if unit == 0 else number(Decimal(f"{scaled:.1f}"), lang)
    return f"{shown}{NBSP}{SIZE_UNITS[lang][unit]}"


def day(value: date, lang: str) -> str:
    """« 6 décembre 2026 », "6 December 2026" (« 1er » for the first of the month, in French)."""
    first = "1er" if lang == "fr" and value.day == 1 else str(value.day)
    return f"{first} {MONTHS[lang][value.month - 1]} {value.year}"


def moment(value: datetime, lang: str) -> str:
    """« 6 décembre 2026 à 09:42 UTC », "6 December 2026, 09:42 UTC" (in UTC when the value has a zone)."""
    utc = value.astimezone(UTC) if value.tzinfo else value
    joint = " à " if lang == "fr" else ", "
    zone = " UTC" if value.tzinfo else ""
    return f"{day(utc.date(), lang)}{joint}{utc:%H:%M}{zone}"


def when(text: str, lang: str) -> str:
    """An ISO date or date-time (``2026-12-06``, ``2026-12-06T09:42:32Z``) written out; other text as it is."""
    try:
        if "T" in text:
            return moment(datetime.fromisoformat(text.replace("Z", "+00:00")), lang)
        return day(date.fromisoformat(text), lang)
    except ValueError:
        return text


def literal_text(value: str, datatype: str, lang: str) -> str:
    """A typed literal's value as the page's language writes it (unknown datatypes: the value as it is)."""
    if datatype in NUMBER_TYPES:
        return number(value, lang)
    if datatype in (XSD + "date", XSD + "dateTime", XSD + "dateTimeStamp"):
        return when(value, lang)
    if datatype == XSD + "gYearMonth":
        match = _YEAR_MONTH.fullmatch(value.strip()[:7])
        if match and 1 <= int(match.group(2)) <= 12:
            return f"{MONTHS[lang][int(match.group(2)) - 1]} {match.group(1)}"
    if datatype == XSD + "boolean" and value.strip() in ("true", "false", "1", "0"):
        return BOOLEANS[lang][value.strip() in ("true", "1")]
    return value
