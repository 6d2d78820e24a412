"""A flat map of a town and its candidates: frame, land outlines and markers, in pixels.

Equirectangular (x = longitude, y = -latitude, one scale on both axes), so shapes and
directions stay true to a flat map. Land is Natural Earth 1:110m from the ``world-atlas``
TopoJSON shipped in ``static/vendor/``, decoded here. The HTML report draws these maps as
inline SVG; the web page's ``static/map.js`` does the same in the browser, step for step.
"""

import functools
import json
import math
from pathlib import Path

__all__ = [
    "render_map",
    "map_frame",
    "decode_topojson",
    "unwrap_ring",
    "land_rings",
    "clip_ring",
    "spread_markers",
    "MAP_WIDTH",
    "MIN_ASPECT",
    "MARKER_GAP",
]

LAND_FILE = Path(__file__).parent / "static" / "vendor" / "world-atlas" / "land-110m.json"
MAP_WIDTH = 960
MIN_ASPECT = 0.25
"""Smallest height/width of a map: a row of towns along one parallel still gets some sky."""
MARKER_GAP = 21
"""Centre-to-centre distance below which two markers (radius 9 and 10) would overlap."""


def decode_topojson(topology, name):
    """The rings of one TopoJSON object as lists of ``(longitude, latitude)``.

    TopoJSON stores each shared boundary once, as an "arc"; a quantized file stores an
    arc's points as integer steps from the previous point, to be scaled by ``transform``.
    A ring lists its arcs by index, ``~i`` meaning arc ``i`` backwards.

    Parameters
    ----------
    topology : dict
        A parsed TopoJSON file.
    name : str
        The object to decode, e.g. ``"land"``.

    Returns
    -------
    list of list of (float, float)
        Every ring (outer boundaries and holes alike) of every polygon of the object.

    Examples
    --------
    >>> topo = {"type": "Topology", "transform": {"scale": [1, 1], "translate": [0, 0]},
    ...         "arcs": [[[0, 0], [2, 0], [0, 1], [-2, 0], [0, -1]]],
    ...         "objects": {"sq": {"type": "Polygon", "arcs": [[0]]}}}
    >>> decode_topojson(topo, "sq")
    [[(0, 0), (2, 0), (2, 1), (0, 1), (0, 0)]]
    """
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            points = []
            for dx, dy in arc:
                x, y = x + dx, y + dy
                points.append((x * sx + tx, y * sy + ty))
        else:
            points = [(p[0], p[1]) for p in arc]
        arcs.append(points)

    def ring(indexes):
        points = []
        for i in indexes:
            arc = arcs[i] if i >= 0 else arcs[~i][::-1]
            points.extend(arc[1:] if points else arc)  # consecutive arcs share their end point
        return points

    rings = []

    def walk(geometry):
        kind = geometry["type"]
        if kind == "GeometryCollection":
            for g in geometry["geometries"]:
                walk(g)
        elif kind == "Polygon":
            rings.extend(ring(r) for r in geometry["arcs"])
        elif kind == "MultiPolygon":
            rings.extend(ring(r) for polygon in geometry["arcs"] for r in polygon)

    walk(topology["objects"][name])
    return rings


def unwrap_ring(ring):
    """A ring whose longitudes never jump by more than 180 degrees, for drawing on a flat map.

    The TopoJSON is spherical: a polygon that crosses the antimeridian (Chukotka, Fiji) steps
    from +180 to -180, which on a flat map would be a line across the world. Here such a
    ring continues past +-180 instead (draw it again shifted by 360 degrees to see the other
    side); a ring around a pole (Antarctica) is closed along the pole.

    Examples
    --------
    >>> unwrap_ring([(179.0, 10.0), (-179.0, 10.0), (-179.0, 11.0), (179.0, 11.0)])
    [(179.0, 10.0), (181.0, 10.0), (181.0, 11.0), (179.0, 11.0)]
    """
    out = [tuple(ring[0])]
    offset = 0.0
    for lon, lat in ring[1:]:
        lon += offset
        if lon - out[-1][0] > 180:
            offset -= 360
            lon -= 360
        elif lon - out[-1][0] < -180:
            offset += 360
            lon += 360
        out.append((lon, lat))
    if offset:  # went once around the globe: the ring encloses a pole
        pole = -90.0 if sum(p[1] for p in out) < 0 else 90.0
        out += [(out[-1][0], pole), (out[0][0], pole)]
    return out


