"""The `marsad` command line: plain verbs over the pipeline, the store and the evaluations."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import sys
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from rich.console import Console

# Help is click's plain text: typer's rich help imports rich and markdown-it, about three times
# what the rest of `marsad --help` costs (benchmarks/startup.py).
PLAIN = {"no_args_is_help": True, "rich_markup_mode": None}
app = typer.Typer(add_completion=False, help=__doc__, **PLAIN)
eval_app = typer.Typer(help="Score marsad against gold annotations.", **PLAIN)
train_app = typer.Typer(help="Train the statistical models marsad ships.", **PLAIN)
gazetteer_app = typer.Typer(help="Deepen the gazetteer with offline files.", **PLAIN)
users_app = typer.Typer(help="Accounts of the API and the review page.", **PLAIN)
gold_app = typer.Typer(help="Gold annotations from the analysts' review.", **PLAIN)
rules_app = typer.Typer(help="What the lexicons and coded rules do over a corpus.", **PLAIN)
app.add_typer(eval_app, name="eval")
app.add_typer(train_app, name="train")
app.add_typer(gazetteer_app, name="gazetteer")
app.add_typer(users_app, name="users")
app.add_typer(gold_app, name="gold")
app.add_typer(rules_app, name="rules")


@cache
def console() -> Console:
    """rich's console on stderr, made when first printed to: rich costs more to import than
    most commands that print nothing to it take to run (`marsad --help`)."""
    from rich.console import Console

    return Console(stderr=True)


DB_HELP = "Store: an SQLite file path (default) or a postgresql:// URL."


def _version(value: bool) -> None:
    if value:
        from marsad import __version__
        from marsad.store.schema import MIGRATIONS

        typer.echo(f"marsad {__version__} (store schema {len(MIGRATIONS)})")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit."),
    ] = None,
) -> None:
    """The `marsad` command line: plain verbs over the pipeline, the store and the evaluations."""


def open_existing(db: str, batch_size: int = 1):
    """A store that must already exist (export, control, quarantine ...): a mistyped SQLite path
    is an error, not a new empty store."""
    if (
        not db.startswith(("postgresql://", "postgres://"))
        and not Path(db.removeprefix("sqlite:///")).is_file()
    ):
        raise typer.BadParameter(
            f"no store at {db} (give the --db of an earlier marsad run)", param_hint="--db"
        )
    return open_writable(db, batch_size)


def open_writable(db: str, batch_size: int = 1):
    """Open (or create) a store; one that an older marsad wrote ends the command with its reason."""
    from marsad.store import open_store
    from marsad.store.schema import StoreVersionError

    try:
        return open_store(db, batch_size=batch_size)
    except StoreVersionError as exc:
        console().print(f"[red]error:[/red] {db}: {exc}")
        raise typer.Exit(1) from None


def parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"expected YYYY-MM-DD, got {value!r}") from exc
    from marsad.ingest.readers import plausible_date

    if plausible_date(day) is None:
        raise typer.BadParameter(f"expected a date between 1900 and next year, got {value!r}")
    return day


def parse_fields(pairs: list[str] | None) -> dict[str, str] | None:
    """``--field text=maintext`` pairs: our field name = the input's field name."""
    if not pairs:
        return None
    out = {}
    for pair in pairs:
        ours, sep, theirs = pair.partition("=")
        if not sep:
            raise typer.BadParameter(f"--field takes OURS=THEIRS, got {pair!r}")
        out[ours.strip()] = theirs.strip()
    return out


