"""The ``sistermatch`` command line.

Every error a user can cause ends in :func:`main` with exit code 2 and no traceback: a
usage error (missing argument, bad option value, unknown option or command) as click's
usage message, any other bad input as one line ``error: ...`` on stderr. Commands get
their engine from :func:`new_matcher`, which tests replace to run on a synthetic world.
"""

import functools
import inspect
import json
import sys
import time
import warnings
from pathlib import Path
from typing import Optional

import typer

from .._version import __version__
from ..errors import InvalidInput, MatcherError
from ..partnerships import BUNDLED, ENV_VAR, partnerships_path_from_env
from ..ranking import FILTERS, CandidateFilter

__all__ = ["app", "main"]

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Recommend sister-city partners: ranked, explained candidates abroad.",
)

EXIT_USAGE = 2


def _err(msg):
    typer.echo(msg, err=True)


def new_matcher(**params):
    """The unfitted :class:`Matcher` behind every command, built from the command's settings.

    The one place a command gets its engine: tests replace it (``monkeypatch.setattr``)
    to run the commands in-process on a small synthetic world instead of GeoNames.
    """
    from ..engine import Matcher

    return Matcher(**params)


def _matcher(partnerships, profiles=None, model="shortlist", quiet=False, **kw):
    """A fitted Matcher for the CLI, its trained model cached per input file.

    ``partnerships``: a path, ``none`` (profiles alone), or nothing: then
    ``$SISTERMATCH_PARTNERSHIPS``, else the bundled partnerships.
    """
    source = partnerships if partnerships is not None else (partnerships_path_from_env() or BUNDLED)
    started = time.time()
    # Training mines its shortlists on every core; the model is the same as on one.
    m = new_matcher(model=model, profiles=profiles, cache=True, n_jobs=-1, **kw)
    if not quiet and m.cache:
        _err("loading the model (the first run trains it once, a few minutes; later runs reuse it)...")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m.fit(source)
    if not quiet:
        if m.load_report_ is None:
            _err("note: no partnerships (--partnerships none): ranking from profiles alone")
        else:
            took = time.time() - started
            _err(f"{m.load_report_.summary()}" + (f"; model trained in {took:.0f}s (cached)" if took > 5 else ""))
    return m


def _towns(n):
    return f"{n:,} town" + ("" if n == 1 else "s")


_OPTION_TYPES = {"flag": bool, "codes": Optional[str], "number": Optional[float]}


def filter_options(**flags):
    """Decorator: a command's ``filters`` parameter becomes one option per candidate filter.

    The options are made from :data:`~sistermatch.ranking.FILTERS` (flag, help, type) and
    stand where ``filters`` stands in the command's signature, which typer reads; the
    command is called with ``filters``, a dict of :meth:`CandidateFilter.make` keyword
    arguments, as :meth:`Matcher.recommend` and ``run_batch`` take them. Values are
    checked there, not here, so a bad one is a one-line ``error:``.

    ``flags`` respells a filter's option for one command, e.g. ``batch``, whose own
    ``--min-population`` selects the query towns:
    ``filter_options(min_population="--candidate-min-population")``.
    """
    unknown = set(flags) - {spec.name for spec in FILTERS}
    if unknown:
        raise TypeError(f"no candidate filter named {sorted(unknown)[0]!r}")

    def decorate(command):
        signature = inspect.signature(command)
        if "filters" not in signature.parameters:
            raise TypeError(f"{command.__name__} needs a 'filters' parameter to take the candidate filters")
        clash = {spec.name for spec in FILTERS} & set(signature.parameters)
        if clash:
            raise TypeError(f"{command.__name__} has a parameter named like a filter: {sorted(clash)[0]!r}")
        options = [
            inspect.Parameter(
                spec.name,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                default=typer.Option(spec.default, flags.get(spec.name, spec.flag), help=spec.help),
                annotation=_OPTION_TYPES[spec.kind],
            )
            for spec in FILTERS
        ]
        params = []
        for param in signature.parameters.values():
            params.extend(options if param.name == "filters" else [param])

        @functools.wraps(command)
        def run(**kwargs):
            filters = {spec.name: kwargs.pop(spec.name) for spec in FILTERS}
            CandidateFilter.make(**filters)  # a bad value fails now, before any model loads
            return command(filters=filters, **kwargs)

        run.__signature__ = signature.replace(parameters=params)
        return run

    return decorate


