"""The batch report: one self-contained HTML page for several towns, written atomically.

The page has no external URL at all (no fonts, scripts, images or tiles fetched from
anywhere), so it can be mailed or archived and still opens the same years later. Its
maps are inline SVG drawn from :func:`~sistermatch.interfaces.worldmap.render_map`.
"""

import math
from datetime import datetime, timezone
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from .._version import __version__
from ..io import atomic_path
from .worldmap import render_map

__all__ = ["write_html_report", "write_matching_report", "relative_fit", "META_FIELDS"]

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE = "report.html.j2"
META_FIELDS = (
    ("version", "sistermatch version"),
    ("data_version", "Data version"),
    ("partnerships_checksum", "Partnerships file (SHA-256)"),
    ("k", "Candidates per town"),
    ("generated_at", "Generated at"),
)
"""Stamp fields shown first, in this order, with their labels; other keys follow as given."""


def _environment():
    # Autoescaping matters: town names and profile sources are data, not markup.
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def relative_fit(recommendations):
    """Each candidate's fit relative to the best one, 0-100: ``100 * exp(score - best score)``.

    The model's scores are log-odds, so this is the candidate's odds of being a good
    partner as a share of the best candidate's odds: rank 1 is 100, and a bar of 50 means
    "half as likely as the best". It does not depend on how many candidates are shown.

    Examples
    --------
    >>> from sistermatch.results import Recommendation
    >>> relative_fit([Recommendation(None, None, i, s, 0.0, ()) for i, s in ((1, 2.0), (2, 1.0))])
    [100.0, 36.8]
    """
    scores = [r.score for r in recommendations]
    if not scores:
        return []
    best = max(scores)
    return [round(100 * math.exp(s - best), 1) for s in scores]


def _stamp(meta):
    meta = dict(meta or {})
    meta.setdefault("version", __version__)
    meta.setdefault("generated_at", datetime.now(timezone.utc).isoformat(timespec="seconds"))
    known = [(label, meta[key]) for key, label in META_FIELDS if meta.get(key) is not None]
    extra = [
        (str(key).replace("_", " ").capitalize(), value)
        for key, value in meta.items()
        if key not in dict(META_FIELDS) and value is not None
    ]
    return known + extra


def write_html_report(path, sections, meta):
    """Write the batch report as one self-contained HTML file.

    Parameters
    ----------
    path : str or Path
        The output file; its folder must exist. It is replaced only once the whole page
        has been written, so a failure leaves no file (or the previous one) behind.
    sections : sequence of (City, CityProfile or None, tuple of Recommendation)
        One per query town, in the order to show: the town, its profile (None when
        profiles are off or unknown), and its ranked candidates as returned by
        :meth:`Matcher.recommend`. The CLI builds these, e.g.
        ``[(m.resolve(t), m.profile(t), m.recommend(t, k=k, **filters)) for t in towns]``.
    meta : dict
        The stamp printed on the report: ``version`` (package), ``data_version``,
        ``partnerships_checksum``, ``k`` and ``generated_at`` (ISO time); other keys are
        shown after these. ``version`` and ``generated_at`` are filled in when missing.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    InvalidInput
        The output folder does not exist.

    Examples
    --------
    >>> write_html_report("report.html", sections, {"k": 10, "data_version": "2024-06"})  # doctest: +SKIP
    """
    path = Path(path)
    stamp = _stamp(meta)
    template = _environment().get_template(TEMPLATE)
    # Rendering streams into the temporary file, so a large batch is never held whole in
    # memory; atomic_path throws the partial file away if any section fails.
    sections = list(sections)
    toc = [{"anchor": f"town-{i}", "label": city.label()} for i, (city, _, _) in enumerate(sections, start=1)]
    context = {"stamp": stamp, "toc": toc, "sections": _prepare(sections)}
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        template.stream(**context).dump(fh)
    return path


def _prepare(sections):
    """Turn each section into what the template reads; lazily, so rendering streams."""
    for i, (city, profile, recs) in enumerate(sections, start=1):
        note = getattr(recs, "note", None)  # Matcher.recommend says which filter to widen
        recs = tuple(recs)
        yield {
            "anchor": f"town-{i}",
            "city": city,
            "label": city.label(with_population=True),
            "facts": list(profile.facts) if profile is not None else None,
            "rows": list(zip(recs, relative_fit(recs), (r.city.region_name for r in recs))),
            "map": render_map(city, [r.city for r in recs]),
            "note": note or "No candidate passes the filters for this town.",
        }


def write_matching_report(path, matching, meta):
    """Write a programme matching (:meth:`Matcher.match`) as one self-contained HTML page:
    the pairs best first with their fit, distance, reasons from both sides and each town's
    next best alternatives, then the towns left without a partner. Written atomically.

    Parameters
    ----------
    path : str or Path
    matching : Matching
    meta : dict
        The stamp, as for :func:`write_html_report`.
    """
    path = Path(path)

    def alternatives(items):
        return ", ".join(f"{c.label()} ({100 * math.exp(s):.0f})" for c, s in items)

    pairs = [
        {
            "a": p.a.label(),
            "b": p.b.label(),
            "a_name": p.a.name,
            "b_name": p.b.name,
            "fit": round(min(max(p.fit, 0.0), 100.0), 1),
            "fit_text": f"{p.fit:.0f}" if p.fit >= 1 else "<1",
            "km": f"{p.distance_km:,.0f}",
            "reasons": [r.text for r in p.reasons],
            "alternatives_a": alternatives(p.alternatives_a),
            "alternatives_b": alternatives(p.alternatives_b),
        }
        for p in matching
    ]
    context = {
        "stamp": _stamp(meta),
        "pairs": pairs,
        "unmatched": [c.label() for c in matching.unmatched],
        "note": matching.note,
    }
    template = _environment().get_template("matching.html.j2")
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        template.stream(**context).dump(fh)
    return path
