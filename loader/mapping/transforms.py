"""Value transforms a partner config can chain: ``transform = ["strip_html", "trim"]``.

Each transform takes one value and returns the cleaned value, or None to drop it.
Lists are transformed item by item (``split:|`` makes lists).  The built-in
transforms are registered in ``TRANSFORMS`` like any other: a partner that truly
needs code adds a small named function here, and its config refers to it by name.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import pycountry

from loader.geo import normalise_postal_code
from loader.privacy import is_functional_email

Transform = Callable[[Any], Any]


@dataclass(frozen=True)
class Tagged:
    """A text with its language tag (``"fr"``), as partners' language maps give them."""

    text: str
    language: str


@dataclass(frozen=True)
class DateValue:
    """A date at the precision the partner gave: ``2019``, ``2019-03`` or ``2019-03-09``."""

    lexical: str
    datatype: str  # gYear, gYearMonth, date or dateTime


def _text(value: Any) -> Any:
    return value.text if isinstance(value, Tagged) else value


def _keep_tag(value: Any, text: Any) -> Any:
    if text is None:
        return None
    return Tagged(text, value.language) if isinstance(value, Tagged) else text


def _on_text(function: Callable[[str], str | None]) -> Transform:
    """Lift a str → str function to Tagged values and other scalars."""

    def transform(value: Any) -> Any:
        text = _text(value)
        if text is None:
            return None
        return _keep_tag(value, function(str(text)))

    transform.__doc__ = function.__doc__
    return transform


def trim(text: str) -> str | None:
    """Strip and collapse runs of white space; empty → None."""
    cleaned = " ".join(text.split())
    return cleaned or None


_BLOCK_TAGS = re.compile(r"<\s*(br|/p|/div|/li|/h[1-6])\s*/?\s*>", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]*>")


def strip_html(text: str) -> str | None:
    """Markup → plain text: tags removed (block ends become line breaks), entities decoded."""
    text = _BLOCK_TAGS.sub("\n", text)
    text = html.unescape(_TAGS.sub("", text))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    cleaned = "\n".join(line for line in lines if line)
    return cleaned or None


def unescape(text: str) -> str | None:
    """Decode HTML entities left in plain text (``Escale &amp; CO`` → ``Escale & CO``)."""
    return html.unescape(text)


_ARTICLE_AT_END = re.compile(r"^(?P<name>.+?)\s*\((?P<article>la|le|les|l'|l’)\)\s*$", re.IGNORECASE)


def article_first(text: str) -> str | None:
    """``KazLab (La)`` → ``La KazLab``; ``Escale & CO (L')`` → ``L'Escale & CO``."""
    match = _ARTICLE_AT_END.match(text.strip())
    if not match:
        return text
    article = match.group("article")
    article = article[0].upper() + article[1:].lower()
    separator = "" if article.endswith(("'", "’")) else " "
    return f"{article}{separator}{match.group('name')}"


def strip_trailing_punctuation(text: str) -> str | None:
    """``Gullivigne-`` → ``Gullivigne``."""
    return text.rstrip(" -–—_.,;:/") or None


_SMALL_WORDS = {"de", "du", "des", "la", "le", "les", "et", "en", "sur", "sous", "aux", "au", "à", "d", "l"}


def title_case_if_upper(text: str) -> str | None:
    """``LA FABRIQUE 18`` → ``La Fabrique 18``; mixed-case names are left alone."""
    letters = [c for c in text if c.isalpha()]
    if not letters or any(c.islower() for c in letters):
        return text
    words = re.split(r"(\s+|-|')", text.lower())
    out = []
    for index, word in enumerate(words):
        if index and word in _SMALL_WORDS:
            out.append(word)
        else:
            out.append(word[:1].upper() + word[1:])
    return "".join(out)


def lower(text: str) -> str | None:
    return text.lower()


def upper(text: str) -> str | None:
    return text.upper()


def postal_code(value: Any) -> str | None:
    """French postal code, repaired: ``4000`` → ``04000``, ``29600.0`` → ``29600``."""
    return normalise_postal_code(_text(value))


def insee_code(value: Any) -> str | None:
    """INSEE commune code: 5 characters (``2A004``), a lost leading zero restored."""
    text = str(_text(value)).strip()
    if re.fullmatch(r"\d+\.0+", text):
        text = text.split(".")[0]
    if re.fullmatch(r"\d{4}", text):
        text = "0" + text
    return text if re.fullmatch(r"\d{5}|2[AB]\d{3}", text) else None