PartnershipsOpt = typer.Option(
    None,
    "--partnerships",
    "-p",
    help=f"CSV of known partnerships (or ${ENV_VAR}); default the bundled ones; 'none' ranks from profiles alone.",
)
ProfilesOpt = typer.Option(
    None, "--profiles", help="Your own profile facts CSV (geonameid or city,country; industries, history, diaspora)."
)
CountryOpt = typer.Option(None, "--country", "-c", help="ISO code of the town's country, to pick among same names.")
RegionOpt = typer.Option(
    None,
    "--region",
    "-r",
    help="First-level region (code or name, e.g. IL or Illinois), to pick among same-named towns of a country.",
)
KOpt = typer.Option(10, "--k", "-k", help="How many candidates.")
# Where @filter_options puts one option per candidate filter (ranking.FILTERS).
FiltersOpt = None
IndustryModeOpt = typer.Option(
    "alike", "--industry", help="alike: towns of the same industries; complement: towns whose industries complement it."
)
HistoryModeOpt = typer.Option(
    "alike", "--history", help="alike: towns with the same history; complement: towns with another history."
)


@app.command()
@filter_options()
def recommend(
    city: str = typer.Argument(..., help="Town name (any language GeoNames knows), 'name, CC' or a GeoNames id."),
    country: Optional[str] = CountryOpt,
    region: Optional[str] = RegionOpt,
    k: int = KOpt,
    partnerships: Optional[str] = PartnershipsOpt,
    profiles: Optional[Path] = ProfilesOpt,
    filters: dict = FiltersOpt,
    industry: str = IndustryModeOpt,
    history: str = HistoryModeOpt,
    mutual: bool = typer.Option(False, "--mutual", help="Rank by the fit from both sides of the pair."),
    fmt: str = typer.Option("table", "--format", "-f", help="table, json or csv."),
):
    """Rank candidate sister cities for one town, with the reasons each fits."""
    if fmt not in ("table", "json", "csv"):
        raise InvalidInput(f"--format must be table, json or csv, got {fmt!r}")
    m = _matcher(partnerships, profiles, industry_mode=industry, history_mode=history)
    recs = m.recommend(
        city,
        country=country,
        region=region,
        k=k,
        mutual=mutual,
        **filters,
    )
    query = recs.query
    if fmt == "json":
        typer.echo(json.dumps(recs.to_dict(), ensure_ascii=False, indent=2))
    elif fmt == "csv":
        import csv

        w = csv.DictWriter(sys.stdout, fieldnames=list(recs[0].to_row()) if recs else ["rank"])
        w.writeheader()
        for r in recs:
            w.writerow(r.to_row())
    else:
        _print_table(query, recs)
    if recs.note:
        _err(recs.note)


def _print_table(query, recs):
    from rich.console import Console
    from rich.table import Table

    from ..text import format_population

    table = Table(title=f"Candidate sister cities for {query.label(with_population=True)}", show_lines=False)
    for col, kw in (
        ("#", dict(justify="right")),
        ("city", {}),
        ("country", {}),
        ("population", dict(justify="right")),
        ("km", dict(justify="right")),
        ("score", dict(justify="right")),
        ("why", dict(overflow="fold")),
    ):
        table.add_column(col, **kw)
    for r in recs:
        table.add_row(
            str(r.rank),
            r.city.name,
            r.city.country,
            format_population(r.city.population),
            f"{r.distance_km:,.0f}",
            f"{r.score:.2f}",
            r.reasons_text,
        )
    Console(width=max(120, Console().width)).print(table)


