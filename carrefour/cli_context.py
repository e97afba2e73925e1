"""What every ``carrefour`` subcommand is given: the settings, the store and the hub, opened lazily.

The subcommands live next to the code they drive (``loader/commands.py``,
``loader/store_commands.py``, ``server/commands.py``); they import this module, and
``carrefour.cli`` gathers them, so no module imports the one that imports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import click

from carrefour.config import Config, load_config
from carrefour.store import Store, open_store
from carrefour.vocab import Hub


class CliError(click.ClickException):
    """An expected failure: one line on stderr, exit code 2 (1 for non-conforming data)."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass
class Context:
    """What every subcommand needs, opened lazily."""

    overrides: dict[str, Any]
    config_file: str | None
    command: str | None = None

    @cached_property
    def settings(self) -> Config:
        """The settings as given, before the store's base URL is taken into account."""
        return load_config(self.config_file, self.overrides)

    @cached_property
    def store(self) -> Store:
        """The store; opening it gives ``settings`` the base URL the store holds (carrefour.store.bases)."""
        return open_store(self.settings, new_hub=self.command == "init")

    @cached_property
    def config(self) -> Config:
        """The settings, with the store's base URL."""
        self.store  # noqa: B018 - opened for the base it holds
        return self.settings

    @cached_property
    def hub(self) -> Hub:
        return Hub(self.config.base_url, self.config.vocabulary)


pass_context = click.make_pass_decorator(Context)
