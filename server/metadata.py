"""``/.well-known/void`` (VoID) and ``/catalog`` (DCAT-AP): the dataset described for machines.

Both are negotiated in the RDF formats the hub offers, Turtle first (``*/*`` and
no Accept get Turtle: harvesters rarely ask), and as an HTML listing for people.
"""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request

from carrefour.vocab import Hub
from server import dcat, void
from server.dataset_facts import DESCRIPTIONS, TITLES, DatasetFacts, current_facts, licence_name, rights_texts
from server.dump_titles import dump_title
from server.i18n import choose_language
from server.negotiation import RDF_OFFERS, choose_representation
from server.rdf_documents import document_response, serialize_document

blueprint = Blueprint("metadata", __name__)


def _document(
    name: str, title: str, build: Callable[[Hub, DatasetFacts], list[ox.Triple]], prefixes: dict[str, str]
) -> Response:
    snapshot = current_app.extensions["carrefour.store"].snapshot()
    hub: Hub = current_app.extensions["carrefour.hub"]
    choice = choose_representation(request, html=True, html_last=True)
    facts = current_facts(snapshot)
    if choice.name == "html":
        lang = choose_language(request)
        body = render_template(
            "metadata.html",
            title=title,
            facts=facts,
            titles=TITLES,
            descriptions=DESCRIPTIONS,
            rights=rights_texts(facts)[lang],
            formats=RDF_OFFERS,
            path=request.path,
            dump_url=lambda dump: hub.iri("dumps", dump.file),
            dump_title=lambda dump: dump_title(dump, lang, hub, facts.partner_names),
            licence_name=lambda iri: licence_name(iri, lang),
        )
    else:
        body = serialize_document(build(hub, facts), choice.name, prefixes)
    shown = f"{name}-{choose_language(request)}" if choice.name == "html" else name
    return document_response(body, choice, version=facts.version, published=facts.published, name=shown)


@blueprint.get("/.well-known/void", endpoint="void")
def void_document() -> Response:
    """The VoID description of the dataset (Turtle, JSON-LD, RDF/XML, N-Triples or HTML)."""
    return _document("void", "VoID", void.void_description, void.PREFIXES)


@blueprint.get("/catalog")
def catalog() -> Response:
    """The DCAT-AP catalog (Turtle, JSON-LD, RDF/XML, N-Triples or HTML)."""
    contact = str(current_app.config["CARREFOUR"]["CONTACT_EMAIL"])
    return _document("catalog", "DCAT", lambda hub, facts: dcat.dcat_catalog(hub, facts, contact), dcat.PREFIXES)