@app.command()
@filter_options(min_population="--candidate-min-population", max_population="--candidate-max-population")
def batch(
    queries: Optional[Path] = typer.Argument(None, help="CSV with a geonameid column, or city,country columns."),
    out: Path = typer.Option(..., "--out", "-o", help="Report file to write (CSV or Parquet)."),
    k: int = KOpt,
    partnerships: Optional[str] = PartnershipsOpt,
    profiles: Optional[Path] = ProfilesOpt,
    filters: dict = FiltersOpt,
    select_country: Optional[str] = typer.Option(None, "--country", help="Queries: every town of this country."),
    select_min_population: Optional[float] = typer.Option(
        None, "--min-population", help="Queries: every town with at least this many people."
    ),
    select_all: bool = typer.Option(False, "--all", help="Queries: every town."),
    fmt: str = typer.Option("csv", "--format", "-f", help="csv or parquet."),
    jobs: int = typer.Option(1, "--jobs", "-j", help="Parallel workers."),
    resume: bool = typer.Option(False, "--resume", help="Continue an interrupted run of the same job."),
    backend: str = typer.Option("processes", "--backend", help="processes or threads (this machine), or dask."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Dask scheduler address (default: local)."),
):
    """Rank candidates for many towns and write one report row per (town, rank)."""
    from .batch import check_format, read_queries, run_batch, select_queries

    check_format(fmt)  # before the model loads, not after
    m = _matcher(partnerships, profiles)
    if queries is not None:
        qs = read_queries(queries, m)
    else:
        qs = select_queries(m.cities_, select_country, select_min_population, select_all)
    for line in qs.skipped[:20]:
        _err(f"skipped {line}")
    if len(qs.skipped) > 20:
        _err(f"... and {len(qs.skipped) - 20} more rows skipped")
    if not qs.rows:
        raise InvalidInput("no query town could be resolved; nothing to rank")
    started = time.time()
    with _progress(len(qs.rows)) as advance:
        result = run_batch(
            m,
            qs,
            out,
            k=k,
            fmt=fmt,
            jobs=jobs,
            resume=resume,
            progress=advance,
            backend=backend,
            scheduler=scheduler,
            **filters,
        )
    took = time.time() - started
    _err(
        f"wrote {result.rows:,} rows for {len(qs.rows):,} towns to {out} in {took:.1f}s "
        f"({len(qs.rows) / max(took, 1e-9):,.1f} towns/s)"
        + (f"; {len(qs.skipped)} query rows skipped" if qs.skipped else "")
    )
    empty = result.without_candidates
    if empty:
        _err(
            f"{_towns(len(empty))} {'has' if len(empty) == 1 else 'have'} no candidate under these filters, so no rows:"
        )
        for line in empty[:10]:
            _err(f"  {line}")
        if len(empty) > 10:
            _err(f"  ... and {len(empty) - 10:,} more")


@app.command()
def match(
    seekers: Path = typer.Argument(
        ..., help="CSV of towns seeking partners: a geonameid column, or city,country (and region) columns."
    ),
    others: Optional[Path] = typer.Option(
        None, "--with", help="A second list (same columns): the towns of SEEKERS then pair only with these."
    ),
    out: Path = typer.Option(..., "--out", "-o", help="PAIRS.csv to write: one row per pair."),
    max_partners: int = typer.Option(1, "--max-partners", help="Most partners any town takes."),
    min_score: Optional[float] = typer.Option(
        None, "--min-score", help="Least mutual fit of a pair, on the log scale of the score column (e.g. -2)."
    ),
    allow_same_country: bool = typer.Option(False, "--allow-same-country", help="Also pair towns of one country."),
    html: Optional[Path] = typer.Option(None, "--html", help="Also write the matching as a self-contained HTML page."),
    partnerships: Optional[str] = PartnershipsOpt,
    profiles: Optional[Path] = ProfilesOpt,
):
    """Pair towns that seek partners (one list, or two lists across) for the best total mutual fit."""
    import csv

    from ..io import atomic_path
    from ..matching import PAIR_COLUMNS
    from .batch import read_queries

    for target in (out, html):
        if target is not None and not target.parent.exists():  # before the model loads, not after
            raise InvalidInput(f"output folder does not exist: {target.parent}")
    m = _matcher(partnerships, profiles)
    lists = []
    for path in (seekers, others):
        if path is None:
            continue
        qs = read_queries(path, m)
        for line in qs.skipped[:20]:
            _err(f"skipped {path.name} {line}")
        if len(qs.skipped) > 20:
            _err(f"... and {len(qs.skipped) - 20} more rows of {path.name} skipped")
        if not qs.rows:
            raise InvalidInput(f"no town of {path} could be resolved; nothing to pair")
        lists.append([m.cities_.city(r) for r in qs.rows])
    started = time.time()
    with _progress(len(lists[0]) + 1, "towns", "matching") as advance:
        pairs = m.match(
            lists[0],
            lists[1] if len(lists) > 1 else None,
            max_partners=max_partners,
            min_score=min_score,
            allow_same_country=allow_same_country,
            progress=advance,
        )
    with atomic_path(out) as tmp, open(tmp, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=PAIR_COLUMNS)
        w.writeheader()
        for p in pairs:
            w.writerow(p.to_row())
    if html is not None:
        from .report import write_matching_report

        write_matching_report(html, pairs, _stamp(m, None))
    _err(
        f"wrote {len(pairs):,} pairs to {out} in {time.time() - started:.1f}s"
        + (f" (mean fit {sum(p.fit for p in pairs) / len(pairs):.0f}%)" if pairs else "")
    )
    if pairs.unmatched:
        names = ", ".join(f"{c.name} ({c.country})" for c in pairs.unmatched[:10])
        more = f" and {len(pairs.unmatched) - 10:,} more" if len(pairs.unmatched) > 10 else ""
        _err(f"{_towns(len(pairs.unmatched))} without a partner: {names}{more}")
    if pairs.note:
        _err(pairs.note.replace("lower min_score", "lower --min-score"))


class _progress:
    """Progress of a long run on stderr: a rich bar with throughput and time left on a
    terminal; otherwise (a log file, a pipe) a plain line every ``every`` seconds.

    Used as ``with _progress(total, "towns") as advance: ... advance(done)``; ``advance(done, total)``
    also sets a total learnt on the way.
    """

    def __init__(self, total, unit="towns", label="ranking", every=30.0):
        self.total, self.unit, self.label, self.every = total, unit, label, every
        self.bar = None

    def __enter__(self):
        self.started = self.last = time.monotonic()
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                ProgressColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )
            from rich.text import Text

            unit = self.unit

            class Speed(ProgressColumn):
                def render(self, task):
                    return Text(f"{task.speed:,.1f} {unit}/s" if task.speed else f"- {unit}/s")

            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                Speed(),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.bar.start()
            task = self.bar.add_task(self.label, total=self.total)
            return lambda done, total=None: self.bar.update(task, completed=done, total=total or self.total)
        return self._line

    def _line(self, done, total=None):
        self.total = total or self.total
        now = time.monotonic()
        if now - self.last < self.every or done >= self.total:
            return
        self.last = now
        rate = done / max(now - self.started, 1e-9)
        eta = (self.total - done) / rate if rate > 0 else float("inf")
        left = f"{int(eta // 3600)}:{int(eta % 3600 // 60):02d}:{int(eta % 60):02d}" if eta < float("inf") else "?"
        _err(f"{self.label}: {done:,}/{self.total:,} {self.unit} ({rate:,.1f} {self.unit}/s, ETA {left})")

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()
        return False


