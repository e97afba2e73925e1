"""The schema.org JSON-LD that search engines read in a resource's HTML page.

A small, self-contained summary in the vocabulary search engines understand: the
type, name, description, web site, address and coordinates, domains as keywords,
who carries and funds it, and where the description comes from with its licence.
The template writes it with ``tojson``, which escapes ``<``, ``>``, ``&`` and ``'``,
so partner text such as ``</script>`` cannot end the script element.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from carrefour.vocab import SCHEMA, SKOS, Hub
from server.describe import TYPE
from server.page_model import PageBuilder, ResourcePage

_TYPES = {
    "Initiative": "Project",
    "SupportProgramme": "Project",
    "Actor": "Organization",
    "Partner": "Organization",
    "Region": "AdministrativeArea",
    "Departement": "AdministrativeArea",
    "Commune": "AdministrativeArea",
    "Country": "Country",
}


def schema_org(hub: Hub, builder: PageBuilder, page: ResourcePage) -> dict[str, Any] | None:
    """The summary of a record, partner, territory or concept; None for other resources."""
    own = [q for q in builder.description.own if q.subject == builder.description.iri]
    kinds = [q.object.value for q in own if q.predicate == TYPE and isinstance(q.object, ox.NamedNode)]
    kind = next((_TYPES[k[len(hub.ns) :]] for k in kinds if k.startswith(hub.ns) and k[len(hub.ns) :] in _TYPES), None)
    if kind is None and SKOS + "Concept" in kinds:
        kind = "DefinedTerm"
    if kind is None:
        return None
    data: dict[str, Any] = {"@context": "https://schema.org", "@type": kind, "@id": page.iri, "name": page.title}
    if page.description:
        data["description"] = page.description
    urls = [q.object.value for q in own if q.predicate.value == SCHEMA + "url" and isinstance(q.object, ox.NamedNode)]
    if urls and urls[0].startswith(("http://", "https://")):
        data["url"] = urls[0]
    if page.address is not None:
        data["address"] = {"@type": "PostalAddress", **_address_fields(builder)}
        if page.address.latitude is not None and page.address.longitude is not None:
            data["geo"] = {
                "@type": "GeoCoordinates",
                "latitude": page.address.latitude,
                "longitude": page.address.longitude,
            }
    themes = [builder.title_of(q.object.value) for q in own if q.predicate == hub.term("theme")]
    if themes:
        data["keywords"] = ", ".join(themes)
    for prop, target in (("carriedBy", "parentOrganization"), ("fundedBy", "funder")):
        names = [
            {"@type": "Organization", "@id": q.object.value, "name": builder.title_of(q.object.value)}
            for q in own
            if q.predicate == hub.term(prop)
        ]
        if names:
            data[target] = names
    sources = []
    for source in page.sources:
        if source.graph:
            licence = source.licence.href if source.licence else None
            sources.append({"@type": "Dataset", "name": source.name.text, **({"license": licence} if licence else {})})
    if sources:
        data["subjectOf"] = sources
    return data


def _address_fields(builder: PageBuilder) -> dict[str, str]:
    fields = {}
    for quad in builder.description.own:
        if quad.subject.value.startswith(builder.main + "#") and isinstance(quad.object, ox.Literal):
            name = quad.predicate.value.removeprefix(SCHEMA)
            if name in ("streetAddress", "postalCode", "addressLocality", "addressCountry"):
                fields[name] = quad.object.value
    return fields
