"""The ``carrefour`` command: set up, harvest, validate, serve and inspect the hub.

Exit codes (as pySHACL's): 0 success and the data conforms, 1 the data does not
conform to the shapes, 2 a runtime error (printed as one line, no traceback).
"""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import click

from carrefour import __version__
from carrefour.config import SETTINGS, Config, load_config
from carrefour.errors import CarrefourError, ConfigError
from carrefour.store import Store, open_store
from carrefour.vocab import Hub


class CliError(click.ClickException):
    """An expected failure: one line on stderr, exit code 2 (1 for non-conforming data)."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class HubGroup(click.Group):
    """Turn the hub's own errors into one clear line instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CarrefourError as exc:
            raise CliError(str(exc), exc.exit_code) from exc
        except KeyboardInterrupt as exc:
            raise CliError("interrupted", 130) from exc


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


@click.group(cls=HubGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="carrefour")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="TOML settings file.")
@click.option("--store", "store", metavar="PATH", help="Folder of the embedded store (default ./var).")
@click.option("--store-url", "store_url", metavar="URL", help="SPARQL 1.1 endpoint of a remote store.")
@click.option(
    "--base-url",
    "base_url",
    metavar="URL",
    help="Base URI of the hub (default: the store's, else http://127.0.0.1:8080/).",
)
@click.pass_context
def main(
    ctx: click.Context, config_file: str | None, store: str | None, store_url: str | None, base_url: str | None
) -> None:
    """Carrefour: the linked-open-data hub of the social-innovation commons."""
    overrides = {"STORE": store, "STORE_URL": store_url, "BASE_URL": base_url}
    ctx.obj = Context({k: v for k, v in overrides.items() if v is not None}, config_file, ctx.invoked_subcommand)
    try:
        level = ctx.obj.settings["LOG_LEVEL"]
    except ConfigError as exc:
        raise CliError(str(exc)) from exc
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the statistics as JSON.")
@pass_context
def stats(ctx: Context, as_json: bool) -> None:
    """What the published version holds: triples per graph, resources per class."""
    from carrefour.artifacts.stats import compute_stats

    data = compute_stats(ctx.store.snapshot(), ctx.hub)
    if as_json:
        click.echo(json.dumps(data, indent=1))
        return
    click.echo(f"version {data['version']} published {data['published']}: {data['quads']} quads")
    for name, count in data["classes"].items():
        click.echo(f"{count:>8}  {name}")
    for graph, count in data["graphs"].items():
        click.echo(f"{count:>8}  {graph}")


@main.command()
def settings() -> None:
    """List every setting with its default (set them as CARREFOUR_<NAME>)."""
    for setting in SETTINGS:
        default = "(secret)" if setting.secret else json.dumps(setting.default)
        click.echo(f"{setting.name:<24} {default:<30} {setting.help}")


def _register_commands() -> None:
    """Subcommands live next to the code they drive; they are gathered here."""
    from loader.commands import COMMANDS as loader_commands
    from loader.store_commands import COMMANDS as store_commands
    from server.commands import COMMANDS as server_commands

    for command in (*loader_commands, *store_commands, *server_commands):
        main.add_command(command)


_register_commands()
