"""Under which licence each graph is published, and which of those licences are open.

Partners publish under their own licences, and they differ: some are open, some
forbid commercial reuse (CC BY-NC-SA), some were written for software (MIT), some
partners state none (NOASSERTION).  The whole-hub dumps mix them all; the open dump
holds only the graphs whose licence is open.

"Open" is the Open Definition's (https://opendefinition.org/licenses/): the licences
it lists as conformant — CC0, PDDL, CC BY, ODC-BY, CC BY-SA, ODbL — and the Licence
Ouverte / Open Licence of Etalab, which the French State wrote to be compatible with
CC BY and the Open Government Licence.  MIT is a software licence the list does not
name, so its graphs stay out: a reuser of the open dump should not have to interpret
a code licence for data.

The hub's own graphs are under the Licence Ouverte 2.0: its curated records (drawn
from the documents it was founded on), its account of the data (partners,
provenance, reports, removals), its concept schemes and territories (from INSEE's
code officiel géographique, itself under the Licence Ouverte); its vocabulary and
shapes say their own licence (CC BY 4.0).  The identity links are left out of the
open dump: they quote values from both partners' records, open or not.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from carrefour.store.base import Snapshot, Writer
from carrefour.vocab import DCT, Graphs, Hub

LICENCE_OUVERTE = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
CC_BY_4 = "https://creativecommons.org/licenses/by/4.0/"
CURATED_LICENCE = LICENCE_OUVERTE
OPEN_DEFINITION = "https://opendefinition.org/licenses/"


@dataclass(frozen=True)
class Licence:
    fr: str
    en: str
    open: bool


KNOWN: dict[str, Licence] = {
    "https://creativecommons.org/publicdomain/zero/1.0/": Licence("CC0 1.0", "CC0 1.0", True),
    "https://opendatacommons.org/licenses/pddl/1-0/": Licence("PDDL 1.0", "PDDL 1.0", True),
    "https://creativecommons.org/licenses/by/2.0/": Licence("CC BY 2.0", "CC BY 2.0", True),
    "https://creativecommons.org/licenses/by/3.0/": Licence("CC BY 3.0", "CC BY 3.0", True),
    CC_BY_4: Licence("CC BY 4.0", "CC BY 4.0", True),
    "https://opendatacommons.org/licenses/by/1-0/": Licence("ODC-BY 1.0", "ODC-BY 1.0", True),
    "https://creativecommons.org/licenses/by-sa/3.0/": Licence("CC BY-SA 3.0", "CC BY-SA 3.0", True),
    "https://creativecommons.org/licenses/by-sa/4.0/": Licence("CC BY-SA 4.0", "CC BY-SA 4.0", True),
    "https://opendatacommons.org/licenses/odbl/1-0/": Licence("ODbL 1.0", "ODbL 1.0", True),
    LICENCE_OUVERTE: Licence("Licence Ouverte 2.0 (Etalab)", "Licence Ouverte / Open Licence 2.0 (Etalab)", True),
    "https://creativecommons.org/licenses/by-nc-sa/4.0/": Licence(
        "CC BY-NC-SA 4.0 (pas d'usage commercial)", "CC BY-NC-SA 4.0 (non-commercial)", False
    ),
    "https://spdx.org/licenses/MIT.html": Licence("MIT (licence de logiciel)", "MIT (a software licence)", False),
    "https://spdx.org/licenses/NOASSERTION": Licence(
        "aucune licence déclarée (NOASSERTION)", "no licence stated (NOASSERTION)", False
    ),
}


def _key(iri: str) -> str:
    """The same licence however its IRI is written: scheme, ``www.``, trailing slash."""
    bare = iri.strip().split("://", 1)[-1].removeprefix("www.")
    return bare.rstrip("/").lower()


_BY_KEY = {_key(iri): iri for iri in KNOWN}


def known(iri: str) -> Licence | None:
    """What the hub knows of a licence, by its IRI in any of its usual spellings."""
    found = _BY_KEY.get(_key(iri))
    return KNOWN[found] if found is not None else None


def is_open(iri: str | None) -> bool:
    """Whether the licence is open in the Open Definition's sense (an unknown licence is not)."""
    licence = known(iri) if iri is not None else None
    return licence is not None and licence.open


DOCUMENTS = ("ontology", "shapes")  # they state their licence themselves
HUB_GRAPHS = ("concepts", "territories", "curated", "partners", "links", "changes", "meta", "report/curated")
ACCOUNTS = ("provenance", "report")  # the hub's account of a partner's data, which quotes that data
PARTNER_DATA = ("partner", "taxonomy")
LICENSE = ox.NamedNode(DCT + "license")


def _stated(view: Snapshot | Writer, subject: ox.NamedNode, graph: ox.NamedNode | None = None) -> str | None:
    found = [q.object.value for q in view.quads(subject, LICENSE, None, graph) if isinstance(q.object, ox.NamedNode)]
    return min(found) if found else None


def _partner(hub: Hub, graph: str) -> tuple[str, str] | None:
    """(kind, partner id) of one of a partner's graphs."""
    kind, _, partner_id = graph.removeprefix(hub.iri("graph") + "/").partition("/")
    if kind in (*PARTNER_DATA, *ACCOUNTS) and partner_id and "/" not in partner_id and partner_id != "curated":
        return kind, partner_id
    return None


def graph_licence(view: Snapshot | Writer, hub: Hub, graph: str) -> str | None:
    """The licence a graph of the hub is published under; None when the hub does not know it.

    A partner's data and taxonomy: the partner's; the hub's own graphs and its account
    of each harvest (provenance, validation report): the Licence Ouverte; the
    vocabulary and shapes: the one they state.
    """
    name = graph.removeprefix(hub.iri("graph") + "/")
    if name in HUB_GRAPHS:
        return LICENCE_OUVERTE
    if name in DOCUMENTS:
        return _stated(view, hub.node(name))
    partner = _partner(hub, graph)
    if partner is None:
        return None
    if partner[0] in ACCOUNTS:
        return LICENCE_OUVERTE
    return _stated(view, hub.graph("partner", partner[1]), Graphs(hub).partners)


def open_graphs(view: Snapshot | Writer, hub: Hub) -> list[ox.NamedNode]:
    """The graphs of the open dump: those under an open licence that quote no record under another.

    So the identity links stay out (they quote values of both partners' records), and
    so do a partner's provenance and report when its data is not open.
    """
    links, kept = Graphs(hub).links, []
    for graph in view.graphs():
        partner = _partner(hub, graph.value)
        source = hub.graph("partner", partner[1]).value if partner is not None else graph.value
        licences = {graph_licence(view, hub, graph.value), graph_licence(view, hub, source)}
        if graph != links and all(is_open(licence) for licence in licences):
            kept.append(graph)
    return kept
