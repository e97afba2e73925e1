"""``/appels``: the open calls, filterable; ``/appels/correspondances``: matching; their Atom feeds.

``/appels`` lists the calls open today (``etat=clotures``: those closed), filtered by kind,
skill, domain, territory (with containment: a national call is everywhere), closing day
and work mode, in HTML (with a map), JSON-LD, CSV and GeoJSON.  ``/appels/correspondances``
ranks the open calls for skills, a territory and a radius, or for an organisation's offer
(``offre=IRI``), and, for a call (``appel=IRI``), the offers that fit it; each match says
why.  ``/feeds/appels.atom`` and ``/feeds/appels/{kind|skill|territory}/{code}.atom`` are
the open calls as Atom.  Every value read from the query string is checked against a
pattern or looked up in the board: nothing is spliced into a query.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode
from xml.sax.saxutils import escape, quoteattr

import numpy as np
from flask import Blueprint, Flask, Response, render_template, request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest

from carrefour.errors import NotAcceptable, NotFound
from carrefour.store.base import Snapshot
from carrefour.vocab import XSD, Hub
from server.caching import cacheable, etag_for, not_modified, not_modified_response
from server.calls.board import Board
from server.calls.index import Boards, boards
from server.calls.matching import Match, Wish, rank
from server.calls.words import word
from server.describe import Page
from server.display import day, literal_text
from server.i18n import choose_language
from server.negotiation import best_match
from server.site import Site, get_site, page_number

blueprint = Blueprint("calls", __name__)

KINDS = {"expertise": "CallForExpertise", "volunteer": "VolunteerMission", "job": "JobOffer",
         "applications": "CallForApplications"}  # fmt: skip
MODES = ("on-site", "remote", "hybrid")
FORMATS = {"html": "text/html", "jsonld": "application/ld+json", "csv": "text/csv", "geojson": "application/geo+json"}
MATCH_FORMATS = ("html", "jsonld")
_CODE = re.compile(r"[a-z0-9][a-z0-9-]{0,60}")
_TERRITORY = re.compile(r"fr|(?:region|departement|commune)/[0-9AB]{2,5}")
FEED_PARAMETERS = {"kind": "type", "skill": "competence", "territory": "territoire"}  # a feed's facet: the filter
MAX_VALUES = 20
MATCHES_SHOWN = 50
FEED_ENTRIES = 50
CSV_COLUMNS = ("iri", "kind", "name", "publishers", "skills", "themes", "territories", "opens", "closes",
               "compensation", "work_mode", "answer_page", "contact_email", "latitude", "longitude")  # fmt: skip


def today() -> date:
    return datetime.now(UTC).date()


@dataclass(frozen=True)
class CallQuery:
    kinds: tuple[str, ...] = ()  # codes of KINDS
    skills: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    territory: str = ""
    deadline: date | None = None
    mode: str = ""
    closed: bool = False

    def params(self) -> list[tuple[str, str]]:
        pairs = [("type", k) for k in self.kinds] + [("competence", s) for s in self.skills]
        pairs += [("domaine", t) for t in self.themes]
        pairs += [("territoire", self.territory)] if self.territory else []
        pairs += [("cloture", self.deadline.isoformat())] if self.deadline else []
        pairs += [("mode", self.mode)] if self.mode else []
        return pairs + ([("etat", "clotures")] if self.closed else [])


def _codes(args: MultiDict[str, str], name: str, allowed: tuple[str, ...] | None = None) -> tuple[str, ...]:
    codes = tuple(dict.fromkeys(v.strip() for v in args.getlist(name) if v.strip()))
    if len(codes) > MAX_VALUES or not all(_CODE.fullmatch(c) and (allowed is None or c in allowed) for c in codes):
        raise BadRequest(f"{name}: at most {MAX_VALUES} codes" + (f", among {', '.join(allowed)}" if allowed else ""))
    return codes


def _territory(args: MultiDict[str, str]) -> str:
    key = args.get("territoire", "").strip()
    if key and not _TERRITORY.fullmatch(key):
        raise BadRequest("territoire: a territory code such as fr, region/84, departement/69 or commune/69123")
    return key


def parse_call_query(args: MultiDict[str, str]) -> CallQuery:
    """:raises BadRequest: a malformed code, territory, closing day or work mode (400)."""
    deadline = None
    if args.get("cloture"):
        try:
            deadline = date.fromisoformat(args["cloture"].strip())
        except ValueError:
            raise BadRequest("cloture: a day written 2026-12-31") from None
    mode = args.get("mode", "").strip()
    if mode and mode not in MODES:
        raise BadRequest(f"mode: one of {', '.join(MODES)}")
    return CallQuery(_codes(args, "type", tuple(KINDS)), _codes(args, "competence"), _codes(args, "domaine"),
                     _territory(args), deadline, mode, args.get("etat") == "clotures")  # fmt: skip


def selected(board: Board, query: CallQuery, on: date) -> np.ndarray:
    """The calls the query keeps, open on ``on`` (closed ones for ``etat=clotures``)."""
    state = board.open_mask(on)
    chosen = ~state & (board.opens <= on.toordinal()) if query.closed else state
    for facet, values in (("kind", [KINDS[k] for k in query.kinds]), ("skill", query.skills),
                          ("theme", query.themes), ("mode", [query.mode] if query.mode else [])):  # fmt: skip
        if values:
            any_of = np.zeros(board.size, dtype=bool)
            for value in values:
                any_of |= board.mask(facet, value)
            chosen &= any_of
    if query.territory:
        chosen &= board.territory_mask(query.territory)
    if query.deadline is not None:
        chosen &= board.closes <= query.deadline.toordinal()
    return chosen


def ordered(board: Board, chosen: np.ndarray) -> list[int]:
    """Closing soonest first (no closing day last), then by IRI."""
    numbers = np.flatnonzero(chosen)
    return numbers[np.argsort(board.closes[numbers], kind="stable")].tolist()


def _format(offered: tuple[str, ...]) -> str:
    asked = request.args.get("format")
    if asked:
        if asked not in offered:
            raise NotAcceptable(f"no format {asked!r}; offered: {', '.join(offered)}")
        return asked
    chosen = best_match(request.accept_mimetypes, [FORMATS[f] for f in offered]) if request.accept_mimetypes else None
    return next((name for name in offered if FORMATS[name] == chosen), "html")


def _url(path: str, pairs: list[tuple[str, str]], lang: str, **extra: str) -> str:
    pairs = pairs + list(extra.items()) + ([("lang", lang)] if lang != "fr" else [])
    return f"{path}?{urlencode(pairs)}" if pairs else path


@dataclass(frozen=True)
class Card:
    """A call (or an offer) as a page lists it."""

    iri: str
    kind: str
    name: str
    description: str
    publishers: list[tuple[str, str]]  # (IRI, name)
    skills: list[str]
    place: str
    when: str  # closing or opening, written out
    answer: str  # the page where to answer, if any
    why: str = ""  # matching: why it fits


def period(text: str, lang: str) -> str:
    """A date, month or year as published, written out."""
    kind = {4: "gYear", 7: "gYearMonth"}.get(len(text.strip()), "date")
    return literal_text(text.strip()[:10], XSD + kind, lang)


def card(found: Boards, board: Board, number: int, lang: str, why: str = "") -> Card:
    item, labels = board.items[number], found.labels
    at = board.placed_at[number]
    place = labels.name(get_site().hub.iri("territory", at), lang) if at else ""
    if item.closes:
        when = word(lang, "closes", day=period(item.closes, lang))
    elif item.opens:
        when = word(lang, "opened", day=period(item.opens, lang))
    else:
        when = word(lang, "no_closing")
    publishers = [(p, labels.name(p, lang)) for p in item.publishers]
    skills = [labels.of("skill", s, lang) for s in item.skills]
    return Card(item.iri, item.kind, item.name(lang), item.description(lang), publishers, skills, place, when,
                item.page, why)  # fmt: skip


def explain(found: Boards, match: Match, lang: str) -> str:
    parts = [word(lang, "shared_skills", skills=", ".join(found.labels.of("skill", s, lang) for s in match.skills))]
    if not match.skills:
        parts = []
    km = "" if match.distance is None else f"{match.distance:.0f}"
    parts.append(word(lang, f"why_{match.why}", km=km))
    if match.closes is not None:
        parts.append(word(lang, "closes", day=day(match.closes, lang)))
    return " · ".join(parts)


def member(hub: Hub, board: Board, number: int, why: str = "", lang: str = "fr", match: Match | None = None) -> dict:
    """One call or offer as JSON-LD (schema.org terms, the hub's for the rest)."""
    item = board.items[number]
    names = [{"@value": text, "@language": language} if language else text for language, text in item.names.items()]
    found: dict[str, Any] = {"@id": item.iri, "@type": "cf:" + item.kind, "name": names}
    found["cf:publishedBy"] = [{"@id": p} for p in item.publishers]
    found["cf:skillSought" if item.kind != "Offer" else "cf:skillOffered"] = [
        {"@id": hub.concept("skill", s).value} for s in item.skills
    ]
    for key, value in (("validFrom", item.opens), ("validThrough", item.closes), ("email", item.email)):
        if value:
            found[key] = value
    if item.page:
        found["cf:answerPage"] = {"@id": item.page}
    if board.placed_at[number]:
        found["cf:locatedIn"] = {"@id": hub.iri("territory", board.placed_at[number])}
    if match is not None:
        found["skills"] = [{"@id": hub.concept("skill", s).value} for s in match.skills]
        if match.distance is not None:
            found["distance"] = {"@type": "QuantitativeValue", "value": round(match.distance, 1), "unitCode": "KMT"}
        found["rdfs:comment"] = {"@value": why, "@language": lang}
    return found


def _collection(hub: Hub, url: str, members: list[dict]) -> dict[str, Any]:
    context = {"@vocab": "http://schema.org/", "cf": hub.ns, "hydra": "http://www.w3.org/ns/hydra/core#",
               "rdfs": "http://www.w3.org/2000/01/rdf-schema#"}  # fmt: skip
    return {"@context": context, "@id": url, "@type": "hydra:Collection", "hydra:totalItems": len(members),
            "hydra:member": members}  # fmt: skip


def _csv(found: Boards, board: Board, numbers: list[int], lang: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for number in numbers:
        item = board.items[number]
        writer.writerow([
            item.iri, item.kind, item.name(lang), " ".join(item.publishers), " | ".join(item.skills),
            " | ".join(item.themes), " ".join(item.places + item.served), item.opens, item.closes, item.compensation,
            item.mode, item.page, item.email,
            *("" if np.isnan(value) else value for value in (board.lat[number], board.lon[number])),
        ])  # fmt: skip
    return "\ufeff" + buffer.getvalue()


def _geojson(found: Boards, board: Board, numbers: list[int], lang: str) -> dict[str, Any]:
    """The map component's shape (carrefour.map_features): every call is placed at its territory's centre."""
    features, unplaced = [], 0
    for number in numbers:
        if np.isnan(board.lat[number]):
            unplaced += 1
            continue
        item = board.items[number]
        place = found.labels.name(get_site().hub.iri("territory", board.placed_at[number]), lang)
        features.append({"type": "Feature",
                         "geometry": {"type": "Point", "coordinates": [board.lon[number], board.lat[number]]},
                         "properties": {"name": item.name(lang), "kind": word(lang, "kind_" + item.kind),
                                        "commune": place, "url": item.iri, "approximate": True}})  # fmt: skip
    return {"type": "FeatureCollection", "features": features, "unplaced": unplaced}


def _respond(body: str | bytes, media: str, etag: str, snapshot: Snapshot, links: str = "") -> Response:
    response = Response(body, content_type=media)
    if links:
        response.headers["Link"] = links
    response.vary.add("Accept")
    return cacheable(response, etag, snapshot.info.published, max_age=300)  # the day changes what is open


@blueprint.get("/appels")
def calls_page() -> Response:
    """The open (or closed) calls, filtered.

    :raises BadRequest: a malformed filter (400).
    :raises NotAcceptable: an unknown ``format`` (406).
    """
    site, lang = get_site(), choose_language(request)
    snapshot = site.store.snapshot()
    form, query, on = _format(tuple(FORMATS)), parse_call_query(request.args), today()
    etag = etag_for(snapshot, "calls", query.params(), lang, form, on, request.args.get("page", "1"))
    if not_modified(etag, snapshot.info.published):
        return not_modified_response(etag, snapshot.info.published)
    found = boards(site, snapshot, lang)
    board = found.calls
    numbers = ordered(board, selected(board, query, on))
    path = request.path
    links = ", ".join(f'<{_url(path, query.params(), lang, format=f)}>; rel="alternate"; type="{m}"'
                      for f, m in FORMATS.items())  # fmt: skip
    if form == "csv":
        response = _respond(_csv(found, board, numbers, lang), "text/csv; charset=utf-8", etag, snapshot, links)
        response.headers["Content-Disposition"] = 'attachment; filename="appels.csv"'
        return response
    if form == "geojson":
        return _respond(json.dumps(_geojson(found, board, numbers, lang), ensure_ascii=False), FORMATS[form], etag,
                        snapshot, links)  # fmt: skip
    if form == "jsonld":
        members = [member(site.hub, board, n) for n in numbers]
        body = _collection(site.hub, site.hub.base + _url(path.lstrip("/"), query.params(), lang), members)
        return _respond(json.dumps(body, ensure_ascii=False), FORMATS[form], etag, snapshot, links)
    page = Page(page_number(), site.page_size, len(numbers))
    if page.number > page.last:
        raise NotFound(f"page {page.number} is past the last page of calls ({page.last})")
    shown = numbers[(page.number - 1) * page.size : page.number * page.size]
    html = render_template(
        "calls.html", query=query, cards=[card(found, board, n, lang) for n in shown], total=len(numbers),
        page=page, page_url=lambda n: _url(path, query.params(), lang, **({"page": str(n)} if n > 1 else {})),
        labels=found.labels, kinds=KINDS, modes=MODES,
        downloads={f: _url(path, query.params(), lang, format=f) for f in ("csv", "geojson", "jsonld")},
        geojson_url=_url(path, query.params(), lang, format="geojson"), feed=_feed_of(site.hub, query),
    )  # fmt: skip
    return _respond(html, "text/html; charset=utf-8", etag, snapshot, links)


def _feed_of(hub: Hub, query: CallQuery) -> str:
    """The Atom feed closest to the query: its one kind, skill or territory, or every open call."""
    for facet, values in (("kind", query.kinds), ("skill", query.skills),
                          ("territory", (query.territory,) if query.territory else ())):  # fmt: skip
        if len(values) == 1:
            return hub.iri("feeds", "appels", facet, f"{values[0]}.atom")
    return hub.iri("feeds", "appels.atom")


def _wish(site: Site, found: Boards, args: MultiDict[str, str]) -> tuple[Wish, Board, str]:
    """What to match, on which board, and the IRI it comes from (an offer or a call), if any.

    :raises BadRequest: malformed skills, territory or radius (400).
    :raises NotFound: an offer or call IRI the hub does not hold (404).
    """
    radius = None
    if args.get("rayon"):
        try:
            radius = float(args["rayon"])
        except ValueError:
            raise BadRequest("rayon: a distance in km, such as 30") from None
        if not 0 <= radius <= 2000:
            raise BadRequest("rayon: between 0 and 2000 km")
    for name, source, target in (("offre", found.offers, found.calls), ("appel", found.calls, found.offers)):
        iri = args.get(name, "").strip()
        if iri:
            number = source.by_iri.get(iri)
            if number is None:
                raise NotFound(f"{name}: the hub holds no such resource: {iri}")
            item = source.items[number]
            territory = _territory(args) or source.placed_at[number]
            return Wish(tuple(item.skills), territory, radius), target, iri
    return Wish(_codes(args, "competence"), _territory(args), radius), found.calls, ""


@blueprint.get("/appels/correspondances")
def matches_page() -> Response:
    """Open calls ranked for skills, a territory and a radius (or an offer); offers for a call (``appel=IRI``).

    :raises BadRequest: malformed parameters (400).
    :raises NotFound: an unknown offer or call (404).
    :raises NotAcceptable: an unknown ``format`` (406).
    """
    site, lang = get_site(), choose_language(request)
    snapshot = site.store.snapshot()
    form, on = _format(MATCH_FORMATS), today()
    pairs = sorted((k, v) for k, v in request.args.items(multi=True) if k not in ("format", "lang"))
    etag = etag_for(snapshot, "matches", pairs, lang, form, on)
    if not_modified(etag, snapshot.info.published):
        return not_modified_response(etag, snapshot.info.published)
    found = boards(site, snapshot, lang)
    wish, board, source = _wish(site, found, request.args)
    asked = bool(wish.skills or wish.territory)
    total, matches = rank(board, board.open_mask(on), wish, MATCHES_SHOWN) if asked else (0, [])
    explained = [(match, explain(found, match, lang)) for match in matches]
    path = request.path
    if form == "jsonld":
        members = [member(site.hub, board, m.number, why, lang, m) for m, why in explained]
        body = _collection(site.hub, site.hub.base + _url(path.lstrip("/"), pairs, lang), members)
        body["hydra:totalItems"] = total
        return _respond(json.dumps(body, ensure_ascii=False), FORMATS[form], etag, snapshot)
    html = render_template(
        "calls_match.html", wish=wish, source=source, offers=board is found.offers, asked=asked, total=total,
        cards=[card(found, board, m.number, lang, why) for m, why in explained], labels=found.labels,
        jsonld_url=_url(path, pairs, lang, format="jsonld"),
    )  # fmt: skip
    return _respond(html, "text/html; charset=utf-8", etag, snapshot)


@blueprint.get("/feeds/appels.atom", defaults={"facet": "", "code": ""})
@blueprint.get("/feeds/appels/<any(kind, skill, territory):facet>/<path:code>.atom")
def calls_feed(facet: str, code: str) -> Response:
    """The open calls of a kind, a skill or a territory (with containment), latest opened first."""
    site = get_site()
    snapshot = site.store.snapshot()
    on = today()
    query = parse_call_query(MultiDict({FEED_PARAMETERS[facet]: code} if facet else {}))
    etag = etag_for(snapshot, "calls-feed", facet, code, on)
    if not_modified(etag, snapshot.info.published):
        return not_modified_response(etag, snapshot.info.published)
    found = boards(site, snapshot)
    board = found.calls
    numbers = np.flatnonzero(selected(board, query, on))
    numbers = numbers[np.argsort(-board.opens[numbers], kind="stable")][:FEED_ENTRIES].tolist()
    self_url = site.hub.iri("feeds", "appels", facet, f"{code}.atom") if facet else site.hub.iri("feeds", "appels.atom")
    published = snapshot.info.published.isoformat().replace("+00:00", "Z")
    title = "Carrefour : appels en cours" + (f" — {code}" if code else "")
    entries = "".join(_entry(found, board, n, published) for n in numbers)
    body = (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr">'
        f"<id>{escape(self_url)}</id><title>{escape(title)}</title><updated>{published}</updated>"
        f'<link rel="self" type="application/atom+xml" href={quoteattr(self_url)}/>'
        f'<link rel="alternate" type="text/html" href={quoteattr(site.hub.iri("appels"))}/>'
        f"<author><name>Carrefour des innovations sociales</name></author>{entries}</feed>\n"
    )
    return _respond(body, "application/atom+xml; charset=utf-8", etag, snapshot)


def _entry(found: Boards, board: Board, number: int, published: str) -> str:
    item = board.items[number]
    opened = board.opens[number]
    updated = published if opened < 1 or not item.opens else f"{date.fromordinal(int(opened)).isoformat()}T00:00:00Z"
    closes = card(found, board, number, "fr").when
    return (
        f"<entry><id>{escape(item.iri)}</id><title>{escape(item.name('fr'))}</title><updated>{updated}</updated>"
        f'<link rel="alternate" type="text/html" href={quoteattr(item.iri)}/>'
        f"<category term={quoteattr(item.kind)} label={quoteattr(word('fr', 'kind_' + item.kind))}/>"
        f"<summary>{escape(closes + ' — ' + item.description('fr'))}</summary></entry>"
    )


def init_app(app: Flask) -> None:
    """The routes, and ``cw(key)`` in every template: the brokerage words (resource pages show calls too)."""
    app.register_blueprint(blueprint)

    @app.context_processor
    def calls_words() -> dict[str, Any]:
        lang = choose_language(request)
        return {"cw": lambda key, **values: word(lang, key, **values)}
