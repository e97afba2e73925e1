"""The name a page shows for a resource whose own name lost letters before it reached the hub.

A partner feed may have destroyed accents into U+FFFD (``Biblioth\ufffdque``).  When another
partner describes the same place (an identity link, ``owl:sameAs`` in graph/links) with
its name intact, the page shows that name first; the damaged one stays in the resource's
statements, as its partner wrote it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pyoxigraph as ox

from carrefour.store.base import Snapshot
from carrefour.vocab import OWL

SAME_AS = ox.NamedNode(OWL + "sameAs")
REPLACEMENT = "\ufffd"

Names = dict[str, str]  # language ("" for none) -> name


def twins(snapshot: Snapshot, iri: ox.NamedNode) -> list[ox.NamedNode]:
    """The resources identity-linked to ``iri``, whichever way the link is written."""
    found = [q.object for q in snapshot.quads(iri, SAME_AS, None) if isinstance(q.object, ox.NamedNode)]
    found += [q.subject for q in snapshot.quads(None, SAME_AS, iri) if isinstance(q.subject, ox.NamedNode)]
    return list(dict.fromkeys(found))


def shown_names(own: Names, twin_names: Iterable[Names]) -> Names:
    """``own`` names, each damaged one replaced by a twin's intact name (in its language, else any language)."""
    intact = [names for names in twin_names if names and not any(REPLACEMENT in n for n in names.values())]
    shown = dict(own)
    for language, name in own.items():
        if REPLACEMENT in name:
            for names in intact:
                if replacement := names.get(language) or next(iter(names.values())):
                    shown[language] = replacement
                    break
    return shown


def with_intact_name(own: Names, lookup: Callable[[], Iterable[Names]]) -> Names:
    """``shown_names``, looking the twins up only when a name of ``own`` is damaged."""
    if not any(REPLACEMENT in name for name in own.values()):
        return own
    return shown_names(own, lookup())
