"""Personal data never leaves the loader.

People appear in the hub only through public roles of organisations.  Partner feeds
carry e-mails and phone numbers of named people, in contact fields, inside free text,
in identifiers and in columns meant for something else; contact fields are marked
private in partner configs and never mapped, and every published text, name, key and
IRI is made from text that went through ``redact``, which removes any e-mail address
(plain or written to fool robots: ``jean [at] example [dot] org``) that is not an
organisation's generic one, and any phone number.  Each pattern is a named rule, so a
report can say which rule fired without ever showing the value.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from typing import NamedTuple

from carrefour.config import Config


@dataclass(frozen=True)
class Rule:
    name: str  # what reports say instead of the value
    pattern: re.Pattern[str]
    removed: str  # what the text says in its place
    hint: re.Pattern[str]  # found in any match: most texts lack it, and it is much quicker to rule out


_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
_TLD = r"[A-Za-z]{2,}"
_EMAIL = re.compile(rf"[A-Za-z0-9._%+\-]+@{_LABEL}(?:\.{_LABEL})*\.{_TLD}\b")
# ``[at]``, ``(at)``, `` arobase ``, `` @ ``… and ``[dot]``, ``(point)``, `` dot ``…; a plain ``jean at x dot
# org`` is left alone: "at" and "point" are too common in ordinary text.
_AT = r"(?:\s*[\[({<]\s*(?:at|@|arobase|arobas)\s*[\])}>]\s*|\s+(?:arobase|arobas)\s+|\s+@\s*|\s*@\s+|@)"
_DOT = r"(?:\s*[\[({<]\s*(?:dot|point|\.)\s*[\])}>]\s*|\s+(?:dot|point)\s+|\.)"
_OBFUSCATED_EMAIL = re.compile(
    rf"(?<![\w.%+\-])[A-Za-z0-9_%+\-]+(?:{_DOT}[A-Za-z0-9_%+\-]+)*{_AT}{_LABEL}(?:{_DOT}{_LABEL})*{_DOT}{_TLD}\b",
    re.IGNORECASE,
)
# A French number is five pairs of digits (the first ``0X``, or ``+33 X`` / ``+33 (0)X``) with the same separator
# throughout: ``06/12/2024 10:30`` and ``12.06.2024`` change separators or run out of pairs, so dates survive.
# Digits glued to a decimal point (``47.0612345678``) are coordinates, not numbers to call.
_NOT_AFTER = r"(?<![\w+])(?<!\d[.,])"
_PAIRS = r"(?P<{0}>[ \u00a0.\-/]?|\s+)\d{{2}}(?:(?P={0})\d{{2}}){{3}}(?![\w/]|[.,]\d)"
_PHONE = re.compile(
    rf"{_NOT_AFTER}(?:\(0[1-9]\)|0[1-9]){_PAIRS.format('national')}"
    rf"|(?<![\w+])(?:\+|00)\s?33\)?\s*(?:\(0\)\s*|0)?[1-9]{_PAIRS.format('french')}"
)
# Other countries: ``+`` and the country code, or ``00``, the code and a separator (``00`` and digits alone is
# an identifier: a SIRET may start with zeros).
_INTERNATIONAL_PHONE = re.compile(
    r"(?<![\w+])(?:\+[1-9]\d{0,2}\)?[\s.\-]?|00[1-9]\d{0,2}[\s.\-])\(?\d\)?(?:[\s.\-]?\d){6,12}(?![\w/]|[.,]\d)"
)

# Something no plain address has (those are the first rule's): spaces around ``@``, ``[at]``, ``arobase``, `` dot ``…
_DISGUISE = re.compile(r"\s@|@\s|[\[({<]\s*(?:at|@|dot|point|\.)\s*[\])}>]|arobas|\s(?:dot|point)\s", re.IGNORECASE)

EMAIL_REMOVED = "[courriel retiré]"
PHONE_REMOVED = "[téléphone retiré]"
RULES = (
    Rule("email", _EMAIL, EMAIL_REMOVED, re.compile("@")),
    Rule("obfuscated-email", _OBFUSCATED_EMAIL, EMAIL_REMOVED, _DISGUISE),
    Rule("phone", _PHONE, PHONE_REMOVED, re.compile(r"\d\d")),
    Rule("international-phone", _INTERNATIONAL_PHONE, PHONE_REMOVED, re.compile(r"(?:\+|00)[1-9]")),
)

# Local parts of organisations' shared mailboxes (also in shapes/carrefour.shacl.ttl).
FUNCTIONAL_LOCAL_PARTS = (
    "contact|info|infos|information|accueil|bonjour|hello|hola|secretariat|administration|admin|direction|"
    "communication|coordination|equipe|team|asso|association|coop|cooperative|fablab|tierslieu|coworking|"
    "mediation|numerique|epn|mediatheque|bibliotheque|mairie|france-services|franceservices"
)
_FUNCTIONAL = re.compile(rf"^(?:{FUNCTIONAL_LOCAL_PARTS})(?:[.-][a-z0-9]+)*@[a-z0-9.-]+\.[a-z]{{2,}}$")
WEBMAIL_DOMAINS = frozenset(
    {"gmail.com", "hotmail.com", "hotmail.fr", "yahoo.com", "yahoo.fr", "outlook.com", "outlook.fr", "live.fr",
     "orange.fr", "wanadoo.fr", "free.fr", "sfr.fr", "laposte.net", "icloud.com", "protonmail.com", "gmx.fr"}
)  # fmt: skip

# What may surround a value that is nothing but an address or a number (``Tél. : 06…``, ``mailto:…``).
_LABELS = re.compile(
    r"mailto|tel|tél|téléphone|telephone|phone|mobile|portable|fax|e-?mail|courriel|mél|mel|contact|[\W_]",
    re.IGNORECASE,
)
_MARKERS = re.compile("|".join(re.escape(m) for m in {EMAIL_REMOVED, PHONE_REMOVED}))


class Redacted(NamedTuple):
    text: str
    rules: tuple[str, ...]  # the rule of each removal, in order


def _plain_address(text: str) -> str:
    """``jean [at] example [dot] org`` → ``jean@example.org``, to tell a generic mailbox from a person's."""
    text = re.sub(_AT, "@", text, count=1, flags=re.IGNORECASE)
    return re.sub(_DOT, ".", text, flags=re.IGNORECASE).replace(" ", "")