@app.command()
def run(
    inputs: Annotated[list[str], typer.Argument(help="Files, folders or - for standard input.")],
    db: Annotated[
        str | None, typer.Option(help=DB_HELP + " Default marsad.db, or none with --out-parquet.")
    ] = None,
    published: Annotated[
        str | None, typer.Option(help="Date (YYYY-MM-DD) of documents that carry none.")
    ] = None,
    fmt: Annotated[str | None, typer.Option("--format", help="text, jsonl, html, feed or warc.")] = None,
    field: Annotated[list[str] | None, typer.Option(help="Map a JSONL field: text=maintext.")] = None,
    strict: Annotated[bool, typer.Option(help="Exit non-zero if any record was quarantined.")] = False,
    workers: Annotated[
        int, typer.Option(min=1, help="Worker processes for the costly stages (1 = in process).")
    ] = 1,
    engine: Annotated[str, typer.Option(help="local (process pool) or dask.")] = "local",
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address; without it a LocalCluster starts.")
    ] = None,
    out_parquet: Annotated[
        str | None,
        typer.Option(help="Write the coded documents as Parquet partitions here, for `marsad load`."),
    ] = None,
    progress_every: Annotated[
        float, typer.Option(help="Seconds between progress lines when stderr is not a terminal.")
    ] = 10.0,
    profile: Annotated[
        str | None,
        typer.Option(
            help="report (conflict reports, the default) or feed (a whole news stream: a lone event"
            " an article mentions in passing must be likelier to stand). Same as MARSAD_EVENTS_PROFILE."
        ),
    ] = None,
) -> None:
    """Read articles, code their events and write everything to the store."""
    import time

    from marsad import parallel
    from marsad.events.learn import PROFILES
    from marsad.ingest.readers import read
    from marsad.runner import Coder, Summary, is_terminal, process, progress_iter, with_defaults

    missing = [p for p in inputs if p != "-" and not Path(p).exists()]
    if missing:
        raise typer.BadParameter(f"no such file or folder: {', '.join(missing)}")
    if engine not in ("local", "dask"):
        raise typer.BadParameter(f"--engine takes local or dask, got {engine!r}")
    if profile is not None:
        if profile not in PROFILES:
            raise typer.BadParameter(f"--profile takes {' or '.join(PROFILES)}, got {profile!r}")
        # the environment, so that worker processes (and a local Dask cluster) code the same way
        os.environ["MARSAD_EVENTS_PROFILE"] = profile
    pub = parse_date(published)
    summary = Summary()
    t0 = time.perf_counter()
    parquet_in = [p for p in inputs if p != "-" and parallel.is_parquet(p)]
    other_in = [p for p in inputs if p not in parquet_in]

    def source():
        for p in parquet_in:
            yield from parallel.read_parquet(p)
        if other_in:
            yield from read(other_in, fields=parse_fields(field), fmt=fmt)

    sink = parallel.ParquetSink(out_parquet) if out_parquet else None
    if db is None and sink is None:
        db = "marsad.db"
    with contextlib.ExitStack() as stack:
        store = stack.enter_context(open_writable(db, batch_size=64)) if db else None
        if engine == "dask" or workers > 1:
            # The workers read, code and write themselves (marsad.parallel); this process decides.
            options = {
                "db": _absolute(db),
                "out_parquet": _absolute(out_parquet),
                "published": pub,
                "fields": parse_fields(field),
                "fmt": fmt,
            }
            ordered = parquet_in + other_in
            sink = None
            if engine == "dask":
                client = stack.enter_context(contextlib.closing(parallel.dask_client(scheduler, workers)))
                steps = parallel.process_dask(ordered, store, summary, client, **options)
            else:
                steps = parallel.process_local(ordered, store, summary, workers, **options)
        else:
            steps = process(with_defaults(source(), pub), Coder(store), store, summary)
        for doc in progress_iter(steps, is_terminal(), summary, progress_every):
            if sink is not None:
                sink.add(doc)
        if sink is not None:
            sink.flush()
        merged = None
        if store is not None:
            store.flush()
            merged = store.merge()
    summary.seconds = time.perf_counter() - t0
    print_summary(summary, merged)
    if strict and summary.quarantined_total:
        raise typer.Exit(1)


def _absolute(target: str | None) -> str | None:
    """A store or folder as worker processes (started elsewhere) must name it."""
    if target is None or "://" in target:
        return target
    return str(Path(target).resolve())


