"""What the hub publishes is right: counts by kind, the union's size, the curated data's licence, mixed licences.

On the hub `./dev.sh serve` publishes (curated data, every bundled partner sample),
over HTTP; expected figures are counted in the store beside the server.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pyoxigraph as ox
import pytest
import rdflib
import requests
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS, VOID

from carrefour.artifacts.licences import LICENCE_OUVERTE, is_open
from carrefour.store.embedded import EmbeddedStore
from carrefour.vocab import Hub
from tests.publish.conftest import BundledHub

pytestmark = pytest.mark.live


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._skip += tag in ("script", "style")
        self.parts.append(" " if tag in ("td", "th", "tr", "li", "p", "br") else "")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def page_text(url: str, **params: str) -> str:
    """The text a person reads on the page, white space collapsed (no-break spaces kept)."""
    response = requests.get(url, params=params, headers={"Accept": "text/html"}, timeout=30)
    assert response.status_code == 200, (url, response.status_code)
    parser = _Text()
    parser.feed(response.text)
    return re.sub(r"[ \t\r\n]+", " ", "".join(parser.parts))


def turtle(url: str) -> rdflib.Graph:
    response = requests.get(url, headers={"Accept": "text/turtle"}, timeout=30)
    assert response.status_code == 200, url
    return rdflib.Graph().parse(data=response.text, format="turtle")


@pytest.fixture(scope="module")
def store(bundled_hub: BundledHub) -> Iterator[EmbeddedStore]:
    opened = EmbeddedStore(bundled_hub.store_dir / "store", bundled_hub.base)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def hub(bundled_hub: BundledHub) -> Hub:
    return Hub(bundled_hub.base)


def count(store: EmbeddedStore, where: str) -> int:
    return int(store.snapshot().select(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {where} }}")[0]["n"].value)


def kinds(store: EmbeddedStore, hub: Hub, where: str = "") -> tuple[int, int, int]:
    """(initiatives, programmes among them, actors) whose record matches ``where`` (about ``?s``)."""
    subclass = f"<{RDFS.subClassOf}>*"
    return (
        count(store, f"?s a/{subclass} <{hub.ns}Initiative> . {where}"),
        count(store, f"?s a/{subclass} <{hub.ns}SupportProgramme> . {where}"),
        count(store, f"?s a/{subclass} <{hub.ns}Actor> . {where}"),
    )


def test_the_home_page_counts_initiatives_programmes_and_actors_apart(
    bundled_hub: BundledHub, store: EmbeddedStore, hub: Hub
) -> None:
    initiatives, programmes, actors = kinds(store, hub)
    assert programmes > 0 and initiatives > programmes  # programmes are typed cf:SupportProgramme only
    text = page_text(bundled_hub.base)
    assert f"{initiatives} initiatives dont {programmes} dispositifs d'accompagnement" in text
    assert f"{actors} acteurs" in text
    assert "initiative :" not in text and "actor :" not in text  # no raw keys
    english = page_text(bundled_hub.base, lang="en")
    assert f"{initiatives} initiatives including {programmes} support programmes" in english
    assert f"{actors} actors" in english


def test_a_region_counts_its_initiatives_and_its_actors_apart(
    bundled_hub: BundledHub, store: EmbeddedStore, hub: Hub
) -> None:
    region = hub.iri("territory", "region", "93")
    located = f'?x <{hub.ns}locatedIn> <{region}> FILTER(?x = ?s || STRSTARTS(STR(?x), CONCAT(STR(?s), "#")))'
    initiatives, programmes, actors = kinds(store, hub, located)
    assert initiatives and actors and not programmes
    expected = f"Provence-Alpes-Côte d'Azur — {initiatives} initiatives, {actors} acteurs"
    assert expected in page_text(bundled_hub.base)
    assert expected in page_text(bundled_hub.url("browse/"))
    table = page_text(bundled_hub.url("browse/region"))
    assert re.search(rf"Provence-Alpes-Côte d'Azur {initiatives} (0 )?{actors} ", table)  # (0 programmes)


def test_programmes_count_among_a_themes_initiatives(bundled_hub: BundledHub, store: EmbeddedStore, hub: Hub) -> None:
    theme = hub.concept("theme", "local-economic-development").value
    initiatives, programmes, actors = kinds(store, hub, f"?s <{hub.ns}theme> <{theme}>")
    assert programmes > 0
    words = f"{initiatives} initiatives dont {programmes} dispositif" + ("s" if programmes > 1 else "")
    assert f"Développement économique local — {words}" in page_text(bundled_hub.base)


def test_the_union_turtle_dump_counts_its_distinct_triples(
    bundled_hub: BundledHub, store: EmbeddedStore, hub: Hub
) -> None:
    snapshot = store.snapshot()
    distinct = {(q.subject, q.predicate, q.object) for q in snapshot.quads()}
    assert snapshot.count() > len(distinct)  # some triples are in two graphs: the count must say so
    history = hub.iri("graph", "history")
    in_dumps = {(q.subject, q.predicate, q.object) for q in snapshot.quads() if q.graph_name.value != history}
    assert len(in_dumps) < len(distinct)  # the history is followed through the streams, not dumped
    manifest = requests.get(bundled_hub.url("dumps/dumps.json"), timeout=30).json()
    entry = next(e for e in manifest["files"] if e["file"] == "carrefour.ttl.gz")
    dumped = gzip.decompress(requests.get(bundled_hub.url("dumps/carrefour.ttl.gz"), timeout=30).content)
    assert entry["triples"] == len(rdflib.Graph().parse(data=dumped, format="turtle")) == len(in_dumps)
    void = turtle(bundled_hub.url(".well-known/void"))
    assert int(void.value(rdflib.URIRef(hub.iri("dataset")), VOID.triples)) == len(distinct)


def test_the_curated_data_has_its_licence_its_subset_its_dataset_and_its_dumps(
    bundled_hub: BundledHub, store: EmbeddedStore, hub: Hub
) -> None:
    curated = rdflib.URIRef(hub.iri("graph", "curated"))
    licence = rdflib.URIRef(LICENCE_OUVERTE)
    void = turtle(bundled_hub.url(".well-known/void"))
    assert curated in set(void.objects(rdflib.URIRef(hub.iri("dataset")), VOID.subset))
    assert void.value(curated, DCTERMS.license) == licence
    assert int(void.value(curated, VOID.triples)) == store.snapshot().count(ox.NamedNode(str(curated)))
    dumps = {str(d) for d in void.objects(curated, VOID.dataDump)}
    assert dumps == {hub.iri("dumps", "curated.ttl.gz"), hub.iri("dumps", "curated.nt.gz")}
    dumped = gzip.decompress(requests.get(hub.iri("dumps", "curated.nt.gz"), timeout=30).content)
    assert len(dumped.splitlines()) == store.snapshot().count(ox.NamedNode(str(curated)))
    catalog = turtle(bundled_hub.url("catalog"))
    assert (curated, RDF.type, DCAT.Dataset) in catalog
    distributions = list(catalog.objects(curated, DCAT.distribution))
    assert len(distributions) == 3  # its Turtle and N-Triples dumps, its event stream
    assert all(catalog.value(d, DCTERMS.license) == licence for d in distributions)
    assert turtle(str(curated)).value(curated, DCTERMS.license) == licence
    programme = store.snapshot().select(
        f"SELECT ?s WHERE {{ GRAPH <{curated}> {{ ?s a <{hub.ns}SupportProgramme> }} }} ORDER BY ?s LIMIT 1"
    )[0]["s"]
    page = requests.get(programme.value, headers={"Accept": "text/html"}, timeout=30).text
    provenance = page[page.index('id="section-provenance"') :]
    assert f'<a href="{LICENCE_OUVERTE}">Licence Ouverte 2.0 (Etalab)</a>' in provenance


def test_mixed_licences_are_said_and_the_open_graphs_have_their_own_dump(
    bundled_hub: BundledHub, store: EmbeddedStore, hub: Hub
) -> None:
    snapshot = store.snapshot()
    registry = ox.NamedNode(hub.iri("graph", "partners"))
    licences = {
        q.subject.value: q.object.value
        for q in snapshot.quads(None, ox.NamedNode(str(DCTERMS.license)), None, registry)
        if q.subject.value.startswith(hub.iri("graph", "partner") + "/")
    }
    closed = {graph for graph, licence in licences.items() if not is_open(licence)}
    assert closed and len(closed) < len(licences)  # NonCommercial, MIT, NOASSERTION beside open ones
    listing = page_text(bundled_hub.url("dumps/"))
    assert "Licences mêlées" in listing and "CC BY-NC-SA 4.0 (pas d'usage commercial)" in listing
    assert "aucune licence déclarée (NOASSERTION)" in listing and "carrefour-open.nq.gz" in listing
    dataset = rdflib.URIRef(hub.iri("dataset"))
    for document in (turtle(bundled_hub.url(".well-known/void")), turtle(bundled_hub.url("catalog"))):
        statement = document.value(dataset, DCTERMS.rights)
        said = {str(label) for label in document.objects(statement, RDFS.label)}
        assert any("Licences mêlées" in text and "CC BY-NC-SA 4.0" in text for text in said), said
        assert any("Mixed licences" in text and "carrefour-open.nq.gz" in text for text in said), said
    manifest = requests.get(bundled_hub.url("dumps/dumps.json"), timeout=30).json()
    entry = next(e for e in manifest["files"] if e["file"] == "carrefour-open.nq.gz")
    assert entry["licences"] and all(is_open(licence) for licence in entry["licences"])
    dumped = gzip.decompress(requests.get(bundled_hub.url("dumps/carrefour-open.nq.gz"), timeout=30).content)
    graphs = {q.graph_name.value for q in ox.parse(dumped, format=ox.RdfFormat.N_QUADS)}
    assert hub.iri("graph", "curated") in graphs and hub.iri("graph", "links") not in graphs
    opened = {graph for graph in licences if graph not in closed}
    assert opened <= graphs and not closed & graphs
    for graph in closed:
        partner_id = graph.rsplit("/", 1)[1]
        assert not {hub.iri("graph", kind, partner_id) for kind in ("provenance", "report", "taxonomy")} & graphs
    whole = next(e for e in manifest["files"] if e["file"] == "carrefour.nq.gz")
    assert set(whole["licences"]) >= {licences[graph] for graph in closed}
    void = turtle(bundled_hub.url(".well-known/void"))
    open_part = rdflib.URIRef(hub.iri("dataset") + "#open")
    assert open_part in set(void.objects(dataset, VOID.subset))
    assert {str(d) for d in void.objects(open_part, VOID.dataDump)} == {hub.iri("dumps", "carrefour-open.nq.gz")}
