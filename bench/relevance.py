"""How well the catalogue's search answers what practitioners type, on the bundled hub.

    python -m bench.relevance              # builds the bundled hub once under var/bench/bundled, serves it, prints
    python -m bench.relevance --url URL    # against a hub serving the bundled data under its own address

Each query of ``RELEVANCE_SET`` lists the records (paths under the hub's base) that
must be among its first ten cards; a record counts as found when any card lists it
(a card shows every partner's record of one real initiative).  Two figures:

- hits@10: the share of the expected records found in the first ten cards, averaged over the queries;
- MRR: the mean over the queries of 1 / the rank of the first card holding an expected record (0 past ten).

``tests/publish/test_relevance.py`` holds the figures above a floor on every run.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import requests

from bench.published_hub import BASE, serve_hub

# (query, records that must be in the first ten cards)
RELEVANCE_SET: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("tiers lieux bretagne", ("initiative/maplabbzh/konk-ar-lab", "initiative/ess-numerique-tierslieux/2d")),
    ("tiers-lieux", ("initiative/ess-numerique-tierslieux/tiers-lieu-numerique",
                     "initiative/ess-numerique-tierslieux/le-tiers-lieu-de-sorgues")),
    ("tiers lieu sorgues", ("initiative/hub-du-sud/le-tiers-lieu-de-sorgues",)),
    ("Tiers-lieu Carpentras", ("initiative/ess-numerique-tierslieux/le-tiers-lieu-de-carpentras",)),
    ("Konk Ar Lab", ("initiative/maplabbzh/konk-ar-lab", "initiative/ess-numerique-tierslieux/konk-ar-lab")),
    ("coworking 29", ("initiative/maplabbzh/la-cantine-numerique-brestoise-an-daol-vras",)),
    ("Rennes", ("initiative/maplabbzh/breizh-entropy", "initiative/maplabbzh/labfab-ur1")),
    ("29200", ("initiative/maplabbzh/dedale", "initiative/maplabbzh/les-fabriques-du-ponant")),
    ("fablab vannes", ("initiative/maplabbzh/fablabvannes",)),
    ("fab lab brest", ("initiative/maplabbzh/les-fabriques-du-ponant", "initiative/maplabbzh/ouvr-ges")),
    ("fablabs", ("initiative/maplabbzh/fablabvannes", "initiative/hub-lo/le-fablab-robert-houdin")),
    ("fablab 41", ("initiative/hub-lo/le-fablab-robert-houdin",)),
    ("museomix", ("initiative/maplabbzh/museomix-ouest-saint-brieuc",)),
    ("médiation numérique marseille", ("initiative/hub-du-sud/act-13-groupe-sos",
                                       "initiative/hub-du-sud/coco-velten-groupe-sos")),
    ("mediatheque blois", ("initiative/hub-lo/mediatheque-maurice-genevoix",)),
    ("médiathèques", ("initiative/hub-lo/mediatheque-maurice-genevoix",
                      "initiative/ess-numerique-tierslieux/mediatheque-du-luc-en-provence")),
    ("maison de services au public", ("initiative/hub-lo/maison-de-services-au-public",
                                      "initiative/hub-lo/msap-courtenay")),
    ("france services castellane", ("initiative/regionsud/france-services-de-castellane",)),
    ("mission locale gap", ("initiative/hub-du-sud/mission-locale-jeunes-hautes-alpes",)),
    ("atelier numérique romorantin", ("initiative/hub-lo/atelier-numerique-romorantin",)),
    ("bge indre", ("initiative/hub-lo/bge-indre",)),
    ("tiers lieu la réunion", ("initiative/ess-numerique-tierslieux/runfabrik",
                               "initiative/ess-numerique-tierslieux/run-fablab")),
    ("guyane", ("initiative/ess-numerique-tierslieux/la-kazlab",
                "initiative/ess-numerique-tierslieux/gfiip-guyafab-innovation-in-progress")),
    ("strasbourg", ("initiative/ess-numerique-tierslieux/la-cybergrange",)),
    ("67", ("initiative/ess-numerique-tierslieux/la-cybergrange",
            "initiative/ess-numerique-tierslieux/la-cabanne-des-createurs")),
    ("la dynamo chambéry", ("initiative/ess-numerique-tierslieux/la-dynamo",)),
    ("coworking bègles", ("initiative/carrefour/coworking-co-actions-begles",)),
    ("couture toulouse", ("initiative/carrefour/espace-de-couture-partage-toulouse",)),
    ("coopérative d'activité et d'emploi", ("actor/carrefour/co-actions",)),
    ("livraison à vélo coopérative", ("actor/coopcycle/les-coursiers-bordelais",)),
    ("DLA", ("initiative/carrefour/dla",)),
    ("dispositif local d'accompagnement", ("initiative/carrefour/dla",)),
    ("accompagnement association employeuse", ("initiative/carrefour/dla",)),
    ("financement changement d'échelle", ("initiative/carrefour/fonds-i", "initiative/carrefour/pins")),
    ("essaimage", ("initiative/carrefour/pins",)),
    ("évaluation de l'impact social", ("initiative/carrefour/cap-impact",)),
    ("contrats à impact social", ("initiative/carrefour/contrats-a-impact-social",)),
    ("pôle territorial de coopération économique", ("initiative/carrefour/ptce",)),
    ("PTCE", ("initiative/carrefour/ptce",)),
    ("incubateur lyon", ("actor/carrefour/ronalpia",)),
    ("s'implanter en auvergne-rhône-alpes", ("initiative/carrefour/ronalpia-implantation",)),
    ("fabrique à initiatives", ("initiative/carrefour/fabrique-a-initiatives",)),
    ("innovation publique", ("initiative/carrefour/la-transfo", "actor/carrefour/la-27e-region")),
    ("finance solidaire", ("actor/carrefour/finansol",)),
    ("living lab", ("initiative/carrefour/living-lab-markers",)),
    ("personnes âgées", ("initiative/carrefour/vivalab",)),
    ("emergence acceleration", ("initiative/carrefour/communaute-emergence-acceleration",)),
)  # fmt: skip
TOP = 10


@dataclass(frozen=True)
class Measure:
    query: str
    found: int  # expected records among the first ten cards
    expected: int
    rank: int | None  # of the first card holding an expected record


def cards(url: str, base: str, query: str, session: requests.Session) -> list[set[str]]:
    """The record paths (under ``base``) of each of the first ten cards ``/search`` at ``url`` shows for ``query``."""
    answer = session.get(url + "search", params={"q": query, "format": "json"}, timeout=30)
    answer.raise_for_status()
    return [{r["iri"].removeprefix(base) for r in card["records"]} for card in answer.json()["results"][:TOP]]


def measure(url: str, base: str | None = None) -> list[Measure]:
    """Every query of the set, against the hub served at ``url`` (its IRIs under ``base``, by default ``url``)."""
    found = []
    with requests.Session() as session:
        for query, expected in RELEVANCE_SET:
            shown = cards(url, base or url, query, session)
            listed = set().union(*shown) if shown else set()
            rank = next((n for n, card in enumerate(shown, 1) if card & set(expected)), None)
            found.append(Measure(query, len(listed & set(expected)), len(expected), rank))
    return found


def hits_at_10(measures: list[Measure]) -> float:
    return statistics.fmean(m.found / m.expected for m in measures)


def mrr(measures: list[Measure]) -> float:
    return statistics.fmean(1 / m.rank if m.rank else 0.0 for m in measures)


def report(measures: list[Measure]) -> str:
    lines = [f"{'query':45} found  rank"]
    lines += [f"{m.query:45} {m.found}/{m.expected}   {m.rank or '-'}" for m in measures]
    lines.append(f"{len(measures)} queries: hits@10 {hits_at_10(measures):.3f}, MRR {mrr(measures):.3f}")
    return "\n".join(lines)


def _bundled_hub(folder: Path) -> None:
    """The hub as ``./dev.sh serve`` publishes it (under bench.published_hub's base), built once in ``folder``."""
    if (folder / "store").is_dir():
        return
    for command in ("init", "harvest"):
        subprocess.run([sys.executable, "-m", "carrefour", "--store", str(folder), "--base-url", BASE, command],
                       check=True, capture_output=True)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a hub serving the bundled data under its own address (default: build one)")
    args = parser.parse_args()
    if args.url:
        print(report(measure(args.url.rstrip("/") + "/")))
        return
    folder = Path("var/bench/bundled")
    _bundled_hub(folder)
    with serve_hub(folder, 1, 4, name="relevance") as server:
        print(report(measure(server.url, BASE)))


if __name__ == "__main__":
    main()
