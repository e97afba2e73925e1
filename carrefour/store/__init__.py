"""Choose the store: ``open_store(config)`` is the only place that decides."""

from __future__ import annotations

from carrefour.config import Config
from carrefour.store.base import DatasetInfo, PublicQuery, QueryAnswer, Snapshot, Store, Writer
from carrefour.store.bases import bind_base, embedded_root
from carrefour.store.embedded import EmbeddedStore

__all__ = ["DatasetInfo", "PublicQuery", "QueryAnswer", "Snapshot", "Store", "Writer", "open_store", "store_for"]


def open_store(config: Config, new_hub: bool = False) -> Store:
    """The embedded store in ``config["STORE"]``, or the remote one at ``STORE_URL``.

    ``config`` first takes the base URL the store holds when BASE_URL was left to its
    default (carrefour.store.bases): callers build their ``Hub`` from it after this.

    :param new_hub: the caller starts a hub (``carrefour init``), see ``bind_base``.
    :raises BaseMismatch: BASE_URL was given and the store holds its hub under another base.
    """
    bind_base(config, new_hub)
    return store_for(config)


def store_for(config: Config) -> Store:
    """The store the settings name, under their base URL as it is (``open_store`` checks it first)."""
    if config.remote:
        from carrefour.store.remote import RemoteStore

        return RemoteStore.from_config(config)
    return EmbeddedStore(
        embedded_root(config),
        config.base_url,
        keep_generations=int(config["KEEP_GENERATIONS"]),
        query_workers=int(config["SPARQL_WORKERS"]),
        query_memory_mb=int(config["SPARQL_QUERY_MEMORY_MB"]),
    )