def _digits(value: Any, length: int) -> str | None:
    text = _text(value)
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    text = re.sub(r"[\s.]", "", str(text))
    if text.isdigit() and len(text) < length and isinstance(_text(value), int | float):
        text = text.zfill(length)  # a number that lost its leading zeros
    if not re.fullmatch(rf"\d{{{length}}}", text) or set(text) == {"0"}:
        return None  # placeholders such as 000000000 are "unknown", never a key
    return text


def siren(value: Any) -> str | None:
    """9-digit SIREN; placeholders and malformed values dropped."""
    return _digits(value, 9)


def siret(value: Any) -> str | None:
    """14-digit SIRET; placeholders and malformed values dropped."""
    return _digits(value, 14)


def number(value: Any) -> Decimal | None:
    """A number, French style welcome: ``1 234,5`` → 1234.5; ``12 %`` → 12."""
    text = _text(value)
    if isinstance(text, bool):
        return None
    if isinstance(text, int | float):
        return Decimal(str(text))
    cleaned = re.sub(r"[\s\u00a0\u202f€%]", "", str(text)).replace(",", ".")
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


_DATE_FORMATS = (
    ("%Y-%m-%dT%H:%M:%S", "date"),
    ("%Y/%m/%d %H:%M:%S.%f", "date"),
    ("%Y/%m/%d %H:%M:%S", "date"),
    ("%Y-%m-%d", "date"),
    ("%Y/%m/%d", "date"),
    ("%d/%m/%Y", "date"),
    ("%d-%m-%Y", "date"),
    ("%d.%m.%Y", "date"),
)


def date_value(value: Any) -> DateValue | None:
    """A date at the partner's precision; the epoch placeholder 1970-01-01 is dropped."""
    text = str(_text(value)).strip()
    if re.fullmatch(r"\d{4}", text):
        return DateValue(text, "gYear")
    if re.fullmatch(r"\d{4}-\d{2}", text):
        return DateValue(text, "gYearMonth")
    candidate = text[:19].replace("Z", "")
    for pattern, datatype in _DATE_FORMATS:
        try:
            parsed = datetime.strptime(candidate if "%f" not in pattern else text, pattern).date()
        except ValueError:
            continue
        if parsed == date(1970, 1, 1):
            return None
        return DateValue(parsed.isoformat(), datatype)
    return None


def url(value: Any) -> str | None:
    """An http(s) URL as an IRI: scheme added to ``www.…``, spaces encoded, anything else dropped."""
    text = str(_text(value)).strip().strip("<>\"'")
    if not text or " " in text.strip() and "://" not in text:
        return None
    if text.startswith("//"):
        text = "https:" + text
    elif not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", text):
        if re.match(r"^(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)+(/.*)?$", text, re.IGNORECASE):
            text = "https://" + text
        else:
            return None
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or "." not in parts.hostname:
        return None
    safe = "/:@!$&'()*+,;=-._~%"
    return urlunsplit(
        (
            parts.scheme.lower(),
            parts.netloc.lower(),
            quote(parts.path, safe=safe),
            quote(parts.query, safe=safe + "?"),
            quote(parts.fragment, safe=safe),
        )
    )


def _social(host: str) -> Transform:
    def transform(value: Any) -> str | None:
        text = str(_text(value)).strip()
        if not text:
            return None
        if "://" in text or text.startswith(("www.", host)):
            return url(text)
        handle = text.lstrip("@/").strip()
        if not re.fullmatch(r"[\w.\-/]+", handle):
            return None
        return url(f"https://{host}/{handle}")

    transform.__doc__ = f"A handle, slug or path on {host} → its https URL."
    return transform


def boolean(value: Any) -> bool | None:
    """``True``/``oui``/``yes``/``1`` → True; ``False``/``non``/``no``/``0`` → False."""
    text = str(_text(value)).strip().lower()
    if text in {"true", "oui", "yes", "1", "vrai", "o", "y"}:
        return True
    if text in {"false", "non", "no", "0", "faux", "n"}:
        return False
    return None


def pg_array(value: Any) -> list[str] | None:
    """A PostgreSQL array literal kept as text: ``{Coworking,"Promeneur du net"}`` → list."""
    text = str(_text(value)).strip()
    if not (text.startswith("{") and text.endswith("}")):
        return [text] if text else None
    items = re.findall(r'"((?:[^"\\]|\\.)*)"|([^,{}]+)', text[1:-1])
    values = [(quoted or bare).strip() for quoted, bare in items]
    return [v for v in values if v] or None


def functional_email(value: Any) -> str | None:
    """Keep an organisation's generic contact address (contact@…); drop any person's."""
    text = str(_text(value)).strip().lower()
    return text if is_functional_email(text) else None


