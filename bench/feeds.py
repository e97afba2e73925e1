"""A synthetic partner feed shaped like the real ones, for the harvest benchmark.

It follows the national schema of digital-mediation places exactly as the Hub du Sud
export does (partners/hub-du-sud.toml maps it), with the same quirks: pipe- and
semicolon-separated lists, placeholder SIRETs, epoch dates, personal e-mails and
phone numbers, upper-case names, and a small share of records that break the
shapes (missing or one-letter names, coordinates out of range, absurdly long names).

    python bench/feeds.py --n 40000 --out var/bench/feed-40000.json
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

from loader.geo import Territories

SERVICES = (
    "Compréhension du monde numérique",
    "Maîtrise des outils numériques du quotidien",
    "Insertion professionnelle via le numérique",
    "Aide aux démarches administratives",
    "Accès internet et matériel informatique",
    "Loisirs et créations numériques",
    "Parentalité et éducation avec le numérique",
)
PUBLICS = ("Adultes", "Jeunes (16-26 ans)", "Familles/enfants", "Seniors (+ 65 ans)")
SOURCES = ("conseiller-numerique", "france-services", "cr93", "france-tiers-lieux", "dora")
KINDS = ("Médiathèque", "France services", "Espace numérique", "Tiers-lieu", "Centre social", "Fab lab", "EPN")
BROKEN = ("missing-name", "one-letter-name", "latitude-out-of-range", "long-name")


def record(number: int, rng: random.Random, communes: list[Any], violation: str | None) -> dict[str, Any]:
    commune = communes[number % len(communes)]
    name = f"{rng.choice(KINDS)} de {commune.name} {number}"
    if rng.random() < 0.2:
        name = name.upper()
    item: dict[str, Any] = {
        "id": f"mediation-numerique-{rng.choice(SOURCES)}-{number:08d}",
        "nom": name,
        "services": "|".join(rng.sample(SERVICES, rng.randint(1, 4))),
        "pivot": "00000000000000",
        "commune": commune.name,
        "code_postal": commune.postal_codes[0],
        "adresse": f"{rng.randint(1, 200)} avenue de la République",
        "latitude": round(rng.uniform(42.5, 50.5), 6),
        "longitude": round(rng.uniform(-4.5, 7.5), 6),
        "source": rng.choice(SOURCES),
        "date_maj": rng.choice(("1970-01-01", f"202{rng.randint(0, 3)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}")),
    }
    if rng.random() < 0.5:
        item["site_web"] = f"https://www.lieu-{number}.example.org/"
    if rng.random() < 0.4:
        item["courriels"] = rng.choice((f"contact@lieu-{number}.example.org", f"prenom.nom{number}@gmail.com"))
        item["telephone"] = f"+334{rng.randint(10000000, 99999999)}"
    if rng.random() < 0.3:
        item["publics_accueillis"] = ";".join(rng.sample(PUBLICS, rng.randint(1, 3)))
    if rng.random() < 0.5:
        item["labels_nationaux"] = rng.choice(("CNFS", "France Services", "CNFS;France Services"))
    if violation == "missing-name":
        item["nom"] = ""
    elif violation == "one-letter-name":
        item["nom"] = "X"
    elif violation == "latitude-out-of-range":
        item["latitude"] = 123.4
    elif violation == "long-name":
        item["nom"] = "Lieu " * 80
    return item


def generate(n: int, seed: int = 42, violation_rate: float = 0.003) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """``n`` records, and the ids of those given a violation (id -> kind)."""
    rng = random.Random(seed)
    communes = [c for c in Territories.load().by_code.values() if c.postal_codes]
    rng.shuffle(communes)
    records, broken = [], {}
    for number in range(n):
        violation = rng.choice(BROKEN) if rng.random() < violation_rate else None
        item = record(number, rng, communes, violation)
        if violation:
            broken[item["id"]] = violation
        records.append(item)
    return records, broken


def change(records: list[dict[str, Any]], share: float, seed: int = 42) -> int:
    """Change ``share`` of the records in place as a partner's next export would (address, services, date);
    names and ids stay, so a harvest from scratch mints the same IRIs. How many were changed."""
    rng = random.Random(seed + 1)
    chosen = rng.sample(range(len(records)), max(1, round(len(records) * share)))
    for index in chosen:
        item = records[index]
        item["adresse"] = f"{rng.randint(201, 400)} rue de la Paix"
        item["services"] = "|".join(rng.sample(SERVICES, rng.randint(1, 4)))
        item["date_maj"] = f"2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
    return len(chosen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    records, broken = generate(args.n, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"{len(records)} records ({len(broken)} broken) -> {args.out}")


if __name__ == "__main__":
    main()