def _stamp(m, k):
    """The matcher's provenance (package, data and partnerships stamps) for reports and the service."""
    stamp = dict(m.provenance_)
    stamp["partnerships_checksum"] = stamp["partnerships_checksum"] or "none (profiles only)"
    return stamp | {"k": k}


@app.command()
@filter_options()
def report(
    queries: Path = typer.Argument(..., help="CSV with a geonameid column, or city,country columns."),
    html: Path = typer.Option(..., "--html", help="HTML file to write (self-contained)."),
    k: int = KOpt,
    partnerships: Optional[str] = PartnershipsOpt,
    profiles: Optional[Path] = ProfilesOpt,
    filters: dict = FiltersOpt,
):
    """Write a self-contained HTML report: per town, its profile, candidates, reasons and a map."""
    from .batch import read_queries
    from .report import write_html_report

    flt = CandidateFilter.make(**filters)
    m = _matcher(partnerships, profiles)
    qs = read_queries(queries, m)
    for line in qs.skipped[:20]:
        _err(f"skipped {line}")
    if not qs.rows:
        raise InvalidInput("no query town could be resolved; nothing to report")
    if len(qs.rows) > 2000:
        raise InvalidInput(
            f"{len(qs.rows):,} towns is too many for one page; use `sistermatch batch` for large reports"
        )
    sections = []
    # Each section's Recommendations carries its note: a town without candidates shows
    # which filter to widen instead of an empty table.
    for recs in m.recommend_rows(qs.rows, k, flt):
        sections.append((recs.query, m.profile(recs.query), recs))
        if recs.note:
            _err(f"{recs.query.name} ({recs.query.country}): {recs.note}")
    write_html_report(html, sections, _stamp(m, k))
    _err(f"wrote the report for {len(sections)} towns to {html}")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (localhost by default)."),
    port: int = typer.Option(8000, "--port", help="Port."),
    partnerships: Optional[str] = PartnershipsOpt,
    profiles: Optional[Path] = ProfilesOpt,
    workers: Optional[int] = typer.Option(
        None, "--workers", "-w", min=1, max=64, help="Ranking processes sharing the loaded model; default one per core."
    ),
    max_waiting: Optional[int] = typer.Option(
        None,
        "--max-waiting",
        min=0,
        max=10_000,
        help="Ranking requests that may wait for a turn (default 16 per worker); more get 503 at once.",
    ),
    timeout: float = typer.Option(
        10.0, "--timeout", min=0.1, max=600.0, help="Seconds a ranking request may wait for its turn before a 503."
    ),
    cache_size: int = typer.Option(
        2048, "--cache-size", min=0, max=1_000_000, help="Recent answers kept (0: no cache)."
    ),
    access_log: bool = typer.Option(True, "--access-log/--no-access-log", help="One JSON line per request on stderr."),
):
    """Serve the JSON API (docs at /docs) and the web page (at /) for city officers."""
    from .service import default_workers
    from .service import serve as run_server

    m = _matcher(partnerships, profiles)
    n = workers or default_workers()
    _err(f"serving on http://{host}:{port}/ with {n} worker{'s' if n > 1 else ''} (API docs at /docs); Ctrl-C stops")
    run_server(
        m,
        host=host,
        port=port,
        workers=n,
        meta=_stamp(m, None),
        log_requests=access_log,
        max_waiting=max_waiting,
        timeout=timeout,
        cache_size=cache_size,
    )


