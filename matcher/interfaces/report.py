"""The batch report: one self-contained HTML page for several towns, written atomically.

The page has no external URL at all (no fonts, scripts, images or tiles fetched from
anywhere), so it can be mailed or archived and still opens the same years later. Its
maps are inline SVG in an equirectangular projection, computed here.
"""

import math
from datetime import datetime, timezone
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from .._version import __version__
from ..io import atomic_path

__all__ = ["write_html_report", "render_map", "score_bars", "META_FIELDS"]

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

MAP_WIDTH = 960
MIN_MAP_HEIGHT = 240


def _environment():
    # Autoescaping matters: town names and profile sources are data, not markup.
    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined,
                       trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def render_map(query, cities, width=MAP_WIDTH):
    """Pixel geometry of a small equirectangular map of a town and its candidates.

    The frame is the smallest box around the points, padded, with one scale on both
    axes (x = longitude, y = -latitude), so shapes and directions stay true to a flat map.

    Parameters
    ----------
    query : City
    cities : sequence of City
        The candidates, best first.
    width : int
        Width of the drawing in SVG user units.

    Returns
    -------
    dict
        ``width``, ``height``, ``query`` (x, y), ``points`` (x, y, rank, name, country),
        ``meridians`` and ``parallels`` (position and label).

    Examples
    --------
    >>> from sistermatch.cities import City
    >>> q = City(1, "A", "GB", "", 52.0, -1.5, 1000)
    >>> m = render_map(q, [City(2, "B", "DE", "", 52.0, 13.4, 1000)])
    >>> m["query"]["y"] == m["points"][0]["y"]
    True
    """
    pts = [query, *cities]
    lons = [c.longitude for c in pts]
    lats = [c.latitude for c in pts]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    # A minimum frame keeps a handful of close towns from becoming one blot.
    pad_lon, pad_lat = max((east - west) * 0.08, 4.0), max((north - south) * 0.15, 3.0)
    west, east = max(-180.0, west - pad_lon), min(180.0, east + pad_lon)
    south, north = max(-90.0, south - pad_lat), min(90.0, north + pad_lat)
    # A wide frame suits a figure across the page; the web page draws the same frame.
    if north - south > (east - west) * 0.5:
        mid, half = (east + west) / 2, (north - south) / 0.5 / 2
        west, east = max(-180.0, mid - half), min(180.0, mid + half)
    height = max(MIN_MAP_HEIGHT, round(width * (north - south) / (east - west)))

    def x(lon):
        return round((lon - west) / (east - west) * width, 1)

    def y(lat):
        return round((north - lat) / (north - south) * height, 1)

    span = max(east - west, north - south)
    step = 30 if span > 120 else 15 if span > 50 else 10 if span > 20 else 5
    meridians = [{"x": x(lon), "label": _degrees(lon, "E", "W")}
                 for lon in range(math.ceil(west / step) * step, math.floor(east) + 1, step)]
    parallels = [{"y": y(lat), "label": _degrees(lat, "N", "S")}
                 for lat in range(math.ceil(south / step) * step, math.floor(north) + 1, step)]
    points = [{"x": x(c.longitude), "y": y(c.latitude), "rank": i, "name": c.name, "country": c.country}
              for i, c in enumerate(cities, start=1)]
    qx, qy = x(query.longitude), y(query.latitude)
    return {"width": width, "height": height, "meridians": meridians, "parallels": parallels,
            "points": points, "query": {"x": qx, "y": qy, "name": query.name, "right": qx > width * 0.7}}


def _degrees(value, positive, negative):
    return f"{abs(value)}°{positive if value > 0 else negative if value < 0 else ''}"


def score_bars(recommendations):
    """Bar length (percent) of each candidate: its score relative to the others shown.

    Scores are on the model's scale, which means little to a reader; the bar shows the
    spread within one town's list, from 10 % for the lowest to 100 % for the best.
    """
    scores = [r.score for r in recommendations]
    if not scores:
        return []
    hi, lo = max(scores), min(scores)
    return [round(100 * (0.1 + 0.9 * (s - lo) / (hi - lo)), 1) if hi > lo else 100.0 for s in scores]


def _stamp(meta):
    meta = dict(meta or {})
    meta.setdefault("version", __version__)
    meta.setdefault("generated_at", datetime.now(timezone.utc).isoformat(timespec="seconds"))
    known = [(label, meta[key]) for key, label in META_FIELDS if meta.get(key) is not None]
    extra = [(str(key).replace("_", " ").capitalize(), value) for key, value in meta.items()
             if key not in dict(META_FIELDS) and value is not None]
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
        recs = tuple(recs)
        yield {
            "anchor": f"town-{i}",
            "city": city,
            "label": city.label(with_population=True),
            "facts": list(profile.facts) if profile is not None else None,
            "rows": list(zip(recs, score_bars(recs))),
            "map": render_map(city, [r.city for r in recs]),
        }
