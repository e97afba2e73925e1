"""What each dump holds, said in French or English for the pages and the catalog.

The manifest (``dumps.json``) keeps the short English titles scripts read; people
are told what a file holds in their language, with the partner's name rather than its
id, and whether the file mixes licences.
"""

from __future__ import annotations

from carrefour.artifacts.dumps import OPEN_QUADS, WHOLE_QUADS, WHOLE_UNION, DumpFile
from carrefour.vocab import Graphs, Hub
from server.graph_description import HUB_GRAPHS
from server.i18n import LANGUAGES

FORMAT_NAMES = {"nq": "N-Quads", "ttl": "Turtle", "nt": "N-Triples"}
WHOLE = {
    WHOLE_QUADS: {
        "fr": "Tout le hub, chaque graphe nommé gardé ; licences mêlées",
        "en": "The whole hub, every named graph kept; licences mixed",
    },
    WHOLE_UNION: {
        "fr": "Tout le hub, union des graphes ; licences mêlées",
        "en": "The whole hub, union of the graphs; licences mixed",
    },
    OPEN_QUADS: {
        "fr": "Les graphes sous licence ouverte, chaque graphe nommé gardé",
        "en": "The openly licensed graphs, every named graph kept",
    },
}
PARTNER = {"fr": "Fiches de {name}", "en": "Records of {name}"}


def dump_title(dump: DumpFile, lang: str, hub: Hub, partner_names: dict[str, str]) -> str:
    """« Fiches de CoopCycle (Turtle) », « Tout le hub, union des graphes ; licences mêlées (Turtle) »."""
    if dump.file in WHOLE:
        words = WHOLE[dump.file][lang]
    elif dump.partner is not None:
        words = PARTNER[lang].format(name=partner_names.get(dump.partner, dump.partner))
    elif dump.graph == Graphs(hub).curated.value:
        words = HUB_GRAPHS["curated"][LANGUAGES.index(lang)]
    else:
        return dump.title
    return f"{words} ({FORMAT_NAMES.get(dump.format, dump.format)})"


def dump_titles(dump: DumpFile, hub: Hub, partner_names: dict[str, str]) -> dict[str, str]:
    """The title in every language of the pages."""
    return {lang: dump_title(dump, lang, hub, partner_names) for lang in LANGUAGES}