@functools.lru_cache(maxsize=1)
def land_rings():
    """Natural Earth 1:110m land as flat-map rings of ``(longitude, latitude)``, each with its box.

    Longitudes may run past +-180 (see :func:`unwrap_ring`).

    Returns
    -------
    tuple of (tuple of (float, float), (west, south, east, north))
    """
    topology = json.loads(LAND_FILE.read_text(encoding="utf-8"))
    out = []
    for r in decode_topojson(topology, "land"):
        r = unwrap_ring(r)
        lons, lats = [p[0] for p in r], [p[1] for p in r]
        out.append((tuple(r), (min(lons), min(lats), max(lons), max(lats))))
    return tuple(out)


def clip_ring(points, left, top, right, bottom):
    """A polygon ring cut to a rectangle (Sutherland-Hodgman), in pixel coordinates.

    Land far outside the frame would only make the drawing heavy; the cut ring fills the
    same area inside the rectangle. The web page cuts its rings the same way.

    Examples
    --------
    >>> clip_ring([(-10, -10), (10, -10), (10, 10), (-10, 10)], 0, 0, 5, 5)
    [(0.0, 5), (0.0, 0), (5.0, 0), (5.0, 5)]
    """
    edges = (
        (lambda p: p[0] >= left, lambda a, b: (left, a[1] + (b[1] - a[1]) * (left - a[0]) / (b[0] - a[0]))),
        (lambda p: p[0] <= right, lambda a, b: (right, a[1] + (b[1] - a[1]) * (right - a[0]) / (b[0] - a[0]))),
        (lambda p: p[1] >= top, lambda a, b: (a[0] + (b[0] - a[0]) * (top - a[1]) / (b[1] - a[1]), top)),
        (lambda p: p[1] <= bottom, lambda a, b: (a[0] + (b[0] - a[0]) * (bottom - a[1]) / (b[1] - a[1]), bottom)),
    )
    for inside, cut in edges:
        source, points = points, []
        for k, cur in enumerate(source):
            prev = source[k - 1]
            if inside(cur):
                if not inside(prev):
                    points.append(cut(prev, cur))
                points.append(cur)
            elif inside(prev):
                points.append(cut(prev, cur))
        if not points:
            break
    return points


def _land_path(west, east, south, north, x, y, width, height):
    """One SVG path of the land inside the frame; points under a pixel apart are merged."""
    parts = []
    margin = 4
    for ring, (w, s, e, n) in land_rings():
        for shift in (-360.0, 0.0, 360.0):  # a ring past the antimeridian shows on the other side
            if e + shift < west or w + shift > east or n < south or s > north:
                continue
            projected, last = [], None
            for lon, lat in ring:
                p = (x(lon + shift), y(lat))
                if last is None or abs(p[0] - last[0]) + abs(p[1] - last[1]) >= 1.0:
                    projected.append(p)
                    last = p
            points = clip_ring(projected, -margin, -margin, width + margin, height + margin)
            if len(points) >= 3:
                parts.append("M" + "L".join(f"{px:.1f} {py:.1f}".replace(".0 ", " ") for px, py in points) + "Z")
    return "".join(parts)


def spread_markers(points, gap=MARKER_GAP, width=MAP_WIDTH, height=None):
    """Marker positions that do not overlap: close markers are pushed apart, the first stays.

    Parameters
    ----------
    points : sequence of (float, float)
        True positions in pixels; the first (the query town) never moves.
    gap : float
        Smallest centre-to-centre distance.
    width, height : float
        Markers are kept inside this box (half a gap from its edges).

    Returns
    -------
    list of (float, float)
        One position per point, rounded to 0.1 px; the web page computes the same.

    Examples
    --------
    >>> spread_markers([(100, 100), (100, 100), (300, 100)], gap=20)
    [(100.0, 100.0), (85.3, 113.5), (300.0, 100.0)]
    """
    height = width if height is None else height
    pos = [[float(px), float(py)] for px, py in points]
    for _ in range(100):
        moved = False
        for i in range(len(pos)):
            for j in range(i + 1, len(pos)):
                dx, dy = pos[j][0] - pos[i][0], pos[j][1] - pos[i][1]
                d = math.hypot(dx, dy)
                if d >= gap - 1e-9:
                    continue
                if d < 1e-6:  # same place: a fixed direction per marker, so the result is repeatable
                    angle = j * 2.399963
                    ux, uy, d = math.cos(angle), math.sin(angle), 0.0
                else:
                    ux, uy = dx / d, dy / d
                push = gap - d
                if i == 0:
                    pos[j][0] += ux * push
                    pos[j][1] += uy * push
                else:
                    pos[i][0] -= ux * push / 2
                    pos[i][1] -= uy * push / 2
                    pos[j][0] += ux * push / 2
                    pos[j][1] += uy * push / 2
                moved = True
        for p in pos[1:]:
            p[0] = min(max(p[0], gap / 2), width - gap / 2)
            p[1] = min(max(p[1], gap / 2), height - gap / 2)
        if not moved:
            break
    return [(round(px, 1), round(py, 1)) for px, py in pos]


