"""The pages in a real browser: headless Chromium (Debian's) driven by selenium.

A script injected through partner text would run here: an ``alert`` would open, and
the page would not read as the partner wrote it.  The search is used as a visitor
uses it: typing in the box, pressing Enter, following "next".
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from tests.publish.conftest import LiveServer
from tests.publish.hostile import BIG_ACTOR_ITEMS, BREAKOUT, SCRIPT_NAME

pytestmark = [pytest.mark.browser, pytest.mark.live]

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1280,1024")  # fmt: skip


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip(f"headless Chromium needs {CHROMIUM} and {CHROMEDRIVER} (Debian: chromium, chromium-driver)")
    profile = tempfile.mkdtemp(prefix="carrefour-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def follow(driver: WebDriver, url_part: str) -> None:
    """Wait until the page an action leads to is loaded (its URL holds ``url_part``)."""
    WebDriverWait(driver, 15).until(
        lambda d: url_part in d.current_url and d.execute_script("return document.readyState") == "complete"
    )


def no_alert_opens(driver: WebDriver) -> bool:
    try:
        WebDriverWait(driver, 1).until(expected_conditions.alert_is_present())
    except TimeoutException:
        return True
    return False


def test_a_resource_page_in_chromium(browser: WebDriver, live_server: LiveServer) -> None:
    driver = browser
    driver.get(live_server.hostile.xss.value)
    assert no_alert_opens(driver), "a script from partner text ran"
    assert driver.find_element(By.TAG_NAME, "h1").text == SCRIPT_NAME
    assert driver.execute_script("return document.documentElement.lang") == "fr"
    record_map = (By.CSS_SELECTOR, "[data-geojson]")
    WebDriverWait(driver, 15).until(lambda d: d.find_element(*record_map).get_attribute("data-state"))
    images = driver.execute_script("return Array.from(document.images).filter(i => !i.matches('.leaflet-tile')).length")
    scripts = driver.execute_script("return Array.from(document.scripts).map(s => s.type || new URL(s.src).pathname)")
    assert images == 0 and scripts[0] == "application/ld+json"  # no picture, no script from partner text
    assert set(scripts[1:]) <= {"/static/map/catalogue-map.js", "/static/vendor/leaflet/leaflet.js",
                                "/static/vendor/supercluster/supercluster.min.js"}  # fmt: skip
    embedded = json.loads(driver.execute_script("return document.scripts[0].textContent"))
    assert embedded["name"] == SCRIPT_NAME and BREAKOUT in embedded["description"]
    description = driver.find_element(By.CSS_SELECTOR, "p.description").text
    assert BREAKOUT in description
    map_link = driver.find_element(By.PARTIAL_LINK_TEXT, "Voir sur la carte (OpenStreetMap)")
    assert map_link.get_attribute("href").startswith("https://www.openstreetmap.org/?mlat=48.390394")
    style = driver.execute_script("return getComputedStyle(document.querySelector('header.site')).display")
    assert style == "flex"  # the style sheet from /static was applied
    driver.find_element(By.LINK_TEXT, "English").click()
    follow(driver, "lang=en")
    assert driver.execute_script("return document.documentElement.lang") == "en"
    assert "What the hub says" in driver.page_source
    driver.find_element(By.LINK_TEXT, "Grand réseau des ateliers").click()
    follow(driver, "/actor/hostile/grand-reseau")
    assert driver.current_url == live_server.hostile.big_actor.value + "?lang=en"
    items = driver.find_elements(By.CSS_SELECTOR, "ul.referrers li")
    assert len(items) == 50
    driver.find_element(By.CSS_SELECTOR, "a[rel=next]").click()
    follow(driver, "page=2")
    assert driver.current_url == live_server.hostile.big_actor.value + "?page=2&lang=en"
    assert no_alert_opens(driver)


def test_the_search_in_chromium(browser: WebDriver, live_server: LiveServer) -> None:
    driver = browser
    driver.get(live_server.base)
    box = driver.find_element(By.ID, "search-q")
    box.send_keys("PÉTAOUCHNOK", Keys.ENTER)
    follow(driver, "/search?q=")
    total = driver.find_element(By.ID, "total")
    assert total.text == str(BIG_ACTOR_ITEMS)
    hits = driver.find_elements(By.CSS_SELECTOR, "ol.search-results > li")
    assert len(hits) == 50
    marks = driver.find_elements(By.CSS_SELECTOR, "ol.search-results mark")
    assert marks and all(mark.text.lower() == "pétaouchnok" for mark in marks)
    driver.find_element(By.CSS_SELECTOR, "nav.pager a[rel=next]").click()
    follow(driver, "page=2")
    assert driver.find_element(By.ID, "search-q").get_attribute("value") == "PÉTAOUCHNOK"
    box = driver.find_element(By.ID, "search-q")
    box.clear()
    box.send_keys('<img src=x onerror=alert(1)> "NEAR(', Keys.ENTER)
    follow(driver, "NEAR")
    assert no_alert_opens(driver)
    # No record has every word; the hostile ones that quote the probe have all of them but one, as text.
    assert "voici celles qui les ont tous sauf un" in driver.page_source
    driver.find_element(By.ID, "search-q").clear()
    driver.find_element(By.ID, "search-q").send_keys("epicerie ecoles", Keys.ENTER)
    follow(driver, "ecoles")
    first = driver.find_element(By.CSS_SELECTOR, "ol.search-results > li a.hit")
    assert first.text == SCRIPT_NAME
    first.click()
    follow(driver, "/initiative/hostile/")
    assert driver.current_url == live_server.hostile.xss.value
    assert no_alert_opens(driver)