def print_summary(summary, merged: dict | None) -> None:
    from rich.table import Table

    table = Table(title="marsad run", show_header=True)
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("articles read", f"{summary.read + summary.skipped + summary.repeated:,}")
    table.add_row("processed", f"{summary.processed:,}")
    table.add_row("already in the store", f"{summary.skipped:,}")
    table.add_row("repeated in this run", f"{summary.repeated:,}")
    table.add_row("duplicates", f"{summary.duplicates:,}")
    table.add_row("quarantined", f"{summary.quarantined_total:,}")
    for reason, n in summary.quarantined.most_common():
        table.add_row(f"  {reason}", f"{n:,}")
    table.add_row("events", f"{sum(summary.events.values()):,}")
    for kind, n in summary.events.most_common():
        table.add_row(f"  {kind}", f"{n:,}")
    if merged:
        for k, v in merged.items():
            table.add_row(f"merge: {k}", f"{v:,}" if isinstance(v, int) else str(v))
    rate = (summary.read / summary.seconds) if summary.seconds else 0.0
    table.caption = f"{summary.seconds:.1f} s, {rate:,.1f} articles/s"
    console().print(table)
    if summary.undated:
        console().print(
            f"[yellow]{summary.undated:,} article(s) had no publication date: their relative dates"
            " (أمس، مساء الأربعاء) are left empty. Give one with --published YYYY-MM-DD or a date"
            " field in the input.[/yellow]"
        )


@app.command()
def load(
    parts: Annotated[
        list[Path], typer.Argument(help="Folders or files written by `marsad run --out-parquet`.")
    ],
    db: Annotated[str, typer.Option(help=DB_HELP)] = "marsad.db",
) -> None:
    """Write coded documents from Parquet partitions into a store, then merge."""
    import time

    from marsad import parallel
    from marsad.admission import Admission
    from marsad.runner import Summary, flushed, is_terminal, progress_iter, written

    summary = Summary()
    t0 = time.perf_counter()
    with open_writable(db, batch_size=64) as store:
        admission = Admission(store)

        def steps():
            for part in parts:
                for doc in admission.new_records(parallel.load_parquet(part), summary):
                    yield from written(admission.adopt(doc), store, summary)
            yield from flushed(store, summary)

        for _ in progress_iter(steps(), is_terminal(), summary):
            pass
        store.flush()
        merged = store.merge()
    summary.seconds = time.perf_counter() - t0
    print_summary(summary, merged)


@app.command()
def inspect(
    file: Annotated[
        str, typer.Argument(help="One article: text, HTML, or the first record of JSONL/feed/WARC.")
    ],
    published: Annotated[
        str | None, typer.Option(help="Date (YYYY-MM-DD) if the document carries none.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole Document as JSON.")] = False,
    fmt: Annotated[str | None, typer.Option("--format")] = None,
) -> None:
    """Show how marsad reads one document: clean text with its annotations highlighted."""
    from marsad.ingest.readers import read
    from marsad.runner import build_pipeline, with_defaults

    doc = next(iter(with_defaults(read([file], fmt=fmt), parse_date(published))), None)
    if doc is None:
        console().print(f"[red]{file}: no document found[/red]")
        raise typer.Exit(1)
    doc = build_pipeline()(doc)
    if as_json:
        sys.stdout.write(json.dumps(doc.to_dict(), ensure_ascii=False, indent=1) + "\n")
        return
    from rich.console import Console

    from marsad.inspect import render

    Console().print(render(doc))


@app.command()
def export(
    db: Annotated[str, typer.Option(help=DB_HELP)] = "marsad.db",
    fmt: Annotated[str, typer.Option("--format", help="jsonl, acled-csv or geojson.")] = "jsonl",
    out: Annotated[Path | None, typer.Option(help="Output file (default: standard output).")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="First event date.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last event date.")] = None,
    bbox: Annotated[str | None, typer.Option(help="W,S,E,N")] = None,
    actor: Annotated[str | None, typer.Option()] = None,
    event_type: Annotated[str | None, typer.Option()] = None,
    country: Annotated[str | None, typer.Option()] = None,
    status: Annotated[str | None, typer.Option()] = None,
    min_confidence: Annotated[
        float | None,
        typer.Option(min=0.0, max=1.0, help="Only events the event model is at least this sure of."),
    ] = None,
    reviewed_only: Annotated[
        bool, typer.Option("--reviewed-only", help="Only events an analyst accepted, corrected or added.")
    ] = False,
) -> None:
    """Write the store's events as JSONL, ACLED CSV or GeoJSON (rejected events never)."""
    from marsad.store.export import FORMATS
    from marsad.store.export import export as do_export

    if fmt not in FORMATS:
        raise typer.BadParameter(f"expected one of {', '.join(FORMATS)}, got {fmt!r}", param_hint="--format")
    for name, value in (("--from", date_from), ("--to", date_to)):
        if value is not None:
            try:
                date.fromisoformat(value)
            except ValueError:
                raise typer.BadParameter(f"expected YYYY-MM-DD, got {value!r}", param_hint=name) from None
    filters = {
        "date_from": date_from,
        "date_to": date_to,
        "bbox": parse_bbox(bbox),
        "actor": actor,
        "event_type": event_type,
        "country": country,
        "status": status,
        "min_confidence": min_confidence,
        "review_state": "reviewed" if reviewed_only else None,
    }
    filters = {k: v for k, v in filters.items() if v is not None}
    with open_existing(db) as store:
        if out is None:
            do_export(store, fmt, sys.stdout, **filters)
        else:
            with out.open("w", encoding="utf-8", newline="") as fh:
                do_export(store, fmt, fh, **filters)


