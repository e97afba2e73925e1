"""The home page: what the hub holds."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from carrefour.artifacts.stats import read_stats

blueprint = Blueprint("home", __name__)


@blueprint.get("/")
def index() -> str:
    snapshot = current_app.extensions["carrefour.store"].snapshot()
    return render_template("home.html", stats=read_stats(snapshot) or {}, info=snapshot.info)