@app.command()
def evaluate(
    partnerships: str = typer.Option(
        ..., "--partnerships", "-p", help="Training partnerships CSV, or 'none' to rank from profiles alone."
    ),
    test: Path = typer.Option(..., "--test", help="Held-out partnerships CSV (same columns)."),
    max_queries: Optional[int] = typer.Option(
        None, "--max-queries", help="Sample at most this many query towns per group."
    ),
    model: str = typer.Option("shortlist", "--model", help="shortlist (the default ranker), two_stage or hand."),
):
    """Print ranking metrics (Hits@10/50/100, MRR, median rank) of held-out pairs as JSON."""
    from types import SimpleNamespace

    import numpy as np

    from ..evaluation import evaluate as run_eval
    from ..partnerships import load_partnerships

    m = _matcher(partnerships, model=model, quiet=True)
    # The test file's towns are found as the matcher finds any town typed by a user.
    test_graph, report = load_partnerships(test, m.cities_, SimpleNamespace(resolve=m.row))
    pairs = np.concatenate([test_graph.edges, test_graph.edges[:, ::-1]])
    result = run_eval(m, pairs, max_queries=max_queries)
    result["test_file"] = report.summary()
    typer.echo(json.dumps(result, indent=2))


@app.command()
def profile(
    city: str = typer.Argument(..., help="Town name, 'name, CC' or GeoNames id."),
    country: Optional[str] = CountryOpt,
    region: Optional[str] = RegionOpt,
    profiles: Optional[Path] = ProfilesOpt,
    fmt: str = typer.Option("text", "--format", "-f", help="text or json."),
):
    """Print everything known about a town's profile, each fact with its source."""
    if fmt not in ("text", "json"):
        raise InvalidInput(f"--format must be text or json, got {fmt!r}")
    p = new_matcher(profiles=profiles).profile(city, country, region=region)
    if fmt == "json":
        typer.echo(json.dumps(p.to_dict(), ensure_ascii=False, indent=2))
        return
    typer.echo(p.city.label(with_population=True))
    if not p.facts:
        typer.echo("  no profile facts known (unknown, not 'none')")
    for aspect in ("industry", "history", "country_group", "diaspora"):
        facts = [f for f in p.facts if f.aspect == aspect]
        if facts:
            typer.echo(f"  {aspect}:")
            for f in facts:
                typer.echo(f"    - {f.text or f.value} [{f.level}] — {f.source}")