@app.command("quarantine")
def quarantine_cmd(
    db: Annotated[str, typer.Option(help=DB_HELP)] = "marsad.db",
    reason: Annotated[
        str | None,
        typer.Option(
            help="Only records whose reason contains this (any case): 'malformed JSON', 'id collision'."
        ),
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format", help="table (file, line, reason, first characters) or jsonl (whole records)."
        ),
    ] = "table",
    out: Annotated[Path | None, typer.Option(help="Output file (default: standard output).")] = None,
) -> None:
    """List what runs kept out of the store, and why; export it whole as JSONL."""
    if fmt not in ("table", "jsonl"):
        raise typer.BadParameter(f"expected table or jsonl, got {fmt!r}", param_hint="--format")
    with open_existing(db) as store:
        rows = [r for r in store.quarantined() if not reason or reason.lower() in r["reason"].lower()]
    if fmt == "jsonl":
        with contextlib.ExitStack() as stack:
            fh = stack.enter_context(out.open("w", encoding="utf-8")) if out else sys.stdout
            for r in rows:
                fh.write(_json_line(r) + "\n")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(
        "file", "line", "reason", "first characters", title=f"quarantine of {db}: {len(rows):,} record(s)"
    )
    for r in rows:
        table.add_row(r["file"] or "", str(r["line"] or ""), r["reason"], _first_chars(r["text"] or ""))
    Console(file=out.open("w", encoding="utf-8") if out else None, width=200 if out else None).print(table)


def _first_chars(text: str, n: int = 60) -> str:
    """The start of a rejected text, with control characters and broken ones made visible."""
    shown = "".join(
        c if c.isprintable() and not 0xD800 <= ord(c) <= 0xDFFF else f"\\x{{{ord(c):x}}}" for c in text[:n]
    )
    return shown + ("…" if len(text) > n else "")


def _json_line(value: dict) -> str:
    """One JSON line that keeps every character, a lone surrogate too (as its escape)."""
    line = json.dumps(value, ensure_ascii=False)
    return re.sub("[\ud800-\udfff]", lambda m: f"\\u{ord(m.group()):04x}", line)


def parse_bbox(value: str | None) -> tuple[float, float, float, float] | None:
    if value is None:
        return None
    try:
        w, s, e, n = (float(x) for x in value.split(","))
    except ValueError as exc:
        raise typer.BadParameter(f"--bbox takes W,S,E,N, got {value!r}") from exc
    return (w, s, e, n)


@app.command()
def control(
    on: Annotated[str, typer.Option("--date", help="YYYY-MM-DD")],
    db: Annotated[str, typer.Option(help=DB_HELP)] = "marsad.db",
    bbox: Annotated[str | None, typer.Option(help="W,S,E,N")] = None,
    fmt: Annotated[str, typer.Option("--format", help="json or geojson")] = "json",
) -> None:
    """Who controls each place on a date, with the events that support it."""
    from marsad.store.control import write_control

    with open_existing(db) as store:
        write_control(store, parse_date(on), sys.stdout, bbox=parse_bbox(bbox), fmt=fmt)


@app.command()
def merge(
    db: Annotated[str, typer.Option(help=DB_HELP)] = "marsad.db",
    full: Annotated[bool, typer.Option(help="Re-merge every report, not only those changed.")] = False,
) -> None:
    """Merge the reports written since the last merge into events, and redraw the control
    timeline of their places; ``--full`` re-merges the whole store."""
    import time

    from marsad.store import open_store

    t0 = time.perf_counter()
    with open_store(db) as store:
        counts = store.merge(full=full)
    for k, v in counts.items():
        print(f"{k}: {v}")
    print(f"seconds: {time.perf_counter() - t0:.2f}")


