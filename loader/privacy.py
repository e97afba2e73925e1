"""Personal data never leaves the loader.

People appear in the hub only through public roles of organisations.  Partner feeds
carry e-mails and phone numbers of named people, in contact fields and inside free
text; contact fields are marked private in partner configs and never mapped, and
every published text goes through ``redact``, which removes any e-mail address that
is not an organisation's generic one and any phone number.
"""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
# French numbers (0X XX XX XX XX, +33 X XX…, 0X.XX…) and international ones (+CC then 7–13 digits).
_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)33[\s.\-]?\(?0?\)?[\s.\-]?[1-9](?:[\s.\-]?\d{2}){4}"
    r"|0[1-9](?:[\s.\-]?\d{2}){4}"
    r"|\+(?:[1-9]\d{0,2})[\s.\-]?\d(?:[\s.\-]?\d){6,12})(?!\w)"
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

EMAIL_REMOVED = "[courriel retiré]"
PHONE_REMOVED = "[téléphone retiré]"


def is_functional_email(address: str) -> bool:
    """True for an organisation's generic mailbox (contact@asso.fr), False for anything personal."""
    address = address.strip().lower()
    if not _FUNCTIONAL.match(address):
        return False
    return address.rsplit("@", 1)[1] not in WEBMAIL_DOMAINS


def redact(text: str) -> tuple[str, int]:
    """Remove personal e-mails and all phone numbers from free text; return the count removed."""
    removed = 0

    def email(match: re.Match[str]) -> str:
        nonlocal removed
        if is_functional_email(match.group(0)):
            return match.group(0)
        removed += 1
        return EMAIL_REMOVED

    def phone(match: re.Match[str]) -> str:
        nonlocal removed
        removed += 1
        return PHONE_REMOVED

    text = _EMAIL.sub(email, text)
    text = _PHONE.sub(phone, text)
    return text, removed


def contains_personal_data(text: str) -> bool:
    return redact(text)[1] > 0
