"""Full-text search through the live server: accents folded, paged, safe against FTS5 syntax."""

from __future__ import annotations

import re

import pytest
import requests

from tests.publish.conftest import LiveServer
from tests.publish.hostile import BIG_ACTOR_ITEMS
from tests.publish.test_html import Page, assert_nothing_injected

pytestmark = pytest.mark.live


def search_json(live_server: LiveServer, query: str, page: int = 1) -> dict[str, object]:
    response = requests.get(live_server.url("search"), params={"q": query, "page": page, "format": "json"}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_accents_and_case_do_not_matter(live_server: LiveServer) -> None:
    plain = search_json(live_server, "epicerie ecoles")
    assert [hit["iri"] for hit in plain["results"]][0] == live_server.hostile.xss.value
    for spelling in ("Épicerie Écoles", "ÉPICERIE ÉCOLES", "épicerie écoles", "EPICERIE ecoles"):
        assert search_json(live_server, spelling) == {**plain, "query": spelling}


def test_names_and_descriptions_are_searched_and_the_last_word_is_a_prefix(live_server: LiveServer) -> None:
    by_description = search_json(live_server, "réparation réemploi")  # words of synthetic descriptions
    assert by_description["total"] > 0
    assert search_json(live_server, "petaouch")["total"] == BIG_ACTOR_ITEMS  # "Pétaouchnok", as typed so far
    partner = search_json(live_server, "plateforme partenaire 01")  # partners are named after the records
    assert partner["results"] == [] and {hit["kind"] for hit in partner["see_also"]} == {"partner"}


def test_results_are_paged(live_server: LiveServer) -> None:
    first, last = search_json(live_server, "petaouchnok"), search_json(live_server, "petaouchnok", page=3)
    assert first["pages"] == 3 and len(first["results"]) == 50 and len(last["results"]) == BIG_ACTOR_ITEMS - 100
    seen = {hit["iri"] for page in (1, 2, 3) for hit in search_json(live_server, "petaouchnok", page)["results"]}
    assert seen == {item.value for item in live_server.hostile.items}
    past = requests.get(live_server.url("search"), params={"q": "petaouchnok", "page": 4}, timeout=10)
    assert past.status_code == 404
    html = requests.get(live_server.url("search"), params={"q": "petaouchnok"}, timeout=10).text
    assert 'rel="next" href="/search?q=petaouchnok&amp;page=2"' in html


def test_no_results_and_no_query(live_server: LiveServer) -> None:
    nothing = {"query": "zzyzxqwv", "total": 0, "records": 0, "page": 1, "pages": 1, "results": []}
    found = search_json(live_server, "zzyzxqwv")
    assert {key: found[key] for key in nothing} == nothing
    page = Page(requests.get(live_server.url("search"), params={"q": "zzyzxqwv"}, timeout=10).text)
    assert "Aucun résultat." in page.all_text()
    empty = requests.get(live_server.url("search"), timeout=10)  # no words: the whole catalogue, by name
    assert empty.status_code == 200 and "code postal ou numéro de département" in empty.text
    assert search_json(live_server, "")["total"] > BIG_ACTOR_ITEMS


@pytest.mark.parametrize(
    "query",
    ['"', '"unbalanced', '"epicerie', "NEAR(epicerie", "epicerie*", "* *", "a OR b", "NOT epicerie", "-epicerie",
     "name:epicerie", "^epicerie", "epicerie AND", "(", ")", "{name}: x", "'; DROP TABLE entries; --", "\\",
     "…", "ﬁ", "\u0000"],
)  # fmt: skip
def test_fts_syntax_is_searched_as_text_never_run(live_server: LiveServer, query: str) -> None:
    response = requests.get(live_server.url("search"), params={"q": query, "format": "json"}, timeout=10)
    assert response.status_code == 200, response.text
    words = " ".join(re.findall(r"\w+", query))  # what the query means: its words (none: the whole catalogue)
    assert response.json()["total"] == search_json(live_server, words)["total"]
    if query.lower().strip('*-^"()') == "epicerie":
        assert response.json()["total"] > 1


def test_the_query_and_the_results_are_escaped(live_server: LiveServer) -> None:
    query = '<script>alert("q")</script> épicerie'
    response = requests.get(live_server.url("search"), params={"q": query}, timeout=10)
    assert response.status_code == 200
    page = Page(response.text)
    assert_nothing_injected(page)
    assert ("input", {"id": "search-q", "name": "q", "type": "search", "value": query}) in page.tags
    hits = requests.get(live_server.url("search"), params={"q": "epicerie ecoles"}, timeout=10)
    assert "<mark>" in hits.text  # matches are highlighted with the hub's own markup only
    assert_nothing_injected(Page(hits.text))
    assert "&lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt; <mark>Épicerie</mark>" in hits.text


def test_english_search_page(live_server: LiveServer) -> None:
    response = requests.get(live_server.url("search"), params={"q": "zzyzxqwv", "lang": "en"}, timeout=10)
    assert "No results." in response.text and '<html lang="en">' in response.text