@app.command()
def serve(
    db: Annotated[str, typer.Option(help=DB_HELP)] = "marsad.db",
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    private: Annotated[
        bool, typer.Option("--private", help="Reads need a signed-in account too (MARSAD_PRIVATE=1).")
    ] = False,
) -> None:
    """Serve the HTTP API, the map page and its review queue."""
    from marsad.api.app import serve as do_serve

    do_serve(db, host, port, private=private or None)


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="The account's name, as the review log will show it.")],
    role: Annotated[str, typer.Option(help="reader (sees), editor (corrects) or admin.")] = "reader",
    db: Annotated[str, typer.Option(help=DB_HELP)] = "marsad.db",
) -> None:
    """Create an account and print its token, once: the store keeps only its hash."""
    from marsad.store import open_store, review

    with open_store(db) as store:
        try:
            token = review.add_user(store.db, name, role)
        except review.ReviewError as e:
            console().print(f"[red]error:[/red] {e}")
            raise typer.Exit(1) from None
    sys.stdout.write(token + "\n")
    console().print(f"{name} ({role}): keep this token now, it cannot be shown again.")


@users_app.command("list")
def users_list(db: Annotated[str, typer.Option(help=DB_HELP)] = "marsad.db") -> None:
    """The accounts and their roles (tokens are not stored, so not shown)."""
    from marsad.store import open_store, review

    with open_store(db) as store:
        for u in review.users(store.db):
            sys.stdout.write(f"{u['name']}\t{u['role']}\t{u['created_at']}\n")


@users_app.command("remove")
def users_remove(
    name: Annotated[str, typer.Argument()], db: Annotated[str, typer.Option(help=DB_HELP)] = "marsad.db"
) -> None:
    """Delete an account; its token stops working at once (its decisions stay in the log)."""
    from marsad.store import open_store, review

    with open_store(db) as store:
        if not review.remove_user(store.db, name):
            console().print(f"[red]error:[/red] no user {name!r}")
            raise typer.Exit(1)


@gold_app.command("export")
def gold_export(
    db: Annotated[str, typer.Option(help=DB_HELP)] = "marsad.db",
    out: Annotated[Path, typer.Option(help="Folder for the gold files and articles.jsonl.")] = Path("gold"),
) -> None:
    """Write the reviewed articles as gold files (shared/eval/FORMAT.md) for training and scoring."""
    from marsad.store import open_store
    from marsad.store.gold import export_gold

    with open_store(db) as store:
        counts = export_gold(store, out)
    console().print(", ".join(f"{k}: {v:,}" for k, v in counts.items()) + f" -> {out}")


@app.command()
def geocode(
    text: Annotated[str, typer.Argument(help="Arabic text; prints one JSON line per place.")],
) -> None:
    """Find and resolve the places of a text."""
    from marsad.entities.geocode import geocode_text

    for row in geocode_text(text):
        sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")


@gazetteer_app.command("import")
def gazetteer_import(
    path: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, help="A GeoNames country dump (SY.txt) or an OCHA admin file."
        ),
    ],
    fmt: Annotated[str | None, typer.Option("--format", help="geonames or ocha (default: guessed).")] = None,
) -> None:
    """Add places from an offline file to the user's gazetteer."""
    from marsad.entities import importers

    kind = fmt or ("geonames" if path.suffix == ".txt" else "ocha")
    try:
        n = importers.import_geonames(path) if kind == "geonames" else importers.import_ocha(path)
    except (ValueError, UnicodeDecodeError) as e:
        console().print(f"[red]error:[/red] {e}")
        raise typer.Exit(1) from None
    console().print(f"{path}: {n:,} places imported ({kind})")


