"""Choose the store: ``open_store(config)`` is the only place that decides."""

from __future__ import annotations

from carrefour.config import Config
from carrefour.store.base import DatasetInfo, PublicQuery, QueryAnswer, Snapshot, Store, Writer
from carrefour.store.embedded import EmbeddedStore

__all__ = ["DatasetInfo", "PublicQuery", "QueryAnswer", "Snapshot", "Store", "Writer", "open_store"]


def open_store(config: Config) -> Store:
    """The embedded store in ``config["STORE"]``, or the remote one at ``STORE_URL``."""
    if config.remote:
        from carrefour.store.remote import RemoteStore

        return RemoteStore.from_config(config)
    return EmbeddedStore(
        config.store_path / "store",
        config.base_url,
        keep_generations=int(config["KEEP_GENERATIONS"]),
        query_workers=int(config["SPARQL_WORKERS"]),
        query_memory_mb=int(config["SPARQL_QUERY_MEMORY_MB"]),
    )
