# ruff: noqa: F811  (tests take the imported ``browser`` fixture as a parameter)
"""The catalogue in a real browser: markers for a filter, near a place, by keyboard; charts drawn; the widget;
WCAG 2.1 A and AA checked by axe-core on every page; screenshots kept as test artefacts.

Tiles never load here (the test servers ask 127.0.0.1:9 for them): the markers must show all the same.
Screenshots go to ``$CARREFOUR_TEST_ARTEFACTS/screenshots`` (default ``var/test-artefacts``), never committed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from tests.publish.conftest import LiveServer
from tests.publish.test_browser import browser  # noqa: F401  (the fixture, shared with test_browser.py)
from tests.publish.test_maps import synthetic_in

pytestmark = [pytest.mark.browser, pytest.mark.live]

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "tests" / "support" / "vendor" / "axe-core" / "axe.min.js"
ARTEFACTS = Path(os.environ.get("CARREFOUR_TEST_ARTEFACTS", ROOT / "var" / "test-artefacts")) / "screenshots"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Markers on screen: each cluster counts its places, each point is one.
MARKED = """return Array.from(document.querySelectorAll('#catalogue-map .map-cluster'))
  .reduce((n, c) => n + Number(c.textContent.replace(/\\D/g, '')), 0)
  + document.querySelectorAll('#catalogue-map .map-point').length"""


def ready(driver: WebDriver, selector: str = "[data-geojson]") -> dict[str, str]:
    WebDriverWait(driver, 20).until(
        lambda d: all(e.get_attribute("data-state") for e in d.find_elements(By.CSS_SELECTOR, selector))
    )
    element = driver.find_element(By.CSS_SELECTOR, selector)
    assert element.get_attribute("data-state") == "ready"
    return {"visible": element.get_attribute("data-visible") or "0"}


def screenshot(driver: WebDriver, name: str) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(ARTEFACTS / f"{name}.png"))


def axe_violations(driver: WebDriver) -> list[dict]:
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}}).then(r => done(r.violations));",
        WCAG,
    )
    return [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]][:5], "help": v["help"]} for v in result]


def test_the_map_shows_the_markers_of_a_filter_without_tiles(browser: WebDriver, live_server: LiveServer) -> None:
    expected = synthetic_in(live_server, "53", "partner-00")
    browser.get(live_server.url("widget/embed?territory=region/53&partner=partner-00&kind=initiative"))
    assert ready(browser)["visible"] == str(len(expected))
    assert browser.execute_script(MARKED) == len(expected)
    links = browser.execute_script(  # read at once: the list may be drawn again while a marker cluster settles
        "return [...document.querySelectorAll('#catalogue-map .map-list li a')].map(a => a.href)"
    )
    assert set(links) <= expected and len(links) == min(50, len(expected))
    assert "Carrefour des innovations sociales et ses partenaires" in browser.page_source
    screenshot(browser, "widget-embed")


def test_a_place_near_a_commune_and_by_keyboard(browser: WebDriver, live_server: LiveServer) -> None:
    browser.get(live_server.url("map/"))  # the hostile partner's grocery is in Brest
    ready(browser)
    box = browser.find_element(By.CSS_SELECTOR, ".map-tools input[type=search]")
    box.send_keys("29200", Keys.ENTER)
    status = browser.find_element(By.CSS_SELECTOR, ".map-status")
    WebDriverWait(browser, 10).until(lambda d: "Brest" in status.text)
    assert "à moins de 10\u00a0km de Brest" in status.text or "à moins de 10 km de Brest" in status.text
    listed = browser.find_elements(By.CSS_SELECTOR, ".map-list li a")
    assert live_server.hostile.xss.value in {link.get_attribute("href") for link in listed}
    point = browser.find_element(By.CSS_SELECTOR, ".map-point")
    assert point.get_attribute("tabindex") == "0"  # markers are reached by keyboard
    browser.execute_script("arguments[0].focus()", point)
    point.send_keys(Keys.ENTER)
    WebDriverWait(browser, 5).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".leaflet-popup-content a"))
    screenshot(browser, "map-around-brest")


def test_near_me_uses_the_browsers_position(browser: WebDriver, live_server: LiveServer) -> None:
    origin = live_server.base.rstrip("/")
    browser.execute_cdp_cmd("Browser.grantPermissions", {"origin": origin, "permissions": ["geolocation"]})
    browser.execute_cdp_cmd(
        "Emulation.setGeolocationOverride", {"latitude": 48.39, "longitude": -4.486, "accuracy": 10}
    )
    try:
        browser.get(live_server.url("map/"))
        ready(browser)
        browser.find_element(By.CSS_SELECTOR, ".map-near-me").click()
        status = browser.find_element(By.CSS_SELECTOR, ".map-status")
        WebDriverWait(browser, 10).until(lambda d: "votre position" in status.text)
        listed = browser.find_elements(By.CSS_SELECTOR, ".map-list li a")
        assert listed[0].get_attribute("href") == live_server.hostile.xss.value  # the nearest first
    finally:
        browser.execute_cdp_cmd("Emulation.clearGeolocationOverride", {})


def test_a_records_page_maps_it(browser: WebDriver, live_server: LiveServer) -> None:
    browser.get(live_server.hostile.xss.value)
    ready(browser, ".record-map")
    assert browser.execute_script("return document.querySelectorAll('.record-map .map-point').length") == 1
    browser.find_element(By.CSS_SELECTOR, ".record-map .map-point").click()
    popup = browser.find_element(By.CSS_SELECTOR, ".leaflet-popup-content")
    assert popup.find_element(By.TAG_NAME, "a").get_attribute("href") == live_server.hostile.xss.value
    assert "<script>" in popup.text  # partner text stays text
    screenshot(browser, "record-hostile")


def test_the_charts_draw(browser: WebDriver, live_server: LiveServer) -> None:
    browser.get(live_server.url("charts/"))
    charts = (By.CSS_SELECTOR, "[data-chart]")
    WebDriverWait(browser, 20).until(
        lambda d: all(e.get_attribute("data-state") == "drawn" for e in d.find_elements(*charts))
    )
    counts = [element.get_attribute("data-count") for element in browser.find_elements(*charts)]
    assert len(counts) == 8 and all(int(n) > 0 for n in counts)  # 7 charts, the départements drawn twice
    circles = browser.execute_script("return document.querySelectorAll('#chart-region .chart-circle').length")
    assert circles == int(counts[0])
    fills = browser.execute_script(
        "return Array.from(document.querySelectorAll('.chart-choropleth path')).map(p => p.getAttribute('fill'))"
    )
    shaded = len([fill for fill in fills if fill != "#f2f2f2"])
    assert shaded == int(counts[1]) and shaded > 50  # the synthetic initiatives are all over France
    screenshot(browser, "charts")


PAGES = {
    "map": "map/",
    "map-en": "map/?lang=en",
    "territory-region-53": "territory/region/53",
    "programme-card": "initiative/carrefour/cap-impact",
    "programme-card-en": "initiative/carrefour/cap-impact?lang=en",
    "actor-card": "actor/carrefour/avise",
    "charts": "charts/",
    "widget-builder": "widget/?territory=region/53",
    "widget-embed": "widget/embed?territory=region/53",
}


@pytest.mark.parametrize("name", PAGES)
def test_the_catalogue_pages_pass_axe(browser: WebDriver, live_server: LiveServer, name: str) -> None:
    browser.get(live_server.url(PAGES[name]))
    drawn = (By.CSS_SELECTOR, "[data-geojson], [data-chart]")
    WebDriverWait(browser, 20).until(lambda d: all(e.get_attribute("data-state") for e in d.find_elements(*drawn)))
    screenshot(browser, name)
    violations = axe_violations(browser)
    assert not violations, json.dumps(violations, indent=1, ensure_ascii=False)


def test_the_map_is_usable_on_a_phone(browser: WebDriver, live_server: LiveServer) -> None:
    browser.set_window_size(390, 844)
    try:
        browser.get(live_server.url("territory/region/53"))
        ready(browser)
        width = browser.execute_script("return document.documentElement.scrollWidth")
        assert width <= 390 + 1  # nothing wider than the screen
        screenshot(browser, "territory-region-53-phone")
    finally:
        browser.set_window_size(1280, 1024)