@app.command("data-stats")
def data_stats(fmt: str = typer.Option("text", "--format", "-f", help="text or json.")):
    """Print how many cities carry each profile aspect and each tag."""
    stats = new_matcher().data_stats()
    if fmt == "json":
        typer.echo(json.dumps(stats, indent=2))
        return
    for key, value in stats["coverage"].items():
        typer.echo(f"{key:45s}{value:>10,}")
    for aspect, counts in stats["tags"].items():
        typer.echo(f"\n{aspect} tags (cities):")
        for tag, n in sorted(counts.items(), key=lambda kv: -kv[1]):
            typer.echo(f"  {tag:28s}{n:>7,}")


@app.command()
@filter_options()
def explain(
    city: str = typer.Argument(..., help="Your town: name, 'name, CC' or GeoNames id."),
    candidate: str = typer.Argument(..., help="The town you have in mind: name, 'name, CC' or GeoNames id."),
    country: Optional[str] = CountryOpt,
    region: Optional[str] = RegionOpt,
    candidate_country: Optional[str] = typer.Option(
        None, "--candidate-country", help="ISO code of the candidate's country."
    ),
    candidate_region: Optional[str] = typer.Option(
        None, "--candidate-region", help="First-level region of the candidate (code or name)."
    ),
    partnerships: Optional[str] = PartnershipsOpt,
    profiles: Optional[Path] = ProfilesOpt,
    filters: dict = FiltersOpt,
    fmt: str = typer.Option("text", "--format", "-f", help="text or json."),
):
    """Explain one pair: the candidate's rank, score, every feature's part, and what excludes it."""
    if fmt not in ("text", "json"):
        raise InvalidInput(f"--format must be text or json, got {fmt!r}")
    m = _matcher(partnerships, profiles)
    e = m.explain(
        city,
        candidate,
        country=country,
        candidate_country=candidate_country,
        region=region,
        candidate_region=candidate_region,
        **filters,
    )
    if fmt == "json":
        typer.echo(json.dumps(e.to_dict(), ensure_ascii=False, indent=2))
        return
    typer.echo(f"{e.candidate.label()} for {e.query.label()}: {e.distance_km:,.0f} km apart")
    if e.rank is not None:
        typer.echo(f"  rank {e.rank:,} of {e.of:,} candidates; score {e.score:.2f}")
    else:
        typer.echo(f"  not a candidate: {'; '.join(e.excluded_by)}")
        typer.echo(f"  were it allowed, it would rank {e.would_rank:,} of {e.of + 1:,}; score {e.score:.2f}")
    typer.echo("  contributions (largest first):")
    for c in e.contributions:
        typer.echo(f"    {c.contribution:+8.3f}  {c.feature:32s} {c.text}")


@app.command()
def version():
    """Print the package version."""
    typer.echo(__version__)


def main(argv=None):
    """Entry point: run the CLI; a usage error prints click's usage message, any other error
    a user can cause one line ``error: ...``; both exit with code 2, never a traceback."""
    try:
        rv = app(args=argv, prog_name="sistermatch", standalone_mode=False)
    except MatcherError as exc:
        _err(f"error: {exc}")
        sys.exit(EXIT_USAGE)
    except KeyboardInterrupt:
        _err("interrupted")
        sys.exit(130)
    except OSError as exc:
        _err(f"error: {exc.strerror or exc}: {getattr(exc, 'filename', '') or ''}".rstrip(": "))
        sys.exit(EXIT_USAGE)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        _err("aborted")
        sys.exit(1)
    except typer.TyperException as exc:
        # typer vendors its own click, so these are not ``click.ClickException``: usage
        # errors (missing argument, bad value, unknown option or command with typer's
        # "Did you mean") print "Usage: ..." and "Error: ..." as click does in standalone mode.
        exc.show()
        sys.exit(getattr(exc, "exit_code", EXIT_USAGE))
    if isinstance(rv, int) and rv:  # --help and the like return their exit code
        sys.exit(rv)


if __name__ == "__main__":  # pragma: no cover
    main()