def is_functional_email(address: str) -> bool:
    """True for an organisation's generic mailbox (contact@asso.fr), False for anything personal."""
    address = address.strip().lower()
    if not _FUNCTIONAL.match(address):
        return False
    return address.rsplit("@", 1)[1] not in WEBMAIL_DOMAINS


def redact(text: str) -> Redacted:
    """Replace personal e-mails and all phone numbers in ``text``; say which rule removed each."""
    fired: list[str] = []
    for rule in RULES:
        if not rule.hint.search(text):
            continue

        def replace(match: re.Match[str], rule: Rule = rule) -> str:
            if rule.removed == EMAIL_REMOVED and is_functional_email(_plain_address(match.group(0))):
                return match.group(0)
            fired.append(rule.name)
            return rule.removed

        text = rule.pattern.sub(replace, text)
    return Redacted(text, tuple(fired))


def scrub(text: str) -> str:
    """``text`` with personal data removed without a trace: what slugs are made of."""
    return _MARKERS.sub(" ", redact(text).text)


def contains_personal_data(text: str) -> bool:
    return bool(redact(text).rules)


def personal_value(text: str) -> str | None:
    """The rule that fired when ``text`` is nothing but personal e-mails or phone numbers (and labels)."""
    redacted = redact(text)
    if redacted.rules and not _LABELS.sub("", _MARKERS.sub("", redacted.text)):
        return redacted.rules[0]
    return None


def pseudonym(key: str, salt: str) -> str:
    """A record key that names a person (an e-mail, a phone number) → a stable salted hash of it.

    Keys are published (``cf:recordKey``) and IRIs derive from them; the salt keeps anyone from
    recovering a number by hashing every possible one.
    """
    if not contains_personal_data(key):
        return key
    return "hash:" + hmac.new(salt.encode(), key.encode(), hashlib.sha256).hexdigest()[:20]


SALT_FILE = "privacy-salt"


def privacy_salt(config: Config) -> str:
    """The ``PRIVACY_SALT`` secret, or the store's own: made once at random, kept in ``STORE/privacy-salt``.

    Re-harvests must hash a key to the same value, or its record would get a new IRI.
    """
    if config["PRIVACY_SALT"]:
        return str(config["PRIVACY_SALT"])
    path = config.store_path / SALT_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        candidate = path.with_name(f".{SALT_FILE}.{os.getpid()}")
        descriptor = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(candidate, path)  # never replaces a salt another harvest made meanwhile
        except FileExistsError:
            pass
        finally:
            candidate.unlink()
    return path.read_text(encoding="ascii").strip()
