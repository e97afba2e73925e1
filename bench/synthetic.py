"""Synthetic hub data shaped like the real partner feeds, for benchmarks and load tests.

Initiatives (places and projects) carried by actors, spread over partner graphs, with
addresses in real communes, coordinates, themes, audiences, SIRENs with valid check
digits, French descriptions, and a small share of records that break the shapes in
the ways real feeds do (missing name, placeholder SIREN, 4-digit postal code, bad
URL, unknown theme).  Deterministic for a given seed.

    python bench/synthetic.py --n 40000 --out var/bench/synthetic-40000.nq
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from carrefour.artifacts.build import build_artifacts
from carrefour.store.base import Store
from carrefour.vocab import DCT, FOAF, GEO, PROV, RDF, SCHEMA, XSD, Hub, slugify
from loader.geo import Territories
from loader.history import publish_versions

THEMES = [
    "health",
    "sustainable-development",
    "social-inclusion",
    "employment",
    "education-training",
    "food-transition",
    "digital-inclusion",
    "housing",
    "mobility",
    "culture",
    "ageing",
    "disability",
    "circular-economy",
    "local-economic-development",
    "energy-transition",
]
AUDIENCES = [
    "general-public",
    "young-people",
    "older-people",
    "jobseekers",
    "families-children",
    "women",
    "project-leaders",
]
METHODS = ["cooperation", "third-place", "digital-tools", "replication", "training", "incubation", "experimentation"]
ACTOR_TYPES = [
    "third-place",
    "fab-lab",
    "coworking",
    "digital-mediation-place",
    "network",
    "incubator",
    "social-enterprise",
]
LEGAL_FORMS = ["association", "scic", "scop", "cae", "company", "foundation"]
STATUSES = ["idea", "launched", "scaling", "ended"]
KINDS = (
    "Tiers-lieu",
    "Fab lab",
    "Atelier numérique",
    "Épicerie solidaire",
    "Ressourcerie",
    "Coopérative",
    "Café associatif",
)
WORDS = (
    "accompagne les habitants dans leurs démarches numériques",
    "propose des ateliers de réparation et de réemploi",
    "réunit des entrepreneurs dans un cadre coopératif",
    "développe une alimentation locale et accessible",
    "crée des emplois pour les personnes éloignées de l'emploi",
    "ouvre un espace partagé de travail et de fabrication",
    "forme les jeunes aux métiers du numérique",
)
VIOLATIONS = ("missing-name", "placeholder-siren", "short-postal-code", "bad-url", "unknown-theme")


def siren_with_check_digit(rng: random.Random) -> str:
    """A 9-digit number whose Luhn check digit is right."""
    body = [rng.randint(0, 9) for _ in range(8)]
    for last in range(10):
        digits = [*body, last]
        total = sum(d if i % 2 == 0 else (2 * d - 9 if 2 * d > 9 else 2 * d) for i, d in enumerate(digits))
        if total % 10 == 0 and any(digits):
            return "".join(map(str, digits))
    raise AssertionError("unreachable")


@dataclass
class SyntheticData:
    quads: list[ox.Quad] = field(default_factory=list)
    broken: dict[str, str] = field(default_factory=dict)  # record IRI -> violation injected


def generate(hub: Hub, n: int, partners: int = 20, seed: int = 42, violation_rate: float = 0.003) -> SyntheticData:
    """``n`` initiatives and ``n // 2`` actors across ``partners`` named graphs."""
    rng = random.Random(seed)
    communes = [c for c in Territories.load().by_code.values() if c.postal_codes]
    rng.shuffle(communes)
    data = SyntheticData()
    cf = hub.term

    def concept(scheme: str, name: str) -> ox.NamedNode:
        return hub.concept(scheme, name)

    def add(graph: ox.NamedNode, s: ox.NamedNode, p: str | ox.NamedNode, o: ox.NamedNode | ox.Literal) -> None:
        predicate = p if isinstance(p, ox.NamedNode) else ox.NamedNode(p)
        data.quads.append(ox.Quad(s, predicate, o, graph))

    actors_per_partner = max(1, n // 2 // partners)
    for number in range(n):
        partner = f"partner-{number % partners:02d}"
        graph = hub.graph("partner", partner)
        commune = communes[number % len(communes)]
        kind = rng.choice(KINDS)
        name = f"{kind} {commune.name} {number}"
        initiative = hub.node("initiative", partner, slugify(name))
        actor_number = (number // partners) % actors_per_partner
        actor = hub.node("actor", partner, f"structure-{actor_number}")
        violation = rng.choice(VIOLATIONS) if rng.random() < violation_rate else None
        describes_actor = number < partners * actors_per_partner  # first mention of this actor
        if violation == "placeholder-siren" and not describes_actor:
            violation = None

        add(graph, initiative, RDF + "type", cf("Initiative"))
        if violation != "missing-name":
            add(graph, initiative, SCHEMA + "name", ox.Literal(name))
        description = f"{name} {rng.choice(WORDS)} et {rng.choice(WORDS)}."
        add(graph, initiative, SCHEMA + "description", ox.Literal(description, language="fr"))
        scheme = "ftp" if violation == "bad-url" else "https"
        add(graph, initiative, SCHEMA + "url", ox.NamedNode(f"{scheme}://{slugify(name)}.example.org/"))
        theme = "nope" if violation == "unknown-theme" else rng.choice(THEMES)
        add(graph, initiative, cf("theme"), concept("theme", theme))
        add(graph, initiative, cf("audience"), concept("audience", rng.choice(AUDIENCES)))
        add(graph, initiative, cf("method"), concept("method", rng.choice(METHODS)))
        add(graph, initiative, cf("status"), concept("status", rng.choice(STATUSES)))
        year = ox.Literal(str(rng.randint(1995, 2024)), datatype=ox.NamedNode(XSD + "gYear"))
        add(graph, initiative, SCHEMA + "startDate", year)
        add(graph, initiative, cf("carriedBy"), actor)
        add(graph, initiative, cf("locatedIn"), hub.node("territory", "departement", commune.departement))
        add(graph, initiative, cf("locatedIn"), hub.node("territory", "region", commune.region))
        add(graph, initiative, cf("recordKey"), ox.Literal(str(number)))
        add(graph, initiative, PROV + "wasDerivedFrom", ox.NamedNode(f"https://{partner}.example.org/fiche/{number}"))
        modified = f"20{rng.randint(18, 25)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T10:00:00Z"
        add(graph, initiative, DCT + "modified", ox.Literal(modified, datatype=ox.NamedNode(XSD + "dateTime")))
        address = ox.NamedNode(initiative.value + "#address")
        add(graph, initiative, SCHEMA + "location", address)
        add(graph, address, RDF + "type", ox.NamedNode(SCHEMA + "PostalAddress"))
        add(graph, address, SCHEMA + "streetAddress", ox.Literal(f"{rng.randint(1, 120)} rue de la République"))
        postal_code = commune.postal_codes[0]
        if violation == "short-postal-code":
            postal_code = postal_code.lstrip("0")[:4]
        add(graph, address, SCHEMA + "postalCode", ox.Literal(postal_code))
        add(graph, address, SCHEMA + "addressLocality", ox.Literal(commune.name))
        add(graph, address, SCHEMA + "addressCountry", ox.Literal("FR"))
        decimal = ox.NamedNode(XSD + "decimal")
        add(graph, address, GEO + "lat", ox.Literal(f"{rng.uniform(42.5, 50.5):.6f}", datatype=decimal))
        add(graph, address, GEO + "long", ox.Literal(f"{rng.uniform(-4.5, 7.5):.6f}", datatype=decimal))
        if violation:
            data.broken[initiative.value] = violation

        if describes_actor:
            add(graph, actor, RDF + "type", cf("Actor"))
            add(graph, actor, SCHEMA + "name", ox.Literal(f"Association {kind} {commune.name}"))
            add(graph, actor, cf("legalForm"), concept("legal-form", rng.choice(LEGAL_FORMS)))
            add(graph, actor, cf("actorType"), concept("actor-type", rng.choice(ACTOR_TYPES)))
            siren = "000000000" if violation == "placeholder-siren" else siren_with_check_digit(rng)
            add(graph, actor, cf("siren"), ox.Literal(siren))
            add(graph, actor, cf("recordKey"), ox.Literal(f"siren:{siren}"))
            if violation == "placeholder-siren":
                data.broken.pop(initiative.value, None)
                data.broken[actor.value] = violation
    return data


def iter_quads(hub: Hub, n: int, **options: object) -> Iterator[ox.Quad]:
    yield from generate(hub, n, **options).quads  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40000)
    parser.add_argument("--partners", type=int, default=20)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--base-url", default="http://127.0.0.1:8080/")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    data = generate(Hub(args.base_url), args.n, args.partners, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    ox.serialize(data.quads, args.out, ox.RdfFormat.N_QUADS)
    print(f"{len(data.quads)} quads, {len(data.broken)} records with an injected violation -> {args.out}")


if __name__ == "__main__":
    main()


def partner_descriptions(hub: Hub, partners: int) -> list[ox.Quad]:
    """The graph/partners description of the synthetic partners."""
    graph = hub.graph("partners")
    quads = []
    for number in range(partners):
        partner = hub.partner(f"partner-{number:02d}")
        quads += [
            ox.Quad(partner, ox.NamedNode(RDF + "type"), hub.term("Partner"), graph),
            ox.Quad(partner, ox.NamedNode(SCHEMA + "name"), ox.Literal(f"Plateforme partenaire {number:02d}"), graph),
            ox.Quad(
                partner,
                ox.NamedNode(FOAF + "homepage"),
                ox.NamedNode(f"https://partner-{number:02d}.example.org/"),
                graph,
            ),
            ox.Quad(
                partner,
                ox.NamedNode(DCT + "license"),
                ox.NamedNode("https://creativecommons.org/licenses/by/4.0/"),
                graph,
            ),
            # as loader.partners.describe_partner says of a real partner's data graph
            ox.Quad(hub.graph("partner", f"partner-{number:02d}"), ox.NamedNode(DCT + "publisher"), partner, graph),
            ox.Quad(
                hub.graph("partner", f"partner-{number:02d}"),
                ox.NamedNode(DCT + "license"),
                ox.NamedNode("https://creativecommons.org/licenses/by/4.0/"),
                graph,
            ),
        ]
    return quads


def publish_synthetic(store: Store, hub: Hub, n: int, partners: int = 20, seed: int = 42) -> SyntheticData:
    """Publish ``n`` synthetic initiatives as partner graphs of ``store`` (after ``carrefour init``)."""
    data = generate(hub, n, partners, seed)
    by_graph: dict[str, list[ox.Quad]] = {}
    for quad in data.quads:
        by_graph.setdefault(quad.graph_name.value, []).append(quad)
    with store.writer() as writer:
        for graph, quads in by_graph.items():
            writer.replace_graph(ox.NamedNode(graph), quads)
        writer.replace_graph(hub.graph("partners"), partner_descriptions(hub, partners))
        publish_versions(writer, hub, [ox.NamedNode(graph) for graph in by_graph])
        build_artifacts(writer, hub)
    return data
