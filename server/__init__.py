"""The web face of the hub: linked-data pages, the SPARQL endpoint and the dumps."""

from __future__ import annotations

from typing import Any

from flask import Flask

from carrefour.config import Config, load_config
from carrefour.store import Store, open_store
from carrefour.vocab import Hub


def create_app(test_config: dict[str, Any] | None = None, store: Store | None = None) -> Flask:
    """Build the application.

    :param test_config: settings that override defaults, file and environment.
    :param store: an already open store (tests, CLI); opened from the settings otherwise.
    """
    config: Config = load_config(overrides=test_config)
    app = Flask(__name__)
    app.config["CARREFOUR"] = config
    app.config["MAX_CONTENT_LENGTH"] = int(config["MAX_REQUEST_BYTES"])
    app.extensions["carrefour.store"] = store or open_store(config)
    app.extensions["carrefour.hub"] = Hub(config.base_url, config.vocabulary)

    from server import (
        browse,
        context,
        dumps,
        favicon,
        feeds,
        home,
        joining,
        maps,
        memento,
        metadata,
        pages,
        push,
        site,
        sitemaps,
        sparql,
        stream,
    )
    from server.calls import views as calls
    from server.catalogue import views as search
    from server.cors import register_cors
    from server.errors import register_error_handlers
    from server.store_budget import register_store_budget

    register_error_handlers(app)
    register_cors(app)
    if app.extensions["carrefour.store"].remote:
        register_store_budget(app, float(config["STORE_TIMEOUT"]))
    site.init_app(app)
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 86400  # /static: the style sheet changes with releases
    app.register_blueprint(home.blueprint)
    app.register_blueprint(pages.blueprint)
    app.register_blueprint(context.blueprint)
    app.register_blueprint(search.blueprint)
    calls.init_app(app)
    app.register_blueprint(browse.blueprint)
    app.register_blueprint(sparql.blueprint)
    app.register_blueprint(dumps.blueprint)
    app.register_blueprint(metadata.blueprint)
    app.register_blueprint(sitemaps.blueprint)
    app.register_blueprint(favicon.blueprint)
    app.register_blueprint(stream.blueprint)
    memento.init_app(app)
    push.init_app(app)
    app.register_blueprint(joining.blueprint)
    app.register_blueprint(feeds.blueprint)
    feeds.init_app(app)
    maps.init_app(app)
    return app
