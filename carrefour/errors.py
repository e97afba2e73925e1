"""One exception family for the whole hub.

Each error carries a message that is safe to show to users and, for the web layer,
an HTTP status.  The CLI prints the message on one line and exits with ``exit_code``.
"""

from __future__ import annotations


class CarrefourError(Exception):
    """Base class: ``str(error)`` is safe to show to users."""

    status = 500
    exit_code = 2


class ConfigError(CarrefourError):
    """A setting, configuration file or partner file is invalid."""


class StoreError(CarrefourError):
    """The store cannot be opened, read or written."""

    status = 503


class BaseMismatch(StoreError):
    """The store holds the hub under another base URL than the one given: nothing is read or written."""


class StoreBusy(StoreError):
    """Another process is writing the store (one writer at a time)."""


class StoreUnavailable(StoreError):
    """The store (usually a remote one) does not answer in time or at all."""


class QueryError(CarrefourError):
    """A SPARQL query is malformed or not allowed."""

    status = 400


class QueryRefused(QueryError):
    """A SPARQL request is well-formed but not allowed here (updates, SERVICE, size)."""

    status = 403


class QueryOverLimit(CarrefourError):
    """A SPARQL query went past one of the endpoint's limits (time, memory): it was cut."""

    status = 503


class QueryTimeout(QueryOverLimit):
    """A SPARQL query ran out of time."""


class NotFound(CarrefourError):
    """No such resource."""

    status = 404


class NotAcceptable(CarrefourError):
    """No representation matches the request's Accept header."""

    status = 406


class HarvestError(CarrefourError):
    """A partner feed cannot be fetched, decoded or read."""