# The event model's training data, for `marsad train events` and `marsad eval events --cv`.
Negatives = Annotated[
    Path | None,
    typer.Option(exists=True, help="A corpus whose sport, economy and culture pages train as non-events."),
]
Judged = Annotated[
    Path | None,
    typer.Option(
        exists=True,
        help="Events of the --negatives corpus a reader judged (a JSONL file, or a folder of them such"
        " as marsad/events/data/judged/): they teach the model which coded events an analyst keeps.",
    ),
]
Excluded = Annotated[
    list[Path] | None,
    typer.Option(exists=True, help="Gold folders whose articles never train (sets kept for measuring)."),
]


@eval_app.command("events")
def eval_events(
    gold_dirs: Annotated[list[Path], typer.Argument(exists=True, help="Folders of *.gold.json files.")],
    db: Annotated[
        str | None, typer.Option(help="Score this store; default: code the gold's articles now.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    details: Annotated[
        bool | None,
        typer.Option(
            "--details/--summary",
            help="Per-document errors; off by default for the measure-only sets test/ and feed/.",
        ),
    ] = None,
    cv: Annotated[
        bool,
        typer.Option(
            "--cv",
            help="Leave one article out over all the folders together (with the articles that tell the"
            " same story): train the event model on the others, score the ones left out (never on test/ or feed/).",
        ),
    ] = False,
    negatives: Negatives = None,
    exclude: Excluded = None,
    judged: Judged = None,
    folds: Annotated[
        int | None, typer.Option(min=2, help="With --cv: this many folds instead of one article out.")
    ] = None,
) -> None:
    """Precision, recall, F1 and attribute accuracy against gold events, by region (Syria /
    elsewhere), for the rules alone and for the rules with the event model."""
    from marsad import event_training as learn
    from marsad.evaluate import MEASURE_ONLY, evaluate_events, format_report, withhold_errors
    from marsad.events.learn import load_model

    measure_only = [d for d in gold_dirs if d.resolve().name in MEASURE_ONLY]
    if cv:
        if measure_only:
            raise typer.BadParameter(f"{measure_only[0]} is for measuring only: no model is trained on it")
        try:
            articles, negs = learn.training_data(gold_dirs, negatives, exclude, judged=judged)
        except ValueError as e:
            raise typer.BadParameter(str(e)) from None
        result = learn.cross_validate(articles, negs, folds=folds)
        how = f"{folds}-fold cross-validation" if folds else "leave-one-story-out cross-validation"
        n_judged = sum(len(a.judged) for a in negs if a.judged is not None)
        title = (
            f"{how} over {len(articles)} articles ({sum(a.judged is None for a in negs)} ordinary-news"
            f" negatives{f', {n_judged} judged events' if judged else ''})"
        )
        out = {"cross_validation": learn.totals(result)}
        text = learn.format_comparison(result, title)
        if judged is not None:
            out["judged"] = learn.judged_check(articles, negs)
            text += learn.format_judged(out["judged"])
    else:
        out, text = {}, ""
        for gold_dir in gold_dirs:
            report = evaluate_events(gold_dir, db=db)
            show = details if details is not None else gold_dir.resolve().name not in MEASURE_ONLY
            if not show:
                report = withhold_errors(report)
            text += f"== {gold_dir}\n" + format_report(report)
            entry: dict = {"score": report}
            decider = load_model()
            if db is None and decider is not None:
                articles = learn.gold_articles([gold_dir])
                comparison = learn.totals(learn.compare(articles, decider))
                text += learn.format_comparison(comparison, "rules alone and with the event model, by region")
                entry["ablation"] = comparison
            out[str(gold_dir)] = entry
    if as_json:
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=1) + "\n")
    else:
        sys.stdout.write(text)


