"""Subcommands of ``carrefour`` that drive the web server: serve."""

from __future__ import annotations

import click

from carrefour.cli import Context, pass_context


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
@click.option("--workers", type=int, help="Web worker processes (default: setting WORKERS).")
@click.option("--threads", type=int, help="Threads per worker (default: setting THREADS).")
@click.option("--dev", is_flag=True, help="Flask's development server (one process, reloads nothing).")
@pass_context
def serve(ctx: Context, host: str, port: int, workers: int | None, threads: int | None, dev: bool) -> None:
    """Serve the hub over HTTP (gunicorn, several workers)."""
    from server.wsgi import run

    ctx.store.snapshot()  # fail now, clearly, if nothing is published
    run(ctx.config, host, port, workers or int(ctx.config["WORKERS"]), threads or int(ctx.config["THREADS"]), dev)


COMMANDS = (serve,)
