"""Settings: one table, one load order.

Every setting is a row of ``SETTINGS`` (name, default, help).  Values are read, in
increasing priority, from the defaults, an optional TOML file (``--config`` or
``CARREFOUR_CONFIG``), environment variables prefixed ``CARREFOUR_`` and explicit
overrides (command-line flags, test fixtures).  This is the only module that reads
``os.environ``.  Secrets (``STORE_PASSWORD``, ``PRIVACY_SALT``) are only taken from the environment.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from carrefour.errors import ConfigError

ENV_PREFIX = "CARREFOUR_"


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    secret: bool = False


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "BASE_URL",
        "http://127.0.0.1:8080/",
        "Base URI under which every resource is minted and served (unset: the one the store holds).",
    ),
    Setting(
        "VOCABULARY_NAMESPACE",
        "https://w3id.org/carrefour/",
        "Persistent namespace of the vocabulary, shapes and shared concept schemes (the same for every instance).",
    ),
    Setting("STORE", "var", "Folder of the embedded store (generations, dumps, search index, harvest reports)."),
    Setting("STORE_URL", "", "SPARQL 1.1 query endpoint of a remote store; empty means the embedded store."),
    Setting("STORE_UPDATE_URL", "", "SPARQL 1.1 Update endpoint of the remote store (defaults to STORE_URL)."),
    Setting("STORE_USER", "", "User name for the remote store's update endpoint."),
    Setting("STORE_PASSWORD", "", "Password for the remote store (environment only).", secret=True),
    Setting("STORE_TIMEOUT", 30.0, "Seconds before a request to the remote store is abandoned."),
    Setting("STORE_GRAPH_STORE_URL", "", "Graph Store HTTP Protocol endpoint of the remote store, for fast uploads."),
    Setting("STORE_AUTH", "digest", "HTTP authentication for the remote store's writes: digest or basic."),
    Setting("STORE_POLL_SECONDS", 2.0, "How often web workers check the remote store for a new version."),
    Setting("STORE_RETRY_SECONDS", 5.0, "After the remote store failed to answer, reads get 503 at once this long."),
    Setting("STORE_RESULT_CAP", 10000, "Most rows the remote store answers (Virtuoso's ResultSetMaxRows): page size."),
    Setting("ARTIFACTS_DIR", "", "Remote store: where versions' dumps and search index are shared (STORE/artifacts)."),
    Setting("PARTNERS_DIR", "", "Folder of partner configuration files (default: the project's partners/)."),
    Setting("KEEP_GENERATIONS", 3, "Published store generations kept on disk for readers still using them."),
    Setting("SPARQL_TIMEOUT", 10.0, "Seconds a public SPARQL query may run before it is cut with 503."),
    Setting("SPARQL_RESULT_CAP", 10000, "Maximum rows (or triples) a public SPARQL query returns; more is flagged."),
    Setting("SPARQL_MAX_QUERY_BYTES", 65536, "Largest SPARQL query text accepted, in bytes."),
    Setting("SPARQL_WORKERS", 2, "Query processes per web worker for the embedded store's public endpoint."),
    Setting("SPARQL_CACHE_MB", 64, "Memory per web worker for cached SPARQL answers of the current dataset version."),
    Setting("SPARQL_SERVICE_ALLOW", [], "Hosts a public query may reach with SERVICE (everything else is refused)."),
    Setting("SPARQL_RESULT_MAX_MB", 32.0, "Largest answer of a public SPARQL query, in MiB; more is cut and flagged."),
    Setting(
        "SPARQL_QUERY_MEMORY_MB", 1024, "Memory a query process may use before its query is cut with 503 (0: no limit)."
    ),
    Setting("CONTACT_EMAIL", "", "Contact address published in the DCAT catalog (empty: the home page only)."),
    Setting("PAGE_SIZE", 50, "Items per page in HTML lists and paged RDF descriptions."),
    Setting("PAGE_CACHE_MB", 32, "Memory per web worker for resource pages of the current dataset version (0: none)."),
    Setting(
        "MAP_TILE_URL",
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "Tile server of the maps ({z}/{x}/{y}, as Leaflet reads it); the markers show without tiles.",
    ),
    Setting(
        "MAP_TILE_ATTRIBUTION",
        '© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
        "Credit shown on the maps for the tiles (HTML).",
    ),
    Setting("MAX_REQUEST_BYTES", 1048576, "Largest request body accepted by the web server."),
    Setting("PUSH_PER_MINUTE", 60, "Pushes a partner may send per minute to each web worker (more: 429)."),
    Setting(
        "PUSH_REFRESH_SECONDS",
        5.0,
        "Seconds without a push before search, maps, counts and dumps are rebuilt for the pushed records.",
    ),
    Setting("WORKERS", 4, "Web worker processes started by `carrefour serve` (gunicorn)."),
    Setting("THREADS", 4, "Threads per web worker process."),
    Setting("HARVEST_USER_AGENT", "Carrefour/0.1 (+{base})", "User agent sent to partner sites ({base} is BASE_URL)."),
    Setting("HARVEST_DELAY", 1.0, "Seconds between two requests to the same partner host."),
    Setting("HARVEST_TIMEOUT", 30.0, "Seconds before a partner request is abandoned."),
    Setting("HARVEST_MAX_BYTES", 268435456, "Largest partner feed accepted, in bytes (after decompression)."),
    Setting("HARVEST_MAX_PAGES", 5000, "Most web pages crawled for one partner in one harvest."),
    Setting("HARVEST_MAX_SITEMAP_BYTES", 52428800, "Largest partner sitemap accepted, in bytes (after decompression)."),
    Setting(
        "PRIVACY_SALT",
        "",
        "Salt of the hashes replacing personal record keys (environment only; default: STORE/privacy-salt).",
        secret=True,
    ),
    Setting("LOG_LEVEL", "INFO", "Logging level (DEBUG, INFO, WARNING, ERROR)."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


class Config(dict[str, Any]):
    """A dict of settings with typed accessors for the few derived values.

    ``given`` says where each setting that was not left to its default came from (a file,
    an environment variable, an override): the store's base URL wins over a default one.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.given: dict[str, str] = {}

    @property
    def base_url(self) -> str:
        return str(self["BASE_URL"])

    @property
    def vocabulary(self) -> str:
        return str(self["VOCABULARY_NAMESPACE"])

    @property
    def store_path(self) -> Path:
        return Path(self["STORE"]).expanduser().resolve()

    @property
    def remote(self) -> bool:
        return bool(self["STORE_URL"])

    def user_agent(self) -> str:
        return str(self["HARVEST_USER_AGENT"]).replace("{base}", self.base_url)


