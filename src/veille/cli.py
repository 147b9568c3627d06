"""The ``veille`` command line: thin Typer wrappers over the stage functions."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import select

from veille.errors import VeilleError
from veille.store import DEFAULT_DB, connect, counts, open_store

if TYPE_CHECKING:  # the pipeline loads spaCy: imported only by the commands that run it
    from veille.pipeline import IngestReport

app = typer.Typer(
    help="veille: strategic monitoring of arms transfers from French news.", no_args_is_help=True, add_completion=False
)
console = Console()
err = Console(stderr=True)

DbOption = Annotated[str, typer.Option("--db", help="SQLite file or SQLAlchemy URL of the store.")]
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "corpus"


def _ingest(paths: list[Path], db: str, workers: int | None = None) -> int:
    from veille.ingest import iter_inputs
    from veille.pipeline import ingest_paths

    total = sum(1 for _ in iter_inputs(paths))
    with Progress(
        TextColumn("[bold]ingest"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    ) as bar:
        task = bar.add_task("", total=total)
        last = {"n": 0}

        def tick(doc_id: str) -> None:
            bar.update(task, description=doc_id[:40])
            last["n"] += 1

        report = ingest_paths(paths, db, progress=tick, workers=workers)
        bar.update(task, completed=total)
    return print_ingest_report(report, db)


def print_ingest_report(report: IngestReport, db: str) -> int:
    """Say what an ingest did (every rejection with its file and reason); the exit status."""
    for rejection in report.rejected:
        err.print(f"[red]rejected[/red] {rejection.path}: {rejection.reason}")
    for copy, original in report.duplicates:
        err.print(f"[yellow]near-duplicate[/yellow] {copy} is a copy of {original}: stored, counted once")
    console.print(
        f"{len(report.processed)} processed, {len(report.unchanged)} already stored, "
        f"{len(report.rejected)} rejected -> {db}"
    )
    return 1 if report.rejected else 0


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (.txt, .html, .htm, .jsonl).")],
    db: DbOption = DEFAULT_DB,
    dask: Annotated[
        str | None,
        typer.Option("--dask", help="Run on Dask: local:N (N worker processes here) or tcp://scheduler:8786."),
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="Worker processes (default: one per core).")
    ] = None,
) -> None:
    """Ingest articles into the store (idempotent: stored content is never stored twice)."""
    try:
        if dask:
            from veille.distributed import ingest_cli

            code = ingest_cli(paths, db, dask, console, err)
        else:
            code = _ingest(paths, db, workers)
    except VeilleError as error:
        err.print(f"[red]error[/red] {error}")
        raise typer.Exit(2) from error
    raise typer.Exit(code)


@app.command()
def facts(
    db: DbOption = DEFAULT_DB,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to this file instead of stdout.")] = None,
) -> None:
    """Write document facts (JSONL, one document per line)."""
    from veille.export import write_facts

    engine = open_store(db)
    with connect(engine) as conn:
        if output:
            with output.open("w", encoding="utf-8") as fh:
                n = write_facts(conn, fh)
            err.print(f"{n} documents -> {output}")
        else:
            write_facts(conn, sys.stdout)


def _facts_list(db: str) -> list[dict[str, object]]:
    from veille.export import document_facts

    with connect(open_store(db)) as conn:
        return list(document_facts(conn))


@app.command("eval")
def evaluate(
    gold: Annotated[Path, typer.Argument(help="Gold document facts (JSONL).")],
    texts: Annotated[
        Path | None, typer.Option("--texts", help="Folder the gold 'file' paths are relative to (for boilerplate).")
    ] = None,
    db: DbOption = DEFAULT_DB,
    pred: Annotated[Path | None, typer.Option("--pred", help="Score this facts file instead of the store.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
    details: Annotated[
        bool, typer.Option("--details", help="Also list, per document, missed and spurious events and misjudged lines.")
    ] = False,
) -> None:
    """Score document facts against a gold file and print the table."""
    from veille.evaluate import score

    gold_rows = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    if pred is not None:
        pred_rows = [json.loads(line) for line in pred.read_text(encoding="utf-8").splitlines() if line.strip()]
    else:
        pred_rows = _facts_list(db)
    scores = score(gold_rows, pred_rows, texts)
    if as_json:
        console.print_json(json.dumps(scores.as_dict()))
        return
    _print_scores(scores)
    if details:
        for doc_id, detail in scores.details.items():
            if any(detail.values()):
                console.print(f"[bold]{doc_id}[/bold]")
                for key, items in detail.items():
                    for item in items:
                        console.print(
                            f"  {key}: {json.dumps(item, ensure_ascii=False) if not isinstance(item, str) else item}",
                            highlight=False,
                        )


def _print_scores(scores: object) -> None:
    from veille.evaluate import Scores

    assert isinstance(scores, Scores)
    table = Table(title=f"veille eval: {scores.documents} documents")
    for col in ("measure", "P", "R", "F1", "tp", "fp", "fn"):
        table.add_column(col, justify="right" if col != "measure" else "left")

    def row(name: str, x: object) -> None:
        table.add_row(name, f"{x.precision:.3f}", f"{x.recall:.3f}", f"{x.f1:.3f}", str(x.tp), str(x.fp), str(x.fn))  # type: ignore[attr-defined]

    for cat in ("countries", "people", "organizations", "systems", "all"):
        row(f"entities {cat}", scores.entities[cat])
    for kind in [*sorted(k for k in scores.lenient if k != "ALL"), "ALL"]:
        row(f"events lenient {kind}", scores.lenient[kind])
    for kind in [*sorted(k for k in scores.strict if k != "ALL"), "ALL"]:
        row(f"events strict {kind}", scores.strict[kind])
    if scores.boilerplate is not None:
        row("boilerplate removal", scores.boilerplate)
    console.print(table)
    console.print(
        f"when accuracy: {scores.when_accuracy:.3f} "
        f"({scores.when_right}/{scores.when_total} matched events with a gold date)"
    )
    console.print(
        f"published accuracy: {scores.published_accuracy:.3f} ({scores.published_right}/{scores.published_total})"
    )
    for error in scores.errors:
        err.print(f"[yellow]warning[/yellow] {error}")


def _deals_table(
    db: str, supplier: str | None = None, recipient: str | None = None, system: str | None = None
) -> Table:
    from veille.store import schema as t

    table = Table(title="Arms deals")
    for col in ("id", "supplier", "recipient", "system", "order", "latest stage", "date", "sources"):
        table.add_column(col)
    query = select(t.deals).order_by(t.deals.c.supplier, t.deals.c.recipient, t.deals.c.system, t.deals.c.order_no)
    if supplier:
        query = query.where(t.deals.c.supplier == supplier.upper())
    if recipient:
        query = query.where(t.deals.c.recipient == recipient.upper())
    if system:
        query = query.where((t.deals.c.system == system) | (t.deals.c.family == system))
    with connect(open_store(db)) as conn:
        for d in conn.execute(query).mappings():
            table.add_row(
                d["id"],
                d["supplier"],
                d["recipient"],
                d["system"],
                str(d["order_no"]),
                d["latest_stage"],
                d["latest_when"] or "",
                str(d["n_sources"]),
            )
    return table


@app.command()
def deals(
    db: DbOption = DEFAULT_DB,
    supplier: Annotated[str | None, typer.Option(help="ISO3 of the supplier.")] = None,
    recipient: Annotated[str | None, typer.Option(help="ISO3 of the recipient.")] = None,
    system: Annotated[str | None, typer.Option(help="System or family name.")] = None,
) -> None:
    """List consolidated arms deals."""
    console.print(_deals_table(db, supplier, recipient, system))


@app.command()
def deal(
    deal_id: Annotated[str, typer.Argument(help="Deal id (as listed by `veille deals`).")], db: DbOption = DEFAULT_DB
) -> None:
    """Show one deal: its stage timeline with sources, values, quantities and conflicts."""
    from veille.store import schema as t

    with connect(open_store(db)) as conn:
        row = conn.execute(select(t.deals.c.detail).where(t.deals.c.id.startswith(deal_id))).first()
    if row is None:
        err.print(f"[red]error[/red] no deal with id {deal_id}")
        raise typer.Exit(1)
    d = json.loads(row[0])
    console.print(
        f"[bold]{d['supplier']} → {d['recipient']}: {d['system']}[/bold] (order {d['order']}, deal {d['id']})"
    )
    table = Table(title="Stage timeline")
    for col in ("stage", "date", "modality", "sources"):
        table.add_column(col)
    for s in d["stages"]:
        table.add_row(s["stage"], s["when"] or "", s["modality"], ", ".join(s["sources"]))
    console.print(table)
    for v in d["values"]:
        console.print(f"value {v['amount']:,} {v['currency']} — {v['source']}")
    for q in d["quantities"]:
        console.print(f"quantity {q['value']} {q['unit'] or ''} — {q['source']}")
    for c in d["conflicts"]:
        claims = "; ".join(f"{v['value']} ({v['source']})" for v in c["values"])
        console.print(f"[yellow]conflict[/yellow] {c['field']}: {claims}")


@app.command("timeline")
def timeline_cmd(
    entity: Annotated[str, typer.Argument(help="ISO3 of a state, or a pair such as RUS-TUR.")],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Everything linking a state (or a pair of states), oldest first."""
    from veille.consolidate import timeline

    first, _, second = entity.upper().partition("-")
    with connect(open_store(db)) as conn:
        items = timeline(conn, first, second or None)
    table = Table(title=f"Timeline {entity.upper()}")
    for col in ("date", "event", "modality", "sources"):
        table.add_column(col)
    for item in items:
        f = item["fields"]
        what = " ".join(
            str(f[k]) for k in ("supplier", "recipient", "system", "stage", "imposer", "target") if f.get(k)
        )
        what = what or ", ".join(f.get("participants") or f.get("parties") or [])
        table.add_row(item["when"] or "", f"{item['type']} {what}", item["modality"], ", ".join(item["sources"]))
    console.print(table)


