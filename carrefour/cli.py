"""The ``carrefour`` command: set up, harvest, validate, serve and inspect the hub.

Exit codes (as pySHACL's): 0 success and the data conforms, 1 the data does not
conform to the shapes, 2 a runtime error (printed as one line, no traceback).
"""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

import click

from carrefour import __version__
from carrefour.cli_context import CliError, Context, pass_context
from carrefour.config import SETTINGS
from carrefour.errors import CarrefourError, ConfigError
from loader.commands import COMMANDS as LOADER_COMMANDS
from loader.store_commands import COMMANDS as STORE_COMMANDS
from server.commands import COMMANDS as SERVER_COMMANDS


class HubGroup(click.Group):
    """Turn the hub's own errors into one clear line instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CarrefourError as exc:
            raise CliError(str(exc), exc.exit_code) from exc
        except KeyboardInterrupt as exc:
            raise CliError("interrupted", 130) from exc


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


for command in (*LOADER_COMMANDS, *STORE_COMMANDS, *SERVER_COMMANDS):  # they live next to the code they drive
    main.add_command(command)
