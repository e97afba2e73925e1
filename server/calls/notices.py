"""What resource pages say about calls: a call's state with its dates, and what a publisher is looking for.

A call's page says whether it is open, upcoming or « clôturé », with its opening and
closing dates, after its closing day as before: its IRI stays.  The page of an
initiative, an actor or a programme lists the open calls it publishes ("cherche : …").
Both depend on the day, which is why resource pages' validators name it.  A page that is
no call and publishes none looks itself up in the set of those that do and loads nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from carrefour.store.base import Snapshot
from server.calls.index import boards, involved
from server.calls.views import card, period, today
from server.calls.words import word
from server.site import Site


def with_lang(lang: str) -> dict[str, str]:
    return {"lang": lang} if lang != "fr" else {}


@dataclass(frozen=True)
class CallNotice:
    state: str  # open, upcoming, closed
    title: str  # « Appel ouvert », « Clôturé »…
    dates: str
    answer: str  # the page where to answer, while open
    matches: str  # the offers that fit it


@dataclass(frozen=True)
class Sought:
    iri: str
    name: str
    skills: list[str]
    when: str


def call_notice(site: Site, snapshot: Snapshot, iri: str, lang: str) -> CallNotice | None:
    """The state of the call ``iri`` today; None when it is not a call."""
    if not involved(site, snapshot, iri):
        return None
    found = boards(site, snapshot)
    number = found.calls.by_iri.get(iri)
    if number is None:
        return None
    item, state = found.calls.items[number], found.calls.state(number, today())
    unknown = word(lang, "unknown")
    opens = period(item.opens, lang) if item.opens else unknown
    closes = period(item.closes, lang) if item.closes else unknown
    matches = site.hub.iri("appels", "correspondances") + "?" + urlencode({"appel": iri} | with_lang(lang))
    return CallNotice(state, word(lang, f"state_{state}"), word(lang, "dates", opens=opens, closes=closes),
                      item.page if state == "open" else "", matches)  # fmt: skip


def sought_by(site: Site, snapshot: Snapshot, iri: str, lang: str) -> list[Sought]:
    """The open calls ``iri`` publishes, closing soonest first."""
    if not involved(site, snapshot, iri):
        return []
    found = boards(site, snapshot)
    board = found.calls
    mine = board.mask("publisher", iri) & board.open_mask(today())
    numbers = [int(n) for n in mine.nonzero()[0]]
    numbers.sort(key=lambda n: int(board.closes[n]))
    cards = [card(found, board, n, lang) for n in numbers]
    return [Sought(c.iri, c.name, c.skills, c.when) for c in cards]
