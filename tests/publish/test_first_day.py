"""What a user meets on the first day: example queries that answer, JSON-LD with the hub's context,
French pages in French (English on request), values written for people.

On the hub `./dev.sh serve` publishes (curated data, every bundled partner sample), over HTTP.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
import rdflib
import requests
from rdflib.compare import isomorphic

from carrefour.store.embedded import EmbeddedStore
from carrefour.vocab import Hub
from tests.publish.conftest import BundledHub
from tests.publish.test_counts_and_licences import page_text

pytestmark = pytest.mark.live

NBSP, NNBSP = "\u00a0", "\u202f"
RAW_LABEL = re.compile(r'<th scope="row">(?:<a [^>]*>)?([a-z]+:[A-Za-z]+)<')
MONTHS = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"


@pytest.fixture(scope="module")
def store(bundled_hub: BundledHub) -> Iterator[EmbeddedStore]:
    opened = EmbeddedStore(bundled_hub.store_dir / "store", bundled_hub.base)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def hub(bundled_hub: BundledHub) -> Hub:
    return Hub(bundled_hub.base)


def html(url: str, **params: str) -> requests.Response:
    return requests.get(url, params=params, headers={"Accept": "text/html"}, timeout=30)


def first(store: EmbeddedStore, where: str) -> str:
    return str(store.snapshot().select(f"SELECT ?s WHERE {{ {where} }} ORDER BY ?s LIMIT 1")[0]["s"].value)


def test_every_example_query_of_the_editor_returns_rows(bundled_hub: BundledHub) -> None:
    page = html(bundled_hub.url("sparql")).text
    examples = json.loads(page.split('id="sparql-examples">')[1].split("</script>")[0])
    assert len(examples) >= 8
    found = {}
    for example in examples:
        response = requests.post(
            bundled_hub.url("sparql"),
            data={"query": example["query"]},
            headers={"Accept": "application/sparql-results+json, application/n-triples"},
            timeout=60,
        )
        assert response.status_code == 200, (example["title"], response.text)
        if response.headers["Content-Type"].startswith("application/sparql-results+json"):
            found[example["title"]] = len(response.json()["results"]["bindings"])
        else:
            found[example["title"]] = len(list(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)))
    assert all(found.values()), found


def expanded(body: bytes, context: dict) -> rdflib.Graph:
    document = json.loads(body)
    document["@context"] = context["@context"]
    return rdflib.Graph().parse(data=json.dumps(document), format="json-ld")


def test_describe_and_construct_in_json_ld_are_compacted_with_the_hubs_context(
    bundled_hub: BundledHub, store: EmbeddedStore, hub: Hub
) -> None:
    programme = first(store, f"?s a <{hub.ns}SupportProgramme>")
    context = requests.get(bundled_hub.url("context.jsonld"), timeout=30).json()
    queries = (
        f"DESCRIBE <{programme}>",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s a <{hub.ns}SupportProgramme> ; ?p ?o }}",
    )
    for query in queries:
        answer = requests.get(
            bundled_hub.url("sparql"), params={"query": query}, headers={"Accept": "application/ld+json"}, timeout=30
        )
        assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("application/ld+json")
        document = answer.json()
        assert document["@context"] == bundled_hub.url("context.jsonld"), query
        types = {node.get("@type") for node in document["@graph"]}
        assert "SupportProgramme" in types, types  # a term of the context, as when dereferencing
        as_turtle = requests.get(
            bundled_hub.url("sparql"), params={"query": query}, headers={"Accept": "text/turtle"}, timeout=30
        )
        expected = rdflib.Graph().parse(data=as_turtle.text, format="turtle")
        assert isomorphic(expanded(answer.content, context), expected), query


def test_pages_name_reused_properties_and_give_titles_not_paths(
    bundled_hub: BundledHub, store: EmbeddedStore, hub: Hub
) -> None:
    harvest = first(store, f"?s a <{hub.ns}HarvestActivity>")
    removal = first(store, f"?s <{hub.ns}removedResource> ?r")
    pages = [
        harvest,
        removal,
        hub.page_of(hub.concept("support-type", "skills").value),
        hub.iri("graph", "curated"),
        hub.iri("report", "maplabbzh"),
        hub.iri("dataset"),
        hub.iri("territory", "fr"),
    ]
    for url in pages:
        page = html(url).text
        assert not RAW_LABEL.findall(page), (url, RAW_LABEL.findall(page))
        title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)  # type: ignore[union-attr]
        assert url[len(bundled_hub.base) :] not in title, title
    harvest_page = page_text(harvest)
    assert "commencé le" in harvest_page and re.search(rf"Moissonnage — .+ — \d+ ({MONTHS}) \d{{4}}", harvest_page)
    assert "code" in page_text(hub.page_of(hub.concept("support-type", "skills").value))
    assert "started" in page_text(harvest, lang="en")


def test_the_404_page_is_in_french_and_in_english_on_request(bundled_hub: BundledHub) -> None:
    french = html(bundled_hub.url("nothing/here"))
    assert french.status_code == 404 and "Page introuvable" in french.text
    assert "The requested URL was not found" not in french.text and '<html lang="fr"' in french.text
    english = html(bundled_hub.url("nothing/here"), lang="en")
    assert english.status_code == 404 and "Page not found" in english.text and '<html lang="en"' in english.text


def test_search_shows_the_pages_language_first_and_counts_in_the_singular(bundled_hub: BundledHub) -> None:
    french = page_text(bundled_hub.url("search"), q="Fabrique à initiatives de la métropole toulousaine")
    english = page_text(bundled_hub.url("search"), q="Fabrique à initiatives de la métropole toulousaine", lang="en")
    assert "portée par Première Brique" in french and "run by Première Brique" not in french
    assert "run by Première Brique" in english and "portée par Première Brique" not in english
    one = requests.get(bundled_hub.url("search"), params={"q": "Funlab", "format": "json"}, timeout=30).json()
    assert one["total"] == 1
    text = page_text(bundled_hub.url("search"), q="Funlab")
    assert "1 résultat " in text and "1 résultats" not in text
    assert "1 result " in page_text(bundled_hub.url("search"), q="Funlab", lang="en")


ENGLISH_ON_REQUEST = {  # path: (French the page says, English it says with ?lang=en)
    "": ("Ce que le hub contient", "What the hub holds"),
    "browse/": ("Parcourir le hub", "Browse the hub"),
    "search?q=tiers": ("Recherche", "Search"),
    "sparql": ("Interrogez le commun", "Query the commons"),
    "dumps/": ("Licences mêlées", "Mixed licences"),
    ".well-known/void": ("Le commun entier", "The whole commons"),
    "catalog": ("Le commun entier", "The whole commons"),
    "graph/curated": ("Ce que le hub en dit", "What the hub says"),
}


@pytest.mark.parametrize("path", ENGLISH_ON_REQUEST)
def test_every_page_is_french_and_english_on_request(bundled_hub: BundledHub, path: str) -> None:
    french_words, english_words = ENGLISH_ON_REQUEST[path]
    url, _, query = bundled_hub.url(path).partition("?")
    params = dict(part.split("=") for part in query.split("&") if part)
    french, english = page_text(url, **params), page_text(url, **params, lang="en")
    assert french_words in french and english_words not in french, path
    assert english_words in english and french_words not in english, path
    assert '<html lang="en"' in html(url, **params, lang="en").text


def test_values_are_written_for_people_without_datatypes(
    bundled_hub: BundledHub, store: EmbeddedStore, hub: Hub
) -> None:
    dla = hub.iri("initiative", "carrefour", "dla")
    french, english = html(dla).text, html(dla, lang="en").text
    assert f"6{NNBSP}000{NNBSP}000{NBSP}€" in french and "€6,000,000" in english
    harvest = first(store, f"?s a <{hub.ns}HarvestActivity>")
    for url in (dla, harvest, hub.iri("report", "maplabbzh"), hub.iri("graph", "curated"), hub.iri("dataset")):
        page = html(url).text
        assert "xsd:" not in page and not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}", page_text(url)), url
    assert re.search(rf"commencé le \d+ ({MONTHS}) \d{{4}} à \d{{2}}:\d{{2}} UTC", page_text(harvest))
