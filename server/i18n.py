"""French first, English available: the language of a page and the words of the interface.

The language is chosen by the ``lang`` query parameter (``?lang=en``), not by
Accept-Language: a page's URL then says what it shows, caches need no ``Vary`` on a
header that browsers send in endless variants, and a link can be shared as is.
Pages link to each other in the language they are shown in.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Request

from server.display import number

LANGUAGES = ("fr", "en")
DEFAULT = "fr"

MESSAGES: dict[str, dict[str, str]] = {
    "fr": {
        "site": "Carrefour des innovations sociales",
        "colon": "\u00a0: ",
        "tagline": "Les communs de l'innovation sociale en France, en données ouvertes et liées.",
        "home": "Accueil",
        "skip": "Aller au contenu",
        "menu": "Menu principal",
        "search": "Rechercher",
        "search_label": "Rechercher une initiative, un acteur, un territoire",
        "browse": "Parcourir",
        "programmes_nav": "Dispositifs",
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
        "no_results": "Aucun résultat.",
        "search_hint": "Saisissez des mots du nom ou de la description (les accents sont facultatifs).",
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
        "find_title": "Trouver",
        "find_search": "Chercher parmi les initiatives, les dispositifs et les acteurs, par mots, lieu et filtres",
        "find_programmes": "Les dispositifs d'accompagnement, par type d'appui, territoire, public et étape",
        "holds": "Ce que le hub contient",
        "per_partner": "Par partenaire",
        "per_theme": "Par domaine",
        "per_region": "Par région",
        "version": "Version",
        "published": "publiée le",
        "see_all": "Tout voir",
        "in_catalogue": "une fiche par initiative",
        "catalogue_column": "Catalogue",
        "facet_theme": "Domaines",
        "facet_audience": "Publics",
        "facet_method": "Méthodes",
        "facet_region": "Régions",
        "facet_departement": "Départements",
        "facet_actor-type": "Types d'acteurs",
        "facet_partner": "Partenaires",
        "count": "Nombre",
        "column_initiative": "Initiatives",
        "column_programme": "dont dispositifs d'accompagnement",
        "column_actor": "Acteurs",
        "column_concept": "Concepts",
        "column_record": "Fiches",
        "column_triple": "Triplets",
        "dumps_intro": "Fichiers compressés (gzip), écrits à nouveau à chaque publication ; la somme SHA-256 de "
        "chacun permet de vérifier un téléchargement.",
        "dumps_open": "Pour n'avoir que des données sous licence ouverte :",
        "partner_csv": "Les fiches de chaque partenaire en tableur (CSV, une ligne par initiative, avec sa licence)",
        "licences": "Licences",
        "whole_commons": "Le commun entier",
        "sparql_title": "Point d'accès SPARQL",
        "sparql_intro": "Interrogez le commun avec SPARQL 1.1 : le graphe par défaut est l'union des graphes ; "
        "chaque partenaire a son graphe nommé. Lecture seule ; une requête est coupée après {timeout} s et une "
        "réponse s'arrête à {cap} lignes ou triplets (l'en-tête X-SPARQL-Result-Capped le signale).",
        "service_description": "Description du service",
        "examples": "Exemples",
        "query": "Requête",
        "run": "Exécuter",
        "capped_note": "Réponse tronquée : le point d'accès s'arrête à {cap} lignes ou triplets ; affinez la requête "
        "(LIMIT, OFFSET, filtres) ou téléchargez les fichiers complets.",
        "partner_column": "Partenaire",
        "graph_column": "Graphe nommé",
        "file": "Fichier",
        "content": "Contenu",
        "size": "Taille",
        "search_unavailable": "La recherche n'est pas encore prête pour cette version des données : "
        "réessayez dans quelques instants.",
        "kind_initiative": "Initiative",
        "kind_programme": "Dispositif d'accompagnement",
        "kind_actor": "Acteur",
        "kind_partner": "Partenaire",
        "kind_concept": "Concept",
        "kind_territory": "Territoire",
        "kind_harvest": "Moissonnage",
        "kind_change": "Retrait de fiche",
        "number_sign": "n° ",
        "search_title": "Recherche",
        "browse_title": "Parcourir le hub",
        "graph_data": "Les données de ce graphe",
        "graph_size": "Ce graphe nommé compte {n} triplets ; la page le décrit sans les lister : "
        "ils sont dans les fichiers ci-dessous et à une requête SPARQL.",
        "graph_in_whole_dump": "tout le hub, chaque graphe nommé gardé (N-Quads), celui-ci compris",
        "graph_query": "Interroger ce graphe (SPARQL)",
        "report_rules": "Les règles en cause, les plus fréquentes d'abord",
        "report_results": "Chaque résultat",
        "report_harvest_checks": "Lecture du flux, règles du partenaire",
        "not_published": "non publiée",
        "reports": "Rapports de validation",
        "reports_hint": "Ce que chaque moissonnage a écarté ou signalé, et pourquoi.",
        "curated_data": "Données éditées par le hub",
        "gone_title": "Fiche retirée",
        "gone_text": "Le hub a publié cette fiche, puis l'a retirée : son partenaire ne la publie plus. "
        "Son adresse reste la sienne et répond « 410 Gone » ; ce qui suit dit quand, et par quel moissonnage.",
        "gone_when": "Retrait",
        "gone_partner": "partenaire",
        "gone_harvest": "lors du moissonnage",
    },
    "en": {
        "site": "Carrefour des innovations sociales",
        "colon": ": ",
        "tagline": "The commons of social innovation in France, as linked open data.",
        "home": "Home",
        "skip": "Skip to content",
        "menu": "Main menu",
        "search": "Search",
        "search_label": "Search an initiative, an actor, a territory",
        "browse": "Browse",
        "programmes_nav": "Support programmes",
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
        "no_results": "No results.",
        "search_hint": "Type words of the name or description (accents are optional).",
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
        "find_title": "Find",
        "find_search": "Search the initiatives, support programmes and actors, by words, place and filters",
        "find_programmes": "Support programmes, by type of support, territory, audience and stage",
        "holds": "What the hub holds",
        "per_partner": "Per partner",
        "per_theme": "Per domain",
        "per_region": "Per region",
        "version": "Version",
        "published": "published on",
        "see_all": "See all",
        "in_catalogue": "one card per initiative",
        "catalogue_column": "Catalogue",
        "facet_theme": "Domains",
        "facet_audience": "Audiences",
        "facet_method": "Methods",
        "facet_region": "Regions",
        "facet_departement": "Départements",
        "facet_actor-type": "Actor types",
        "facet_partner": "Partners",
        "count": "Count",
        "column_initiative": "Initiatives",
        "column_programme": "of which support programmes",
        "column_actor": "Actors",
        "column_concept": "Concepts",
        "column_record": "Records",
        "column_triple": "Triples",
        "dumps_intro": "Gzipped files, written again at each publication; check a download with its SHA-256.",
        "dumps_open": "For openly licensed data only:",
        "partner_csv": "Each partner's records as a spreadsheet (CSV, one row per initiative, with its licence)",
        "licences": "Licences",
        "whole_commons": "The whole commons",
        "sparql_title": "SPARQL endpoint",
        "sparql_intro": "Query the commons with SPARQL 1.1: the default graph is the union of the graphs; each partner "
        "has its own named graph. Read-only; a query is cut after {timeout} s and an answer stops at {cap} rows or "
        "triples (the X-SPARQL-Result-Capped header says so).",
        "service_description": "Service description",
        "examples": "Examples",
        "query": "Query",
        "run": "Run",
        "capped_note": "Answer cut: the endpoint stops at {cap} rows or triples; narrow the query (LIMIT, OFFSET, "
        "filters) or download the complete files.",
        "partner_column": "Partner",
        "graph_column": "Named graph",
        "file": "File",
        "content": "Content",
        "size": "Size",
        "search_unavailable": "Search is not ready yet for this version of the data: try again in a moment.",
        "kind_initiative": "Initiative",
        "kind_programme": "Support programme",
        "kind_actor": "Actor",
        "kind_partner": "Partner",
        "kind_concept": "Concept",
        "kind_territory": "Territory",
        "kind_harvest": "Harvest",
        "kind_change": "Record removal",
        "number_sign": "no. ",
        "search_title": "Search",
        "browse_title": "Browse the hub",
        "graph_data": "The data of this graph",
        "graph_size": "This named graph holds {n} triples; this page describes it without listing them: "
        "they are in the files below, and a SPARQL query away.",
        "graph_in_whole_dump": "the whole hub, every named graph kept (N-Quads), this one included",
        "graph_query": "Query this graph (SPARQL)",
        "report_rules": "The rules that fired, most frequent first",
        "report_results": "Each result",
        "report_harvest_checks": "Reading the feed, the partner's record rules",
        "not_published": "not published",
        "reports": "Validation reports",
        "reports_hint": "What each harvest left out or flagged, and why.",
        "curated_data": "The hub's curated data",
        "gone_title": "Record removed",
        "gone_text": "The hub published this record, then removed it: its partner no longer lists it. "
        "Its address stays its own and answers “410 Gone”; below is when, and by which harvest.",
        "gone_when": "Removal",
        "gone_partner": "partner",
        "gone_harvest": "in the harvest",
    },
}


# Counted nouns: (singular, plural).  French puts 0 and 1 in the singular (« 0 résultat »), English only 1.
NOUNS: dict[str, dict[str, tuple[str, str]]] = {
    "fr": {
        "initiative": ("initiative", "initiatives"),
        "programme": ("dispositif d'accompagnement", "dispositifs d'accompagnement"),
        "actor": ("acteur", "acteurs"),
        "concept": ("concept", "concepts"),
        "partner": ("partenaire", "partenaires"),
        "theme": ("domaine", "domaines"),
        "territory": ("territoire", "territoires"),
        "result": ("résultat", "résultats"),
        "record": ("fiche", "fiches"),
        "triple": ("triplet", "triplets"),
    },
    "en": {
        "initiative": ("initiative", "initiatives"),
        "programme": ("support programme", "support programmes"),
        "actor": ("actor", "actors"),
        "concept": ("concept", "concepts"),
        "partner": ("partner", "partners"),
        "theme": ("domain", "domains"),
        "territory": ("territory", "territories"),
        "result": ("result", "results"),
        "record": ("record", "records"),
        "triple": ("triple", "triples"),
    },
}
INCLUDING = {"fr": "dont", "en": "including"}
TALLIED = ("initiative", "actor", "concept")  # the kinds of records a count lists, in this order


def noun(lang: str, count: int, key: str) -> str:
    """The noun ``key`` in the singular or the plural, as ``count`` asks in ``lang``."""
    singular, plural = NOUNS[lang][key]
    return singular if (count < 2 if lang == "fr" else count == 1) else plural


def counted(lang: str, count: int, key: str) -> str:
    """« 1 initiative », « 6 000 acteurs », "0 results"."""
    return f"{number(count, lang)} {noun(lang, count, key)}"


def tally(lang: str, kinds: dict[str, int]) -> str:
    """Records counted by kind, never added up: « 66 initiatives dont 1 dispositif d'accompagnement, 7 acteurs ».

    Programmes are initiatives: they are counted among them, and said how many.
    """
    parts = []
    for kind in TALLIED:
        if kinds.get(kind):
            part = counted(lang, kinds[kind], kind)
            if kind == "initiative" and kinds.get("programme"):
                part += f" {INCLUDING[lang]} {counted(lang, kinds['programme'], 'programme')}"
            parts.append(part)
    return ", ".join(parts)


# What a person is told of an error: (title, what to do), by status; others get the last two's words.
ERRORS: dict[str, dict[int, tuple[str, str]]] = {
    "fr": {
        400: ("Requête incorrecte", "L'adresse ou ses paramètres ne sont pas compris : le détail suit."),
        403: ("Accès refusé", "Le hub ne fait pas ce qui est demandé : le détail suit."),
        404: ("Page introuvable", "Le hub ne publie rien à cette adresse. Vérifiez-la, ou cherchez ce que vous "
              "voulez dans le hub."),
        405: ("Méthode non permise", "Cette adresse ne répond pas à cette sorte de requête."),
        406: ("Format non disponible", "Le hub ne propose pas cette ressource dans le format demandé : "
              "les formats offerts suivent."),
        410: ("Fiche retirée", "Le hub a publié cette fiche, puis l'a retirée."),
        413: ("Requête trop longue", "La requête dépasse la taille que le hub accepte."),
        415: ("Type de contenu non pris en charge", "Le hub ne lit pas le corps de la requête dans ce format."),
        416: ("Plage non disponible", "La partie du fichier demandée n'existe pas."),
        500: ("Erreur interne", "Le hub n'a pas pu répondre : l'erreur est consignée. Réessayez plus tard."),
        503: ("Service momentanément indisponible", "Le hub est occupé ou la requête a pris trop de temps : "
              "réessayez dans quelques instants."),
        0: ("Erreur", "Le hub n'a pas pu répondre à cette requête."),
    },
    "en": {
        400: ("Bad request", "The address or its parameters are not understood: details below."),
        403: ("Forbidden", "The hub does not do what was asked: details below."),
        404: ("Page not found", "The hub publishes nothing at this address. Check it, or search the hub."),
        405: ("Method not allowed", "This address does not answer this kind of request."),
        406: ("Format not available", "The hub does not offer this resource in the format asked for: "
              "the formats offered follow."),
        410: ("Record removed", "The hub published this record, then removed it."),
        413: ("Request too large", "The request is larger than the hub accepts."),
        415: ("Unsupported media type", "The hub does not read a request body in this format."),
        416: ("Range not satisfiable", "The part of the file asked for does not exist."),
        500: ("Internal error", "The hub could not answer: the error is logged. Try again later."),
        503: ("Service unavailable for a moment", "The hub is busy or the request took too long: "
              "try again in a moment."),
        0: ("Error", "The hub could not answer this request."),
    },
}  # fmt: skip


def error_words(lang: str, status: int) -> tuple[str, str]:
    """(title, what to do) of an error page."""
    return ERRORS[lang].get(status, ERRORS[lang][0])


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
