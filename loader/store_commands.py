"""Subcommands of ``carrefour`` that look after the store itself: check, rebase."""

from __future__ import annotations

import sys

import click

from carrefour.cli_context import CliError, Context, pass_context


@click.command()
@click.option("--repair", is_flag=True, help="Remove what no partner or curated file claims, in one new version.")
@pass_context
def check(ctx: Context, repair: bool) -> None:
    """Check the published version: IRIs under another base, graphs nobody claims, dumps, leftovers.

    Prints one line per finding.  Exit 0 when nothing is found, 1 when something is
    (with --repair: found and repaired, as fsck says it), 2 on an error.
    """
    from loader.check import check as run_check
    from loader.check import repair as run_repair
    from loader.partners import load_partners, partners_dir

    specs = load_partners(partners_dir(ctx.config["PARTNERS_DIR"]))
    report = run_check(ctx.store, ctx.hub, specs)
    for finding in report.findings:
        click.echo(str(finding))
    if report.ok:
        click.echo(f"version {report.version} under {report.base}: nothing found")
        return
    if not repair:
        click.echo(f"{len(report.findings)} finding(s): `carrefour check --repair` removes them")
        sys.exit(1)
    version = run_repair(ctx.store, ctx.hub, report)
    if version is None:
        click.echo("repaired: the leftovers are removed (the published version is unchanged)")
    else:
        removed = f"{len(report.unclaimed)} graph(s) and {sum(report.foreign.values())} statement(s) removed"
        click.echo(f"repaired: {removed}, dumps, search index and statistics rebuilt: published version {version}")
    sys.exit(1)


@click.command()
@click.argument("new_base", metavar="NEW_BASE")
@pass_context
def rebase(ctx: Context, new_base: str) -> None:
    """Move the hub to NEW_BASE: every IRI under the store's base is written again under it, in one new version.

    The dumps, search index and statistics are rebuilt, as with every publication.
    Exit 2 when the store holds nothing, is a remote store, or BASE_URL names a third base.
    """
    from carrefour.config import load_config
    from carrefour.store import store_for
    from carrefour.store.bases import store_bases
    from carrefour.store.embedded import EmbeddedStore
    from carrefour.vocab import Hub
    from loader.rebase import rebase as run_rebase

    settings = ctx.settings
    target = load_config(ctx.config_file, {**ctx.overrides, "BASE_URL": new_base})
    bases, new = store_bases(settings), target.base_url
    if new in bases:
        click.echo(f"the store already holds the hub under {new}: nothing to do")
        return
    if settings.remote:
        raise CliError(
            "`carrefour rebase` moves an embedded store; on a remote store, start a hub under the new base "
            "beside the old one, from another STORE folder (`carrefour --store DIR --base-url NEW_BASE init`, "
            "then `harvest`)"
        )
    if not bases:
        raise CliError(f"nothing is published in {settings.store_path}: run `carrefour init` with BASE_URL set")
    old = bases[0]
    if "BASE_URL" in settings.given and settings.base_url not in (old, new):
        raise CliError(f"the store holds the hub under {old}; BASE_URL is {settings.base_url}, NEW_BASE {new}")
    store = store_for(target)
    assert isinstance(store, EmbeddedStore)
    version = run_rebase(store, Hub(old, settings.vocabulary), Hub(new, settings.vocabulary))
    click.echo(f"moved the hub from {old} to {new}: published version {version}")


COMMANDS = (check, rebase)
