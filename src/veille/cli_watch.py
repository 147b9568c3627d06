"""The analyst's daily loop on the command line: ``watch``, ``alerts``, ``digest``, ``datasette``.

Registered at the end of :mod:`veille.cli`; kept here so the stage commands and these stay apart.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.logging import RichHandler

from veille.errors import VeilleError
from veille.store import DEFAULT_DB, connect, open_store

console = Console()
err = Console(stderr=True)

DbOverride = Annotated[
    str | None, typer.Option("--db", help="Store (default: [watch] db of the config, else veille.db).")
]


def _print_poll(report: object) -> None:
    from veille.watch.loop import PollReport

    assert isinstance(report, PollReport)
    for source in report.sources:
        colour = {"failed": "red", "backing-off": "yellow", "new": "green"}.get(source.status, "default")
        err.print(f"[{colour}]{source.status:>12}[/{colour}] {source.name} {source.detail}", highlight=False)
    for rejection in report.rejected:
        err.print(f"[red]rejected[/red] {rejection.path}: {rejection.reason}", highlight=False)
    console.print(f"{len(report.processed)} new documents, {len(report.alerts)} new alerts")
    for alert in report.alerts:
        console.print(f"[bold yellow]alert[/bold yellow] {alert['title']} ({alert['rule']})", highlight=False)
    sent, failed = report.webhook
    if sent or failed:
        err.print(f"webhook: {sent} sent, {failed} failed (kept for the next poll)")


def watch_cmd(
    config: Annotated[Path, typer.Argument(help="SOURCES.toml: feeds, folders, alert rules (docs/watch.md).")],
    every: Annotated[str | None, typer.Option(help="Poll interval such as 15m or 1h (default: [watch] every).")] = None,
    once: Annotated[bool, typer.Option("--once", help="Poll once and exit (for cron).")] = False,
    db: DbOverride = None,
) -> None:
    """Poll the feeds and folders of SOURCES.toml, ingest what is new, raise alerts; repeat."""
    from veille.watch.config import load_config, parse_duration
    from veille.watch.loop import watch

    logging.basicConfig(level=logging.INFO, format="%(message)s", handlers=[RichHandler(console=err, show_path=False)])
    try:
        cfg = load_config(config)
        interval = parse_duration(every) if every else cfg.every
    except (VeilleError, ValueError) as error:
        err.print(f"[red]error[/red] {error}", highlight=False)
        raise typer.Exit(2) from error
    store = db or cfg.db or DEFAULT_DB
    err.print(
        f"watching {len(cfg.feeds)} feeds, {len(cfg.folders)} folders, {len(cfg.rules)} rules -> {store}"
        + ("" if once else f", every {interval:g} s (Ctrl-C to stop)")
    )
    try:
        watch(cfg, store, interval, once=once, on_report=_print_poll)
    except KeyboardInterrupt:
        err.print("stopped")
    except VeilleError as error:
        err.print(f"[red]error[/red] {error}", highlight=False)
        raise typer.Exit(2) from error


def alerts_cmd(
    since: Annotated[str | None, typer.Option(help="Only alerts since: 1d, 12h, or a date (2026-11-20).")] = None,
    db: Annotated[str, typer.Option("--db", help="SQLite file or SQLAlchemy URL of the store.")] = DEFAULT_DB,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per alert, with evidence.")] = False,
) -> None:
    """List the alerts the watch rules raised, newest first."""
    from veille.alerts import list_alerts
    from veille.digest import cutoff

    try:
        start = cutoff(since) if since else None
    except ValueError as error:
        err.print(f"[red]error[/red] {error}")
        raise typer.Exit(2) from error
    with connect(open_store(db)) as conn:
        rows = list_alerts(conn, since=start)
    if as_json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return
    console.print(f"[bold]{len(rows)} alerts[/bold]{' since ' + start if start else ''}", highlight=False)
    for row in rows:
        console.print(f"{row['created_at']}  [bold]{row['title']}[/bold]  ({row['rule']})", highlight=False)
        for ev in row["detail"].get("evidence", [])[:3]:
            where = ev.get("url") or ev["doc_id"]
            for sentence in ev.get("sentences", [])[:1]:
                console.print(
                    f"    {ev['doc_id']}: « {sentence} » {where if where != ev['doc_id'] else ''}", highlight=False
                )


def digest_cmd(
    since: Annotated[str, typer.Option(help="What changed since: 1d, 12h, or a date (2026-11-20).")] = "1d",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="digest.html or digest.md (Markdown to stdout when absent).")
    ] = None,
    db: Annotated[str, typer.Option("--db", help="SQLite file or SQLAlchemy URL of the store.")] = DEFAULT_DB,
) -> None:
    """Write the digest of what changed: alerts and new facts by country pair and deal, with evidence."""
    from veille.digest import build_digest, cutoff, render, write_digest

    try:
        start = cutoff(since)
    except ValueError as error:
        err.print(f"[red]error[/red] {error}")
        raise typer.Exit(2) from error
    with connect(open_store(db)) as conn:
        if output is None:
            print(render(build_digest(conn, start), "md"))
            return
        digest = write_digest(conn, start, output)
    err.print(f"{digest['documents']} new documents, {len(digest['alerts'])} alerts since {start} -> {output}")


def datasette_cmd(
    db: Annotated[str, typer.Option("--db", help="SQLite file of the store.")] = DEFAULT_DB,
    metadata: Annotated[Path | None, typer.Option("-m", "--metadata", help="Where to write the metadata JSON.")] = None,
    serve: Annotated[
        bool, typer.Option("--serve", help="Run Datasette on 127.0.0.1 (needs veille[datasette]).")
    ] = False,
    port: Annotated[int, typer.Option(help="Port for --serve.")] = 8001,
) -> None:
    """Write Datasette metadata (titles, canned queries for deals and timelines) and serve the store."""
    from veille.export.datasette import write_metadata

    store = Path(db)
    if not store.is_file():
        err.print(f"[red]error[/red] no store at {db} (Datasette reads a SQLite file)")
        raise typer.Exit(2)
    open_store(db)  # migrated, so the canned queries find every table
    target = metadata or store.with_name(store.stem + ".metadata.json")
    write_metadata(store, target)
    command = ["datasette", "serve", str(store), "--metadata", str(target), "--host", "127.0.0.1", "--port", str(port)]
    err.print(f"metadata -> {target}")
    if not serve:
        print(" ".join(command))
        return
    exe = shutil.which("datasette") or str(Path(sys.executable).with_name("datasette"))
    if not Path(exe).exists():
        err.print("[red]error[/red] datasette is not installed: pip install 'veille[datasette]'")
        raise typer.Exit(2)
    raise typer.Exit(subprocess.call([exe, *command[1:]]))