@eval_app.command("places")
def eval_places(
    gold: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Place-mention gold (JSONL).")],
    corpus: Annotated[
        Path | None,
        typer.Option(exists=True, dir_okay=False, help="The articles (default: found beside the gold)."),
    ] = None,
    errors: Annotated[bool, typer.Option("--errors", help="Print every error, one JSON line each.")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Place precision, recall within radius and trap rate, by country and mention type."""
    from marsad.evaluate_places import evaluate, format_report

    try:
        report = evaluate(gold, corpus)
    except ValueError as e:
        console().print(f"[red]error:[/red] {e}")
        raise typer.Exit(1) from None
    if as_json:
        if not errors:
            report = {k: v for k, v in report.items() if k != "errors"}
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=1) + "\n")
    else:
        sys.stdout.write(format_report(report, errors=errors))


@eval_app.command("ner")
def eval_ner(
    test: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="ANERcorp test split or Wojood test file.")
    ],
    fmt: Annotated[
        str | None, typer.Option("--format", help="anercorp or wojood (default: from the path).")
    ] = None,
) -> None:
    """Entity-level precision, recall and F1 per type."""
    from rich.console import Console
    from rich.table import Table

    from marsad.entities.ner import evaluate

    kind = fmt or ("wojood" if "wojood" in str(test).lower() else "anercorp")
    scores = evaluate(test, kind)
    table = Table("type", "precision", "recall", "F1", "support", title=f"{test} ({kind})")
    for typ, row in scores.items():
        if isinstance(row, dict):
            table.add_row(typ, *(str(row[k]) for k in ("precision", "recall", "f1", "support")))
    Console().print(table)


def model_out(out: Path | None, packaged: Path, replace_packaged: bool) -> Path:
    """Where a training command writes: the file given, never the model marsad ships (and every
    run uses) unless asked in so many words (issue 13: training overwrote it by default)."""
    if out is None and not replace_packaged:
        raise typer.BadParameter(
            "give the model file to write; the packaged model is replaced only with --replace-packaged",
            param_hint="--out",
        )
    if out is not None and out.resolve() == packaged.resolve() and not replace_packaged:
        raise typer.BadParameter("that is the packaged model: add --replace-packaged", param_hint="--out")
    return out or packaged


REPLACE_HELP = "Write over the model marsad ships (and uses) instead of --out."


@train_app.command("ner")
def train_ner(
    train: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="ANERcorp train split (CoNLL).")],
    out: Annotated[Path | None, typer.Option(help="Model file to write (required).")] = None,
    replace_packaged: Annotated[bool, typer.Option(help=REPLACE_HELP)] = False,
    dev: Annotated[
        Path | None, typer.Option(exists=True, dir_okay=False, help="Dev split to report scores on.")
    ] = None,
    seed: Annotated[int, typer.Option()] = 13,
) -> None:
    """Train the CRF tagger for people, organisations and places (reproducible: fixed seed)."""
    from marsad.entities import ner

    result = ner.train(train, model_out(out, ner.MODEL_PATH, replace_packaged), seed=seed, dev_path=dev)
    from rich.console import Console

    Console().print_json(json.dumps(result, ensure_ascii=False, default=str))


@train_app.command("events")
def train_events(
    gold: Annotated[
        list[Path], typer.Option(exists=True, help="A folder of *.gold.json files (repeat for more).")
    ],
    out: Annotated[Path | None, typer.Option(help="Model file to write (required).")] = None,
    replace_packaged: Annotated[bool, typer.Option(help=REPLACE_HELP)] = False,
    negatives: Negatives = None,
    exclude: Excluded = None,
    judged: Judged = None,
    seed: Annotated[int, typer.Option()] = 17,
    add: Annotated[
        float | None,
        typer.Option(
            min=0.0, max=1.0, help="Add a unit the rules drop when the model is this sure (default: never)."
        ),
    ] = None,
    calibrate: Annotated[
        list[Path] | None,
        typer.Option(
            exists=True,
            help="A desk's own reviewed gold (marsad gold export; repeat for more): it trains too, and"
            " chooses how sure the model must be to keep or add an event.",
        ),
    ] = None,
) -> None:
    """Train the event model on gold files (reproducible: fixed seed; the command and a digest of
    the data are written beside the weights). Use another model with MARSAD_EVENTS_MODEL=FILE."""
    import shlex

    from marsad import event_training as learn
    from marsad.events.learn import MODEL_PATH

    target = model_out(out, MODEL_PATH, replace_packaged)
    command = "marsad train events " + " ".join(
        [*(f"--gold {shlex.quote(str(g))}" for g in gold)]
        + ([f"--negatives {shlex.quote(str(negatives))}"] if negatives else [])
        + [f"--exclude {shlex.quote(str(e))}" for e in exclude or []]
        + ([f"--judged {shlex.quote(str(judged))}"] if judged else [])
        + ([f"--out {shlex.quote(str(out))}"] if out else ["--replace-packaged"])
        + [f"--seed {seed}"]
        + ([f"--add {add}"] if add is not None else [])
        + [f"--calibrate {shlex.quote(str(c))}" for c in calibrate or []]
    )
    if calibrate and add is not None:
        raise typer.BadParameter("--add sets the add threshold by hand; --calibrate chooses it: give one")
    if judged is not None and negatives is None:
        raise typer.BadParameter("judged events are read from the --negatives corpus: give it too")
    meta = learn.train(
        gold,
        target,
        negatives,
        exclude,
        seed=seed,
        command=command,
        thresholds={} if calibrate else {"add": add},
        calibrate_dirs=calibrate,
        judged=judged,
    )
    from rich.console import Console

    Console().print_json(json.dumps(meta, ensure_ascii=False))


@train_app.command("places")
def train_places(
    shared: Annotated[
        Path, typer.Option(exists=True, file_okay=False, help="The shared data folder (eval/, corpus/).")
    ] = Path("../shared"),
    anercorp: Annotated[
        Path | None, typer.Option(help="ANERcorp train split (default: under shared).")
    ] = None,
    corpus: Annotated[
        Path | None, typer.Option(help="The 31k-article corpus (default: under shared).")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Model file to write (required).")] = None,
    replace_packaged: Annotated[bool, typer.Option(help=REPLACE_HELP)] = False,
    seed: Annotated[int, typer.Option()] = 13,
    corpus_limit: Annotated[int, typer.Option(help="Corpus articles to draw examples from.")] = 6000,
) -> None:
    """Train the model that decides whether a gazetteer match is a place (reproducible: fixed seed)."""
    from marsad.entities import place_model, place_training

    out = model_out(out, place_model.MODEL_PATH, replace_packaged)
    meta = place_training.train(
        anercorp or shared / "eval" / "ner" / "anercorp" / "ITE5th_train_data.txt",
        corpus or shared / "corpus" / "saudinewsnet" / "all-2015.jsonl.gz",
        shared,
        out=out,
        seed=seed,
        corpus_limit=corpus_limit,
    )
    from rich.console import Console

    Console().print_json(json.dumps(meta, ensure_ascii=False, default=str))


@rules_app.command("report")
def rules_report(
    corpus: Annotated[list[str], typer.Argument(help="Files or folders, as for `marsad run`.")],
    limit: Annotated[int | None, typer.Option(help="Only the first N documents.")] = None,
    sample: Annotated[
        float | None,
        typer.Option(
            min=0.0, max=1.0, help="Code this share of the documents, spread evenly (0.1: one in ten)."
        ),
    ] = None,
    top: Annotated[int, typer.Option(help="Entries shown per lexicon.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="The whole report as JSON.")] = False,
    progress_every: Annotated[
        float, typer.Option(help="Seconds between progress lines when stderr is not a terminal.")
    ] = 10.0,
) -> None:
    """How often each lexicon entry and coded rule fires (and in how many articles), which
    never fire and which fire most, coding the corpus as `marsad run` would, without a store."""
    import itertools

    from marsad.ingest.readers import read
    from marsad.runner import build_pipeline, is_terminal, progress_iter
    from marsad.telemetry import count, format_report

    docs = read(corpus)
    if sample is not None:
        docs = (d for i, d in enumerate(docs) if int((i + 1) * sample) > int(i * sample))
    docs = progress_iter(itertools.islice(docs, limit), is_terminal(), every=progress_every)
    report = count(docs, build_pipeline())
    if as_json:
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=1) + "\n")
    else:
        sys.stdout.write(format_report(report, top))


def main() -> None:
    """The console script: a missing extra, a broken data file or an impossible pipeline is one
    line on stderr and exit status 1, not a traceback."""
    from marsad.extras import MissingExtra

    # Exports, reports and inspections are Arabic text in UTF-8 whatever the locale says: under
    # LC_ALL=C (a cron job, a bare container) Python would otherwise refuse to print them.
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.encoding.lower().replace("-", "") != "utf8":
            stream.reconfigure(encoding="utf-8")
    try:
        app()
    except Exception as exc:
        from marsad.datafile import DataFileError
        from marsad.pipeline import PipelineError

        if not isinstance(exc, MissingExtra | DataFileError | PipelineError):
            raise
        from rich.markup import escape

        console().print(f"[red]error:[/red] {escape(str(exc))}", highlight=False)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
