"""``veille serve``: the dashboard and API over a store, with uvicorn."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from veille.store import DEFAULT_DB

LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def dashboard_url(host: str = "127.0.0.1", port: int = 8000) -> str:
    """The address a browser on this machine opens."""
    shown = "127.0.0.1" if host in {"0.0.0.0", "::"} else host
    return f"http://{shown}:{port}/"


def serve(
    db: Annotated[str, typer.Option("--db", help="SQLite file or SQLAlchemy URL of the store.")] = DEFAULT_DB,
    host: Annotated[str, typer.Option(help="Interface to listen on (loopback unless a token is set).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    token: Annotated[
        str | None,
        typer.Option(envvar="VEILLE_TOKEN", help="Token that write requests (POST /documents) must carry."),
    ] = None,
) -> None:
    """Serve the analyst dashboard and the REST API (OpenAPI at /docs) over the store."""
    import uvicorn

    from veille.errors import VeilleError
    from veille.serve.app import create_app

    if "://" not in db and not Path(db).exists():
        typer.echo(f"error: no store at {db} (run `veille ingest FILES --db {db}` or `veille demo` first)", err=True)
        raise typer.Exit(2)
    if host not in LOOPBACK and not token:
        typer.echo(
            f"error: serving on {host} would open the store to other machines; set --token or VEILLE_TOKEN",
            err=True,
        )
        raise typer.Exit(2)
    try:
        app = create_app(db, token or os.environ.get("VEILLE_TOKEN") or None)
    except VeilleError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from error
    typer.echo(f"veille dashboard on {dashboard_url(host, port)} (API docs at {dashboard_url(host, port)}docs)")
    uvicorn.run(app, host=host, port=port, log_level="warning")
