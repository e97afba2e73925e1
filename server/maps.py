"""The catalogue people browse: maps, charts and the embeddable widget, registered on the application.

Every page loads the map component (``static/map/catalogue-map.js``, a few kilobytes,
cached): any element with a ``data-geojson`` attribute becomes a map, whichever page
holds it (the search page's results, a territory, a record, the widget).  The script
carries the tile server and its credit (settings ``MAP_TILE_URL``,
``MAP_TILE_ATTRIBUTION``); the libraries it needs are only fetched where a map is.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, request, url_for

from server import charts, map_data, widget
from server.catalogue_i18n import word
from server.i18n import choose_language


def init_app(app: Flask) -> None:
    config = app.config["CARREFOUR"]
    map_data.init_app(app)
    app.register_blueprint(charts.blueprint)
    app.register_blueprint(widget.blueprint)

    @app.context_processor
    def catalogue_words() -> dict[str, Any]:
        lang = choose_language(request)
        return {
            "w": lambda key: word(lang, key),
            "map_script": {
                "src": url_for("static", filename="map/catalogue-map.js"),
                "tiles": config["MAP_TILE_URL"],
                "attribution": config["MAP_TILE_ATTRIBUTION"],
                "vendor": url_for("static", filename="vendor/"),
                "communes": url_for("map.communes"),
            },
        }
