"""French first, English available: the language of a page and the words of the interface.

The language is chosen by the ``lang`` query parameter (``?lang=en``), not by
Accept-Language: a page's URL then says what it shows, caches need no ``Vary`` on a
header that browsers send in endless variants, and a link can be shared as is.
Pages link to each other in the language they are shown in.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Request

LANGUAGES = ("fr", "en")
DEFAULT = "fr"

MESSAGES: dict[str, dict[str, str]] = {
    "fr": {
        "site": "Carrefour des innovations sociales",
        "tagline": "Les communs de l'innovation sociale en France, en données ouvertes et liées.",
        "home": "Accueil",
        "skip": "Aller au contenu",
        "menu": "Menu principal",
        "search": "Rechercher",
        "search_label": "Rechercher une initiative, un acteur, un territoire",
        "browse": "Parcourir",
        "sparql": "Requêtes SPARQL",
        "dumps": "Téléchargements",
        "dataset": "Le jeu de données",
        "vocabulary": "Vocabulaire",
        "shapes": "Règles de validation",
        "other_language": "English",
        "statements": "Ce que le hub en dit",
        "property": "Propriété",
        "value": "Valeur",
        "address": "Adresse",
        "coordinates": "Coordonnées",
        "map": "Voir sur la carte (OpenStreetMap)",
        "provenance": "Provenance",
        "source": "Source",
        "said_by": "Publié par",
        "licence": "Licence",
        "harvested": "Moissonné le",
        "statements_count": "déclarations",
        "hub_graph": "Carrefour des innovations sociales",
        "referrers": "Ce qui y renvoie",
        "formats": "Autres formats",
        "page": "Page",
        "of": "sur",
        "previous": "Précédente",
        "next": "Suivante",
        "first": "Première",
        "last": "Dernière",
        "results": "résultats",
        "no_results": "Aucun résultat.",
        "search_hint": "Saisissez des mots du nom ou de la description (les accents sont facultatifs).",
        "items": "éléments",
        "records": "fiches",
        "report": "Rapport de validation",
        "conforms": "Les données publiées respectent les règles.",
        "does_not_conform": "Des fiches enfreignent des règles : elles n'ont pas été publiées.",
        "severity": "Gravité",
        "focus": "Ressource",
        "path": "Champ",
        "rule": "Règle",
        "message": "Message",
        "Violation": "Erreur",
        "Warning": "Avertissement",
        "Info": "Information",
        "holds": "Ce que le hub contient",
        "per_partner": "Par partenaire",
        "per_theme": "Par domaine",
        "per_region": "Par région",
        "version": "Version",
        "published": "publiée le",
        "see_all": "Tout voir",
        "facet_theme": "Domaines",
        "facet_audience": "Publics",
        "facet_method": "Méthodes",
        "facet_region": "Régions",
        "facet_departement": "Départements",
        "facet_actor-type": "Types d'acteurs",
        "facet_partner": "Partenaires",
        "count": "Nombre",
        "initiative": "initiatives",
        "programme": "dispositifs",
        "actor": "acteurs",
        "partner": "partenaires",
        "theme": "domaines",
        "territory": "territoires",
        "search_unavailable": "La recherche n'est pas encore prête pour cette version des données : "
        "réessayez dans quelques instants.",
        "kind_initiative": "Initiative",
        "kind_programme": "Dispositif d'accompagnement",
        "kind_actor": "Acteur",
        "kind_partner": "Partenaire",
        "kind_concept": "Concept",
        "kind_territory": "Territoire",
        "search_title": "Recherche",
        "browse_title": "Parcourir le hub",
    },
    "en": {
        "site": "Carrefour des innovations sociales",
        "tagline": "The commons of social innovation in France, as linked open data.",
        "home": "Home",
        "skip": "Skip to content",
        "menu": "Main menu",
        "search": "Search",
        "search_label": "Search an initiative, an actor, a territory",
        "browse": "Browse",
        "sparql": "SPARQL queries",
        "dumps": "Downloads",
        "dataset": "The dataset",
        "vocabulary": "Vocabulary",
        "shapes": "Validation rules",
        "other_language": "Français",
        "statements": "What the hub says",
        "property": "Property",
        "value": "Value",
        "address": "Address",
        "coordinates": "Coordinates",
        "map": "See on the map (OpenStreetMap)",
        "provenance": "Provenance",
        "source": "Source",
        "said_by": "Published by",
        "licence": "Licence",
        "harvested": "Harvested on",
        "statements_count": "statements",
        "hub_graph": "Carrefour des innovations sociales",
        "referrers": "What links here",
        "formats": "Other formats",
        "page": "Page",
        "of": "of",
        "previous": "Previous",
        "next": "Next",
        "first": "First",
        "last": "Last",
        "results": "results",
        "no_results": "No results.",
        "search_hint": "Type words of the name or description (accents are optional).",
        "items": "items",
        "records": "records",
        "report": "Validation report",
        "conforms": "The published data follows the rules.",
        "does_not_conform": "Some records break rules: they were not published.",
        "severity": "Severity",
        "focus": "Resource",
        "path": "Field",
        "rule": "Rule",
        "message": "Message",
        "Violation": "Error",
        "Warning": "Warning",
        "Info": "Information",
        "holds": "What the hub holds",
        "per_partner": "Per partner",
        "per_theme": "Per domain",
        "per_region": "Per region",
        "version": "Version",
        "published": "published on",
        "see_all": "See all",
        "facet_theme": "Domains",
        "facet_audience": "Audiences",
        "facet_method": "Methods",
        "facet_region": "Regions",
        "facet_departement": "Départements",
        "facet_actor-type": "Actor types",
        "facet_partner": "Partners",
        "count": "Count",
        "initiative": "initiatives",
        "programme": "support programmes",
        "actor": "actors",
        "partner": "partners",
        "theme": "domains",
        "territory": "territories",
        "search_unavailable": "Search is not ready yet for this version of the data: try again in a moment.",
        "kind_initiative": "Initiative",
        "kind_programme": "Support programme",
        "kind_actor": "Actor",
        "kind_partner": "Partner",
        "kind_concept": "Concept",
        "kind_territory": "Territory",
        "search_title": "Search",
        "browse_title": "Browse the hub",
    },
}


def choose_language(request: Request) -> str:
    lang = request.args.get("lang", DEFAULT)
    return lang if lang in LANGUAGES else DEFAULT


def translate(lang: str, key: str) -> str:
    return MESSAGES[lang].get(key, MESSAGES[DEFAULT].get(key, key))


def with_language(url: str, lang: str, **params: object) -> str:
    """``url`` with the page's language (when not the default) and ``params`` as its query."""
    query = {k: v for k, v in params.items() if v is not None}
    if lang != DEFAULT:
        query["lang"] = lang
    if not query:
        return url
    address, hash_mark, fragment = url.partition("#")  # the query goes before a fragment
    return f"{address}?{urlencode(query)}{hash_mark}{fragment}"