def country(value: Any) -> str | None:
    """ISO 3166-1 alpha-2 code from a code or an English name (``fr``, ``Spain``); unknown → None."""
    text = str(_text(value)).strip()
    if not text:
        return None
    if len(text) == 2:
        found = pycountry.countries.get(alpha_2=text.upper())
        return found.alpha_2 if found else None  # ``sw`` is no country: dropped, not guessed
    try:
        return str(pycountry.countries.lookup(text).alpha_2)
    except LookupError:
        return None


def first_line(text: str) -> str | None:
    """The first non-empty line, without a trailing comma (``"12 rue X,\n75011"`` → ``12 rue X``)."""
    for line in text.splitlines():
        line = line.strip().rstrip(",;").strip()
        if line:
            return line
    return None


def naf_section(value: Any) -> str | None:
    """NAF rev. 2 code (``62.01Z``) → its section in the common scheme (``sector/J``)."""
    match = re.match(r"\s*(\d{2})", str(_text(value)))
    if not match:
        return None
    division = int(match.group(1))
    for last, section in _NAF_SECTIONS:
        if division <= last:
            return f"sector/{section}"
    return None


# Last division of each NAF rev. 2 section (INSEE).
_NAF_SECTIONS = (
    (3, "A"), (9, "B"), (33, "C"), (35, "D"), (39, "E"), (43, "F"), (47, "G"), (53, "H"), (56, "I"),
    (63, "J"), (66, "K"), (68, "L"), (75, "M"), (82, "N"), (84, "O"), (85, "P"), (88, "Q"), (93, "R"),
    (96, "S"), (98, "T"), (99, "U"),
)  # fmt: skip


def naf_code(value: Any) -> str | None:
    """APE code normalised to ``62.01Z`` (``6201Z`` and ``62.01z`` accepted)."""
    text = re.sub(r"\s", "", str(_text(value))).upper()
    match = re.fullmatch(r"(\d{2})\.?(\d{2})([A-Z])", text)
    return f"{match.group(1)}.{match.group(2)}{match.group(3)}" if match else None


def regex(pattern: str) -> Transform:
    compiled = re.compile(pattern)

    def transform(value: Any) -> Any:
        match = compiled.search(str(_text(value)))
        if not match:
            return None
        return _keep_tag(value, match.group(1) if compiled.groups else match.group(0))

    transform.__doc__ = f"The first match of {pattern!r} (its first group if it has one)."
    return transform


def prefix(text: str) -> Transform:
    def transform(value: Any) -> Any:
        return _keep_tag(value, text + str(_text(value)))

    transform.__doc__ = f"Prepend {text!r}."
    return transform


def split(separator: str) -> Transform:
    def transform(value: Any) -> list[Any] | None:
        text = _text(value)
        parts = [part.strip() for part in str(text).split(separator)]
        return [_keep_tag(value, part) for part in parts if part] or None

    transform.__doc__ = f"Split on {separator!r} into several values."
    return transform


TRANSFORMS: dict[str, Transform] = {
    "trim": _on_text(trim),
    "strip_html": _on_text(strip_html),
    "unescape": _on_text(unescape),
    "article_first": _on_text(article_first),
    "strip_trailing_punctuation": _on_text(strip_trailing_punctuation),
    "title_case_if_upper": _on_text(title_case_if_upper),
    "lower": _on_text(lower),
    "upper": _on_text(upper),
    "postal_code": postal_code,
    "insee_code": insee_code,
    "siren": siren,
    "siret": siret,
    "number": number,
    "date": date_value,
    "url": url,
    "twitter_url": _social("twitter.com"),
    "facebook_url": _social("www.facebook.com"),
    "instagram_url": _social("www.instagram.com"),
    "boolean": boolean,
    "pg_array": pg_array,
    "functional_email": functional_email,
    "country": country,
    "first_line": _on_text(first_line),
    "naf_section": naf_section,
    "naf_code": naf_code,
}

PARAMETRISED: dict[str, Callable[[str], Transform]] = {"split": split, "regex": regex, "prefix": prefix}


def resolve(name: str) -> Transform:
    """The transform called ``name`` (``split:|`` for parametrised ones).

    :raises KeyError: no such transform.
    """
    if ":" in name:
        base, _, argument = name.partition(":")
        if base in PARAMETRISED:
            return PARAMETRISED[base](argument)
    return TRANSFORMS[name]


def apply_chain(value: Any, chain: list[Transform]) -> list[Any]:
    """Apply transforms in order, item by item over lists; empty results vanish."""
    values = value if isinstance(value, list) else [value]
    for transform in chain:
        next_values: list[Any] = []
        for item in values:
            if item is None:
                continue
            result = transform(item)
            if isinstance(result, list):
                next_values.extend(result)
            elif result is not None:
                next_values.append(result)
        values = next_values
    return [v for v in values if v is not None and v != ""]
