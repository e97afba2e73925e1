"""The catalogue's speed at scale: the map of every initiative in France, and record cards over HTTP.

    python -m bench.maps --n 40000

On the published hub of ``bench/published_hub.py`` (``--n`` synthetic initiatives,
built once under ``var/bench/``), served by ``carrefour serve`` (1 worker x 4
threads) beside the bare Flask app under the same settings:

- the map data of every record in France (``/map/data.geojson``): its size gzipped
  and unpacked, and the time headless Chromium takes from asking for ``/map/`` to
  the markers drawn (``data-ready-at`` of the map, median of ``--loads`` loads, the
  browser's cache off).  Targets: at most 2 MB gzipped, at most 1.5 s;
- record cards (the HTML page of random initiatives and actors) per second with
  ``wrk``, pages made for each request (``PAGE_CACHE_MB=0``) and pages kept by the
  page cache (default settings), beside the bare app's rate.  Target: at least 50 %
  of the bare-Flask ceiling, as the Turtle pages are.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
from pathlib import Path

import requests
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

from bench import wrk
from bench.published_hub import BASE, ensure_hub, hub_folder, sample, serve_bare, serve_hub
from bench.serving import warm
from carrefour.artifacts.places import read_places
from carrefour.vocab import Hub

SIZE_TARGET = 2_000_000  # bytes, gzipped
LOAD_TARGET_MS = 1500
CARD_SHARE = 0.5
NO_TILES = "http://127.0.0.1:9/tiles/{z}/{x}/{y}.png"  # the browser asks 127.0.0.1 only: nothing listens there


def chromium() -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1024",
                 "--disable-background-networking", "--no-first-run"):  # fmt: skip
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)


def map_load_ms(url: str, loads: int) -> list[float]:
    """Milliseconds from asking for the map page to its markers drawn, each load with the cache off."""
    driver = chromium()
    try:
        driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
        times = []
        for _ in range(loads + 1):  # the first load warms the server's memories; not counted
            driver.get(url)
            WebDriverWait(driver, 60).until(
                lambda d: d.execute_script("return document.querySelector('#catalogue-map').dataset.state")
            )
            ready = driver.execute_script("return document.querySelector('#catalogue-map').dataset")
            assert ready["state"] == "ready", ready
            times.append(float(ready["readyAt"]))
        return times[1:]
    finally:
        driver.quit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40000, help="synthetic initiatives")
    parser.add_argument("--loads", type=int, default=5, help="map loads in Chromium")
    parser.add_argument("--resources", type=int, default=2000, help="record cards dereferenced")
    parser.add_argument("--seconds", type=int, default=10, help="per wrk run")
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    folder = hub_folder(args.n)
    store, built = ensure_hub(folder, args.n)
    if built:
        print(f"built the hub ({args.n} initiatives) in {built:.1f} s -> {folder}")
    snapshot = store.snapshot()
    if read_places(snapshot) is None:
        raise SystemExit(f"{folder} was published without places.json: remove it to have it built again")
    paths = [iri.value[len(BASE) - 1 :] for iri in sample(snapshot, Hub(BASE), args.resources)]
    store.close()
    print(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    verdicts = []
    with serve_hub(folder, 1, 4, "kept", MAP_TILE_URL=NO_TILES) as kept:
        answer = requests.get(
            kept.url + "map/data.geojson", headers={"Accept-Encoding": "gzip"}, stream=True, timeout=60
        )
        gzipped = len(answer.raw.read())
        data = requests.get(kept.url + "map/data.geojson", timeout=60)
        features = len(data.json()["features"])
        print(f"map data: {features:,} features, {gzipped / 1e6:.2f} MB gzipped ({len(data.content) / 1e6:.1f} MB)")
        verdicts.append((f"map data ≤ 2 MB gzipped ({gzipped / 1e6:.2f} MB)", gzipped <= SIZE_TARGET))
        times = map_load_ms(kept.url + "map/", args.loads)
        load = statistics.median(times)
        print(f"map page to markers drawn in Chromium: median {load:.0f} ms ({', '.join(f'{t:.0f}' for t in times)})")
        verdicts.append((f"map loads in ≤ 1.5 s ({load:.0f} ms)", load <= LOAD_TARGET_MS))
        with serve_hub(folder, 1, 4, "cold", PAGE_CACHE_MB="0") as cold, serve_bare(folder, 1, 4) as bare:
            warm(kept, paths[: len(paths) // 2], "text/html")
            targets = {
                "bare Flask": (bare, wrk.get_paths(paths, "text/turtle")),
                "cards made": (cold, wrk.get_paths(paths, "text/html")),
                "cards kept": (kept, wrk.get_paths(paths[: len(paths) // 2], "text/html")),
            }
            for server, load_requests in targets.values():
                wrk.run(server.url, load_requests, 2, 4, warm_up=True)
            rates: dict[str, list[float]] = {name: [] for name in targets}
            for _ in range(args.reps):
                for name, (server, load_requests) in targets.items():
                    rates[name].append(wrk.run(server.url, load_requests, args.seconds, 4).rate)
    ceiling = statistics.median(rates["bare Flask"])
    for name, values in rates.items():
        rate = statistics.median(values)
        print(f"{name:<12} {rate:>8,.0f} req/s  {rate / ceiling:5.2f}x the bare-Flask ceiling")
    kept_share = statistics.median(rates["cards kept"]) / ceiling
    verdicts.append((f"record cards ≥ 50 % of the ceiling, pages kept ({kept_share:.2f}x)", kept_share >= CARD_SHARE))
    print(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    for text, met in verdicts:
        print(f"{'met' if met else 'NOT MET':>8}  {text}")


if __name__ == "__main__":
    Path("var").mkdir(exist_ok=True)
    main()