def map_frame(points):
    """The map's box ``(west, east, south, north)`` around ``(longitude, latitude)`` points.

    Padded, at least 8 x 6 degrees, no taller than half its width unless it must be, and no
    flatter than :data:`MIN_ASPECT`, so one scale serves both axes.
    """
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    # A minimum frame keeps a handful of close towns from becoming one blot.
    pad_lon, pad_lat = max((east - west) * 0.08, 4.0), max((north - south) * 0.15, 3.0)
    west, east = max(-180.0, west - pad_lon), min(180.0, east + pad_lon)
    south, north = max(-90.0, south - pad_lat), min(90.0, north + pad_lat)
    # A wide frame suits a figure across the page; the web page draws the same frame.
    if north - south > (east - west) * 0.5:
        mid, half = (east + west) / 2, (north - south) / 0.5 / 2
        west, east = max(-180.0, mid - half), min(180.0, mid + half)
    # A flat frame grows north and south (not only taller pixels), so a degree stays square.
    if north - south < (east - west) * MIN_ASPECT:
        mid, half = (north + south) / 2, (east - west) * MIN_ASPECT / 2
        south, north = mid - half, mid + half
        if south < -90.0:
            south, north = -90.0, north - 90.0 - south
        if north > 90.0:
            south, north = south - (north - 90.0), 90.0
    return west, east, south, north


def render_map(query, cities, width=MAP_WIDTH):
    """Pixel geometry of a small equirectangular map of a town and its candidates.

    The frame is the smallest box around the points, padded, with one scale on both
    axes (x = longitude, y = -latitude), so shapes and directions stay true to a flat map.
    Land is drawn from Natural Earth; markers that would overlap are pushed apart, with a
    leader line back to the town's true place.

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
        ``width``, ``height``, ``land`` (SVG path data), ``query`` (x, y, name),
        ``points`` (x, y: true place; mx, my: marker; moved; rank, name, country),
        ``meridians`` and ``parallels`` (position and label).

    Examples
    --------
    >>> from sistermatch.cities import City
    >>> q = City(1, "A", "GB", "", 52.0, -1.5, 1000)
    >>> m = render_map(q, [City(2, "B", "DE", "", 52.0, 13.4, 1000)])
    >>> m["query"]["y"] == m["points"][0]["y"]
    True
    """
    west, east, south, north = map_frame([(c.longitude, c.latitude) for c in (query, *cities)])
    height = round(width * (north - south) / (east - west))

    def x(lon):
        return round((lon - west) / (east - west) * width, 1)

    def y(lat):
        return round((north - lat) / (north - south) * height, 1)

    span = max(east - west, north - south)
    step = 30 if span > 120 else 15 if span > 50 else 10 if span > 20 else 5
    meridians = [
        {"x": x(lon), "label": _degrees(lon, "E", "W")}
        for lon in range(math.ceil(west / step) * step, math.floor(east) + 1, step)
    ]
    # A parallel's label at the top edge would be cut, one near the bottom would sit on the
    # meridians' labels; the line stays.
    parallels = [
        {"y": y(lat), "label": _degrees(lat, "N", "S") if 14 < y(lat) < height - 16 else ""}
        for lat in range(math.ceil(south / step) * step, math.floor(north) + 1, step)
    ]
    qx, qy = x(query.longitude), y(query.latitude)
    true_xy = [(qx, qy)] + [(x(c.longitude), y(c.latitude)) for c in cities]
    markers = spread_markers(true_xy, MARKER_GAP, width, height)
    points = [
        {
            "x": px,
            "y": py,
            "mx": mx,
            "my": my,
            "moved": math.hypot(mx - px, my - py) > 1,
            "rank": i,
            "name": c.name,
            "country": c.country,
        }
        for i, (c, (px, py), (mx, my)) in enumerate(zip(cities, true_xy[1:], markers[1:]), start=1)
    ]
    return {
        "width": width,
        "height": height,
        "land": _land_path(west, east, south, north, x, y, width, height),
        "meridians": meridians,
        "parallels": parallels,
        "points": points,
        "query": {"x": qx, "y": qy, "name": query.name, "right": qx > width * 0.7},
    }


def _degrees(value, positive, negative):
    return f"{abs(value)}°{positive if value > 0 else negative if value < 0 else ''}"