@app.command()
def export(
    kind: Annotated[
        str, typer.Argument(help="deals | events | network | any table (documents, sentences, mentions, alerts…)")
    ],
    fmt: Annotated[
        str, typer.Option("--format", help="jsonl|csv|parquet; sipri-csv (deals), plover (events), graphml (network)")
    ] = "jsonl",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write (stdout when absent).")] = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Export deals, events, the state network or any table (see veille.export.formats)."""
    from veille.export.formats import run_export

    try:
        with connect(open_store(db)) as conn:
            summary = run_export(conn, kind, fmt, output)
    except VeilleError as error:
        err.print(f"[red]error[/red] {error}")
        raise typer.Exit(2) from error
    if output:
        err.print(summary)


@app.command("consolidate")
def consolidate_cmd(db: DbOption = DEFAULT_DB) -> None:
    """Rebuild every deal from the stored events (ingest keeps them up to date by itself)."""
    from veille.consolidate import consolidate

    with connect(open_store(db)) as conn:
        n = consolidate(conn)
    console.print(f"{n} deals")


@app.command()
def timex(
    file: Annotated[str, typer.Argument(help="Text file, or - for standard input.")] = "-",
    published: Annotated[
        str | None, typer.Option(help="Publication date (YYYY-MM-DD) relative dates resolve against.")
    ] = None,
) -> None:
    """Print the temporal expressions of a text, one JSON object per line."""
    from veille.nlp import tag

    text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
    for x in tag(text, published):
        print(
            json.dumps(
                {"start": x.start, "end": x.end, "text": x.text, "type": x.type, "value": x.value, "mod": x.mod},
                ensure_ascii=False,
            )
        )


@app.command()
def demo(db: DbOption = "demo.db") -> None:
    """Ingest the bundled example corpus and print what veille found."""
    if not EXAMPLES.is_dir():
        err.print(f"[red]error[/red] example corpus not found at {EXAMPLES}")
        raise typer.Exit(2)
    _ingest([EXAMPLES], db)
    with connect(open_store(db)) as conn:
        n = counts(conn)
    console.print(
        f"[bold]{n['documents']}[/bold] documents, [bold]{n['mentions']}[/bold] entity mentions, "
        f"[bold]{n['events']}[/bold] events, [bold]{n['deals']}[/bold] deals"
    )
    console.print(_deals_table(db))
    from veille.serve.command import dashboard_url

    console.print(
        f"Dashboard: run [bold]veille serve --db {db}[/bold] then open {dashboard_url()}",
        highlight=False,
        soft_wrap=True,
    )


from veille.serve.command import serve  # noqa: E402  (registered last: one line to merge)

app.command("serve")(serve)


# The analyst's daily loop (veille.cli_watch): watch, alerts, digest, datasette.
from veille.cli_watch import alerts_cmd, datasette_cmd, digest_cmd, watch_cmd  # noqa: E402

app.command("watch")(watch_cmd)
app.command("alerts")(alerts_cmd)
app.command("digest")(digest_cmd)
app.command("datasette")(datasette_cmd)


@app.command("reprocess")
def reprocess_cmd(
    db: DbOption = DEFAULT_DB,
    everything: Annotated[bool, typer.Option("--all", help="Redo every document, not only the stale ones.")] = False,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="Worker processes (default: one per core).")
    ] = None,
) -> None:
    """Re-run link and extract on stored documents after a KB or rule change (no file is read)."""
    from veille.reprocess import reprocess

    report = reprocess(db, everything, workers)
    for doc_id, reason in report.failed:
        err.print(f"[yellow]kept as stored[/yellow] {doc_id}: {reason}")
    console.print(f"{len(report.reprocessed)} reprocessed, {report.current} already current -> {db}")


def main() -> None:
    """Entry point of the ``veille`` script."""
    app()


if __name__ == "__main__":
    main()
