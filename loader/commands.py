"""Subcommands of ``carrefour`` that drive the loader: init, validate."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from carrefour import formats
from carrefour.cli import CliError, Context, pass_context


@click.command()
@pass_context
def init(ctx: Context) -> None:
    """Publish the vocabulary, concept schemes, territories and curated data."""
    from loader.initialise import CuratedDataInvalid, initialise
    from loader.validation import Validator

    try:
        result = initialise(ctx.store, ctx.hub, Validator(ctx.hub))
    except CuratedDataInvalid as exc:
        click.echo(exc.report.to_text(), err=True)
        raise
    for graph, count in result.graphs.items():
        click.echo(f"{count:>8} triples  {graph}")
    warnings = len(result.report.warnings)
    click.echo(f"published version {result.version} ({warnings} warning(s) in the curated data)")


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "format_name", help="RDF format of the files (default: from the extension).")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.option("--lang", type=click.Choice(["fr", "en"]), default="en", show_default=True, help="Language of messages.")
@pass_context
def validate(ctx: Context, files: tuple[Path, ...], format_name: str | None, as_json: bool, lang: str) -> None:
    """Validate RDF FILES against the shapes; exit 1 if any violation.

    Relative IRIs are resolved against the hub's base URL, so the project's own
    Turtle files (curated data, concept schemes) validate as they will be published.
    """
    import pyoxigraph as ox

    from loader.validation import Validator

    quads: list[ox.Quad] = []
    for path in files:
        info = formats.by_name(format_name) if format_name else formats.from_extension(path.suffix)
        if info is None:
            raise CliError(f"{path}: unknown RDF format (use --format ttl|nt|nq|rdf|jsonld|trig)")
        try:
            quads.extend(ox.parse(path=path, format=info.oxigraph, base_iri=ctx.hub.base))
        except (SyntaxError, ValueError) as exc:
            raise CliError(f"{path}: cannot parse as {info.name}: {exc}") from exc
    report = Validator(ctx.hub).validate(quads)
    if as_json:
        click.echo(report.dumps())
    else:
        click.echo(report.to_text(lang))
    if not report.conforms:
        sys.exit(1)


COMMANDS = (init, validate)