def _coerce(setting: Setting, raw: Any) -> Any:
    """Convert a raw value (often a string from the environment) to the default's type."""
    default = setting.default
    try:
        if isinstance(raw, str) and not isinstance(default, str):
            if isinstance(default, list):
                raw = raw.strip()
                raw = json.loads(raw) if raw.startswith("[") else [p.strip() for p in raw.split(",") if p.strip()]
            elif isinstance(default, bool):
                raw = raw.strip().lower() in {"1", "true", "yes", "on"}
            elif isinstance(default, int):
                raw = int(raw)
            elif isinstance(default, float):
                raw = float(raw)
        if isinstance(default, bool):
            return bool(raw)
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
        if isinstance(default, list):
            return [str(item) for item in raw]
        return str(raw)
    except (TypeError, ValueError) as exc:  # json.JSONDecodeError is a ValueError
        raise ConfigError(f"setting {setting.name}: cannot read {raw!r} ({exc})") from exc


def _normalise(config: Config) -> Config:
    base = config["BASE_URL"]
    if not base.startswith(("http://", "https://")):
        raise ConfigError(f"setting BASE_URL must be an http(s) URL, not {base!r}")
    if not base.endswith("/"):
        config["BASE_URL"] = base + "/"
    return config


def load_config(
    config_file: str | os.PathLike[str] | None = None,
    overrides: dict[str, Any] | None = None,
    environ: dict[str, str] | None = None,
) -> Config:
    """Build the configuration: defaults < TOML file < environment < overrides.

    :raises ConfigError: on unknown settings, unreadable files or badly typed values.
    """
    env = dict(os.environ if environ is None else environ)
    config = Config({s.name: s.default for s in SETTINGS})

    path = config_file or env.get(ENV_PREFIX + "CONFIG")
    if path:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read configuration file {path}: {exc}") from exc
        for key, value in data.items():
            name = key.upper()
            if name not in _BY_NAME:
                raise ConfigError(f"unknown setting {key!r} in {path}")
            if _BY_NAME[name].secret:
                raise ConfigError(f"{name} is a secret: set it in the environment, not in {path}")
            config[name] = _coerce(_BY_NAME[name], value)
            config.given[name] = str(path)

    for name, setting in _BY_NAME.items():
        if ENV_PREFIX + name in env:
            config[name] = _coerce(setting, env[ENV_PREFIX + name])
            config.given[name] = f"the environment ({ENV_PREFIX}{name})"

    for key, value in (overrides or {}).items():
        name = key.upper()
        if name not in _BY_NAME:
            raise ConfigError(f"unknown setting {key!r}")
        if value is not None:
            config[name] = _coerce(_BY_NAME[name], value)
            config.given[name] = "the command line"
    return _normalise(config)
