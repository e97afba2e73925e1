"""Subcommands of ``carrefour`` that publish: serve, dump."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from carrefour.cli_context import Context, pass_context

if TYPE_CHECKING:
    from carrefour.store.base import Snapshot
    from carrefour.vocab import Hub


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
@click.option("--workers", type=int, help="Web worker processes (default: setting WORKERS).")
@click.option("--threads", type=int, help="Threads per worker (default: setting THREADS).")
@click.option("--dev", is_flag=True, help="Flask's development server (one process, reloads nothing).")
@pass_context
def serve(ctx: Context, host: str, port: int, workers: int | None, threads: int | None, dev: bool) -> None:
    """Serve the hub over HTTP (gunicorn, several workers)."""
    from carrefour.errors import StoreError
    from carrefour.store.embedded import EmbeddedStore
    from server.wsgi import run

    # Fail now, clearly, if nothing is published; but never open the embedded store here: a
    # RocksDB handle opened before gunicorn forks its workers makes each of them crash on exit.
    store = ctx.store
    if not isinstance(store, EmbeddedStore):
        store.snapshot()
    elif not store.published():
        raise StoreError(f"no data published in {store.root} yet: run `carrefour init`")
    run(ctx.config, host, port, workers or int(ctx.config["WORKERS"]), threads or int(ctx.config["THREADS"]), dev)


@click.command()
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the dumps and their manifest (dumps.json) into.",
)
@pass_context
def dump(ctx: Context, out: Path) -> None:
    """Write the published version's dumps (whole hub and each partner graph, gzipped) into OUT.

    The files published with the version are copied when this machine has them;
    otherwise (a remote store's other machines) they are written from the store.
    """

    from carrefour.artifacts.dumps import copy_dumps

    snapshot = ctx.store.snapshot()
    manifest = copy_dumps(snapshot, out)
    if manifest is None:
        manifest = _write_dumps(snapshot, ctx.hub, out)
    for entry in manifest["files"]:
        click.echo(f"{entry['size']:>12}  {entry['sha256']}  {out / entry['file']}")
    click.echo(f"version {manifest['version']}: {len(manifest['files'])} files and {out / 'dumps.json'}")


def _write_dumps(snapshot: Snapshot, hub: Hub, out: Path) -> dict[str, Any]:
    """Write the dumps from the store, with a progress bar."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from carrefour.artifacts.dumps import write_dumps

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True)) as progress:
        task = progress.add_task("dumps", total=None)

        def report(description: str, step: int, steps: int) -> None:
            progress.update(task, total=steps, completed=step, description=description)

        manifest = write_dumps(snapshot, hub, out, report)
        progress.update(task, completed=progress.tasks[0].total, description="dumps")
    return manifest


COMMANDS = (serve, dump)
