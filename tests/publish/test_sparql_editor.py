"""The query editor of /sparql: its assets come from the hub, and it runs queries in a real browser."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pyoxigraph as ox
import pytest
import requests

from tests.publish.conftest import LIMITS, LiveServer

pytestmark = pytest.mark.live

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


class _Urls(HTMLParser):
    """Every URL an HTML page names in an attribute, and the assets it loads."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.assets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href", "action", "data-endpoint") and value:
                self.urls.append(value)
                if tag == "script" or (tag == "link" and ("rel", "stylesheet") in attrs):
                    self.assets.append(value)


def editor_page(server: LiveServer) -> str:
    response = requests.get(server.url("sparql"), headers={"Accept": BROWSER_ACCEPT}, timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    return response.text


def test_the_editor_page_names_no_outside_url(live_server: LiveServer) -> None:
    parser = _Urls()
    parser.feed(editor_page(live_server))
    assert parser.urls
    for url in parser.urls:
        assert urljoin(live_server.base, url).startswith(live_server.base), url
        assert not urlsplit(url).netloc or url.startswith(live_server.base), url  # no protocol-relative URL


def test_the_editor_assets_are_served_by_the_hub(live_server: LiveServer) -> None:
    parser = _Urls()
    parser.feed(editor_page(live_server))
    assert any(url.endswith("yasgui.min.js") for url in parser.assets)
    assert any(url.endswith("yasgui.min.css") for url in parser.assets)
    for url in parser.assets:
        response = requests.get(urljoin(live_server.base, url), timeout=30)
        assert response.status_code == 200, url
        expected = "text/css" if url.endswith(".css") else "javascript"
        assert expected in response.headers["Content-Type"]
    licence = requests.get(live_server.url("static/vendor/yasgui/LICENSE.txt"), timeout=30)
    assert licence.status_code == 200 and "MIT License" in licence.text


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Chromium driven by chromedriver (Debian's packages)."""
    chromium, chromedriver = shutil.which("chromium"), shutil.which("chromedriver")
    if chromium is None or chromedriver is None:
        pytest.skip("chromium and chromedriver are not installed (./dev.sh test installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(chromedriver), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def _wait(driver: object, condition: object, timeout: float = 60) -> object:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)


@pytest.mark.browser
def test_an_example_query_runs_in_the_browser(browser: object, live_server: LiveServer) -> None:
    from selenium.webdriver.common.by import By

    driver = browser
    driver.get(live_server.url("sparql"))  # type: ignore[attr-defined]
    _wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#yasgui .CodeMirror"))
    driver.find_element(By.CSS_SELECTOR, '[data-example="0"]').click()  # type: ignore[attr-defined]
    links = _wait(
        driver,
        lambda d: [
            a
            for a in d.find_elements(By.CSS_SELECTOR, ".tabPanel.active .yasr table a.iri")
            if "/concept/theme/" in a.text
        ],
    )
    assert all(link.get_attribute("href").startswith(live_server.url("concept/theme/")) for link in links)
    resources = driver.execute_script(  # type: ignore[attr-defined]
        "return performance.getEntriesByType('resource').map(function (e) { return e.name; })"
    )
    assert resources and all(name.startswith(live_server.base) for name in resources), resources
    note = driver.find_element(By.ID, "capped-note")  # type: ignore[attr-defined]
    assert not note.is_displayed()


@pytest.mark.browser
def test_the_editor_says_when_an_answer_was_capped(browser: object, limited_server: LiveServer) -> None:
    from selenium.webdriver.common.by import By

    driver = browser
    driver.get(limited_server.url("sparql"))  # type: ignore[attr-defined]
    _wait(driver, lambda d: d.execute_script("return !!window.carrefourYasgui"))
    driver.execute_script(  # type: ignore[attr-defined]
        "var tab = window.carrefourYasgui.getTab();tab.setQuery('SELECT ?s ?p ?o WHERE { ?s ?p ?o }'); tab.query();"
    )
    note = _wait(
        driver, lambda d: d.find_element(By.ID, "capped-note").is_displayed() and d.find_element(By.ID, "capped-note")
    )
    assert LIMITS["SPARQL_RESULT_CAP"] in note.text  # type: ignore[attr-defined]


def test_every_example_query_runs(live_server: LiveServer) -> None:
    page = editor_page(live_server)
    examples = json.loads(page.split('id="sparql-examples">')[1].split("</script>")[0])
    assert len(examples) >= 8
    answered = {}
    for example in examples:
        response = requests.post(
            live_server.url("sparql"),
            data={"query": example["query"]},
            headers={"Accept": "application/sparql-results+json, text/turtle"},
            timeout=60,
        )
        assert response.status_code == 200, (example["title"], response.text)
        if response.headers["Content-Type"].startswith("application/sparql-results+json"):
            answered[example["title_en"]] = len(response.json()["results"]["bindings"])
        else:
            answered[example["title_en"]] = len(list(ox.parse(response.content, format=ox.RdfFormat.TURTLE)))
    # The synthetic hub has no identity links; every other example finds something in it (the calls: the
    # curated ones, all closed, counted per kind; tests/publish/test_calls.py runs it on open ones too).
    empty = [title for title, count in answered.items() if count == 0]
    assert empty == ["Identity links across partners"], answered
