"""The catalogue in a real browser (headless Chromium): filters combine, the URL carries them, back and forward work.

Screenshots of the main pages (wide and narrow, French and English) are kept in a
pytest temporary folder, printed at the end of the run, for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from tests.publish.conftest import BundledHub
from tests.publish.test_browser import browser, follow  # noqa: F401 - the shared Chromium fixture

pytestmark = [pytest.mark.browser, pytest.mark.live]

# WCAG 2.1 contrast ratio of an element's text against the first opaque background behind it.
CONTRAST = """
const luminance = (rgb) => {
  const [r, g, b] = rgb.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};
const parse = (text) => text.match(/[0-9.]+/g).map(Number);
let node = arguments[0], background = null;
while (node && node.nodeType === 1) {
  const color = parse(getComputedStyle(node).backgroundColor);
  if (color.length < 4 || color[3] > 0) { background = color.slice(0, 3); break; }
  node = node.parentElement;
}
const fore = luminance(parse(getComputedStyle(arguments[0]).color).slice(0, 3));
const back = luminance(background || [255, 255, 255]);
return (Math.max(fore, back) + 0.05) / (Math.min(fore, back) + 0.05);
"""


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("catalogue-screenshots")
    yield folder
    print(f"\ncatalogue screenshots: {folder}")


def params(driver: WebDriver) -> dict[str, list[str]]:
    return parse_qs(urlsplit(driver.current_url).query)


def total(driver: WebDriver) -> int:
    return int(driver.find_element(By.ID, "total").text.replace("\u202f", "").replace("\u00a0", "").replace(" ", ""))


def facet_link(driver: WebDriver, facet: str, index: int = 0):  # type: ignore[no-untyped-def]
    """A value of a facet not chosen yet, its list opened as a person would."""
    details = driver.find_element(By.ID, f"facet-{facet}")
    if details.get_attribute("open") is None:
        details.find_element(By.TAG_NAME, "summary").click()
    return details.find_elements(By.CSS_SELECTOR, f"a[data-facet={facet}]:not(.selected)")[index]


def wait_for(driver: WebDriver, key: str, present: bool) -> None:
    WebDriverWait(driver, 15).until(
        lambda d: (key in params(d)) == present and d.execute_script("return document.readyState") == "complete"
    )


def test_filters_combine_and_the_url_round_trips(browser: WebDriver, bundled_hub: BundledHub) -> None:  # noqa: F811
    driver = browser
    driver.get(bundled_hub.url("search"))
    box = driver.find_element(By.ID, "catalogue-q")
    box.send_keys("tiers lieux", Keys.ENTER)
    follow(driver, "q=tiers+lieux")
    with_text = total(driver)
    theme = facet_link(driver, "theme")
    theme_code = theme.get_attribute("data-code")
    theme.send_keys(Keys.ENTER)  # a facet value is a link: the keyboard reaches and follows it
    wait_for(driver, "theme", True)
    with_theme = total(driver)
    assert params(driver)["theme"] == [theme_code] and params(driver)["q"] == ["tiers lieux"]
    assert with_theme <= with_text
    facet_link(driver, "territory").click()
    wait_for(driver, "territory", True)
    both = total(driver)
    assert both <= with_theme and set(params(driver)) >= {"q", "theme", "territory"}
    chosen = driver.find_elements(By.CSS_SELECTOR, ".active-filters li a")
    assert len(chosen) == 2
    driver.back()
    wait_for(driver, "territory", False)
    assert total(driver) == with_theme and params(driver)["theme"] == [theme_code]
    driver.back()
    wait_for(driver, "theme", False)
    assert total(driver) == with_text
    driver.forward()
    wait_for(driver, "theme", True)
    assert total(driver) == with_theme
    driver.find_element(By.CSS_SELECTOR, ".active-filters li a").click()  # remove the filter
    wait_for(driver, "theme", False)
    assert total(driver) == with_text


def test_the_search_box_keeps_the_filters(browser: WebDriver, bundled_hub: BundledHub) -> None:  # noqa: F811
    driver = browser
    driver.get(bundled_hub.url("search?territory=region/53"))
    box = driver.find_element(By.ID, "catalogue-q")
    box.send_keys("fablab", Keys.ENTER)
    follow(driver, "q=fablab")
    assert params(driver)["territory"] == ["region/53"]
    places = driver.find_elements(By.CSS_SELECTOR, "ol.search-results .kind")
    assert places and total(driver) >= 5


def test_text_contrast_and_narrow_screens(browser: WebDriver, bundled_hub: BundledHub, screenshots: Path) -> None:  # noqa: F811
    driver = browser
    driver.get(bundled_hub.url("dispositifs?q=DLA"))
    selectors = ("h1", "p.intro", ".hint", ".facet summary", ".facet li a", ".facet .count", "a.hit", ".kind",
                 ".chips li", ".programme-details dt", ".programme-details dd", "p.records a")  # fmt: skip
    for selector in selectors:
        for element in driver.find_elements(By.CSS_SELECTOR, selector)[:3]:
            ratio = driver.execute_script(CONTRAST, element)
            assert ratio >= 4.5, f"{selector}: contrast {ratio:.2f}"
    driver.set_window_size(390, 1600)
    try:
        driver.get(bundled_hub.url("search?q=tiers+lieux+bretagne"))
        facets = driver.find_element(By.CSS_SELECTOR, "nav.catalogue-facets").rect
        results = driver.find_element(By.CSS_SELECTOR, "section.results").rect
        assert results["y"] < facets["y"] and results["width"] <= 390  # one column: the results, then the filters
        assert driver.find_element(By.CSS_SELECTOR, "a.to-filters").is_displayed()  # a link down to the filters
        width = driver.execute_script("return document.documentElement.scrollWidth")
        assert width <= 390, f"the page is {width} px wide on a 390 px screen"
        driver.save_screenshot(str(screenshots / "search-narrow.png"))
    finally:
        driver.set_window_size(1280, 1024)


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("search-tiers-lieux-bretagne", "search?q=tiers+lieux+bretagne"),
        ("search-filtered", "search?theme=digital-inclusion&territory=region/93&sort=name"),
        ("dispositifs", "dispositifs"),
        ("dispositifs-financing-en", "dispositifs?support=financing&lang=en"),
        ("search-nothing", "search?q=zzyzxqwv&territory=region/53"),
    ],
)
def test_screenshots_of_the_main_pages(
    browser: WebDriver,  # noqa: F811
    bundled_hub: BundledHub,
    screenshots: Path,
    name: str,
    path: str,
) -> None:
    browser.get(bundled_hub.url(path))
    assert browser.find_element(By.TAG_NAME, "h1").text
    assert browser.find_elements(By.ID, "catalogue-map")  # the map's place, above the list
    browser.save_screenshot(str(screenshots / f"{name}.png"))
    assert (screenshots / f"{name}.png").stat().st_size > 10_000
