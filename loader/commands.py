"""Subcommands of ``carrefour`` that drive the loader: init, validate, harvest, partners, report."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import click

from carrefour import formats
from carrefour.cli_context import CliError, Context, pass_context
from loader.mapping.spec import PartnerSpec


@click.command()
@pass_context
def init(ctx: Context) -> None:
    """Publish the vocabulary, concept schemes, territories and curated data."""
    from loader.harvest_report import write_curated_report
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
    write_curated_report(result.report, result.published, ctx.config.store_path / "harvest")
    click.echo(f"published version {result.version} ({warnings} warning(s) in the curated data)")
    click.echo("Report: carrefour report curated (also on the web at /report/curated)")


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "format_name", help="RDF format of the files (default: from the extension).")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.option("--lang", type=click.Choice(["fr", "en"]), default="en", show_default=True, help="Language of messages.")
@pass_context
def validate(ctx: Context, files: tuple[Path, ...], format_name: str | None, as_json: bool, lang: str) -> None:
    """Validate RDF FILES against the shapes; exit 1 if any violation.

    Relative IRIs are resolved as the hub resolves them when it publishes the project's
    own files: against the vocabulary's namespace in the vocabulary, shapes and concept
    schemes, against BASE_URL elsewhere (curated data, any other file), so that they
    validate as they will be published.  The store is not opened: the verdicts do not
    depend on the base.
    """
    import pyoxigraph as ox

    from carrefour.vocab import Graphs, Hub
    from loader.reference import reference_sources
    from loader.validation import Validator

    hub = Hub(ctx.settings.base_url, ctx.settings.vocabulary)
    in_vocabulary = {f.resolve() for s in reference_sources(Graphs(hub)) if s.in_vocabulary for f in s.files}

    quads: list[ox.Quad] = []
    for path in files:
        info = formats.by_name(format_name) if format_name else formats.from_extension(path.suffix)
        if info is None:
            raise CliError(f"{path}: unknown RDF format (use --format ttl|nt|nq|rdf|jsonld|trig)")
        base = hub.vocabulary if path.resolve() in in_vocabulary else hub.base
        try:
            quads.extend(ox.parse(path=path, format=info.oxigraph, base_iri=base))
        except (SyntaxError, ValueError) as exc:
            raise CliError(f"{path}: cannot parse as {info.name}: {exc}") from exc
    report = Validator(hub).validate(quads)
    if as_json:
        click.echo(report.dumps())
    else:
        click.echo(report.to_text(lang))
    if not report.conforms:
        sys.exit(1)


def _with_feed_folder(spec: PartnerSpec, feeds: tuple[Path, ...]) -> PartnerSpec:
    """Read the full feed from ``FOLDER/<folder>/<file>`` (the first of ``feeds`` that has it) instead of the sample."""
    source = spec.feed.get("source")
    if not feeds or not isinstance(source, str) or "://" in source:
        return spec
    sample = Path(source)
    candidates = [folder.resolve() / sample.parent.name / sample.name for folder in feeds]
    full = next((path for path in candidates if path.exists()), candidates[0])
    return dataclasses.replace(spec, feed={**spec.feed, "source": str(full)})


@click.command()
@click.argument("partners", nargs=-1)
@click.option(
    "--feeds",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    multiple=True,
    help="Read each partner's full feed from FOLDER/<sample folder>/<file> instead of its configured source "
    "(repeatable: the first FOLDER that has the file).",
)
@pass_context
def harvest(ctx: Context, partners: tuple[str, ...], feeds: tuple[Path, ...]) -> None:
    """Harvest PARTNERS (default: all) and publish them as one new version.

    Exit 0 when every partner was harvested (rejected records are normal: see the
    reports), 2 when a partner's feed could not be read (its data stays as it was).
    """
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn
    from rich.table import Table

    from loader.harvest import harvest as run_harvest
    from loader.harvest_report import COLUMNS, write_report_files
    from loader.partners import load_partners, partners_dir
    from loader.validation import Validator

    directory = partners_dir(ctx.config["PARTNERS_DIR"])
    all_specs = load_partners(directory)
    specs = load_partners(directory, list(partners) or None)
    specs = [_with_feed_folder(spec, feeds) for spec in specs]
    console = Console(stderr=True)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), console=console, transient=True) as progress:
        task = progress.add_task("harvesting", total=None)

        def report_progress(partner_id: str, read: int) -> None:
            progress.update(task, description=f"{partner_id}: {read} records read")

        results, version = run_harvest(
            ctx.store, ctx.hub, ctx.config, specs, all_specs, Validator(ctx.hub), report_progress
        )
    harvest_dir = ctx.config.store_path / "harvest"
    table = Table(title=f"Harvest — version {version}" if version else "Harvest — nothing published")
    table.add_column("partner")
    for column in COLUMNS:
        table.add_column(column, justify="right")
    table.add_column("report")
    failed = False
    for result in results:
        folder = write_report_files(result, harvest_dir, ctx.hub)
        if result.ok:
            counts = result.counts()
            report_path = folder.relative_to(harvest_dir) / "report.txt"
            table.add_row(result.spec.id, *(str(counts[c]) for c in COLUMNS), str(report_path))
        else:
            failed = True
            table.add_row(result.spec.id, *(["—"] * len(COLUMNS)), f"FAILED: {result.error}")
    output = Console()
    if not output.is_terminal:
        output = Console(width=200)  # a log or a pipe: never truncate partner ids or error messages
    output.print(table)
    output.print(f"Reports: carrefour report PARTNER (files under {harvest_dir})")
    if failed:
        sys.exit(2)


@click.group()
def partners() -> None:
    """List, check and add partner configurations (partners/*.toml)."""


@partners.command("list")
@pass_context
def partners_list(ctx: Context) -> None:
    """The configured partners, their feed and licence."""
    from loader.partners import load_partners, partners_dir

    for spec in load_partners(partners_dir(ctx.settings["PARTNERS_DIR"])):
        click.echo(f"{spec.id:<34} {spec.feed.get('format', '?'):<9} {spec.licence_id:<16} {spec.name}")


@partners.command("check")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_context
def partners_check(ctx: Context, files: tuple[Path, ...]) -> None:
    """Check partner files (default: all configured ones) without harvesting."""
    from loader.partners import load_partner, partners_dir

    paths = list(files) or sorted(partners_dir(ctx.settings["PARTNERS_DIR"]).glob("*.toml"))
    for path in paths:
        spec = load_partner(path)
        click.echo(f"ok  {spec.id}: {len(spec.entities)} entities, {len(spec.taxonomies)} taxonomies")


@partners.command("new")
@click.argument("partner_id")
@click.option(
    "--format", "feed_format", required=True, type=click.Choice(["csv", "tsv", "json", "geojson", "rdf", "webpages"])
)
@click.option(
    "--source", required=True, help="Path (relative to the project) or http(s) URL of the feed (webpages: its sitemap)."
)
@click.option("--name", help="Human name of the partner platform.")
@pass_context
def partners_new(ctx: Context, partner_id: str, feed_format: str, source: str, name: str | None) -> None:
    """Write a starting config for a new partner, listing the feed's fields.

    Reads the first records of the feed to list its fields; edit the file, then
    `carrefour partners check` and `carrefour harvest PARTNER_ID`.
    """
    from loader.partner_template import write_template
    from loader.partners import partners_dir

    path = write_template(partners_dir(ctx.config["PARTNERS_DIR"]), partner_id, feed_format, source, name, ctx.config)
    click.echo(f"wrote {path}")


@partners.command("token")
@click.argument("partner_id")
@pass_context
def partners_token(ctx: Context, partner_id: str) -> None:
    """Make a new push token for PARTNER_ID (the previous one stops working); only its hash is kept.

    The partner sends it as `Authorization: Bearer TOKEN` to /partners/PARTNER_ID/records.
    """
    from loader.partners import load_partners, partners_dir
    from loader.push_tokens import new_token

    load_partners(partners_dir(ctx.settings["PARTNERS_DIR"]), [partner_id])  # an unknown partner is refused
    click.echo(new_token(ctx.settings.store_path, partner_id))


@click.command()
@click.argument("partner", required=False)
@click.option("--json", "as_json", is_flag=True, help="The machine-readable report.")
@pass_context
def report(ctx: Context, partner: str | None, as_json: bool) -> None:
    """Show the latest harvest report of PARTNER (or a line per partner)."""
    harvest_dir = ctx.settings.store_path / "harvest"
    if partner is None:
        for latest in sorted(harvest_dir.glob("*/latest")):
            document = json.loads((latest / "report.json").read_text(encoding="utf-8"))
            counts = document["counts"]
            status = (
                f"FAILED: {document['error']}"
                if document["error"]
                else ", ".join(f"{k} {v}" for k, v in counts.items())
            )
            click.echo(f"{document['partner']:<34} {document['started']}  {status}")
        return
    latest = harvest_dir / partner / "latest"
    if not latest.exists():
        raise CliError(f"no harvest report for {partner!r} in {harvest_dir}")
    click.echo((latest / ("report.json" if as_json else "report.txt")).read_text(encoding="utf-8"), nl=False)


COMMANDS = (init, validate, harvest, partners, report)
