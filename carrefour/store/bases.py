"""One base URL per store: the store says which base its hub lives under, and commands follow it.

Every IRI the hub mints and serves starts with ``BASE_URL``.  A command run with another
base than its store's wrote a second copy of the data under that base, silently, and read
the store as if it were empty.  So the store records its base (the embedded store in its
pointer file, ``CURRENT.json``; a remote store in each hub's version record), and:

- a ``BASE_URL`` left to its default takes the store's base;
- a ``BASE_URL`` given (file, environment, option) that is not the store's is refused,
  naming both; ``carrefour rebase`` moves a store to another base, deliberately;
- a remote store may hold several hubs, one per base (docs/deployment.md): a command must
  then say which, and only ``carrefour init`` starts a hub under a base it does not hold yet.
"""

from __future__ import annotations

import logging
from pathlib import Path

from carrefour.config import Config
from carrefour.errors import BaseMismatch, StoreUnavailable

log = logging.getLogger(__name__)


def embedded_root(config: Config) -> Path:
    """The embedded store's folder (``STORE/store``)."""
    return config.store_path / "store"


def store_bases(config: Config) -> list[str]:
    """The base URLs the configured store holds hubs under (none for a store nothing was published to).

    :raises StoreUnavailable: the remote store does not answer.
    """
    if config.remote:
        from carrefour.store.records import recorded_bases
        from carrefour.store.remote import client_from

        return recorded_bases(client_from(config))
    from carrefour.store.embedded import EmbeddedStore

    info = EmbeddedStore(embedded_root(config), config.base_url).published_info()
    return [info.base_url] if info is not None else []


def bind_base(config: Config, new_hub: bool = False) -> None:
    """Give ``config`` the base its store holds, unless BASE_URL was given; refuse a given base the store does not hold.

    :param new_hub: the command starts a hub (``carrefour init``): on a remote store, a base
        it does not hold yet is a new hub beside the others.
    :raises BaseMismatch: BASE_URL was given, and the store holds its hub under another base;
        or it was not, and a remote store holds several hubs.
    :raises StoreUnavailable: BASE_URL was not given and the remote store does not answer.
    """
    given = config.given.get("BASE_URL")
    try:
        bases = store_bases(config)
    except StoreUnavailable:
        if given is None:
            raise
        log.warning("the store does not answer: BASE_URL %s is used without checking the store's", config.base_url)
        return
    where = f"the store at {config['STORE_URL']}" if config.remote else f"the store in {embedded_root(config)}"
    if given is None:
        if len(bases) > 1:
            raise BaseMismatch(f"{where} holds several hubs ({', '.join(bases)}): set BASE_URL to the one meant")
        if bases:
            config["BASE_URL"] = bases[0]
        return
    if not bases or config.base_url in bases or (new_hub and config.remote):
        return
    other = (
        f"start a hub under {config.base_url} beside it with `carrefour init`"
        if config.remote
        else f"move the store with `carrefour rebase {config.base_url}`"
    )
    raise BaseMismatch(
        f"{where} holds the hub under {' and '.join(bases)}, not under {config.base_url} (BASE_URL, from {given}): "
        f"leave BASE_URL unset to use the store's, or {other}"
    )
